using System.Collections.Immutable;
using System.Formats.Cbor;
using System.Security.Cryptography;
using Parley.Protocol.Formats;
using Parley.Protocol.Identity;

namespace Parley.Protocol.Documents;

/// <summary>
/// An entry of the print register (DESIGN §9): one printed copy of one version:
/// <c>["parley/document-print", 1, document id, version, version hash, copy number, recipient user id,
/// recipient device id, label, printed at]</c>. The register issues copy numbers and the copy's canary
/// choices; the ledger records <see cref="Hash"/>; destruction of a paper copy is recorded against it.
/// </summary>
public sealed class PrintRecord : ICanonical<PrintRecord>
{
    private const string Type = "parley/document-print";

    /// <summary>Builds a record; throws <see cref="ArgumentException"/> for values the format cannot carry.</summary>
    public PrintRecord(Guid documentId, int version, ImmutableArray<byte> versionHash, int copyNumber, Guid recipientUserId, Guid recipientDeviceId, string label, long printedAt)
    {
        if (version < 1) throw new ArgumentException("Document versions start at 1.", nameof(version));
        if (versionHash.IsDefault || versionHash.Length != DocumentVersion.HashSize) throw new ArgumentException("The version hash is 32 bytes.", nameof(versionHash));
        if (copyNumber < 1) throw new ArgumentException("Copies are numbered from 1.", nameof(copyNumber));
        if (string.IsNullOrEmpty(label) || label.Length > Classification.Label.MaxLength) throw new ArgumentException("The label is 1 to 1024 characters.", nameof(label));
        DocumentId = documentId;
        Version = version;
        VersionHash = versionHash;
        CopyNumber = copyNumber;
        RecipientUserId = recipientUserId;
        RecipientDeviceId = recipientDeviceId;
        Label = label;
        PrintedAt = printedAt;
    }

    /// <summary>The document.</summary>
    public Guid DocumentId { get; }

    /// <summary>The version printed.</summary>
    public int Version { get; }

    /// <summary>Its hash.</summary>
    public ImmutableArray<byte> VersionHash { get; }

    /// <summary>The copy number, unique per document, from 1.</summary>
    public int CopyNumber { get; }

    /// <summary>Who the copy is for.</summary>
    public Guid RecipientUserId { get; }

    /// <summary>The device that rendered it.</summary>
    public Guid RecipientDeviceId { get; }

    /// <summary>The label printed on it.</summary>
    public string Label { get; }

    /// <summary>When the register issued it (the register's clock), Unix seconds.</summary>
    public long PrintedAt { get; }

    /// <summary>SHA-256 of the canonical encoding, for the ledger.</summary>
    public byte[] Hash() => SHA256.HashData(Canonical.Encode(this));

    /// <summary>Parses a record; a typed error for anything malformed.</summary>
    public static Result<PrintRecord> Decode(ReadOnlyMemory<byte> encoded) => Canonical.Decode<PrintRecord>(encoded);

    /// <inheritdoc />
    public void WriteTo(CborWriter writer)
    {
        Canonical.WriteHeader(writer, Type, 1, 8);
        Cbor.WriteGuid(writer, DocumentId);
        writer.WriteInt32(Version);
        writer.WriteByteString(VersionHash.AsSpan());
        writer.WriteInt32(CopyNumber);
        Cbor.WriteGuid(writer, RecipientUserId);
        Cbor.WriteGuid(writer, RecipientDeviceId);
        writer.WriteTextString(Label);
        writer.WriteInt64(PrintedAt);
        writer.WriteEndArray();
    }

    /// <inheritdoc />
    public static PrintRecord ReadFrom(CborReader reader)
    {
        Canonical.ReadHeader(reader, Type, 8);
        var document = Cbor.ReadGuid(reader, "document id");
        var version = reader.ReadInt32();
        var hash = Canonical.ReadBytes(reader, DocumentVersion.HashSize, "version hash");
        var copy = reader.ReadInt32();
        var user = Cbor.ReadGuid(reader, "recipient user id");
        var device = Cbor.ReadGuid(reader, "recipient device id");
        var label = Canonical.ReadText(reader, Classification.Label.MaxLength, "label");
        var at = reader.ReadInt64();
        reader.ReadEndArray();
        if (version < 1 || copy < 1 || label.Length == 0) throw new CanonicalFormatException("Versions and copies are numbered from 1, and a label is not empty.");
        return new PrintRecord(document, version, [.. hash], copy, user, device, label, at);
    }
}
