using System.Buffers;
using System.Security.Cryptography;
using Parley.Protocol.Crypto;

namespace Parley.Protocol.Streams;

/// <summary>
/// Write-only stream that encrypts what is written to it with Cobblestone-256 into an inner stream,
/// in constant memory. The message ends, and the final short chunk is written, only on
/// <see cref="FinishAsync"/> or dispose; a ciphertext whose writer never finished is rejected as
/// truncated by every reader.
/// </summary>
public sealed class ChunkedEncryptingStream : Stream
{
    private readonly Stream _inner;
    private readonly Cobblestone256.DerivedKeys _keys;
    private readonly bool _leaveOpen;
    private readonly int _batchChunks;
    private byte[] _plain;
    private byte[] _cipher;
    private int _buffered;
    private long _chunkIndex;
    private long _written;
    private bool _finished;

    private ChunkedEncryptingStream(Stream inner, Cobblestone256.DerivedKeys keys, int batchChunks, bool leaveOpen)
    {
        _inner = inner;
        _keys = keys;
        _leaveOpen = leaveOpen;
        _batchChunks = batchChunks;
        _plain = ArrayPool<byte>.Shared.Rent(batchChunks * Cobblestone256.ChunkSize);
        _cipher = ArrayPool<byte>.Shared.Rent(batchChunks * Cobblestone256.EncryptedChunkSize);
    }

    /// <summary>Starts a message: derives the keys and writes the header to <paramref name="output"/>.</summary>
    /// <param name="backend">The crypto backend.</param>
    /// <param name="key">The 32-byte input key; must be uniformly random.</param>
    /// <param name="context">Application context bound into the keys, e.g. a document, version and label.</param>
    /// <param name="output">Where the ciphertext goes.</param>
    /// <param name="batchChunks">Chunks encrypted per backend call (memory use is about 2 × 16 KiB × this).</param>
    /// <param name="leaveOpen">Leave <paramref name="output"/> open on dispose.</param>
    /// <param name="cancellationToken">Cancels the header write.</param>
    public static ValueTask<ChunkedEncryptingStream> CreateAsync(ICryptoBackend backend, SecretKey key, ReadOnlyMemory<byte> context, Stream output, int batchChunks = 64, bool leaveOpen = false, CancellationToken cancellationToken = default) =>
        CreateAsync(backend, key.Memory, context, output, RandomNumberGenerator.GetBytes(Cobblestone256.SaltSize), batchChunks, leaveOpen, cancellationToken);

