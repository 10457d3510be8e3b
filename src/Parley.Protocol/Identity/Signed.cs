using System.Formats.Cbor;
using System.Security.Cryptography;
using Parley.Protocol.Crypto;
using Parley.Protocol.Formats;

namespace Parley.Protocol.Identity;

/// <summary>A structure that is signed by a composite identity key. Its type name is also the
/// signature context, so a signature made over one kind of structure never verifies as another.</summary>
public interface ISignedBody<TSelf> : ICanonical<TSelf> where TSelf : ISignedBody<TSelf>
{
    /// <summary>The type name written first in the structure, e.g. "parley/clearance-certificate".</summary>
    static abstract string TypeName { get; }
}

/// <summary>
/// A signed structure: canonical CBOR <c>["parley/signed", 1, payload, signer, signature]</c> where
/// payload is the canonical encoding of the body, signer the SHA-256 fingerprint of the signer's
/// composite public key, and signature the composite signature of payload with the body's type
/// name as context.
/// </summary>
public sealed class Signed<T> : ICanonical<Signed<T>> where T : ISignedBody<T>
{
    private const string Type = "parley/signed";

    private Signed(T body, byte[] payload, byte[] signer, byte[] signature)
    {
        Body = body;
        Payload = payload;
        SignerFingerprint = signer;
        Signature = signature;
    }

    /// <summary>The signed structure.</summary>
    public T Body { get; }

    /// <summary>The exact bytes that were signed.</summary>
    public byte[] Payload { get; }

    /// <summary>Fingerprint of the key that claims to have signed.</summary>
    public byte[] SignerFingerprint { get; }

    /// <summary>The composite signature.</summary>
    public byte[] Signature { get; }

    /// <summary>Signs <paramref name="body"/> with <paramref name="key"/>.</summary>
    public static async ValueTask<Signed<T>> SignAsync(CryptoSuite suite, CompositePrivateKey key, T body, CancellationToken cancellationToken = default)
    {
        var payload = Canonical.Encode(body);
        var signature = await suite.Signatures.SignAsync(key, payload, T.TypeName, cancellationToken).ConfigureAwait(false);
        return new Signed<T>(body, payload, key.PublicKey.Fingerprint(), signature);
    }

    /// <summary>True when <paramref name="signer"/> is the claimed signer and the signature verifies.</summary>
    public async ValueTask<bool> VerifyAsync(CryptoSuite suite, CompositePublicKey signer, CancellationToken cancellationToken = default)
    {
        if (!CryptographicOperations.FixedTimeEquals(signer.Fingerprint(), SignerFingerprint)) return false;
        return await suite.Signatures.VerifyAsync(signer, Payload, Signature, T.TypeName, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The canonical encoding of the envelope.</summary>
    public byte[] Encode() => Canonical.Encode(this);

    /// <summary>SHA-256 of the envelope: a stable identifier of this signed object.</summary>
    public byte[] Hash() => SHA256.HashData(Encode());

    /// <summary>Parses an envelope and its body; a typed error for anything malformed. Does not verify.</summary>
    public static Result<Signed<T>> Decode(ReadOnlyMemory<byte> encoded) => Canonical.Decode<Signed<T>>(encoded);

    /// <inheritdoc />
    public void WriteTo(CborWriter writer)
    {
        Canonical.WriteHeader(writer, Type, 1, 3);
        writer.WriteByteString(Payload);
        writer.WriteByteString(SignerFingerprint);
        writer.WriteByteString(Signature);
        writer.WriteEndArray();
    }

    /// <inheritdoc />
    public static Signed<T> ReadFrom(CborReader reader)
    {
        Canonical.ReadHeader(reader, Type, 3);
        var payload = Canonical.ReadBytesUpTo(reader, 64 * 1024, "payload");
        var signer = Canonical.ReadBytes(reader, 32, "signer fingerprint");
        var signature = Canonical.ReadBytes(reader, CompositeSigner.SignatureSize, "signature");
        reader.ReadEndArray();
        var body = Canonical.Decode<T>(payload);
        if (!body.TryGetValue(out var value, out var error)) throw new CanonicalFormatException(error.Message);
        return new Signed<T>(value, payload, signer, signature);
    }
}
