using System.Buffers;
using System.Security.Cryptography;
using Parley.Protocol.Crypto;

namespace Parley.Protocol.Streams;

/// <summary>
/// Read-only stream of the plaintext of a Cobblestone-256 ciphertext, in constant memory.
/// The commitment is checked before anything is decrypted, and only authenticated chunks are
/// released. Over a seekable input it is seekable (random access) and its length is authenticated
/// at open by decrypting the final chunk. Errors are sticky: after one, every read fails again.
/// </summary>
public sealed class ChunkedDecryptingStream : Stream
{
    private readonly Stream _inner;
    private readonly Cobblestone256.DerivedKeys _keys;
    private readonly bool _leaveOpen;
    private readonly int _batchChunks;
    private readonly long _origin;
    private readonly long _length = -1;
    private readonly long _finalChunk = -1;
    private byte[] _cipher;
    private byte[] _plain;
    private int _plainStart;
    private int _plainEnd;
    private long _position;
    private long _nextChunk;
    private bool _end;
    private ProtocolError? _error;
    private ProtocolError? _pendingError;

    private ChunkedDecryptingStream(Stream inner, Cobblestone256.DerivedKeys keys, int batchChunks, bool leaveOpen, long origin, long length, long finalChunk)
    {
        _inner = inner;
        _keys = keys;
        _batchChunks = batchChunks;
        _leaveOpen = leaveOpen;
        _origin = origin;
        _length = length;
        _finalChunk = finalChunk;
        _cipher = ArrayPool<byte>.Shared.Rent(batchChunks * Cobblestone256.EncryptedChunkSize);
        _plain = ArrayPool<byte>.Shared.Rent(batchChunks * Cobblestone256.ChunkSize);
    }

    /// <summary>
    /// Reads the header from <paramref name="input"/> and checks the key commitment. Fails with
    /// <see cref="ProtocolErrorCode.AuthenticationFailed"/> for a wrong key or context, before any chunk
    /// is decrypted; over a seekable input also fails for an impossible length or a final chunk that
    /// does not authenticate.
    /// </summary>
    public static ValueTask<Result<ChunkedDecryptingStream>> OpenAsync(ICryptoBackend backend, SecretKey key, ReadOnlyMemory<byte> context, Stream input, int batchChunks = 64, bool leaveOpen = false, CancellationToken cancellationToken = default) =>
        OpenAsync(backend, key.Memory, context, input, batchChunks, leaveOpen, cancellationToken);

    internal static async ValueTask<Result<ChunkedDecryptingStream>> OpenAsync(ICryptoBackend backend, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> context, Stream input, int batchChunks, bool leaveOpen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchChunks, 1);
        if (key.Length != Cobblestone256.KeySize) return Result<ChunkedDecryptingStream>.Fail(ProtocolErrorCode.InvalidKey, "A Cobblestone-256 key is 32 bytes.");
        var origin = input.CanSeek ? input.Position : 0;
        var header = new byte[Cobblestone256.HeaderSize];
        if (await ReadFullyAsync(input, header, cancellationToken).ConfigureAwait(false) < header.Length)
            return Result<ChunkedDecryptingStream>.Fail(ProtocolErrorCode.Truncated, "The ciphertext is shorter than its header.");
        var keys = (await Cobblestone256.DeriveAsync(backend, key, header.AsMemory(0, Cobblestone256.SaltSize), context, cancellationToken).ConfigureAwait(false)).Value;
        if (!CryptographicOperations.FixedTimeEquals(keys.Commitment, header.AsSpan(Cobblestone256.SaltSize)))
        {
            keys.Dispose();
            return Result<ChunkedDecryptingStream>.Fail(ProtocolErrorCode.AuthenticationFailed, "The ciphertext does not match this key and context (key commitment mismatch).");
        }
        if (!input.CanSeek) return new ChunkedDecryptingStream(input, keys, batchChunks, leaveOpen, origin, -1, -1);

