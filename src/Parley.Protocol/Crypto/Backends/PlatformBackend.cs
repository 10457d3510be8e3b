using System.Runtime.Versioning;
using System.Security.Cryptography;

namespace Parley.Protocol.Crypto.Backends;

/// <summary>
/// System.Security.Cryptography (OpenSSL on Linux): AES-GCM with AES-NI, ECDH and ECDSA on P-384,
/// SHA-2 and HMAC. Not available in the browser.
/// </summary>
[UnsupportedOSPlatform("browser")]
public sealed class PlatformBackend : ICryptoBackend
{
    /// <summary>True where the platform provides every primitive this backend needs.</summary>
    public static bool IsSupported { get; } = Probe();

    /// <inheritdoc />
    public string Name => "platform";

    private static bool Probe()
    {
        if (OperatingSystem.IsBrowser() || !AesGcm.IsSupported) return false;
        try
        {
            using var ecdh = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP384);
            using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP384);
            return true;
        }
        catch (PlatformNotSupportedException)
        {
            return false;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public ValueTask<Result<IAesGcmKey>> ImportAesGcmKeyAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        if (key.Length != 32)
            return ValueTask.FromResult(Result<IAesGcmKey>.Fail(ProtocolErrorCode.InvalidKey, "AES-256-GCM keys are 32 bytes."));
        return ValueTask.FromResult(Result<IAesGcmKey>.Ok(new Key(key.Span)));
    }

    /// <inheritdoc />
    public ValueTask<byte[]> HashAsync(HashName hash, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(hash switch
        {
            HashName.Sha256 => SHA256.HashData(data.Span),
            HashName.Sha384 => SHA384.HashData(data.Span),
            HashName.Sha512 => SHA512.HashData(data.Span),
            _ => throw new ArgumentOutOfRangeException(nameof(hash)),
        });

    /// <inheritdoc />
    public ValueTask<Result<byte[]>> HkdfAsync(HashName hash, ReadOnlyMemory<byte> ikm, ReadOnlyMemory<byte> salt, ReadOnlyMemory<byte> info, int length, CancellationToken cancellationToken = default)
    {
        if (Hkdf.CheckLength(hash, length) is { } error) return ValueTask.FromResult(Result<byte[]>.Fail(error));
        // HKDF.DeriveKey refuses an empty output, which RFC 5869 allows (and BouncyCastle returns).
        if (length == 0) return ValueTask.FromResult(Result<byte[]>.Ok([]));
        if (ikm.IsEmpty)
        {
            // OpenSSL's HKDF refuses an empty IKM, which RFC 5869 allows: Extract is then
            // HMAC(salt, "") (an empty salt keys HMAC exactly as HashLen zero bytes do).
            Span<byte> prk = stackalloc byte[Hkdf.HashLength(hash)];
            using (var extract = IncrementalHash.CreateHMAC(Algorithm(hash), salt.Span))
                extract.GetHashAndReset(prk);
            using var expand = IncrementalHash.CreateHMAC(Algorithm(hash), prk);
            CryptographicOperations.ZeroMemory(prk);
            return ValueTask.FromResult(Result<byte[]>.Ok(Hkdf.Expand(expand, info.Span, length)));
        }
        var okm = new byte[length];
        HKDF.DeriveKey(Algorithm(hash), ikm.Span, okm, salt.Span, info.Span);
        return ValueTask.FromResult(Result<byte[]>.Ok(okm));
    }

    /// <inheritdoc />
    public ValueTask<Result<byte[]>> HkdfExpandAsync(HashName hash, ReadOnlyMemory<byte> prk, ReadOnlyMemory<byte> info, int length, CancellationToken cancellationToken = default)
    {
        if (Hkdf.CheckLength(hash, length) is { } error) return ValueTask.FromResult(Result<byte[]>.Fail(error));
        if (prk.IsEmpty) return ValueTask.FromResult(Result<byte[]>.Fail(ProtocolErrorCode.InvalidKey, "The HKDF PRK is empty."));
        // HKDF.Expand refuses a PRK shorter than the hash output, which C2SP chunked-encryption
        // uses on purpose, so Expand is composed from the platform's HMAC (RFC 5869 §2.3).
        using var hmac = IncrementalHash.CreateHMAC(Algorithm(hash), prk.Span);
        return ValueTask.FromResult(Result<byte[]>.Ok(Hkdf.Expand(hmac, info.Span, length)));
    }

    /// <inheritdoc />
    public ValueTask<P384KeyPair> GenerateP384KeyPairAsync(CancellationToken cancellationToken = default)
    {
        using var ecdh = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP384);
        var p = ecdh.ExportParameters(includePrivateParameters: true);
        try
        {
            return ValueTask.FromResult(new P384KeyPair(p.D, P384.Encode(p.Q.X!, p.Q.Y!)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(p.D);
        }
    }

    /// <inheritdoc />
    public ValueTask<Result<byte[]>> P384AgreeAsync(P384KeyPair own, ReadOnlyMemory<byte> peerPublicKey, CancellationToken cancellationToken = default)
    {
        if (!P384.TrySplit(peerPublicKey.Span, out var x, out var y))
            return ValueTask.FromResult(Result<byte[]>.Fail(ProtocolErrorCode.InvalidKey, "The peer's P-384 public key is not an uncompressed point."));
        try
        {
            using var mine = ImportEcdh(own);
            using var peer = ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP384, Q = new ECPoint { X = x, Y = y } });
            return ValueTask.FromResult(Result<byte[]>.Ok(mine.DeriveRawSecretAgreement(peer.PublicKey)));
        }
        catch (CryptographicException)
        {
            return ValueTask.FromResult(Result<byte[]>.Fail(ProtocolErrorCode.InvalidKey, "The peer's P-384 public key is not on the curve."));
        }
    }

    /// <inheritdoc />
    public ValueTask<byte[]> P384SignAsync(P384KeyPair key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        P384.TrySplit(key.Q.Span, out var x, out var y);
        var parameters = new ECParameters { Curve = ECCurve.NamedCurves.nistP384, D = key.D.ToArray(), Q = new ECPoint { X = x, Y = y } };
        try
        {
            using var ecdsa = ECDsa.Create(parameters);
            return ValueTask.FromResult(ecdsa.SignData(data.Span, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(parameters.D);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> P384VerifyAsync(ReadOnlyMemory<byte> publicKey, ReadOnlyMemory<byte> data, ReadOnlyMemory<byte> signature, CancellationToken cancellationToken = default)
    {
        if (signature.Length != 96 || !P384.TrySplit(publicKey.Span, out var x, out var y)) return ValueTask.FromResult(false);
        try
        {
            using var ecdsa = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP384, Q = new ECPoint { X = x, Y = y } });
            return ValueTask.FromResult(ecdsa.VerifyData(data.Span, signature.Span, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        }
        catch (CryptographicException)
        {
            return ValueTask.FromResult(false);
        }
    }

    private static ECDiffieHellman ImportEcdh(P384KeyPair key)
    {
        P384.TrySplit(key.Q.Span, out var x, out var y);
        var parameters = new ECParameters { Curve = ECCurve.NamedCurves.nistP384, D = key.D.ToArray(), Q = new ECPoint { X = x, Y = y } };
        try
        {
            return ECDiffieHellman.Create(parameters);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(parameters.D);
        }
    }

    private static HashAlgorithmName Algorithm(HashName hash) => hash switch
    {
        HashName.Sha256 => HashAlgorithmName.SHA256,
        HashName.Sha384 => HashAlgorithmName.SHA384,
        HashName.Sha512 => HashAlgorithmName.SHA512,
        _ => throw new ArgumentOutOfRangeException(nameof(hash)),
    };

    private sealed class Key(ReadOnlySpan<byte> key) : SyncAesGcmKey
    {
        private readonly AesGcm _aes = new(key, TagSize);

        protected override void SealCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> output) =>
            _aes.Encrypt(nonce, plaintext, output[..plaintext.Length], output[plaintext.Length..], associatedData);

        protected override bool OpenCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData, Span<byte> plaintext)
        {
            try
            {
                _aes.Decrypt(nonce, ciphertext[..^TagSize], ciphertext[^TagSize..], plaintext, associatedData);
                return true;
            }
            catch (AuthenticationTagMismatchException)
            {
                return false;
            }
        }

        public override void Dispose() => _aes.Dispose();
    }
}
