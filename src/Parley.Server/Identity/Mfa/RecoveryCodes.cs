using System.Security.Cryptography;
using System.Text;
using Parley.Server.Identity.Security;

namespace Parley.Server.Identity.Mfa;

/// <summary>
/// Ten one-time recovery codes of 16 base32 characters (80 bits) in four groups, e.g.
/// <c>K7QD-2MXA-PL4R-9FZC</c>. Only an HMAC of each (keyed by the server's identity key) is stored:
/// the codes carry enough entropy that a keyed hash is as good as a slow one.
/// </summary>
public sealed class RecoveryCodes(ServerIdentityKey key)
{
    public const int Count = 10;
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>New codes, as shown to the user once.</summary>
    public static IReadOnlyList<string> Generate()
    {
        var codes = new List<string>(Count);
        for (var i = 0; i < Count; i++)
        {
            var chars = new char[19];
            for (var c = 0; c < chars.Length; c++)
                chars[c] = c % 5 == 4 ? '-' : Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
            codes.Add(new string(chars));
        }
        return codes;
    }

    /// <summary>The stored form of a code; spaces, dashes and case do not matter.</summary>
    public byte[] Hash(string code)
    {
        var normalized = new string(code.Where(char.IsAsciiLetterOrDigit).Select(char.ToUpperInvariant).ToArray());
        return HMACSHA256.HashData(key.RecoveryCodes, Encoding.ASCII.GetBytes(normalized));
    }
}
