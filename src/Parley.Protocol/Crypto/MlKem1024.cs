using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Kems;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Parley.Protocol.Crypto;

/// <summary>ML-KEM-1024 (FIPS 203) through BouncyCastle. Private keys are kept as the 64-byte seed d || z.</summary>
public static class MlKem1024
{
    /// <summary>Size of an encapsulation (public) key.</summary>
    public const int PublicKeySize = 1568;
    /// <summary>Size of a ciphertext.</summary>
    public const int CiphertextSize = 1568;
    /// <summary>Size of the shared secret.</summary>
    public const int SharedSecretSize = 32;
    /// <summary>Size of the private seed d || z.</summary>
    public const int SeedSize = 64;
    /// <summary>Size of an expanded decapsulation key.</summary>
    public const int ExpandedPrivateKeySize = 3168;

    private static readonly MLKemParameters Parameters = MLKemParameters.ml_kem_1024;

    /// <summary>A fresh 64-byte private seed.</summary>
    public static byte[] GenerateSeed() => RandomNumberGenerator.GetBytes(SeedSize);

    /// <summary>Expands a seed into a private key (FIPS 203 ML-KEM.KeyGen_internal).</summary>
    public static Result<MLKemPrivateKeyParameters> FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedSize) return Result<MLKemPrivateKeyParameters>.Fail(ProtocolErrorCode.InvalidKey, "An ML-KEM-1024 seed is 64 bytes.");
        return MLKemPrivateKeyParameters.FromSeed(Parameters, seed.ToArray());
    }

    /// <summary>Imports an expanded 3168-byte decapsulation key, checking its embedded hash (FIPS 203 §7.3).</summary>
    public static Result<MLKemPrivateKeyParameters> FromExpanded(ReadOnlySpan<byte> key)
    {
        if (key.Length != ExpandedPrivateKeySize) return Result<MLKemPrivateKeyParameters>.Fail(ProtocolErrorCode.InvalidLength, "An ML-KEM-1024 decapsulation key is 3168 bytes.");
        try
        {
            var parsed = MLKemPrivateKeyParameters.FromEncoding(Parameters, key.ToArray());
            // FIPS 203 §7.3 input check: H(ek) stored in dk must match the embedded ek.
            var ek = key.Slice(1536, PublicKeySize);
            var h = key.Slice(1536 + PublicKeySize, 32);
            if (!CryptographicOperations.FixedTimeEquals(SHA3_256(ek), h))
                return Result<MLKemPrivateKeyParameters>.Fail(ProtocolErrorCode.InvalidKey, "The ML-KEM-1024 decapsulation key fails its hash check.");
            return parsed;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return Result<MLKemPrivateKeyParameters>.Fail(ProtocolErrorCode.InvalidKey, "The ML-KEM-1024 decapsulation key is malformed.");
        }
    }

    /// <summary>Parses an encapsulation key, with the FIPS 203 §7.2 modulus check.</summary>
    public static Result<MLKemPublicKeyParameters> ParsePublicKey(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length != PublicKeySize) return Result<MLKemPublicKeyParameters>.Fail(ProtocolErrorCode.InvalidLength, "An ML-KEM-1024 public key is 1568 bytes.");
        if (!ModulusCheck(encoded[..1536]))
            return Result<MLKemPublicKeyParameters>.Fail(ProtocolErrorCode.InvalidKey, "The ML-KEM-1024 public key has a coefficient not reduced modulo q.");
        try
        {
            return MLKemPublicKeyParameters.FromEncoding(Parameters, encoded.ToArray());
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return Result<MLKemPublicKeyParameters>.Fail(ProtocolErrorCode.InvalidKey, "The ML-KEM-1024 public key is malformed.");
        }
    }

    /// <summary>Encapsulates to <paramref name="publicKey"/>: (ciphertext, shared secret).</summary>
    public static (byte[] Ciphertext, byte[] SharedSecret) Encapsulate(MLKemPublicKeyParameters publicKey) =>
        Encapsulate(publicKey, new SecureRandom());

    /// <summary>Encapsulates with the 32-byte message m drawn from <paramref name="random"/>; the
    /// conformance runner passes the vector's m to reproduce known answers.</summary>
    internal static (byte[] Ciphertext, byte[] SharedSecret) Encapsulate(MLKemPublicKeyParameters publicKey, SecureRandom random)
    {
        var encapsulator = new MLKemEncapsulator(Parameters);
        encapsulator.Init(new ParametersWithRandom(publicKey, random));
        var ciphertext = new byte[CiphertextSize];
        var secret = new byte[SharedSecretSize];
        encapsulator.Encapsulate(ciphertext, secret);
        return (ciphertext, secret);
    }

    /// <summary>Decapsulates; ML-KEM never fails on a well-sized ciphertext (implicit rejection), it
    /// yields an unrelated secret instead.</summary>
    public static Result<byte[]> Decapsulate(MLKemPrivateKeyParameters privateKey, ReadOnlySpan<byte> ciphertext)
    {
        if (ciphertext.Length != CiphertextSize) return Result<byte[]>.Fail(ProtocolErrorCode.InvalidLength, "An ML-KEM-1024 ciphertext is 1568 bytes.");
        var decapsulator = new MLKemDecapsulator(Parameters);
        decapsulator.Init(privateKey);
        var secret = new byte[SharedSecretSize];
        decapsulator.Decapsulate(ciphertext, secret);
        return secret;
    }

    // ByteDecode_12 followed by ByteEncode_12 must be the identity (FIPS 203 §7.2): every 12-bit
    // coefficient must be below q = 3329.
    private static bool ModulusCheck(ReadOnlySpan<byte> t)
    {
        var ok = true;
        for (var i = 0; i + 2 < t.Length; i += 3)
        {
            var a = t[i] | ((t[i + 1] & 0x0F) << 8);
            var b = (t[i + 1] >> 4) | (t[i + 2] << 4);
            ok &= a < 3329 & b < 3329;
        }
        return ok;
    }

    private static byte[] SHA3_256(ReadOnlySpan<byte> data)
    {
        var digest = new Org.BouncyCastle.Crypto.Digests.Sha3Digest(256);
        digest.BlockUpdate(data);
        var output = new byte[32];
        digest.DoFinal(output, 0);
        return output;
    }
}
