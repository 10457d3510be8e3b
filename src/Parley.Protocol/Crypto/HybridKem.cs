using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;

namespace Parley.Protocol.Crypto;

/// <summary>A hybrid KEM public key: ML-KEM-1024 encapsulation key (1568) || P-384 point (97).</summary>
public sealed class HybridKemPublicKey
{
    /// <summary>Encoded size.</summary>
    public const int Size = MlKem1024.PublicKeySize + P384KeyPair.PublicKeySize;

    private readonly byte[] _encoded;

    private HybridKemPublicKey(byte[] encoded, MLKemPublicKeyParameters mlKem)
    {
        _encoded = encoded;
        MlKem = mlKem;
    }

    internal MLKemPublicKeyParameters MlKem { get; }

    internal ReadOnlyMemory<byte> MlKemBytes => _encoded.AsMemory(0, MlKem1024.PublicKeySize);

    internal ReadOnlyMemory<byte> P384Bytes => _encoded.AsMemory(MlKem1024.PublicKeySize);

    /// <summary>The encoding: ML-KEM-1024 key || uncompressed P-384 point.</summary>
    public byte[] Encode() => (byte[])_encoded.Clone();

    /// <summary>Parses and validates both halves (ML-KEM modulus check, point on curve).</summary>
    public static Result<HybridKemPublicKey> Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length != Size) return Result<HybridKemPublicKey>.Fail(ProtocolErrorCode.InvalidLength, $"A hybrid KEM public key is {Size} bytes, not {encoded.Length}.");
        var mlKem = MlKem1024.ParsePublicKey(encoded[..MlKem1024.PublicKeySize]);
        if (!mlKem.TryGetValue(out var parsed, out var error)) return error;
        if (!P384.IsValidPublicKey(encoded[MlKem1024.PublicKeySize..]))
            return Result<HybridKemPublicKey>.Fail(ProtocolErrorCode.InvalidKey, "The P-384 half of the hybrid KEM public key is not a point on the curve.");
        return new HybridKemPublicKey(encoded.ToArray(), parsed);
    }
}

/// <summary>A hybrid KEM private key, kept as ML-KEM seed (64) || P-384 scalar (48).</summary>
public sealed class HybridKemPrivateKey : IDisposable
{
    /// <summary>Size of <see cref="Export"/>.</summary>
    public const int Size = MlKem1024.SeedSize + P384KeyPair.PrivateKeySize;

    private readonly byte[] _seed;

    private HybridKemPrivateKey(byte[] seed, MLKemPrivateKeyParameters mlKem, P384KeyPair ecdh, HybridKemPublicKey publicKey)
    {
        _seed = seed;
        MlKem = mlKem;
        Ecdh = ecdh;
        PublicKey = publicKey;
    }

    /// <summary>The matching public key.</summary>
    public HybridKemPublicKey PublicKey { get; }

    internal MLKemPrivateKeyParameters MlKem { get; }

    internal P384KeyPair Ecdh { get; }

    internal static HybridKemPrivateKey Create(byte[] seed, P384KeyPair ecdh)
    {
        var mlKem = MlKem1024.FromSeed(seed).Value;
        var encoded = new byte[HybridKemPublicKey.Size];
        mlKem.GetPublicKeyEncoded().CopyTo(encoded, 0);
        ecdh.Q.Span.CopyTo(encoded.AsSpan(MlKem1024.PublicKeySize));
        return new HybridKemPrivateKey(seed, mlKem, ecdh, HybridKemPublicKey.Decode(encoded).Value);
    }

    /// <summary>The private key bytes (seed || scalar). The caller owns the copy and must protect and zero it.</summary>
    public byte[] Export()
    {
        var output = new byte[Size];
        _seed.CopyTo(output, 0);
        Ecdh.D.Span.CopyTo(output.AsSpan(MlKem1024.SeedSize));
        return output;
    }

    /// <summary>Rebuilds a private key from <see cref="Export"/> output.</summary>
    public static Result<HybridKemPrivateKey> Import(ReadOnlySpan<byte> exported)
    {
        if (exported.Length != Size) return Result<HybridKemPrivateKey>.Fail(ProtocolErrorCode.InvalidLength, $"A hybrid KEM private key is {Size} bytes.");
        var ecdh = P384.KeyPairFromPrivate(exported[MlKem1024.SeedSize..]);
        if (!ecdh.TryGetValue(out var pair, out var error)) return error;
        return Create(exported[..MlKem1024.SeedSize].ToArray(), pair);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_seed);
        Ecdh.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => "HybridKemPrivateKey(private)";
}

