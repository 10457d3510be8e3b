using System.Formats.Cbor;
using Parley.Protocol.Formats;

namespace Parley.Protocol.Streams;

/// <summary>
/// The chunked-encryption context of a document version: binds the ciphertext to one document,
/// one version and one classification label, so a ciphertext moved to another document, version
/// or label fails the key commitment. Encoded canonically as
/// <c>["parley/document-stream", 1, document id (16 bytes), version, label]</c>.
/// </summary>
public sealed record DocumentStreamContext(Guid DocumentId, int Version, string Label) : ICanonical<DocumentStreamContext>
{
    private const string Type = "parley/document-stream";

    /// <summary>The context bytes given to chunked encryption.</summary>
    public byte[] Encode() => Canonical.Encode(this);

    /// <inheritdoc />
    public void WriteTo(CborWriter writer)
    {
        if (Version < 1) throw new InvalidOperationException("Document versions start at 1.");
        Canonical.WriteHeader(writer, Type, 1, 3);
        writer.WriteByteString(DocumentId.ToByteArray(bigEndian: true));
        writer.WriteInt32(Version);
        writer.WriteTextString(Label);
        writer.WriteEndArray();
    }

    /// <inheritdoc />
    public static DocumentStreamContext ReadFrom(CborReader reader)
    {
        Canonical.ReadHeader(reader, Type, 3);
        var id = new Guid(Canonical.ReadBytes(reader, 16, "document id"), bigEndian: true);
        var version = reader.ReadInt32();
        if (version < 1) throw new CanonicalFormatException("Document versions start at 1.");
        var label = Canonical.ReadText(reader, 1024, "label");
        reader.ReadEndArray();
        return new DocumentStreamContext(id, version, label);
    }
}
