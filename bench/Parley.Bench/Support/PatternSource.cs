using System.Security.Cryptography;

namespace Parley.Bench.Support;

/// <summary>A non-seekable plaintext of <c>length</c> bytes that repeats one random block, so a
/// gigabyte of input costs a megabyte of memory. Reading copies, as reading a cached file would.</summary>
public sealed class PatternSource(byte[] pattern, long length) : Stream
{
    private long _position;

    public static byte[] RandomPattern(int size = 1 << 20) => RandomNumberGenerator.GetBytes(size);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        var total = 0;
        while (!buffer.IsEmpty && _position < length)
        {
            var offset = (int)(_position % pattern.Length);
            var take = (int)Math.Min(Math.Min(buffer.Length, pattern.Length - offset), length - _position);
            pattern.AsSpan(offset, take).CopyTo(buffer);
            buffer = buffer[take..];
            _position += take;
            total += take;
        }
        return total;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
