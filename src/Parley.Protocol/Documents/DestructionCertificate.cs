using System.Collections.Immutable;
using System.Formats.Cbor;
using Parley.Protocol.Formats;
using Parley.Protocol.Identity;

namespace Parley.Protocol.Documents;

/// <summary>Outcome of a sanitization, as NIST SP 800-88 Rev. 1 records it.</summary>
public enum SanitizationResult
{
    /// <summary>Verification found nothing left from which the content could be recovered.</summary>
    Succeeded = 1,
    /// <summary>Verification found something left: the document is not destroyed.</summary>
    Failed = 2,
}

/// <summary>
/// A certificate of sanitization (NIST SP 800-88 Rev. 1, §4.8 and appendix G) for a document, signed
/// by the person who performed it with their composite identity key (as <see cref="Signed{T}"/>,
/// context <c>parley/destruction-certificate</c>):
/// <c>["parley/destruction-certificate", 1, certificate id, document id, versions, label, media description,
/// sanitization method, technique, tool, performed by user id, performed by delegation, performed at, reason,
/// verified by, verification method, wrapped keys remaining, result]</c>.
/// The method is always <c>purge</c> and the technique <c>cryptographic erase</c>: every wrapped copy of
/// each version's key is deleted, so the ciphertext left anywhere is unreadable. The ledger records
/// <see cref="Signed{T}.Hash"/> of the signed certificate.
/// </summary>
public sealed class DestructionCertificate : ISignedBody<DestructionCertificate>
{
    /// <summary>The SP 800-88 sanitization method cryptographic erase belongs to.</summary>
    public const string Method = "purge";
    /// <summary>The SP 800-88 technique.</summary>
    public const string Technique = "cryptographic erase";
    /// <summary>Longest free-text field.</summary>
    public const int MaxTextLength = 1000;

    /// <summary>Builds a certificate; throws <see cref="ArgumentException"/> for values the format cannot carry.</summary>
    public DestructionCertificate(Guid certificateId, Guid documentId, ImmutableArray<int> versions, string label, string mediaDescription, string tool,
        Guid performedBy, string delegation, long performedAt, string reason, string verifiedBy, string verificationMethod,
        int wrappedKeysRemaining, SanitizationResult result)
    {
        var problem = Check(versions, label, mediaDescription, tool, delegation, reason, verifiedBy, verificationMethod, wrappedKeysRemaining, result);
        if (problem is not null) throw new ArgumentException(problem);
        CertificateId = certificateId;
        DocumentId = documentId;
        Versions = versions;
        Label = label;
        MediaDescription = mediaDescription;
        Tool = tool;
        PerformedBy = performedBy;
        Delegation = delegation;
        PerformedAt = performedAt;
        Reason = reason;
        VerifiedBy = verifiedBy;
        VerificationMethod = verificationMethod;
        WrappedKeysRemaining = wrappedKeysRemaining;
        Result = result;
    }

    /// <inheritdoc />
    public static string TypeName => "parley/destruction-certificate";

    /// <summary>The certificate's own id.</summary>
    public Guid CertificateId { get; }

    /// <summary>The document destroyed.</summary>
    public Guid DocumentId { get; }

    /// <summary>Every version whose keys were erased, ascending.</summary>
    public ImmutableArray<int> Versions { get; }

    /// <summary>The document's label (the classification of the media, in SP 800-88 terms).</summary>
    public string Label { get; }

    /// <summary>What was sanitized (SP 800-88 "media type / source"), e.g. the wrapped keys and ciphertext on the server.</summary>
    public string MediaDescription { get; }

    /// <summary>The tool used, with its version.</summary>
    public string Tool { get; }

    /// <summary>Who performed the sanitization.</summary>
    public Guid PerformedBy { get; }

    /// <summary>Their delegation.</summary>
    public string Delegation { get; }

    /// <summary>When, Unix seconds.</summary>
    public long PerformedAt { get; }

    /// <summary>Why the document was destroyed.</summary>
    public string Reason { get; }

    /// <summary>Who or what verified the result (SP 800-88 "validated by").</summary>
    public string VerifiedBy { get; }

    /// <summary>How it was verified.</summary>
    public string VerificationMethod { get; }

    /// <summary>Wrapped keys found after the erase; 0 for a success.</summary>
    public int WrappedKeysRemaining { get; }

    /// <summary>The outcome.</summary>
    public SanitizationResult Result { get; }

