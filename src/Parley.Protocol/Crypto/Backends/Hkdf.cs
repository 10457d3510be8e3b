using System.Security.Cryptography;

namespace Parley.Protocol.Crypto.Backends;

/// <summary>HKDF helpers shared by the backends.</summary>
public static class Hkdf
{
    /// <summary>Output size of <paramref name="hash"/> in bytes.</summary>
    public static int HashLength(HashName hash) => hash switch
    {
        HashName.Sha256 => 32,
        HashName.Sha384 => 48,
        HashName.Sha512 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(hash)),
    };

    /// <summary>An error when <paramref name="length"/> is outside 0..255·HashLen (RFC 5869 §2.3).</summary>
    public static ProtocolError? CheckLength(HashName hash, int length) =>
        length < 0 || length > 255 * HashLength(hash)
            ? new ProtocolError(ProtocolErrorCode.LimitExceeded, $"HKDF output length {length} is outside 0..{255 * HashLength(hash)}.")
            : null;

    /// <summary>RFC 5869 HKDF-Expand over a keyed HMAC whose key is the PRK.</summary>
    internal static byte[] Expand(IncrementalHash hmac, ReadOnlySpan<byte> info, int length)
    {
        var okm = new byte[length];
        Span<byte> block = stackalloc byte[hmac.HashLengthInBytes];
        var written = 0;
        for (byte counter = 1; written < length; counter++)
        {
            if (counter > 1) hmac.AppendData(block);
            hmac.AppendData(info);
            hmac.AppendData([counter]);
            hmac.GetHashAndReset(block);
            var take = Math.Min(block.Length, length - written);
            block[..take].CopyTo(okm.AsSpan(written));
            written += take;
        }
        CryptographicOperations.ZeroMemory(block);
        return okm;
    }
}