/// <summary>
/// Hybrid KEM of PARLEY-PQ1: ML-KEM-1024 and ECDH P-384 in parallel. The encapsulation is
/// ML-KEM ciphertext (1568) || ephemeral P-384 point (97); the shared secret is
/// HKDF-SHA-384(salt = empty, IKM = ss_mlkem || ss_ecdh,
/// info = "PARLEY-PQ1 hybrid-kem v1" || 0x00 || ct_mlkem || ct_ecdh || pk_mlkem || pk_ecdh), 32 bytes.
/// Secure if either component is.
/// </summary>
public sealed class HybridKem(ICryptoBackend backend)
{
    /// <summary>Size of an encapsulation.</summary>
    public const int EncapsulationSize = MlKem1024.CiphertextSize + P384KeyPair.PublicKeySize;
    /// <summary>Size of the shared secret.</summary>
    public const int SharedSecretSize = 32;

    /// <summary>A fresh key pair.</summary>
    public async ValueTask<HybridKemPrivateKey> GenerateAsync(CancellationToken cancellationToken = default)
    {
        var ecdh = await backend.GenerateP384KeyPairAsync(cancellationToken).ConfigureAwait(false);
        return HybridKemPrivateKey.Create(MlKem1024.GenerateSeed(), ecdh);
    }

    /// <summary>Encapsulates a fresh shared secret to <paramref name="recipient"/>.</summary>
    public async ValueTask<(byte[] Encapsulation, SecretKey SharedSecret)> EncapsulateAsync(HybridKemPublicKey recipient, CancellationToken cancellationToken = default)
    {
        var (mlKemCiphertext, mlKemSecret) = MlKem1024.Encapsulate(recipient.MlKem);
        using var ephemeral = await backend.GenerateP384KeyPairAsync(cancellationToken).ConfigureAwait(false);
        var ecdhSecret = (await backend.P384AgreeAsync(ephemeral, recipient.P384Bytes, cancellationToken).ConfigureAwait(false)).Value;
        var encapsulation = new byte[EncapsulationSize];
        mlKemCiphertext.CopyTo(encapsulation, 0);
        ephemeral.Q.Span.CopyTo(encapsulation.AsSpan(MlKem1024.CiphertextSize));
        var secret = await CombineAsync(mlKemSecret, ecdhSecret, encapsulation, recipient, cancellationToken).ConfigureAwait(false);
        return (encapsulation, secret);
    }

    /// <summary>Recovers the shared secret. Errors only on malformed input: a wrong key or a modified
    /// ML-KEM ciphertext yields an unrelated secret (implicit rejection), which then fails authentication.</summary>
    public async ValueTask<Result<SecretKey>> DecapsulateAsync(HybridKemPrivateKey key, ReadOnlyMemory<byte> encapsulation, CancellationToken cancellationToken = default)
    {
        if (encapsulation.Length != EncapsulationSize)
            return Result<SecretKey>.Fail(ProtocolErrorCode.InvalidLength, $"A hybrid KEM encapsulation is {EncapsulationSize} bytes, not {encapsulation.Length}.");
        var mlKemSecret = MlKem1024.Decapsulate(key.MlKem, encapsulation.Span[..MlKem1024.CiphertextSize]);
        if (!mlKemSecret.TryGetValue(out var mlKem, out var error)) return error;
        var ecdh = await backend.P384AgreeAsync(key.Ecdh, encapsulation[MlKem1024.CiphertextSize..], cancellationToken).ConfigureAwait(false);
        if (!ecdh.TryGetValue(out var ecdhSecret, out error)) return error;
        return await CombineAsync(mlKem, ecdhSecret, encapsulation.ToArray(), key.PublicKey, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<SecretKey> CombineAsync(byte[] mlKemSecret, byte[] ecdhSecret, byte[] encapsulation, HybridKemPublicKey recipient, CancellationToken cancellationToken)
    {
        var ikm = new byte[mlKemSecret.Length + ecdhSecret.Length];
        mlKemSecret.CopyTo(ikm, 0);
        ecdhSecret.CopyTo(ikm, mlKemSecret.Length);
        // Binding both ciphertexts and the recipient key makes the combiner IND-CCA secure when
        // only one of the two components is (as in X-Wing and the IETF hybrid designs).
        var transcript = new byte[encapsulation.Length + HybridKemPublicKey.Size];
        encapsulation.CopyTo(transcript, 0);
        recipient.MlKemBytes.Span.CopyTo(transcript.AsSpan(encapsulation.Length));
        recipient.P384Bytes.Span.CopyTo(transcript.AsSpan(encapsulation.Length + MlKem1024.PublicKeySize));
        try
        {
            var okm = await backend.HkdfAsync(HashName.Sha384, ikm, ReadOnlyMemory<byte>.Empty, Labels.Bind(Labels.HybridKem, transcript), SharedSecretSize, cancellationToken).ConfigureAwait(false);
            return SecretKey.Adopt(okm.Value);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ikm);
            CryptographicOperations.ZeroMemory(mlKemSecret);
            CryptographicOperations.ZeroMemory(ecdhSecret);
        }
    }
}
