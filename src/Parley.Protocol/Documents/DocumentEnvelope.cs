using System.Formats.Cbor;
using Parley.Protocol.Formats;
using Parley.Protocol.Identity;

namespace Parley.Protocol.Documents;

/// <summary>
/// What is stored with a version's ciphertext: <c>["parley/document-envelope", 1, signed manifest, [key wrap, ...]]</c>,
/// the manifest being the <see cref="Signed{T}"/> encoding of a <see cref="DocumentVersion"/> and each wrap a
/// <see cref="DocumentKeyWrap"/> encoding. The ciphertext (Cobblestone-256) is stored beside it as a blob.
/// </summary>
public sealed class DocumentEnvelope : ICanonical<DocumentEnvelope>
{
    private const string Type = "parley/document-envelope";

    /// <summary>Most wraps one envelope carries.</summary>
    public const int MaxWraps = 4096;

    /// <summary>Bundles a signed manifest and its wraps.</summary>
    public DocumentEnvelope(Signed<DocumentVersion> manifest, IReadOnlyList<DocumentKeyWrap> wraps)
    {
        Manifest = manifest ?? throw new ArgumentNullException(nameof(manifest));
        ArgumentNullException.ThrowIfNull(wraps);
        if (wraps.Count > MaxWraps) throw new ArgumentException($"At most {MaxWraps} wraps.", nameof(wraps));
        Wraps = wraps;
    }

    /// <summary>The author-signed manifest.</summary>
    public Signed<DocumentVersion> Manifest { get; }

    /// <summary>The document key, wrapped for each recipient.</summary>
    public IReadOnlyList<DocumentKeyWrap> Wraps { get; }

    /// <summary>The canonical encoding.</summary>
    public byte[] Encode() => Canonical.Encode(this);

    /// <summary>Parses an envelope; a typed error for anything malformed. Verifies nothing.</summary>
    public static Result<DocumentEnvelope> Decode(ReadOnlyMemory<byte> encoded) => Canonical.Decode<DocumentEnvelope>(encoded);

    /// <inheritdoc />
    public void WriteTo(CborWriter writer)
    {
        Canonical.WriteHeader(writer, Type, 1, 2);
        writer.WriteByteString(Manifest.Encode());
        writer.WriteStartArray(Wraps.Count);
        foreach (var wrap in Wraps) writer.WriteByteString(wrap.Encode());
        writer.WriteEndArray();
        writer.WriteEndArray();
    }

    /// <inheritdoc />
    public static DocumentEnvelope ReadFrom(CborReader reader)
    {
        Canonical.ReadHeader(reader, Type, 2);
        var manifest = Signed<DocumentVersion>.Decode(Canonical.ReadBytesUpTo(reader, 128 * 1024, "manifest"));
        if (!manifest.TryGetValue(out var signed, out var error)) throw new CanonicalFormatException(error.Message);
        var count = reader.ReadStartArray() ?? throw new CanonicalFormatException("wraps must have a definite length.");
        if (count > MaxWraps) throw new CanonicalFormatException($"At most {MaxWraps} wraps.");
        var wraps = new List<DocumentKeyWrap>(count);
        for (var i = 0; i < count; i++)
        {
            var wrap = DocumentKeyWrap.Decode(Canonical.ReadBytesUpTo(reader, 4096, "wrap"));
            if (!wrap.TryGetValue(out var value, out error)) throw new CanonicalFormatException(error.Message);
            wraps.Add(value);
        }
        reader.ReadEndArray();
        reader.ReadEndArray();
        return new DocumentEnvelope(signed, wraps);
    }
}
