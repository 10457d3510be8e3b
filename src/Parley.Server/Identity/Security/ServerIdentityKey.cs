using System.Security.Cryptography;
using System.Text;
using Parley.Server.Storage;

namespace Parley.Server.Identity.Security;

/// <summary>
/// The server's own secret for identity, in <c>DATA/identity.key</c> (0600). Separate keys are
/// derived from it for each use: TOTP secrets at rest, made-up prelogin salts, recovery code hashes.
/// Losing it disables TOTP and recovery codes; it never leaves the data folder.
/// </summary>
public sealed class ServerIdentityKey
{
    private const string FileName = "identity.key";

    private ServerIdentityKey(byte[] key)
    {
        TotpAtRest = Derive(key, "parley totp-at-rest v1");
        PreloginSalt = Derive(key, "parley prelogin-salt v1");
        RecoveryCodes = Derive(key, "parley recovery-codes v1");
        CryptographicOperations.ZeroMemory(key);
    }

    /// <summary>AES-256-GCM key for TOTP secrets.</summary>
    internal byte[] TotpAtRest { get; }

    /// <summary>HMAC key for the stable made-up salts of unknown emails.</summary>
    internal byte[] PreloginSalt { get; }

    /// <summary>HMAC key for recovery codes.</summary>
    internal byte[] RecoveryCodes { get; }

    /// <summary>Loads the key, creating it at first start.</summary>
    public static ServerIdentityKey LoadOrCreate(DataDirectory data)
    {
        var path = Path.Combine(data.Root, FileName);
        if (!File.Exists(path)) data.WritePrivateFile(FileName, RandomNumberGenerator.GetBytes(32));
        var key = File.ReadAllBytes(path);
        if (key.Length != 32) throw new InvalidDataException($"{path} must hold 32 bytes.");
        return new ServerIdentityKey(key);
    }

    private static byte[] Derive(byte[] key, string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, key, 32, salt: [], info: Encoding.ASCII.GetBytes(purpose));

    /// <inheritdoc />
    public override string ToString() => "ServerIdentityKey(private)";
}

/// <summary>Encrypts small secrets the server must read back (TOTP secrets) with AES-256-GCM, bound to their owner.</summary>
public sealed class AtRestCipher(ServerIdentityKey key)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    /// <summary>nonce || ciphertext || tag, with <paramref name="owner"/> as associated data.</summary>
    public byte[] Seal(ReadOnlySpan<byte> plaintext, Guid owner)
    {
        var output = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.TotpAtRest, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize, plaintext.Length), output.AsSpan(NonceSize + plaintext.Length), owner.ToByteArray(bigEndian: true));
        return output;
    }

    /// <summary>The plaintext, or null if the box was altered or sealed for someone else.</summary>
    public byte[]? Open(ReadOnlySpan<byte> box, Guid owner)
    {
        if (box.Length < NonceSize + TagSize) return null;
        var plaintext = new byte[box.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key.TotpAtRest, TagSize);
        try
        {
            aes.Decrypt(box[..NonceSize], box.Slice(NonceSize, plaintext.Length), box[^TagSize..], plaintext, owner.ToByteArray(bigEndian: true));
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }
}
