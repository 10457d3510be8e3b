using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;

namespace Parley.Protocol.Crypto;

/// <summary>A composite public key: ML-DSA-87 public key (2592) || P-384 point (97).</summary>
public sealed class CompositePublicKey : IEquatable<CompositePublicKey>
{
    /// <summary>Encoded size.</summary>
    public const int Size = MlDsa87.PublicKeySize + P384KeyPair.PublicKeySize;

    private readonly byte[] _encoded;

    private CompositePublicKey(byte[] encoded, MLDsaPublicKeyParameters mlDsa)
    {
        _encoded = encoded;
        MlDsa = mlDsa;
    }

    internal MLDsaPublicKeyParameters MlDsa { get; }

    internal ReadOnlyMemory<byte> P384Bytes => _encoded.AsMemory(MlDsa87.PublicKeySize);

    /// <summary>The encoding: ML-DSA-87 key || uncompressed P-384 point.</summary>
    public byte[] Encode() => (byte[])_encoded.Clone();

    /// <summary>SHA-256 of the encoding: a stable identifier for the key.</summary>
    public byte[] Fingerprint() => SHA256.HashData(_encoded);

    /// <summary>Parses and validates both halves.</summary>
    public static Result<CompositePublicKey> Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length != Size) return Result<CompositePublicKey>.Fail(ProtocolErrorCode.InvalidLength, $"A composite public key is {Size} bytes, not {encoded.Length}.");
        var mlDsa = MlDsa87.ParsePublicKey(encoded[..MlDsa87.PublicKeySize]);
        if (!mlDsa.TryGetValue(out var parsed, out var error)) return error;
        if (!P384.IsValidPublicKey(encoded[MlDsa87.PublicKeySize..]))
            return Result<CompositePublicKey>.Fail(ProtocolErrorCode.InvalidKey, "The P-384 half of the composite public key is not a point on the curve.");
        return new CompositePublicKey(encoded.ToArray(), parsed);
    }

    /// <inheritdoc />
    public bool Equals(CompositePublicKey? other) => other is not null && _encoded.AsSpan().SequenceEqual(other._encoded);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CompositePublicKey);

    /// <inheritdoc />
    public override int GetHashCode() => BitConverter.ToInt32(Fingerprint(), 0);
}

/// <summary>A composite private key, kept as ML-DSA-87 seed (32) || P-384 scalar (48).</summary>
public sealed class CompositePrivateKey : IDisposable
{
    /// <summary>Size of <see cref="Export"/>.</summary>
    public const int Size = MlDsa87.SeedSize + P384KeyPair.PrivateKeySize;

    private readonly byte[] _seed;

    private CompositePrivateKey(byte[] seed, MLDsaPrivateKeyParameters mlDsa, P384KeyPair ecdsa, CompositePublicKey publicKey)
    {
        _seed = seed;
        MlDsa = mlDsa;
        Ecdsa = ecdsa;
        PublicKey = publicKey;
    }

    /// <summary>The matching public key.</summary>
    public CompositePublicKey PublicKey { get; }

    internal MLDsaPrivateKeyParameters MlDsa { get; }

    internal P384KeyPair Ecdsa { get; }

    internal static CompositePrivateKey Create(byte[] seed, P384KeyPair ecdsa)
    {
        var mlDsa = MlDsa87.FromSeed(seed).Value;
        var encoded = new byte[CompositePublicKey.Size];
        mlDsa.GetPublicKeyEncoded().CopyTo(encoded, 0);
        ecdsa.Q.Span.CopyTo(encoded.AsSpan(MlDsa87.PublicKeySize));
        return new CompositePrivateKey(seed, mlDsa, ecdsa, CompositePublicKey.Decode(encoded).Value);
    }

    /// <summary>The private key bytes (seed || scalar). The caller owns the copy and must protect and zero it.</summary>
    public byte[] Export()
    {
        var output = new byte[Size];
        _seed.CopyTo(output, 0);
        Ecdsa.D.Span.CopyTo(output.AsSpan(MlDsa87.SeedSize));
        return output;
    }

