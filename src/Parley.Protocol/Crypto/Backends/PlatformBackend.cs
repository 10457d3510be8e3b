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

    // Chunks of a batch are independent GCM messages, so a large batch is split over up to four
    // cores, each lane with its own AesGcm instance (instances are not thread-safe). Output is
    // byte-identical to the sequential loop; only the order of work changes.
    private sealed class Key : SyncAesGcmKey
    {
        private const int ParallelThreshold = 16;
        private static readonly int LaneCount = Math.Clamp(Environment.ProcessorCount, 1, 4);
        private readonly AesGcm[] _lanes;

        public Key(ReadOnlySpan<byte> key)
        {
            _lanes = new AesGcm[LaneCount];
            for (var i = 0; i < _lanes.Length; i++) _lanes[i] = new AesGcm(key, TagSize);
        }

        protected override void SealCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> output) =>
            Seal(_lanes[0], nonce, plaintext, associatedData, output);

        protected override bool OpenCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData, Span<byte> plaintext) =>
            Open(_lanes[0], nonce, ciphertext, associatedData, plaintext);

        public override ValueTask SealSegmentsAsync(ReadOnlyMemory<byte> baseNonce, ulong firstCounter, int segmentSize, int segmentCount, ReadOnlyMemory<byte> plaintext, Memory<byte> output, CancellationToken cancellationToken = default)
        {
            if (segmentCount < ParallelThreshold || _lanes.Length == 1)
                return base.SealSegmentsAsync(baseNonce, firstCounter, segmentSize, segmentCount, plaintext, output, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            Segments.CheckShape(baseNonce.Length, segmentSize, segmentCount, plaintext.Length, output.Length);
            var perLane = (segmentCount + _lanes.Length - 1) / _lanes.Length;
            Parallel.For(0, _lanes.Length, lane =>
            {
                Span<byte> nonce = stackalloc byte[NonceSize];
                var pt = plaintext.Span;
                var ct = output.Span;
                for (var i = lane * perLane; i < Math.Min(segmentCount, (lane + 1) * perLane); i++)
                {
                    var (offset, length) = Segments.Plain(i, segmentSize, segmentCount, pt.Length);
                    Segments.Nonce(baseNonce.Span, firstCounter + (ulong)i, nonce);
                    Seal(_lanes[lane], nonce, pt.Slice(offset, length), default, ct.Slice(offset + i * TagSize, length + TagSize));
                }
            });
            return ValueTask.CompletedTask;
        }

        public override ValueTask<int> OpenSegmentsAsync(ReadOnlyMemory<byte> baseNonce, ulong firstCounter, int segmentSize, int segmentCount, ReadOnlyMemory<byte> ciphertext, Memory<byte> plaintext, CancellationToken cancellationToken = default)
        {
            if (segmentCount < ParallelThreshold || _lanes.Length == 1)
                return base.OpenSegmentsAsync(baseNonce, firstCounter, segmentSize, segmentCount, ciphertext, plaintext, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            Segments.CheckShape(baseNonce.Length, segmentSize, segmentCount, plaintext.Length, ciphertext.Length);
            var perLane = (segmentCount + _lanes.Length - 1) / _lanes.Length;
            var firstFailure = segmentCount;
            Parallel.For(0, _lanes.Length, lane =>
            {
                Span<byte> nonce = stackalloc byte[NonceSize];
                var ct = ciphertext.Span;
                var pt = plaintext.Span;
                for (var i = lane * perLane; i < Math.Min(segmentCount, (lane + 1) * perLane); i++)
                {
                    var (offset, length) = Segments.Plain(i, segmentSize, segmentCount, pt.Length);
                    Segments.Nonce(baseNonce.Span, firstCounter + (ulong)i, nonce);
                    if (!Open(_lanes[lane], nonce, ct.Slice(offset + i * TagSize, length + TagSize), default, pt.Slice(offset, length)))
                    {
                        InterlockedMin(ref firstFailure, i);
                        return;
                    }
                }
            });
            // Lanes after a failure may have decrypted authentic chunks, but only the prefix before
            // the first failure counts: everything from it on is zeroed.
            if (firstFailure < segmentCount) plaintext.Span[(firstFailure * segmentSize)..].Clear();
            return ValueTask.FromResult(firstFailure);
        }

        public override void Dispose()
        {
            foreach (var lane in _lanes) lane.Dispose();
        }

        private static void Seal(AesGcm aes, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> output) =>
            aes.Encrypt(nonce, plaintext, output[..plaintext.Length], output[plaintext.Length..], associatedData);

        private static bool Open(AesGcm aes, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData, Span<byte> plaintext)
        {
            try
            {
                aes.Decrypt(nonce, ciphertext[..^TagSize], ciphertext[^TagSize..], plaintext, associatedData);
                return true;
            }
            catch (AuthenticationTagMismatchException)
            {
                plaintext.Clear();
                return false;
            }
        }

        private static void InterlockedMin(ref int target, int value)
        {
            var current = Volatile.Read(ref target);
            while (value < current)
            {
                var seen = Interlocked.CompareExchange(ref target, value, current);
                if (seen == current) return;
                current = seen;
            }
        }
    }
}
