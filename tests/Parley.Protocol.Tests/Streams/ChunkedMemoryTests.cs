using System.Buffers.Binary;
using Parley.Protocol.Crypto;
using Parley.Protocol.Streams;

namespace Parley.Protocol.Tests.Streams;

/// <summary>
/// Document streams run in constant memory: 256 MiB encrypted and decrypted through the streams
/// allocate a bounded amount, never an amount that grows like the document.
/// </summary>
/// <remarks>
/// The whole pipeline (plaintext generator → encrypting stream → decrypting stream → comparison) runs
/// on the test's thread, through the asynchronous API, and every operation must complete
/// synchronously (the native backends do): this is asserted, so that
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> sees every allocation and the test cannot pass by
/// losing track of work that moved to another thread. The harness itself allocates about 4.5 MiB once.
/// </remarks>
public class ChunkedMemoryTests
{
    private const long Size = 256L * 1024 * 1024;
    private const long Budget = 16L * 1024 * 1024;
    private const long Chunks = 2 * (Size / Cobblestone256.ChunkSize);

    [Fact]
    public void On_the_platform_backend_256_MiB_through_the_streams_allocate_less_than_16_MiB()
    {
        var allocated = Measure(Backends.Platform);
        Assert.True(allocated < Budget, $"{allocated / (1024.0 * 1024):F1} MiB allocated for {Size / (1024 * 1024)} MiB through the streams");
    }

    [Fact]
    public void On_bouncycastle_256_MiB_through_the_streams_allocate_per_chunk_bookkeeping_only()
    {
        // BouncyCastle's GCM must be re-initialised for every nonce, and each initialisation allocates
        // a few small buffers (about 400 bytes, 2.5% of a chunk). That is garbage, not growth: the bound
        // here is far below the 256 MiB a buffering implementation would need.
        var allocated = Measure(Backends.BouncyCastle);
        var bound = Budget + Chunks * 1024;
        Assert.True(allocated < bound, $"{allocated / (1024.0 * 1024):F1} MiB allocated for {Size / (1024 * 1024)} MiB through the streams (bound {bound / (1024 * 1024)} MiB)");
    }

    private static long Measure(ICryptoBackend backend)
    {
        // Warm up: JIT, static state and the array pool, which are paid once per process.
        Run(backend, 4 * Cobblestone256.ChunkSize + 3);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(backend, Size);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void The_measurement_sees_an_allocation_proportional_to_the_data()
    {
        // The same measurement notices a pipeline that buffers everything (here: a 32 MiB array).
        var before = GC.GetAllocatedBytesForCurrentThread();
        var hoard = new byte[32 * 1024 * 1024];
        hoard[^1] = 1;
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before >= hoard.Length);
    }

    private static void Run(ICryptoBackend backend, long size)
    {
        using var key = SecretKey.Generate(Cobblestone256.KeySize);
        var context = Cobble.Context;
        using var source = new EncryptingSource(backend, key, context, size);
        var opened = ChunkedDecryptingStream.OpenAsync(backend, key, context, source);
        using var reader = Completed(opened).Value;

        var expected = new Plaintext();
        var buffer = new byte[100_000];
        var wanted = new byte[buffer.Length];
        long total = 0;
        int read;
        while ((read = Completed(reader.ReadAsync(buffer))) > 0)
        {
            expected.Fill(wanted.AsSpan(0, read), total);
            if (!buffer.AsSpan(0, read).SequenceEqual(wanted.AsSpan(0, read))) Assert.Fail($"decrypted bytes at {total} differ");
            total += read;
        }
        Assert.Equal(size, total);
    }

    private static T Completed<T>(ValueTask<T> pending)
    {
        if (!pending.IsCompleted) Assert.Fail("the backend went asynchronous; allocations on other threads would go unmeasured");
        return pending.GetAwaiter().GetResult();
    }

    private static void Completed(ValueTask pending)
    {
        if (!pending.IsCompleted) Assert.Fail("the backend went asynchronous; allocations on other threads would go unmeasured");
        pending.GetAwaiter().GetResult();
    }

    /// <summary>A long plaintext generated on demand: a random 64 KiB block with its index stamped in
    /// front, so every chunk differs and nothing of the whole is ever held.</summary>
    private sealed class Plaintext
    {
        private const int BlockSize = 64 * 1024;
        private readonly byte[] _block = new byte[BlockSize];

        public Plaintext() => new Random(5).NextBytes(_block);

        public void Fill(Span<byte> destination, long position)
        {
            Span<byte> stamp = stackalloc byte[8];
            while (!destination.IsEmpty)
            {
                var index = position / BlockSize;
                var offset = (int)(position % BlockSize);
                var take = Math.Min(destination.Length, BlockSize - offset);
                _block.AsSpan(offset, take).CopyTo(destination);
                BinaryPrimitives.WriteInt64BigEndian(stamp, index);
                for (var i = offset; i < 8 && i < offset + take; i++) destination[i - offset] = stamp[i];
                destination = destination[take..];
                position += take;
            }
        }
    }

    /// <summary>A forward-only stream of ciphertext, produced by a <see cref="ChunkedEncryptingStream"/>
    /// as it is read, through a small reusable buffer.</summary>
    private sealed class EncryptingSource : Stream
    {
        private readonly ChunkedEncryptingStream _writer;
        private readonly Sink _sink = new();
        private readonly Plaintext _plaintext = new();
        private readonly byte[] _block = new byte[64 * 1024];
        private readonly long _size;
        private long _produced;
        private bool _finished;

        public EncryptingSource(ICryptoBackend backend, SecretKey key, byte[] context, long size)
        {
            _size = size;
            _writer = Completed(ChunkedEncryptingStream.CreateAsync(backend, key, context, _sink, leaveOpen: true));
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_sink.Available < buffer.Length && !_finished)
            {
                if (_produced == _size)
                {
                    Completed(_writer.FinishAsync(cancellationToken));
                    _finished = true;
                    break;
                }
                var take = (int)Math.Min(_block.Length, _size - _produced);
                _plaintext.Fill(_block.AsSpan(0, take), _produced);
                Completed(_writer.WriteAsync(_block.AsMemory(0, take), cancellationToken));
                _produced += take;
            }
            return ValueTask.FromResult(_sink.Take(buffer.Span));
        }

        public override int Read(byte[] buffer, int offset, int count) => Completed(ReadAsync(buffer.AsMemory(offset, count)));

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _writer.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>Where the encrypting stream writes: a fixed buffer drained by <see cref="Take"/>.</summary>
    private sealed class Sink : Stream
    {
        private readonly byte[] _buffer = new byte[4 * 1024 * 1024];
        private int _start;
        private int _end;

        public int Available => _end - _start;

        public int Take(Span<byte> destination)
        {
            var take = Math.Min(destination.Length, Available);
            _buffer.AsSpan(_start, take).CopyTo(destination);
            _start += take;
            return take;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            Write(source.Span);
            return ValueTask.CompletedTask;
        }

        public override void Write(ReadOnlySpan<byte> source)
        {
            if (_end + source.Length > _buffer.Length)
            {
                _buffer.AsSpan(_start, Available).CopyTo(_buffer);
                _end = Available;
                _start = 0;
            }
            if (_end + source.Length > _buffer.Length) throw new InvalidOperationException("The sink holds at most 4 MiB.");
            source.CopyTo(_buffer.AsSpan(_end));
            _end += source.Length;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Flush()
        {
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