    internal static async ValueTask<ChunkedEncryptingStream> CreateAsync(ICryptoBackend backend, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> context, Stream output, byte[] salt, int batchChunks, bool leaveOpen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchChunks, 1);
        if (!output.CanWrite) throw new ArgumentException("The output stream is not writable.", nameof(output));
        var keys = (await Cobblestone256.DeriveAsync(backend, key, salt, context, cancellationToken).ConfigureAwait(false)).Value;
        var header = new byte[Cobblestone256.HeaderSize];
        salt.CopyTo(header, 0);
        keys.Commitment.CopyTo(header, Cobblestone256.SaltSize);
        await output.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        return new ChunkedEncryptingStream(output, keys, batchChunks, leaveOpen) { _written = header.Length };
    }

    /// <summary>Ciphertext bytes written to the inner stream so far.</summary>
    public long CiphertextWritten => _written;

    /// <inheritdoc />
    public override bool CanRead => false;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => !_finished;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        var capacity = _batchChunks * Cobblestone256.ChunkSize;
        while (!buffer.IsEmpty)
        {
            // A whole batch of the caller's buffer is sealed where it lies: copying it into the batch
            // buffer and zeroing that after costs about a tenth of the AES-GCM time. Smaller writes
            // are still gathered, so the inner stream always sees batch-sized writes.
            if (_buffered == 0 && buffer.Length >= capacity)
            {
                await SealAsync(buffer[..capacity], _batchChunks, cancellationToken).ConfigureAwait(false);
                buffer = buffer[capacity..];
                continue;
            }
            var take = Math.Min(buffer.Length, capacity - _buffered);
            buffer.Span[..take].CopyTo(_plain.AsSpan(_buffered));
            _buffered += take;
            buffer = buffer[take..];
            // A full batch holds only full chunks, and a full chunk is never the final one, so it
            // can go out now; the final short chunk waits for FinishAsync.
            if (_buffered == capacity) await SealBufferedAsync(_batchChunks, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) =>
        // Synchronous use works with the native backends, whose operations complete inline.
        Synchronously.Wait(WriteAsync(buffer.AsMemory(offset, count)));

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        // A span cannot be held across an await, so it is gathered into the batch buffer: a copy,
        // but no allocation per write.
        ObjectDisposedException.ThrowIf(_finished, this);
        var capacity = _batchChunks * Cobblestone256.ChunkSize;
        while (!buffer.IsEmpty)
        {
            var take = Math.Min(buffer.Length, capacity - _buffered);
            buffer[..take].CopyTo(_plain.AsSpan(_buffered));
            _buffered += take;
            buffer = buffer[take..];
            if (_buffered == capacity) Synchronously.Wait(SealBufferedAsync(_batchChunks, CancellationToken.None));
        }
    }

    /// <summary>Writes the final short chunk (possibly empty) and flushes. Nothing can be written after.</summary>
    public async ValueTask FinishAsync(CancellationToken cancellationToken = default)
    {
        if (_finished) return;
        var full = _buffered / Cobblestone256.ChunkSize;
        await SealBufferedAsync(full + 1, cancellationToken).ConfigureAwait(false);
        await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        _finished = true;
    }

    private async ValueTask SealBufferedAsync(int segments, CancellationToken cancellationToken)
    {
        await SealAsync(_plain.AsMemory(0, _buffered), segments, cancellationToken).ConfigureAwait(false);
        CryptographicOperations.ZeroMemory(_plain.AsSpan(0, _buffered));
        _buffered = 0;
    }

    private async ValueTask SealAsync(ReadOnlyMemory<byte> plaintext, int segments, CancellationToken cancellationToken)
    {
        if (_chunkIndex + segments > Cobblestone256.MaxChunks)
            throw new ProtocolException(new ProtocolError(ProtocolErrorCode.LimitExceeded, "The message exceeds the 2^38-chunk limit of chunked encryption."));
        var cipherLength = plaintext.Length + segments * Cobblestone256.TagSize;
        await _keys.Aead.SealSegmentsAsync(_keys.BaseNonce, (ulong)_chunkIndex, Cobblestone256.ChunkSize, segments,
            plaintext, _cipher.AsMemory(0, cipherLength), cancellationToken).ConfigureAwait(false);
        // The counter moves before the write: should the write fail, a retry could never reuse a nonce.
        _chunkIndex += segments;
        await _inner.WriteAsync(_cipher.AsMemory(0, cipherLength), cancellationToken).ConfigureAwait(false);
        _written += cipherLength;
    }

    /// <inheritdoc />
    public override void Flush()
    {
        // Only whole chunks can be flushed without ending the message; they already have been.
    }

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        try
        {
            await FinishAsync().ConfigureAwait(false);
        }
        finally
        {
            Release();
            if (!_leaveOpen) await _inner.DisposeAsync().ConfigureAwait(false);
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && _plain.Length > 0)
        {
            try
            {
                Synchronously.Wait(FinishAsync());
            }
            finally
            {
                Release();
                if (!_leaveOpen) _inner.Dispose();
            }
        }
        base.Dispose(disposing);
    }

    private void Release()
    {
        if (_plain.Length == 0) return;
        _finished = true;
        _keys.Dispose();
        CryptographicOperations.ZeroMemory(_plain);
        ArrayPool<byte>.Shared.Return(_plain);
        ArrayPool<byte>.Shared.Return(_cipher);
        _plain = [];
        _cipher = [];
    }
}

/// <summary>Bridges the synchronous <see cref="Stream"/> API to asynchronous work. The native
/// backends complete inline; blocking on the rest is fine outside the browser, where there is no
/// synchronization context. In the browser it would deadlock, so it is refused.</summary>
internal static class Synchronously
{
    public static void Wait(ValueTask task)
    {
        if (task.IsCompleted)
        {
            task.GetAwaiter().GetResult();
            return;
        }
        Refuse();
        task.AsTask().GetAwaiter().GetResult();
    }

    public static T Wait<T>(ValueTask<T> task)
    {
        if (task.IsCompleted) return task.GetAwaiter().GetResult();
        Refuse();
        return task.AsTask().GetAwaiter().GetResult();
    }

    private static void Refuse()
    {
        if (OperatingSystem.IsBrowser())
            throw new InvalidOperationException("In the browser, crypto streams must be used through their asynchronous methods.");
    }
}
