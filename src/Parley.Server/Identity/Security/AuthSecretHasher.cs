using System.Security.Cryptography;
using Parley.Protocol.Identity;

namespace Parley.Server.Identity.Security;

/// <summary>
/// Hashes the client's authentication secret again before it is stored, so that a stolen database
/// does not let anyone sign in: Argon2id, m = 19 MiB, t = 2, p = 1 (OWASP's minimum for Argon2id),
/// 16-byte random salt per user, 32-byte output, compared in constant time.
/// </summary>
public static class AuthSecretHasher
{
    public const int MemoryKiB = 19 * 1024;
    public const int Iterations = 2;
    public const int Parallelism = 1;

    /// <summary>A fresh salt.</summary>
    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(16);

    /// <summary>Argon2id of the secret with <paramref name="salt"/>.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> authSecret, byte[] salt) =>
        // Argon2id zeroes its input, so it gets a copy.
        PasswordKeys.Argon2id(authSecret.ToArray(), new KdfParameters(MemoryKiB, Iterations, Parallelism, salt), 32);

    /// <summary>True when <paramref name="authSecret"/> hashes to <paramref name="expected"/>.</summary>
    public static bool Verify(ReadOnlySpan<byte> authSecret, byte[] salt, byte[] expected) =>
        CryptographicOperations.FixedTimeEquals(Hash(authSecret, salt), expected);
}

/// <summary>Random bearer secrets (session tokens, enrollment tokens) and their stored form.</summary>
public static class Tokens
{
    /// <summary>32 random bytes, base64url.</summary>
    public static string New() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>SHA-256 of the token's text: what the database keeps.</summary>
    public static byte[] Hash(string token) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
