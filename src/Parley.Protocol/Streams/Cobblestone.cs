using System.Security.Cryptography;
using Parley.Protocol.Crypto;

namespace Parley.Protocol.Streams;

/// <summary>
/// Constants and key derivation of C2SP chunked-encryption instantiated as Cobblestone-256
/// (HKDF-SHA-512, AES-256-GCM, 16 KiB chunks): ciphertext = salt (24) || commitment (32) || chunks.
/// </summary>
public static class Cobblestone256
{
    /// <summary>Input key size.</summary>
    public const int KeySize = 32;
    /// <summary>Salt size.</summary>
    public const int SaltSize = 24;
    /// <summary>Commitment size.</summary>
    public const int CommitmentSize = 32;
    /// <summary>Header (salt || commitment) size.</summary>
    public const int HeaderSize = SaltSize + CommitmentSize;
    /// <summary>Plaintext chunk size.</summary>
    public const int ChunkSize = 16 * 1024;
    /// <summary>AEAD tag size.</summary>
    public const int TagSize = 16;
    /// <summary>Encrypted size of a full chunk.</summary>
    public const int EncryptedChunkSize = ChunkSize + TagSize;
    /// <summary>Chunk counter limit of the specification (2^38 chunks, 4 PiB).</summary>
    public const long MaxChunks = 1L << 38;
    /// <summary>Nonce size of AES-GCM.</summary>
    public const int NonceSize = 12;

    private const string InfoPrefix = "c2sp.org/chunked-encryption@v1+AEAD_AES_256_GCM";

    /// <summary>Ciphertext length for a plaintext of <paramref name="plaintextLength"/> bytes.</summary>
    public static long CiphertextLength(long plaintextLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        return HeaderSize + plaintextLength + TagSize * (plaintextLength / ChunkSize + 1);
    }

    /// <summary>Plaintext length of a ciphertext of <paramref name="ciphertextLength"/> bytes, or an
    /// error when no message encrypts to that length.</summary>
    public static Result<long> PlaintextLength(long ciphertextLength)
    {
        if (ciphertextLength < HeaderSize + TagSize)
            return Result<long>.Fail(ProtocolErrorCode.Truncated, "The ciphertext is shorter than a header and one empty chunk.");
        var body = ciphertextLength - HeaderSize;
        var full = body / EncryptedChunkSize;
        var rest = body % EncryptedChunkSize;
        if (rest < TagSize)
            return Result<long>.Fail(ProtocolErrorCode.Truncated, "The ciphertext is truncated: it does not end with a short final chunk.");
        if (full + 1 > MaxChunks)
            return Result<long>.Fail(ProtocolErrorCode.LimitExceeded, "The ciphertext has more chunks than the format allows.");
        return full * ChunkSize + rest - TagSize;
    }

    /// <summary>
    /// key || base nonce || commitment = HKDF-Expand-SHA-512(prk = input key,
    /// info = "c2sp.org/chunked-encryption@v1+AEAD_AES_256_GCM" || 0x00 || salt || context).
    /// </summary>
    internal static async ValueTask<Result<DerivedKeys>> DeriveAsync(ICryptoBackend backend, ReadOnlyMemory<byte> inputKey, ReadOnlyMemory<byte> salt, ReadOnlyMemory<byte> context, CancellationToken cancellationToken)
    {
        if (inputKey.Length != KeySize) return Result<DerivedKeys>.Fail(ProtocolErrorCode.InvalidKey, "A Cobblestone-256 key is 32 bytes.");
        if (salt.Length != SaltSize) return Result<DerivedKeys>.Fail(ProtocolErrorCode.InvalidLength, "A Cobblestone-256 salt is 24 bytes.");
        var prefix = System.Text.Encoding.ASCII.GetBytes(InfoPrefix);
        var info = new byte[prefix.Length + 1 + SaltSize + context.Length];
        prefix.CopyTo(info, 0);
        salt.Span.CopyTo(info.AsSpan(prefix.Length + 1));
        context.Span.CopyTo(info.AsSpan(prefix.Length + 1 + SaltSize));
        var okm = (await backend.HkdfExpandAsync(HashName.Sha512, inputKey, info, KeySize + NonceSize + CommitmentSize, cancellationToken).ConfigureAwait(false)).Value;
        try
        {
            var aead = (await backend.ImportAesGcmKeyAsync(okm.AsMemory(0, KeySize), cancellationToken).ConfigureAwait(false)).Value;
            return new DerivedKeys(aead, okm.AsSpan(KeySize, NonceSize).ToArray(), okm.AsSpan(KeySize + NonceSize).ToArray());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(okm);
        }
    }

    internal sealed class DerivedKeys(IAesGcmKey aead, byte[] baseNonce, byte[] commitment) : IDisposable
    {
        public IAesGcmKey Aead { get; } = aead;

        public byte[] BaseNonce { get; } = baseNonce;

        public byte[] Commitment { get; } = commitment;

        public void Dispose()
        {
            Aead.Dispose();
            CryptographicOperations.ZeroMemory(BaseNonce);
        }
    }
}
