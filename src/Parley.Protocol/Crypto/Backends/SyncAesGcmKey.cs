using System.Buffers.Binary;

namespace Parley.Protocol.Crypto.Backends;

/// <summary>Shared shape checks and the segment loop for backends whose AES-GCM is synchronous.</summary>
internal abstract class SyncAesGcmKey : IAesGcmKey
{
    internal const int NonceSize = 12;
    internal const int TagSize = 16;

    protected abstract void SealCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> output);

    protected abstract bool OpenCore(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData, Span<byte> plaintext);

    public abstract void Dispose();

    public void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> output)
    {
        if (nonce.Length != NonceSize) throw new ArgumentException("AES-GCM nonces are 12 bytes.", nameof(nonce));
        if (output.Length != plaintext.Length + TagSize) throw new ArgumentException("Output must be plaintext length + 16.", nameof(output));
        if (plaintext.Overlaps(output)) throw new ArgumentException("Output may not overlap the input.", nameof(output));
        SealCore(nonce, plaintext, associatedData, output);
    }

    public bool Open(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData, Span<byte> plaintext)
    {
        if (nonce.Length != NonceSize || ciphertext.Length < TagSize || plaintext.Length != ciphertext.Length - TagSize)
        {
            plaintext.Clear();
            return false;
        }
        if (ciphertext.Overlaps(plaintext)) throw new ArgumentException("Output may not overlap the input.", nameof(plaintext));
        if (OpenCore(nonce, ciphertext, associatedData, plaintext)) return true;
        plaintext.Clear();
        return false;
    }

    public ValueTask SealAsync(ReadOnlyMemory<byte> nonce, ReadOnlyMemory<byte> plaintext, ReadOnlyMemory<byte> associatedData, Memory<byte> output, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Seal(nonce.Span, plaintext.Span, associatedData.Span, output.Span);
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> OpenAsync(ReadOnlyMemory<byte> nonce, ReadOnlyMemory<byte> ciphertext, ReadOnlyMemory<byte> associatedData, Memory<byte> plaintext, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Open(nonce.Span, ciphertext.Span, associatedData.Span, plaintext.Span));
    }

    public virtual ValueTask SealSegmentsAsync(ReadOnlyMemory<byte> baseNonce, ulong firstCounter, int segmentSize, int segmentCount, ReadOnlyMemory<byte> plaintext, Memory<byte> output, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Segments.CheckShape(baseNonce.Length, segmentSize, segmentCount, plaintext.Length, output.Length);
        Span<byte> nonce = stackalloc byte[NonceSize];
        var pt = plaintext.Span;
        var ct = output.Span;
        for (var i = 0; i < segmentCount; i++)
        {
            var (ptOffset, ptLength) = Segments.Plain(i, segmentSize, segmentCount, pt.Length);
            Segments.Nonce(baseNonce.Span, firstCounter + (ulong)i, nonce);
            SealCore(nonce, pt.Slice(ptOffset, ptLength), default, ct.Slice(ptOffset + i * TagSize, ptLength + TagSize));
        }
        return ValueTask.CompletedTask;
    }

    public virtual ValueTask<int> OpenSegmentsAsync(ReadOnlyMemory<byte> baseNonce, ulong firstCounter, int segmentSize, int segmentCount, ReadOnlyMemory<byte> ciphertext, Memory<byte> plaintext, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Segments.CheckShape(baseNonce.Length, segmentSize, segmentCount, plaintext.Length, ciphertext.Length);
        Span<byte> nonce = stackalloc byte[NonceSize];
        var ct = ciphertext.Span;
        var pt = plaintext.Span;
        for (var i = 0; i < segmentCount; i++)
        {
            var (ptOffset, ptLength) = Segments.Plain(i, segmentSize, segmentCount, pt.Length);
            Segments.Nonce(baseNonce.Span, firstCounter + (ulong)i, nonce);
            if (!OpenCore(nonce, ct.Slice(ptOffset + i * TagSize, ptLength + TagSize), default, pt.Slice(ptOffset, ptLength)))
            {
                pt[ptOffset..].Clear();
                return ValueTask.FromResult(i);
            }
        }
        return ValueTask.FromResult(segmentCount);
    }
}

/// <summary>Arithmetic of segmented (chunked) AEAD, shared by every backend.</summary>
public static class Segments
{
    /// <summary>Computes <c>baseNonce XOR counter</c>, the counter big-endian and right-aligned.</summary>
    public static void Nonce(ReadOnlySpan<byte> baseNonce, ulong counter, Span<byte> nonce)
    {
        baseNonce.CopyTo(nonce);
        var tail = nonce[^8..];
        BinaryPrimitives.WriteUInt64BigEndian(tail, BinaryPrimitives.ReadUInt64BigEndian(tail) ^ counter);
    }

    /// <summary>Offset and length of plaintext segment <paramref name="index"/>.</summary>
    public static (int Offset, int Length) Plain(int index, int segmentSize, int segmentCount, int plaintextLength)
    {
        var offset = index * segmentSize;
        var length = index == segmentCount - 1 ? plaintextLength - offset : segmentSize;
        return (offset, length);
    }

    /// <summary>Throws when buffers do not match <paramref name="segmentCount"/> segments of <paramref name="segmentSize"/>.</summary>
    public static void CheckShape(int nonceLength, int segmentSize, int segmentCount, int plaintextLength, int ciphertextLength)
    {
        if (nonceLength != SyncAesGcmKey.NonceSize) throw new ArgumentException("AES-GCM nonces are 12 bytes.");
        if (segmentSize <= 0 || segmentCount <= 0) throw new ArgumentOutOfRangeException(nameof(segmentCount), "Segment size and count must be positive.");
        var full = (long)(segmentCount - 1) * segmentSize;
        if (plaintextLength < full || plaintextLength > full + segmentSize)
            throw new ArgumentException("Plaintext length does not match the segment count.");
        if (ciphertextLength != plaintextLength + (long)segmentCount * SyncAesGcmKey.TagSize)
            throw new ArgumentException("Ciphertext length must be plaintext length + 16 per segment.");
    }
}
