using System.Collections.Immutable;
using System.Formats.Cbor;
using System.Security.Cryptography;
using Parley.Protocol.Classification;
using Parley.Protocol.Formats;
using Parley.Protocol.Identity;
using Parley.Protocol.Streams;

namespace Parley.Protocol.Documents;

/// <summary>
/// The manifest of one version of a document, signed by its author's composite identity key (as
/// <see cref="Signed{T}"/>, context <c>parley/document-version</c>):
/// <c>["parley/document-version", 1, document id, version, previous version hash, label, portion marks,
/// media type, content length, chunk size, salt, ciphertext length, ciphertext hash, plaintext MAC,
/// author user id, author device id, created at]</c>. The server sees it (it is metadata); the
/// plaintext MAC is keyed by the document key so that it confirms no guess of the content.
/// </summary>
public sealed class DocumentVersion : ISignedBody<DocumentVersion>
{
    /// <summary>Size of the hashes and MACs in a manifest (SHA-256, HMAC-SHA-256).</summary>
    public const int HashSize = 32;
    /// <summary>Cobblestone-256 chunk size, the only one PARLEY-PQ1 uses.</summary>
    public const int ChunkSize = 16384;
    /// <summary>Size of the Cobblestone-256 salt.</summary>
    public const int SaltSize = 24;
    /// <summary>Most portion marks a manifest lists.</summary>
    public const int MaxPortionMarks = 256;
    /// <summary>Longest media type.</summary>
    public const int MaxMediaTypeLength = 100;

    /// <summary>Builds a manifest; throws <see cref="ArgumentException"/> for values the format cannot carry.</summary>
    public DocumentVersion(Guid documentId, int version, ImmutableArray<byte> previousVersionHash, string label, ImmutableArray<string> portionMarks,
        string mediaType, long contentLength, ImmutableArray<byte> salt, long ciphertextLength, ImmutableArray<byte> ciphertextHash,
        ImmutableArray<byte> plaintextMac, Guid authorUserId, Guid authorDeviceId, long createdAt)
    {
        var problem = Check(version, previousVersionHash, label, portionMarks, mediaType, contentLength, salt, ciphertextLength, ciphertextHash, plaintextMac);
        if (problem is not null) throw new ArgumentException(problem);
        DocumentId = documentId;
        Version = version;
        PreviousVersionHash = previousVersionHash;
        Label = label;
        PortionMarks = portionMarks;
        MediaType = mediaType;
        ContentLength = contentLength;
        Salt = salt;
        CiphertextLength = ciphertextLength;
        CiphertextHash = ciphertextHash;
        PlaintextMac = plaintextMac;
        AuthorUserId = authorUserId;
        AuthorDeviceId = authorDeviceId;
        CreatedAt = createdAt;
    }

    /// <inheritdoc />
    public static string TypeName => "parley/document-version";

    /// <summary>The document.</summary>
    public Guid DocumentId { get; }

    /// <summary>The version number, from 1.</summary>
    public int Version { get; }

    /// <summary>Hash of the previous version's manifest (<see cref="Hash"/>); empty for version 1.</summary>
    public ImmutableArray<byte> PreviousVersionHash { get; }

    /// <summary>The version's label as its canonical banner (PROTOCOL §11.7).</summary>
    public string Label { get; }

    /// <summary>The distinct portion marks of a text document in ordinal order; empty for other documents.</summary>
    public ImmutableArray<string> PortionMarks { get; }

    /// <summary>Media type of the plaintext, e.g. <c>text/markdown</c>.</summary>
    public string MediaType { get; }

    /// <summary>Plaintext length in bytes.</summary>
    public long ContentLength { get; }

    /// <summary>The Cobblestone-256 salt: the first 24 bytes of the ciphertext.</summary>
    public ImmutableArray<byte> Salt { get; }

    /// <summary>Ciphertext length in bytes.</summary>
    public long CiphertextLength { get; }

    /// <summary>SHA-256 of the whole ciphertext.</summary>
    public ImmutableArray<byte> CiphertextHash { get; }

    /// <summary>HMAC-SHA-256 of the plaintext under a key derived from the document key.</summary>
    public ImmutableArray<byte> PlaintextMac { get; }

    /// <summary>The author.</summary>
    public Guid AuthorUserId { get; }

    /// <summary>The author's device, which encrypted the version.</summary>
    public Guid AuthorDeviceId { get; }

    /// <summary>When the author made the version, Unix seconds (the author's clock).</summary>
    public long CreatedAt { get; }

    /// <summary>The stream context of this version (PROTOCOL §7.1).</summary>
    public DocumentStreamContext StreamContext => new(DocumentId, Version, Label);

    /// <summary>Ciphertext length of a Cobblestone-256 stream of <paramref name="plaintextLength"/> bytes.</summary>
    public static long CiphertextLengthOf(long plaintextLength) =>
        SaltSize + 32 + (plaintextLength / ChunkSize + 1) * (long)(16) + plaintextLength;

    /// <summary>The version hash: SHA-256 of the canonical manifest, the payload the author signed.
    /// Endorsements, key wraps and the next version name a version by it.</summary>
    public byte[] Hash() => SHA256.HashData(Canonical.Encode(this));