        var length = Cobblestone256.PlaintextLength(input.Length - origin);
        if (!length.TryGetValue(out var plaintextLength, out var error))
        {
            keys.Dispose();
            return error;
        }
        var stream = new ChunkedDecryptingStream(input, keys, batchChunks, leaveOpen, origin, plaintextLength, plaintextLength / Cobblestone256.ChunkSize);
        // Authenticate the length now, so Length and seeking from the end can be trusted.
        var (final, _) = await stream.DecryptRangeAsync(stream._finalChunk, 1, stream._plain, cancellationToken).ConfigureAwait(false);
        CryptographicOperations.ZeroMemory(stream._plain.AsSpan(0, Cobblestone256.ChunkSize));
        if (final is not null)
        {
            // The caller still holds the input on failure, so only our own state is released.
            stream.Release();
            return final;
        }
        return stream;
    }

    /// <inheritdoc />
    public override bool CanRead => _plain.Length > 0;

    /// <inheritdoc />
    public override bool CanSeek => _length >= 0 && _plain.Length > 0;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => _length >= 0 ? _length : throw new NotSupportedException("The length of a non-seekable ciphertext is known only at its end.");

    /// <inheritdoc />
    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_plain.Length == 0, this);
        if (_error is not null) throw new ProtocolException(_error);
        if (buffer.IsEmpty) return 0;
        if (_plainStart == _plainEnd)
        {
            if (_pendingError is not null)
            {
                _error = _pendingError;
                throw new ProtocolException(_error);
            }
            if (_end) return 0;
            var capacity = _batchChunks * Cobblestone256.ChunkSize;
            var offset = (int)(_position % Cobblestone256.ChunkSize);
            // A read that takes a whole batch from a chunk boundary is decrypted straight into the
            // caller's buffer, saving a copy. The backend zeroes any segment that fails before it
            // returns, so only authenticated bytes are ever returned there too.
            if (offset == 0 && buffer.Length >= capacity)
            {
                var direct = await FillAsync(buffer[..capacity], cancellationToken).ConfigureAwait(false);
                if (direct > 0)
                {
                    _position += direct;
                    return direct;
                }
                if (_pendingError is not null)
                {
                    _error = _pendingError;
                    throw new ProtocolException(_error);
                }
                return 0;
            }
            _plainEnd = await FillAsync(_plain, cancellationToken).ConfigureAwait(false);
            _plainStart = Math.Min(offset, _plainEnd);
            if (_plainStart == _plainEnd)
            {
                if (_pendingError is not null)
                {
                    _error = _pendingError;
                    throw new ProtocolException(_error);
                }
                return 0;
            }
        }
        var take = Math.Min(buffer.Length, _plainEnd - _plainStart);
        _plain.AsSpan(_plainStart, take).CopyTo(buffer.Span);
        _plainStart += take;
        _position += take;
        return take;
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) =>
        Synchronously.Wait(ReadAsync(buffer.AsMemory(offset, count)));

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin)
    {
        if (!CanSeek) throw new NotSupportedException("Seeking needs a seekable ciphertext.");
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        if (target != _position)
        {
            _position = target;
            ResetWindow();
        }
        return _position;
    }

    private void ResetWindow()
    {
        CryptographicOperations.ZeroMemory(_plain.AsSpan(0, _plainEnd));
        _plainStart = _plainEnd = 0;
        _end = false;
    }

    // Decrypts the batch that holds _position into target, from the start of its first chunk.
    // Returns how many leading bytes of target authenticated; errors wait in _pendingError.
    private async ValueTask<int> FillAsync(Memory<byte> target, CancellationToken cancellationToken)
    {
        if (_length >= 0)
        {
            var chunk = _position / Cobblestone256.ChunkSize;
            if (_position >= _length)
            {
                _end = true;
                return 0;
            }
            var count = (int)Math.Min(_batchChunks, _finalChunk - chunk + 1);
            (_pendingError, var authenticated) = await DecryptRangeAsync(chunk, count, target, cancellationToken).ConfigureAwait(false);
            return authenticated;
        }
        return await FillSequentialAsync(target, cancellationToken).ConfigureAwait(false);
    }

    // Sequential reading finds the end of the message by reaching the end of the input: a batch
    // that fills completely holds only full chunks, which are never final.
    private async ValueTask<int> FillSequentialAsync(Memory<byte> target, CancellationToken cancellationToken)
    {
        var capacity = _batchChunks * Cobblestone256.EncryptedChunkSize;
        var got = await ReadFullyAsync(_inner, _cipher.AsMemory(0, capacity), cancellationToken).ConfigureAwait(false);
        var full = got / Cobblestone256.EncryptedChunkSize;
        var rest = got % Cobblestone256.EncryptedChunkSize;
        int segments, plaintextLength;
        ProtocolError? after = null;
        if (got == capacity)
        {
            segments = full;
            plaintextLength = full * Cobblestone256.ChunkSize;
        }
        else if (rest >= Cobblestone256.TagSize)
        {
            segments = full + 1;
            plaintextLength = full * Cobblestone256.ChunkSize + rest - Cobblestone256.TagSize;
            _end = true;
        }
        else
        {
            segments = full;
            plaintextLength = full * Cobblestone256.ChunkSize;
            after = new ProtocolError(ProtocolErrorCode.Truncated, "The ciphertext is truncated: it does not end with a short final chunk.");
        }
        if (_nextChunk + segments > Cobblestone256.MaxChunks)
        {
            _pendingError = new ProtocolError(ProtocolErrorCode.LimitExceeded, "The ciphertext has more chunks than the format allows.");
            return 0;
        }
        var authenticated = 0;
        if (segments > 0)
        {
            var opened = await _keys.Aead.OpenSegmentsAsync(_keys.BaseNonce, (ulong)_nextChunk, Cobblestone256.ChunkSize, segments,
                _cipher.AsMemory(0, plaintextLength + segments * Cobblestone256.TagSize), target[..plaintextLength], cancellationToken).ConfigureAwait(false);
            authenticated = opened == segments ? plaintextLength : opened * Cobblestone256.ChunkSize;
            if (opened < segments) after = ChunkFailed(_nextChunk + opened);
            _nextChunk += segments;
        }
        _pendingError = after;
        return authenticated;
    }

    // Decrypts chunks [first, first + count) of a seekable input into target. Returns the error, if
    // any, and how many leading bytes of target authenticated.
    private async ValueTask<(ProtocolError? Error, int Authenticated)> DecryptRangeAsync(long first, int count, Memory<byte> target, CancellationToken cancellationToken)
    {
        var last = first + count - 1;
        var lastLength = last == _finalChunk ? (int)(_length - _finalChunk * Cobblestone256.ChunkSize) : Cobblestone256.ChunkSize;
        var plaintextLength = (count - 1) * Cobblestone256.ChunkSize + lastLength;
        var cipherLength = plaintextLength + count * Cobblestone256.TagSize;
        _inner.Seek(_origin + Cobblestone256.HeaderSize + first * Cobblestone256.EncryptedChunkSize, SeekOrigin.Begin);
        if (await ReadFullyAsync(_inner, _cipher.AsMemory(0, cipherLength), cancellationToken).ConfigureAwait(false) < cipherLength)
            return (new ProtocolError(ProtocolErrorCode.Truncated, "The ciphertext changed length while being read."), 0);
        var opened = await _keys.Aead.OpenSegmentsAsync(_keys.BaseNonce, (ulong)first, Cobblestone256.ChunkSize, count,
            _cipher.AsMemory(0, cipherLength), target[..plaintextLength], cancellationToken).ConfigureAwait(false);
        return opened == count ? (null, plaintextLength) : (ChunkFailed(first + opened), opened * Cobblestone256.ChunkSize);
    }

    private static ProtocolError ChunkFailed(long chunk) =>
        new(ProtocolErrorCode.AuthenticationFailed, $"Chunk {chunk} of the ciphertext failed to authenticate: it was modified, reordered, truncated or extended.");

    private static async ValueTask<int> ReadFullyAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0) break;
            total += read;
        }
        return total;
    }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && _plain.Length > 0)
        {
            Release();
            if (!_leaveOpen) _inner.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (_plain.Length > 0)
        {
            Release();
            if (!_leaveOpen) await _inner.DisposeAsync().ConfigureAwait(false);
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void Release()
    {
        _keys.Dispose();
        CryptographicOperations.ZeroMemory(_plain);
        ArrayPool<byte>.Shared.Return(_plain);
        ArrayPool<byte>.Shared.Return(_cipher);
        _plain = [];
        _cipher = [];
    }
}
