using System.Collections.Immutable;
using System.Formats.Cbor;
using System.Security.Cryptography;
using Parley.Protocol.Crypto;
using Parley.Protocol.Formats;
using Parley.Protocol.Identity;

namespace Parley.Protocol.Documents;

/// <summary>What a head of delegation does to a version.</summary>
public enum EndorsementKind
{
    /// <summary>Initialled ad referendum: the text is accepted subject to confirmation by the government.</summary>
    Initial = 1,
    /// <summary>Signed: the delegation agrees to this exact text.</summary>
    Sign = 2,
}

/// <summary>
/// A head of delegation's initials or signature on one version, signed with their composite
/// identity key (as <see cref="Signed{T}"/>, context <c>parley/document-endorsement</c>):
/// <c>["parley/document-endorsement", 1, kind, document id, version, version hash, delegation, signer user id, endorsed at]</c>.
/// The version hash names the exact manifest, hence the exact ciphertext, plaintext and label.
/// </summary>
public sealed class Endorsement : ISignedBody<Endorsement>
{
    /// <summary>Builds an endorsement; throws <see cref="ArgumentException"/> for values the format cannot carry.</summary>
    public Endorsement(EndorsementKind kind, Guid documentId, int version, ImmutableArray<byte> versionHash, string delegation, Guid signerUserId, long endorsedAt)
    {
        if (kind is not (EndorsementKind.Initial or EndorsementKind.Sign)) throw new ArgumentException("Unknown endorsement kind.", nameof(kind));
        if (version < 1) throw new ArgumentException("Document versions start at 1.", nameof(version));
        if (versionHash.IsDefault || versionHash.Length != DocumentVersion.HashSize) throw new ArgumentException("The version hash is 32 bytes.", nameof(versionHash));
        if (!DelegationCode.IsValid(delegation)) throw new ArgumentException($"'{delegation}' is not a delegation code.", nameof(delegation));
        Kind = kind;
        DocumentId = documentId;
        Version = version;
        VersionHash = versionHash;
        Delegation = delegation;
        SignerUserId = signerUserId;
        EndorsedAt = endorsedAt;
    }

    /// <inheritdoc />
    public static string TypeName => "parley/document-endorsement";

    /// <summary>Initials or signature.</summary>
    public EndorsementKind Kind { get; }

    /// <summary>The document.</summary>
    public Guid DocumentId { get; }

    /// <summary>The version endorsed.</summary>
    public int Version { get; }

    /// <summary>Its version hash.</summary>
    public ImmutableArray<byte> VersionHash { get; }

    /// <summary>The delegation the signer speaks for.</summary>
    public string Delegation { get; }

    /// <summary>The head of delegation.</summary>
    public Guid SignerUserId { get; }

    /// <summary>When, Unix seconds (the signer's clock).</summary>
    public long EndorsedAt { get; }

    /// <summary>An endorsement of <paramref name="version"/> by <paramref name="head"/>, signed with <paramref name="key"/>.</summary>
    public static ValueTask<Signed<Endorsement>> CreateAsync(CryptoSuite suite, CompositePrivateKey key, EndorsementKind kind, DocumentVersion version,
        string delegation, Guid head, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        return Signed<Endorsement>.SignAsync(suite, key, new Endorsement(kind, version.DocumentId, version.Version, [.. version.Hash()], delegation, head, now.ToUnixTimeSeconds()), cancellationToken);
    }

    /// <inheritdoc />
    public void WriteTo(CborWriter writer)
    {
        Canonical.WriteHeader(writer, TypeName, 1, 7);
        writer.WriteInt32((int)Kind);
        Cbor.WriteGuid(writer, DocumentId);
        writer.WriteInt32(Version);
        writer.WriteByteString(VersionHash.AsSpan());
        writer.WriteTextString(Delegation);
        Cbor.WriteGuid(writer, SignerUserId);
        writer.WriteInt64(EndorsedAt);
        writer.WriteEndArray();
    }

    /// <inheritdoc />
    public static Endorsement ReadFrom(CborReader reader)
    {
        Canonical.ReadHeader(reader, TypeName, 7);
        var kind = reader.ReadInt32();
        if (kind is not ((int)EndorsementKind.Initial or (int)EndorsementKind.Sign)) throw new CanonicalFormatException($"Unknown endorsement kind {kind}.");
        var document = Cbor.ReadGuid(reader, "document id");
        var version = reader.ReadInt32();
        if (version < 1) throw new CanonicalFormatException("Document versions start at 1.");
        var hash = Canonical.ReadBytes(reader, DocumentVersion.HashSize, "version hash");
        var delegation = DelegationCode.Read(reader);
        var signer = Cbor.ReadGuid(reader, "signer user id");
        var at = reader.ReadInt64();
        reader.ReadEndArray();
        return new Endorsement((EndorsementKind)kind, document, version, [.. hash], delegation, signer, at);
    }
}

/// <summary>A party to a text and the head of delegation whose signature binds it, as the client verified them.</summary>
/// <param name="Delegation">The party's delegation code.</param>
/// <param name="Head">The head of delegation, verified by <see cref="TrustVerifier"/>; must hold the head-of-delegation role.</param>
public sealed record AgreementParty(string Delegation, VerifiedMember Head);

