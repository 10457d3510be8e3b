namespace Parley.Bench.Support;

/// <summary>A seekable in-memory stream over 64 MiB blocks, so it can hold more than one array's
/// 2 GiB. Holds ciphertext for the decryption runs.</summary>
public sealed class SegmentedStore : Stream
{
    private const int BlockSize = 64 << 20;
    private readonly List<byte[]> _blocks = [];
    private long _length;
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => true;
    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(Span<byte> buffer)
    {
        var total = 0;
        while (!buffer.IsEmpty && _position < _length)
        {
            var block = _blocks[(int)(_position / BlockSize)];
            var offset = (int)(_position % BlockSize);
            var take = (int)Math.Min(Math.Min(buffer.Length, BlockSize - offset), _length - _position);
            block.AsSpan(offset, take).CopyTo(buffer);
            buffer = buffer[take..];
            _position += take;
            total += take;
        }
        return total;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var index = (int)(_position / BlockSize);
            while (_blocks.Count <= index) _blocks.Add(new byte[BlockSize]);
            var offset = (int)(_position % BlockSize);
            var take = Math.Min(buffer.Length, BlockSize - offset);
            buffer[..take].CopyTo(_blocks[index].AsSpan(offset));
            buffer = buffer[take..];
            _position += take;
            _length = Math.Max(_length, _position);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        SeekOrigin.End => _length + offset,
        _ => throw new ArgumentOutOfRangeException(nameof(origin)),
    };

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Flush()
    {
    }
}
