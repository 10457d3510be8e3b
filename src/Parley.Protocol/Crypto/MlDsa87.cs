using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace Parley.Protocol.Crypto;

/// <summary>ML-DSA-87 (FIPS 204) through BouncyCastle. Private keys are kept as the 32-byte seed ξ.</summary>
public static class MlDsa87
{
    /// <summary>Size of a public key.</summary>
    public const int PublicKeySize = 2592;
    /// <summary>Size of a signature.</summary>
    public const int SignatureSize = 4627;
    /// <summary>Size of the private seed.</summary>
    public const int SeedSize = 32;

    private static readonly MLDsaParameters Parameters = MLDsaParameters.ml_dsa_87;

    /// <summary>Expands a seed into a private key (FIPS 204 ML-DSA.KeyGen_internal).</summary>
    public static Result<MLDsaPrivateKeyParameters> FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedSize) return Result<MLDsaPrivateKeyParameters>.Fail(ProtocolErrorCode.InvalidKey, "An ML-DSA-87 seed is 32 bytes.");
        return MLDsaPrivateKeyParameters.FromSeed(Parameters, seed.ToArray());
    }

    /// <summary>Parses a public key.</summary>
    public static Result<MLDsaPublicKeyParameters> ParsePublicKey(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length != PublicKeySize) return Result<MLDsaPublicKeyParameters>.Fail(ProtocolErrorCode.InvalidLength, "An ML-DSA-87 public key is 2592 bytes.");
        try
        {
            return MLDsaPublicKeyParameters.FromEncoding(Parameters, encoded.ToArray());
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return Result<MLDsaPublicKeyParameters>.Fail(ProtocolErrorCode.InvalidKey, "The ML-DSA-87 public key is malformed.");
        }
    }

    /// <summary>Signs <paramref name="message"/> with FIPS 204 context string <paramref name="context"/> (≤ 255 bytes).
    /// Hedged (randomized) unless <paramref name="deterministic"/>.</summary>
    public static byte[] Sign(MLDsaPrivateKeyParameters key, ReadOnlySpan<byte> message, ReadOnlySpan<byte> context, bool deterministic = false) =>
        SignCore(key, message, context, deterministic ? null : new SecureRandom());

    /// <summary>Hedged signing with the 32-byte rnd drawn from <paramref name="random"/>; the
    /// conformance runner passes the vector's rnd to reproduce known answers.</summary>
    internal static byte[] Sign(MLDsaPrivateKeyParameters key, ReadOnlySpan<byte> message, ReadOnlySpan<byte> context, SecureRandom random) =>
        SignCore(key, message, context, random ?? throw new ArgumentNullException(nameof(random)));

    private static byte[] SignCore(MLDsaPrivateKeyParameters key, ReadOnlySpan<byte> message, ReadOnlySpan<byte> context, SecureRandom? random)
    {
        if (context.Length > 255) throw new ArgumentException("An ML-DSA context string is at most 255 bytes.", nameof(context));
        var signer = new MLDsaSigner(Parameters, deterministic: random is null);
        // BouncyCastle unwraps the context first, then the randomness.
        signer.Init(true, new ParametersWithContext(random is null ? key : new ParametersWithRandom(key, random), context));
        signer.BlockUpdate(message);
        return signer.GenerateSignature();
    }

    /// <summary>Verifies a signature; false for any malformed input.</summary>
    public static bool Verify(MLDsaPublicKeyParameters key, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature, ReadOnlySpan<byte> context)
    {
        if (signature.Length != SignatureSize || context.Length > 255) return false;
        var signer = new MLDsaSigner(Parameters, deterministic: false);
        signer.Init(false, new ParametersWithContext(key, context));
        signer.BlockUpdate(message);
        try
        {
            return signer.VerifySignature(signature.ToArray());
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException)
        {
            return false;
        }
    }
}