    /// <summary>Rebuilds a private key from <see cref="Export"/> output.</summary>
    public static Result<CompositePrivateKey> Import(ReadOnlySpan<byte> exported)
    {
        if (exported.Length != Size) return Result<CompositePrivateKey>.Fail(ProtocolErrorCode.InvalidLength, $"A composite private key is {Size} bytes.");
        var ecdsa = P384.KeyPairFromPrivate(exported[MlDsa87.SeedSize..]);
        if (!ecdsa.TryGetValue(out var pair, out var error)) return error;
        return Create(exported[..MlDsa87.SeedSize].ToArray(), pair);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_seed);
        Ecdsa.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => "CompositePrivateKey(private)";
}

/// <summary>
/// Composite signatures of PARLEY-PQ1: ML-DSA-87 and ECDSA P-384 over the same representative
/// M' = "PARLEY-PQ1 composite-signature v1" || 0x00 || len(ctx) (1 byte) || ctx || SHA-512(M).
/// The signature is ML-DSA-87 signature (4627) || ECDSA r || s (96). Both must verify.
/// </summary>
/// <remarks>The context names the use ("clearance-certificate", "document-version", ...), so a
/// signature made for one use never verifies for another.</remarks>
public sealed class CompositeSigner(ICryptoBackend backend)
{
    /// <summary>Size of a composite signature.</summary>
    public const int SignatureSize = MlDsa87.SignatureSize + 96;

    private static readonly byte[] MlDsaContext = System.Text.Encoding.ASCII.GetBytes(Labels.MlDsaContext);

    /// <summary>A fresh key pair.</summary>
    public async ValueTask<CompositePrivateKey> GenerateAsync(CancellationToken cancellationToken = default)
    {
        var ecdsa = await backend.GenerateP384KeyPairAsync(cancellationToken).ConfigureAwait(false);
        return CompositePrivateKey.Create(RandomNumberGenerator.GetBytes(MlDsa87.SeedSize), ecdsa);
    }

    /// <summary>Signs <paramref name="message"/> for the use named by <paramref name="context"/>.</summary>
    public async ValueTask<byte[]> SignAsync(CompositePrivateKey key, ReadOnlyMemory<byte> message, string context, CancellationToken cancellationToken = default)
    {
        var representative = await RepresentativeAsync(message, context, cancellationToken).ConfigureAwait(false);
        var signature = new byte[SignatureSize];
        MlDsa87.Sign(key.MlDsa, representative, MlDsaContext).CopyTo(signature, 0);
        var ecdsa = await backend.P384SignAsync(key.Ecdsa, representative, cancellationToken).ConfigureAwait(false);
        ecdsa.CopyTo(signature, MlDsa87.SignatureSize);
        return signature;
    }

    /// <summary>True only when both component signatures verify over the same representative.</summary>
    public async ValueTask<bool> VerifyAsync(CompositePublicKey key, ReadOnlyMemory<byte> message, ReadOnlyMemory<byte> signature, string context, CancellationToken cancellationToken = default)
    {
        if (signature.Length != SignatureSize) return false;
        var representative = await RepresentativeAsync(message, context, cancellationToken).ConfigureAwait(false);
        // Both halves are always checked (no early return) so timing does not reveal which failed.
        var mlDsaOk = MlDsa87.Verify(key.MlDsa, representative, signature.Span[..MlDsa87.SignatureSize], MlDsaContext);
        var ecdsaOk = await backend.P384VerifyAsync(key.P384Bytes, representative, signature[MlDsa87.SignatureSize..], cancellationToken).ConfigureAwait(false);
        return mlDsaOk & ecdsaOk;
    }

    private async ValueTask<byte[]> RepresentativeAsync(ReadOnlyMemory<byte> message, string context, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(context);
        var contextBytes = System.Text.Encoding.UTF8.GetBytes(context);
        if (contextBytes.Length > 255) throw new ArgumentException("A signature context is at most 255 bytes.", nameof(context));
        var digest = await backend.HashAsync(HashName.Sha512, message, cancellationToken).ConfigureAwait(false);
        var prefix = Labels.Bind(Labels.CompositeSignature, ReadOnlySpan<byte>.Empty);
        var representative = new byte[prefix.Length + 1 + contextBytes.Length + digest.Length];
        prefix.CopyTo(representative, 0);
        representative[prefix.Length] = (byte)contextBytes.Length;
        contextBytes.CopyTo(representative, prefix.Length + 1);
        digest.CopyTo(representative, prefix.Length + 1 + contextBytes.Length);
        return representative;
    }
}
