using System.Security.Cryptography;

namespace Parley.Client.Documents;

/// <summary>A forward-only stream that passes bytes through to or from an inner stream while feeding them
/// to a hash and counting them, so a document is hashed in the same pass that encrypts or decrypts it.
/// The first bytes are kept (the Cobblestone salt) for the manifest.</summary>
internal sealed class HashingStream(Stream inner, IncrementalHash hash, bool reading, int keepFirst = 0) : Stream
{
    private readonly byte[] _first = new byte[keepFirst];

    public long Count { get; private set; }

    public ReadOnlySpan<byte> First => _first.AsSpan(0, (int)Math.Min(Count, _first.Length));

    public override bool CanRead => reading;
    public override bool CanSeek => false;
    public override bool CanWrite => !reading;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => Count; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (!reading) throw new NotSupportedException();
        var read = inner.Read(buffer);
        Seen(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!reading) throw new NotSupportedException();
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Seen(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (reading) throw new NotSupportedException();
        Seen(buffer);
        inner.Write(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (reading) throw new NotSupportedException();
        Seen(buffer.Span);
        await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void Seen(ReadOnlySpan<byte> bytes)
    {
        if (Count < _first.Length)
        {
            var take = (int)Math.Min(bytes.Length, _first.Length - Count);
            bytes[..take].CopyTo(_first.AsSpan((int)Count));
        }
        hash.AppendData(bytes);
        Count += bytes.Length;
    }
}
