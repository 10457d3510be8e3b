using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace Parley.Protocol.Crypto;

/// <summary>Ed25519 (RFC 8032) through BouncyCastle, for ledger checkpoints and witness cosignatures,
/// where C2SP signed notes require it for interoperability.</summary>
public static class Ed25519
{
    /// <summary>Size of a public key.</summary>
    public const int PublicKeySize = 32;
    /// <summary>Size of a private key (seed).</summary>
    public const int PrivateKeySize = 32;
    /// <summary>Size of a signature.</summary>
    public const int SignatureSize = 64;

    /// <summary>A fresh private key (32-byte seed).</summary>
    public static byte[] GeneratePrivateKey() => new Ed25519PrivateKeyParameters(new SecureRandom()).GetEncoded();

    /// <summary>The public key of a private key.</summary>
    public static byte[] PublicKey(ReadOnlySpan<byte> privateKey) =>
        new Ed25519PrivateKeyParameters(privateKey).GeneratePublicKey().GetEncoded();

    /// <summary>Signs <paramref name="message"/>.</summary>
    public static byte[] Sign(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> message)
    {
        if (privateKey.Length != PrivateKeySize) throw new ArgumentException("An Ed25519 private key is 32 bytes.", nameof(privateKey));
        var signer = new Ed25519Signer();
        signer.Init(true, new Ed25519PrivateKeyParameters(privateKey));
        signer.BlockUpdate(message);
        return signer.GenerateSignature();
    }

    /// <summary>Verifies a signature; false for any malformed key or signature.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeySize || signature.Length != SignatureSize) return false;
        try
        {
            var signer = new Ed25519Signer();
            signer.Init(false, new Ed25519PublicKeyParameters(publicKey));
            signer.BlockUpdate(message);
            return signer.VerifySignature(signature.ToArray());
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