    /// <summary>
    /// Checks the label and portion marks against <paramref name="scheme"/>: the label parses as a
    /// canonical banner, every portion mark parses, and the label dominates the join of the portions
    /// (a text's banner can only be raised, never lowered, by its declared label).
    /// </summary>
    public Result<Label> CheckLabel(MarkingScheme scheme)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        var parsed = scheme.ParseBanner(Label);
        if (!parsed.TryGetValue(out var label, out var error)) return error;
        var portions = new List<Label>();
        foreach (var mark in PortionMarks)
        {
            var portion = scheme.ParsePortionMark(mark);
            if (!portion.TryGetValue(out var value, out error)) return error;
            portions.Add(value);
        }
        if (portions.Count == 0) return label;
        var banner = Classification.Label.Join(scheme, portions);
        if (!banner.TryGetValue(out var joined, out error)) return error;
        if (!label.Dominates(joined))
            return Result<Label>.Fail(ProtocolErrorCode.Malformed, $"The version is labelled {Label} but its portions need {joined.ToBanner()}.");
        return label;
    }

    private static string? Check(int version, ImmutableArray<byte> previous, string label, ImmutableArray<string> portionMarks, string mediaType,
        long contentLength, ImmutableArray<byte> salt, long ciphertextLength, ImmutableArray<byte> ciphertextHash, ImmutableArray<byte> plaintextMac)
    {
        if (version < 1) return "Document versions start at 1.";
        if (previous.IsDefault || previous.Length != (version == 1 ? 0 : HashSize)) return "The previous version hash is empty for version 1 and 32 bytes otherwise.";
        if (string.IsNullOrEmpty(label) || label.Length > Classification.Label.MaxLength) return "The label is 1 to 1024 characters.";
        if (portionMarks.IsDefault || portionMarks.Length > MaxPortionMarks) return $"At most {MaxPortionMarks} portion marks.";
        for (var i = 0; i < portionMarks.Length; i++)
        {
            if (string.IsNullOrEmpty(portionMarks[i]) || portionMarks[i].Length > Classification.Label.MaxLength) return "A portion mark is 1 to 1024 characters.";
            if (i > 0 && string.CompareOrdinal(portionMarks[i - 1], portionMarks[i]) >= 0) return "Portion marks are listed once each, in ordinal order.";
        }
        if (string.IsNullOrEmpty(mediaType) || mediaType.Length > MaxMediaTypeLength || mediaType.Any(c => c <= ' ' || c > '~')) return "The media type is 1 to 100 visible ASCII characters.";
        if (contentLength < 0 || contentLength > (1L << 38) * ChunkSize - 1) return "The content length is out of range.";
        if (salt.IsDefault || salt.Length != SaltSize) return "The salt is 24 bytes.";
        if (ciphertextLength != CiphertextLengthOf(contentLength)) return "The ciphertext length does not match the content length.";
        if (ciphertextHash.IsDefault || ciphertextHash.Length != HashSize) return "The ciphertext hash is 32 bytes.";
        if (plaintextMac.IsDefault || plaintextMac.Length != HashSize) return "The plaintext MAC is 32 bytes.";
        return null;
    }

    /// <inheritdoc />
    public void WriteTo(CborWriter writer)
    {
        Canonical.WriteHeader(writer, TypeName, 1, 15);
        Cbor.WriteGuid(writer, DocumentId);
        writer.WriteInt32(Version);
        writer.WriteByteString(PreviousVersionHash.AsSpan());
        writer.WriteTextString(Label);
        Cbor.WriteTexts(writer, PortionMarks);
        writer.WriteTextString(MediaType);
        writer.WriteInt64(ContentLength);
        writer.WriteInt32(ChunkSize);
        writer.WriteByteString(Salt.AsSpan());
        writer.WriteInt64(CiphertextLength);
        writer.WriteByteString(CiphertextHash.AsSpan());
        writer.WriteByteString(PlaintextMac.AsSpan());
        Cbor.WriteGuid(writer, AuthorUserId);
        Cbor.WriteGuid(writer, AuthorDeviceId);
        writer.WriteInt64(CreatedAt);
        writer.WriteEndArray();
    }

    /// <inheritdoc />
    public static DocumentVersion ReadFrom(CborReader reader)
    {
        Canonical.ReadHeader(reader, TypeName, 15);
        var id = Cbor.ReadGuid(reader, "document id");
        var version = reader.ReadInt32();
        var previous = Canonical.ReadBytesUpTo(reader, HashSize, "previous version hash");
        var label = Canonical.ReadText(reader, Classification.Label.MaxLength, "label");
        var marks = Cbor.ReadTexts(reader, MaxPortionMarks, Classification.Label.MaxLength, "portion marks");
        var mediaType = Canonical.ReadText(reader, MaxMediaTypeLength, "media type");
        var contentLength = reader.ReadInt64();
        var chunkSize = reader.ReadInt32();
        if (chunkSize != ChunkSize) throw new CanonicalFormatException($"Chunk size {chunkSize} is not supported; PARLEY-PQ1 uses {ChunkSize}.");
        var salt = Canonical.ReadBytes(reader, SaltSize, "salt");
        var ciphertextLength = reader.ReadInt64();
        var ciphertextHash = Canonical.ReadBytes(reader, HashSize, "ciphertext hash");
        var mac = Canonical.ReadBytes(reader, HashSize, "plaintext MAC");
        var author = Cbor.ReadGuid(reader, "author user id");
        var device = Cbor.ReadGuid(reader, "author device id");
        var createdAt = reader.ReadInt64();
        reader.ReadEndArray();
        var problem = Check(version, [.. previous], label, [.. marks], mediaType, contentLength, [.. salt], ciphertextLength, [.. ciphertextHash], [.. mac]);
        if (problem is not null) throw new CanonicalFormatException(problem);
        return new DocumentVersion(id, version, [.. previous], label, [.. marks], mediaType, contentLength, [.. salt], ciphertextLength, [.. ciphertextHash], [.. mac], author, device, createdAt);
    }
}
