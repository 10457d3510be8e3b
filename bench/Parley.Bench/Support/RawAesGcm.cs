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
    private byte[] _sealed = [];

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

    /// <summary>Opens <paramref name="bytes"/> (a multiple of 16 KiB) of chunks sealed once from the
    /// first MiB of <paramref name="pattern"/>, round robin: the ceiling for decryption.</summary>
    public void Open(byte[] pattern, long bytes)
    {
        const int sealedChunks = 64;
        if (_sealed.Length == 0)
        {
            _sealed = new byte[sealedChunks * (ChunkSize + 16)];
            for (var i = 0; i < sealedChunks; i++)
            {
                BinaryPrimitives.WriteUInt64BigEndian(_nonce.AsSpan(4), (ulong)i);
                var chunk = _sealed.AsSpan(i * (ChunkSize + 16), ChunkSize + 16);
                _aes.Encrypt(_nonce, pattern.AsSpan(i * ChunkSize, ChunkSize), chunk[..ChunkSize], chunk[ChunkSize..]);
            }
        }
        var chunks = bytes / ChunkSize;
        for (long i = 0; i < chunks; i++)
        {
            var index = (int)(i % sealedChunks);
            BinaryPrimitives.WriteUInt64BigEndian(_nonce.AsSpan(4), (ulong)index);
            var chunk = _sealed.AsSpan(index * (ChunkSize + 16), ChunkSize + 16);
            _aes.Decrypt(_nonce, chunk[..ChunkSize], chunk[ChunkSize..], _output);
        }
    }

    public void Dispose() => _aes.Dispose();
}
