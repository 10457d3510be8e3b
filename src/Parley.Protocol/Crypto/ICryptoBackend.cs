namespace Parley.Protocol.Crypto;

/// <summary>Hash functions of the suite.</summary>
public enum HashName
{
    /// <summary>SHA-256 (ledger, Merkle tree).</summary>
    Sha256,
    /// <summary>SHA-384 (key schedule, ECDSA P-384).</summary>
    Sha384,
    /// <summary>SHA-512 (chunked encryption, prehash of signed messages).</summary>
    Sha512,
}

/// <summary>A P-384 key pair: private scalar <see cref="D"/> (48 bytes, big-endian) and public point
/// <see cref="Q"/> (97 bytes, SEC 1 uncompressed: 0x04 || X || Y).</summary>
public sealed class P384KeyPair : IDisposable
{
    /// <summary>Size of the private scalar.</summary>
    public const int PrivateKeySize = 48;
    /// <summary>Size of an uncompressed public point.</summary>
    public const int PublicKeySize = 97;

    private readonly byte[] _d;

    /// <summary>Builds a key pair from its parts; both are copied.</summary>
    public P384KeyPair(ReadOnlySpan<byte> d, ReadOnlySpan<byte> q)
    {
        if (d.Length != PrivateKeySize) throw new ArgumentException("A P-384 private scalar is 48 bytes.", nameof(d));
        if (q.Length != PublicKeySize || q[0] != 0x04) throw new ArgumentException("A P-384 public key is a 97-byte uncompressed point.", nameof(q));
        _d = d.ToArray();
        Q = q.ToArray();
    }

    /// <summary>The private scalar. Read by backends only.</summary>
    public ReadOnlyMemory<byte> D => _d;

    /// <summary>The public point, uncompressed.</summary>
    public ReadOnlyMemory<byte> Q { get; }

    /// <inheritdoc />
    public void Dispose() => System.Security.Cryptography.CryptographicOperations.ZeroMemory(_d);

    /// <inheritdoc />
    public override string ToString() => "P384KeyPair(private)";
}

/// <summary>
/// The classical primitives of PARLEY-PQ1 that have more than one implementation: AES-256-GCM,
/// HKDF and SHA-2, and P-384 ECDH and ECDSA. ML-KEM, ML-DSA and Ed25519 have one implementation
/// (BouncyCastle) on every platform and are not part of this seam.
/// </summary>
/// <remarks>
/// Backends are asynchronous because the browser's WebCrypto is. The native backends complete
/// synchronously. This is a "hazmat" layer: it validates shapes and returns failures as values,
/// but key lifetimes and nonce uniqueness are the caller's job; use <see cref="CryptoSuite"/>.
/// </remarks>
public interface ICryptoBackend
{
    /// <summary>Short name for diagnostics, e.g. "platform", "bouncycastle", "webcrypto".</summary>
    string Name { get; }

    /// <summary>Imports a 32-byte AES-256-GCM key. Keys of any other length are rejected.</summary>
    ValueTask<Result<IAesGcmKey>> ImportAesGcmKeyAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default);

    /// <summary>A hash of <paramref name="data"/>.</summary>
    ValueTask<byte[]> HashAsync(HashName hash, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>HKDF (RFC 5869): Extract then Expand. Fails when <paramref name="length"/> exceeds 255 hash lengths.</summary>
    ValueTask<Result<byte[]>> HkdfAsync(HashName hash, ReadOnlyMemory<byte> ikm, ReadOnlyMemory<byte> salt, ReadOnlyMemory<byte> info, int length, CancellationToken cancellationToken = default);

    /// <summary>HKDF-Expand alone, with <paramref name="prk"/> of any length (C2SP chunked-encryption
    /// uses a 32-byte input key as PRK for SHA-512).</summary>
    ValueTask<Result<byte[]>> HkdfExpandAsync(HashName hash, ReadOnlyMemory<byte> prk, ReadOnlyMemory<byte> info, int length, CancellationToken cancellationToken = default);

    /// <summary>A fresh P-384 key pair.</summary>
    ValueTask<P384KeyPair> GenerateP384KeyPairAsync(CancellationToken cancellationToken = default);

    /// <summary>ECDH on P-384: the 48-byte X coordinate of d·Q'. Fails for a public key that is not a
    /// valid uncompressed point on the curve.</summary>
    ValueTask<Result<byte[]>> P384AgreeAsync(P384KeyPair own, ReadOnlyMemory<byte> peerPublicKey, CancellationToken cancellationToken = default);

    /// <summary>ECDSA P-384 with SHA-384 over <paramref name="data"/>; signature is r || s, 48 bytes each (IEEE P1363).</summary>
    ValueTask<byte[]> P384SignAsync(P384KeyPair key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Verifies an ECDSA P-384 SHA-384 signature in IEEE P1363 form. False for any malformed key or signature.</summary>
    ValueTask<bool> P384VerifyAsync(ReadOnlyMemory<byte> publicKey, ReadOnlyMemory<byte> data, ReadOnlyMemory<byte> signature, CancellationToken cancellationToken = default);
}

/// <summary>An imported AES-256-GCM key (96-bit nonces, 128-bit tags).</summary>
public interface IAesGcmKey : IDisposable
{
    /// <summary>Encrypts <paramref name="plaintext"/>; <paramref name="output"/> receives ciphertext || tag and
    /// must be exactly <c>plaintext.Length + 16</c> bytes. May not overlap the input.</summary>
    ValueTask SealAsync(ReadOnlyMemory<byte> nonce, ReadOnlyMemory<byte> plaintext, ReadOnlyMemory<byte> associatedData, Memory<byte> output, CancellationToken cancellationToken = default);

    /// <summary>Decrypts ciphertext || tag into <paramref name="plaintext"/> (length − 16 bytes).
    /// Returns false and zeroes <paramref name="plaintext"/> if authentication fails.</summary>
    ValueTask<bool> OpenAsync(ReadOnlyMemory<byte> nonce, ReadOnlyMemory<byte> ciphertext, ReadOnlyMemory<byte> associatedData, Memory<byte> plaintext, CancellationToken cancellationToken = default);

    /// <summary>
    /// Encrypts consecutive segments with empty associated data, as TLS 1.3 records and C2SP
    /// chunked-encryption do: segment <c>i</c> is <paramref name="plaintext"/>[i·size .. ] (the last one
    /// may be shorter, even empty) and uses nonce <c>baseNonce XOR (firstCounter + i)</c>, the counter
    /// big-endian and right-aligned. Output is the segments' ciphertext || tag, back to back.
    /// </summary>
    ValueTask SealSegmentsAsync(ReadOnlyMemory<byte> baseNonce, ulong firstCounter, int segmentSize, int segmentCount, ReadOnlyMemory<byte> plaintext, Memory<byte> output, CancellationToken cancellationToken = default);

    /// <summary>The inverse of <see cref="SealSegmentsAsync"/>. Returns the number of leading segments
    /// that authenticated; plaintext after them is zeroed.</summary>
    ValueTask<int> OpenSegmentsAsync(ReadOnlyMemory<byte> baseNonce, ulong firstCounter, int segmentSize, int segmentCount, ReadOnlyMemory<byte> ciphertext, Memory<byte> plaintext, CancellationToken cancellationToken = default);
}
