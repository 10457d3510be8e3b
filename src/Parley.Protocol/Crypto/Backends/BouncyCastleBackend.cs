using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Agreement;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities;

namespace Parley.Protocol.Crypto.Backends;

/// <summary>
/// BouncyCastle, fully managed: works everywhere, including WebAssembly, where it is the fallback
/// for the primitives WebCrypto does not take over.
/// </summary>
public sealed class BouncyCastleBackend : ICryptoBackend
{
    private static readonly X9ECParameters Curve = ECNamedCurveTable.GetByName("P-384");
    private static readonly ECDomainParameters Domain = new(Curve);

    /// <inheritdoc />
    public string Name => "bouncycastle";

    /// <inheritdoc />
    public ValueTask<Result<IAesGcmKey>> ImportAesGcmKeyAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        if (key.Length != 32)
            return ValueTask.FromResult(Result<IAesGcmKey>.Fail(ProtocolErrorCode.InvalidKey, "AES-256-GCM keys are 32 bytes."));
        return ValueTask.FromResult(Result<IAesGcmKey>.Ok(new Key(key.Span)));
    }

    /// <inheritdoc />
    public ValueTask<byte[]> HashAsync(HashName hash, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var digest = Digest(hash);
        digest.BlockUpdate(data.Span);
        var output = new byte[digest.GetDigestSize()];
        digest.DoFinal(output, 0);
        return ValueTask.FromResult(output);
    }

    /// <inheritdoc />
    public ValueTask<Result<byte[]>> HkdfAsync(HashName hash, ReadOnlyMemory<byte> ikm, ReadOnlyMemory<byte> salt, ReadOnlyMemory<byte> info, int length, CancellationToken cancellationToken = default)
    {
        if (Hkdf.CheckLength(hash, length) is { } error) return ValueTask.FromResult(Result<byte[]>.Fail(error));
        var generator = new HkdfBytesGenerator(Digest(hash));
        generator.Init(new HkdfParameters(ikm.ToArray(), salt.IsEmpty ? null : salt.ToArray(), info.ToArray()));
        var okm = new byte[length];
        generator.GenerateBytes(okm, 0, length);
        return ValueTask.FromResult(Result<byte[]>.Ok(okm));
    }

    /// <inheritdoc />
    public ValueTask<Result<byte[]>> HkdfExpandAsync(HashName hash, ReadOnlyMemory<byte> prk, ReadOnlyMemory<byte> info, int length, CancellationToken cancellationToken = default)
    {
        if (Hkdf.CheckLength(hash, length) is { } error) return ValueTask.FromResult(Result<byte[]>.Fail(error));
        if (prk.IsEmpty) return ValueTask.FromResult(Result<byte[]>.Fail(ProtocolErrorCode.InvalidKey, "The HKDF PRK is empty."));
        var generator = new HkdfBytesGenerator(Digest(hash));
        generator.Init(HkdfParameters.SkipExtractParameters(prk.ToArray(), info.ToArray()));
        var okm = new byte[length];
        generator.GenerateBytes(okm, 0, length);
        return ValueTask.FromResult(Result<byte[]>.Ok(okm));
    }

    /// <inheritdoc />
    public ValueTask<P384KeyPair> GenerateP384KeyPairAsync(CancellationToken cancellationToken = default)
    {
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(Domain, new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        var d = ((ECPrivateKeyParameters)pair.Private).D.ToByteArrayUnsigned();
        var padded = new byte[P384KeyPair.PrivateKeySize];
        d.CopyTo(padded, padded.Length - d.Length);
        var q = ((ECPublicKeyParameters)pair.Public).Q.GetEncoded(compressed: false);
        try
        {
            return ValueTask.FromResult(new P384KeyPair(padded, q));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
            CryptographicOperations.ZeroMemory(padded);
        }
    }

    /// <inheritdoc />
    public ValueTask<Result<byte[]>> P384AgreeAsync(P384KeyPair own, ReadOnlyMemory<byte> peerPublicKey, CancellationToken cancellationToken = default)
    {
        if (!TryDecodePoint(peerPublicKey.Span, out var peer))
            return ValueTask.FromResult(Result<byte[]>.Fail(ProtocolErrorCode.InvalidKey, "The peer's P-384 public key is not a valid uncompressed point on the curve."));
        var agreement = new ECDHBasicAgreement();
        agreement.Init(Private(own));
        var z = agreement.CalculateAgreement(new ECPublicKeyParameters(peer, Domain));
        return ValueTask.FromResult(Result<byte[]>.Ok(BigIntegers.AsUnsignedByteArray(48, z)));
    }

    /// <inheritdoc />
    public ValueTask<byte[]> P384SignAsync(P384KeyPair key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var digest = new Sha384Digest();
        var hash = new byte[digest.GetDigestSize()];
        digest.BlockUpdate(data.Span);
        digest.DoFinal(hash, 0);
        // Deterministic k (RFC 6979) so a weak RNG cannot leak the key through the nonce.
        var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha384Digest()));
        signer.Init(true, Private(key));
        var rs = signer.GenerateSignature(hash);
        var signature = new byte[96];
        BigIntegers.AsUnsignedByteArray(rs[0], signature, 0, 48);
        BigIntegers.AsUnsignedByteArray(rs[1], signature, 48, 48);
        return ValueTask.FromResult(signature);
    }

    /// <inheritdoc />
    public ValueTask<bool> P384VerifyAsync(ReadOnlyMemory<byte> publicKey, ReadOnlyMemory<byte> data, ReadOnlyMemory<byte> signature, CancellationToken cancellationToken = default)
    {
        if (signature.Length != 96 || !TryDecodePoint(publicKey.Span, out var q)) return ValueTask.FromResult(false);
        var digest = new Sha384Digest();
        var hash = new byte[digest.GetDigestSize()];
        digest.BlockUpdate(data.Span);
        digest.DoFinal(hash, 0);
        var signer = new ECDsaSigner();
        signer.Init(false, new ECPublicKeyParameters(q, Domain));
        var r = new BigInteger(1, signature.Span[..48]);
        var s = new BigInteger(1, signature.Span[48..]);
        return ValueTask.FromResult(signer.VerifySignature(hash, r, s));
    }

    private static ECPrivateKeyParameters Private(P384KeyPair key) =>
        new(new BigInteger(1, key.D.Span), Domain);

    private static bool TryDecodePoint(ReadOnlySpan<byte> encoded, out Org.BouncyCastle.Math.EC.ECPoint point)
    {
        point = null!;
        if (encoded.Length != P384KeyPair.PublicKeySize || encoded[0] != 0x04) return false;
        try
        {
            point = Curve.Curve.DecodePoint(encoded.ToArray());
            // DecodePoint checks the curve equation; P-384 has cofactor 1, so any point on the
            // curve other than infinity is in the prime-order subgroup.
            return !point.IsInfinity && point.IsValid();
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static IDigest Digest(HashName hash) => hash switch
    {
        HashName.Sha256 => new Sha256Digest(),
        HashName.Sha384 => new Sha384Digest(),
        HashName.Sha512 => new Sha512Digest(),
        _ => throw new ArgumentOutOfRangeException(nameof(hash)),
    };

    private sealed class Key(ReadOnlySpan<byte> key) : SyncAesGcmKey
    {
        private readonly KeyParameter _key = new(key);
        private readonly GcmBlockCipher _cipher = new(AesUtilities.CreateEngine());

        private bool _keyed;

        protected override void SealCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> output)
        {
            Init(forEncryption: true, nonce, associatedData);
            var written = _cipher.ProcessBytes(plaintext, output);
            _cipher.DoFinal(output[written..]);
        }

        protected override bool OpenCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData, Span<byte> plaintext)
        {
            Init(forEncryption: false, nonce, associatedData);
            // GCM decryption releases at most length − 16 bytes in total, so the output fits; the
            // caller zeroes it if DoFinal rejects the tag.
            try
            {
                var written = _cipher.ProcessBytes(ciphertext, plaintext);
                _cipher.DoFinal(plaintext[written..]);
                return true;
            }
            catch (InvalidCipherTextException)
            {
                return false;
            }
        }

        private void Init(bool forEncryption, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> associatedData)
        {
            // Only the first call passes the key: BouncyCastle takes a null key as "the same key" and
            // then keeps its AES key schedule and GHASH key instead of rebuilding them, which a stream
            // of 16 KiB chunks would otherwise do (and allocate for) once per chunk.
            _cipher.Init(forEncryption, new AeadParameters(_keyed ? null : _key, TagSize * 8, nonce.ToArray(), associatedData.IsEmpty ? null : associatedData.ToArray()));
            _keyed = true;
        }

        // BouncyCastle keeps its own copy of the key schedule and offers no way to clear it.
        public override void Dispose()
        {
        }
    }
}