    private static string? Check(ImmutableArray<int> versions, string label, string media, string tool, string delegation, string reason, string verifiedBy,
        string verificationMethod, int remaining, SanitizationResult result)
    {
        if (versions.IsDefaultOrEmpty || versions.Length > 65536) return "A certificate names 1 to 65536 versions.";
        for (var i = 0; i < versions.Length; i++)
        {
            if (versions[i] < 1 || (i > 0 && versions[i] <= versions[i - 1])) return "Versions are from 1, ascending, each once.";
        }
        if (string.IsNullOrEmpty(label) || label.Length > Classification.Label.MaxLength) return "The label is 1 to 1024 characters.";
        foreach (var (name, value) in new[] { ("media description", media), ("tool", tool), ("reason", reason), ("verified by", verifiedBy), ("verification method", verificationMethod) })
        {
            if (string.IsNullOrWhiteSpace(value) || value.Length > MaxTextLength) return $"The {name} is 1 to {MaxTextLength} characters.";
        }
        if (!DelegationCode.IsValid(delegation)) return $"'{delegation}' is not a delegation code.";
        if (remaining < 0) return "Wrapped keys remaining cannot be negative.";
        if (result is not (SanitizationResult.Succeeded or SanitizationResult.Failed)) return "Unknown result.";
        if (result == SanitizationResult.Succeeded && remaining != 0) return "A sanitization with wrapped keys remaining did not succeed.";
        return null;
    }

    /// <inheritdoc />
    public void WriteTo(CborWriter writer)
    {
        Canonical.WriteHeader(writer, TypeName, 1, 16);
        Cbor.WriteGuid(writer, CertificateId);
        Cbor.WriteGuid(writer, DocumentId);
        writer.WriteStartArray(Versions.Length);
        foreach (var version in Versions) writer.WriteInt32(version);
        writer.WriteEndArray();
        writer.WriteTextString(Label);
        writer.WriteTextString(MediaDescription);
        writer.WriteTextString(Method);
        writer.WriteTextString(Technique);
        writer.WriteTextString(Tool);
        Cbor.WriteGuid(writer, PerformedBy);
        writer.WriteTextString(Delegation);
        writer.WriteInt64(PerformedAt);
        writer.WriteTextString(Reason);
        writer.WriteTextString(VerifiedBy);
        writer.WriteTextString(VerificationMethod);
        writer.WriteInt32(WrappedKeysRemaining);
        writer.WriteInt32((int)Result);
        writer.WriteEndArray();
    }

    /// <inheritdoc />
    public static DestructionCertificate ReadFrom(CborReader reader)
    {
        Canonical.ReadHeader(reader, TypeName, 16);
        var id = Cbor.ReadGuid(reader, "certificate id");
        var document = Cbor.ReadGuid(reader, "document id");
        var count = reader.ReadStartArray() ?? throw new CanonicalFormatException("versions must have a definite length.");
        if (count is < 1 or > 65536) throw new CanonicalFormatException("A certificate names 1 to 65536 versions.");
        var versions = new int[count];
        for (var i = 0; i < count; i++) versions[i] = reader.ReadInt32();
        reader.ReadEndArray();
        var label = Canonical.ReadText(reader, Classification.Label.MaxLength, "label");
        var media = Canonical.ReadText(reader, MaxTextLength, "media description");
        if (reader.ReadTextString() != Method) throw new CanonicalFormatException($"The sanitization method is '{Method}'.");
        if (reader.ReadTextString() != Technique) throw new CanonicalFormatException($"The technique is '{Technique}'.");
        var tool = Canonical.ReadText(reader, MaxTextLength, "tool");
        var by = Cbor.ReadGuid(reader, "performed by");
        var delegation = reader.ReadTextString();
        var at = reader.ReadInt64();
        var reason = Canonical.ReadText(reader, MaxTextLength, "reason");
        var verifiedBy = Canonical.ReadText(reader, MaxTextLength, "verified by");
        var verification = Canonical.ReadText(reader, MaxTextLength, "verification method");
        var remaining = reader.ReadInt32();
        var result = (SanitizationResult)reader.ReadInt32();
        reader.ReadEndArray();
        var problem = Check([.. versions], label, media, tool, delegation, reason, verifiedBy, verification, remaining, result);
        if (problem is not null) throw new CanonicalFormatException(problem);
        return new DestructionCertificate(id, document, [.. versions], label, media, tool, by, delegation, at, reason, verifiedBy, verification, remaining, result);
    }
}
