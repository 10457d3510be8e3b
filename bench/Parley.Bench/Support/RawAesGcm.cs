using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Parley.Bench.Support;

/// <summary>The ceiling: System.Security.Cryptography.AesGcm sealing 16 KiB chunks in a loop, with
/// counter nonces and no streams, copies or buffers beyond one chunk of output.</summary>
public sealed class RawAesGcm : IDisposable
{
    public const int ChunkSize = 16 * 1024;
    private readonly AesGcm _aes = new(RandomNumberGenerator.GetBytes(32), 16);
    private readonly byte[] _output = new byte[ChunkSize];
    private readonly byte[] _tag = new byte[16];
    private readonly byte[] _nonce = new byte[12];

    /// <summary>Seals <paramref name="bytes"/> (a multiple of 16 KiB) read from <paramref name="pattern"/>, repeated.</summary>
    public void Seal(byte[] pattern, long bytes)
    {
        var chunks = bytes / ChunkSize;
        var perPattern = pattern.Length / ChunkSize;
        for (long i = 0; i < chunks; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(_nonce.AsSpan(4), (ulong)i);
            _aes.Encrypt(_nonce, pattern.AsSpan((int)(i % perPattern) * ChunkSize, ChunkSize), _output, _tag);
        }
    }

    public void Dispose() => _aes.Dispose();
}