/// <summary>One endorsement that counted: by a party's head, signature verified, for this document.</summary>
public sealed record CountedEndorsement(string Delegation, EndorsementKind Kind, int Version, ImmutableArray<byte> VersionHash, long EndorsedAt);

/// <summary>One endorsement that did not count, and why.</summary>
public sealed record RejectedEndorsement(int Index, string Reason);

/// <summary>Where a text stands: agreed or not, and who has initialled and signed what.</summary>
public sealed class AgreementStatus
{
    internal AgreementStatus(Guid documentId, ImmutableArray<byte> agreedVersionHash, int? agreedVersion, IReadOnlyList<CountedEndorsement> counted,
        IReadOnlyList<RejectedEndorsement> rejected, IReadOnlyList<string> missing)
    {
        DocumentId = documentId;
        AgreedVersionHash = agreedVersionHash;
        AgreedVersion = agreedVersion;
        Counted = counted;
        Rejected = rejected;
        PartiesYetToSign = missing;
    }

    /// <summary>The document.</summary>
    public Guid DocumentId { get; }

    /// <summary>True when the head of every party has signed the same version hash.</summary>
    public bool IsAgreed => AgreedVersion is not null;

    /// <summary>The agreed version (the highest, should several be signed by all), or null.</summary>
    public int? AgreedVersion { get; }

    /// <summary>Its hash; empty when not agreed.</summary>
    public ImmutableArray<byte> AgreedVersionHash { get; }

    /// <summary>Every endorsement that counted, in the order given.</summary>
    public IReadOnlyList<CountedEndorsement> Counted { get; }

    /// <summary>Endorsements that did not count, with the reason.</summary>
    public IReadOnlyList<RejectedEndorsement> Rejected { get; }

    /// <summary>When not agreed: the parties whose head has not signed the latest version any party signed
    /// (or every party, when nobody has signed); empty when agreed.</summary>
    public IReadOnlyList<string> PartiesYetToSign { get; }
}

/// <summary>Decides whether a text is agreed (DESIGN §9): when the head of every party has signed the same version hash.</summary>
public static class Agreement
{
    /// <summary>
    /// Verifies every endorsement and evaluates the agreement. An endorsement counts only if its
    /// signature verifies under the composite key of the head of the party it names, its signer is
    /// that head, and it is for <paramref name="documentId"/>; initials never make a text agreed.
    /// </summary>
    public static async ValueTask<AgreementStatus> EvaluateAsync(CryptoSuite suite, Guid documentId, IReadOnlyList<AgreementParty> parties,
        IReadOnlyList<Signed<Endorsement>> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(parties);
        ArgumentNullException.ThrowIfNull(records);
        if (parties.Count == 0) throw new ArgumentException("An agreement has at least one party.", nameof(parties));
        if (parties.Select(p => p.Delegation).Distinct(StringComparer.Ordinal).Count() != parties.Count)
            throw new ArgumentException("Each party is listed once.", nameof(parties));
        foreach (var party in parties)
        {
            if (party.Head.Delegation != party.Delegation)
                throw new ArgumentException($"The head given for {party.Delegation} belongs to {party.Head.Delegation}.", nameof(parties));
        }

        var counted = new List<CountedEndorsement>();
        var rejected = new List<RejectedEndorsement>();
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var body = record.Body;
            var party = parties.FirstOrDefault(p => p.Delegation == body.Delegation);
            string? reason = null;
            if (body.DocumentId != documentId) reason = "It is for another document.";
            else if (party is null) reason = $"{body.Delegation} is not a party.";
            else if (!party.Head.Clearance.RoleSet.HasFlag(Roles.HeadOfDelegation)) reason = $"The member given for {party.Delegation} is not a head of delegation.";
            else if (body.SignerUserId != party.Head.UserId) reason = $"It was not made by the head of delegation of {party.Delegation}.";
            else if (!await record.VerifyAsync(suite, party.Head.IdentityKey, cancellationToken).ConfigureAwait(false)) reason = "Its signature does not verify.";
            if (reason is null) counted.Add(new CountedEndorsement(body.Delegation, body.Kind, body.Version, body.VersionHash, body.EndorsedAt));
            else rejected.Add(new RejectedEndorsement(i, reason));
        }

        var signatures = counted.Where(c => c.Kind == EndorsementKind.Sign).ToList();
        var agreed = signatures
            .GroupBy(c => Convert.ToHexString(c.VersionHash.AsSpan()))
            .Where(g => parties.All(p => g.Any(c => c.Delegation == p.Delegation)))
            .Select(g => g.First())
            .OrderByDescending(c => c.Version)
            .FirstOrDefault();
        if (agreed is not null)
            return new AgreementStatus(documentId, agreed.VersionHash, agreed.Version, counted, rejected, []);

        var latest = signatures.OrderByDescending(c => c.Version).FirstOrDefault();
        var missing = parties
            .Where(p => latest is null || !signatures.Any(c => c.Delegation == p.Delegation && CryptographicOperations.FixedTimeEquals(c.VersionHash.AsSpan(), latest.VersionHash.AsSpan())))
            .Select(p => p.Delegation)
            .ToList();
        return new AgreementStatus(documentId, [], null, counted, rejected, missing);
    }
}
