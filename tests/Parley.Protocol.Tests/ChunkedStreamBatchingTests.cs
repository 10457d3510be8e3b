using System.Security.Cryptography;
using Parley.Protocol.Streams;

namespace Parley.Protocol.Tests;

/// <summary>
/// The streams seal a whole batch straight from the caller's buffer and open one straight into it,
/// and gather smaller writes and reads through their own buffers. Whatever the mix of sizes, the
/// ciphertext must be the same bytes and the plaintext must come back whole; and the direct path must
/// keep the guarantees of the buffered one: only authenticated bytes reach the caller, errors are
/// sticky, and no nonce is ever used twice.
/// </summary>
public class ChunkedStreamBatchingTests
{
    private const int Chunk = Cobblestone256.ChunkSize;
    // Four chunks per backend call keeps the tests quick while crossing many batch boundaries.
    private const int Batch = 4;
    private const int Capacity = Batch * Chunk;

    private static readonly byte[] Context = "batching test"u8.ToArray();

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var backend in new[] { "platform", "bouncycastle" })
        {
            foreach (var length in new[] { 0, 1, Chunk - 1, Chunk, Capacity, 2 * Capacity + Chunk, 3 * Capacity + 5 * Chunk + 123 })
                data.Add(backend, length);
        }
        return data;
    }

    public static TheoryData<string> BackendNames => Backends.Names;

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Ciphertext_does_not_depend_on_how_the_plaintext_is_written(string backend, int length)
    {
        var plaintext = RandomNumberGenerator.GetBytes(length);
        var key = RandomNumberGenerator.GetBytes(Cobblestone256.KeySize);
        var salt = RandomNumberGenerator.GetBytes(Cobblestone256.SaltSize);

        var whole = await EncryptAsync(backend, key, salt, plaintext, [length]);
        Assert.Equal(Cobblestone256.CiphertextLength(length), whole.Length);
        Assert.Equal(whole, await EncryptAsync(backend, key, salt, plaintext, [1000]));
        Assert.Equal(whole, await EncryptAsync(backend, key, salt, plaintext, [Capacity]));
        Assert.Equal(whole, await EncryptAsync(backend, key, salt, plaintext, [7, Capacity, 2 * Capacity + 1]));
        Assert.Equal(whole, await EncryptAsync(backend, key, salt, plaintext, [Chunk, Capacity - Chunk, Capacity + Chunk]));

        // Compared with the reference decryption (buffered, one byte at a time) too, so the writers
        // cannot agree on a wrong answer.
        Assert.Equal(plaintext, await DecryptAsync(backend, key, whole, seekable: false, [1]));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_synchronous_write_methods_produce_the_same_ciphertext(string backend, int length)
    {
        var plaintext = RandomNumberGenerator.GetBytes(length);
        var key = RandomNumberGenerator.GetBytes(Cobblestone256.KeySize);
        var salt = RandomNumberGenerator.GetBytes(Cobblestone256.SaltSize);
        var expected = await EncryptAsync(backend, key, salt, plaintext, [length]);

        foreach (var span in new[] { true, false })
        {
            foreach (var size in new[] { 1000, Capacity, 2 * Capacity + 3 })
            {
                using var output = new MemoryStream();
                using (var writer = await ChunkedEncryptingStream.CreateAsync(Backends.Get(backend), key, Context, output, salt, Batch, leaveOpen: true, CancellationToken.None))
                {
                    for (var offset = 0; offset < length; offset += size)
                    {
                        var count = Math.Min(size, length - offset);
                        if (span) writer.Write(plaintext.AsSpan(offset, count));
                        else writer.Write(plaintext, offset, count);
                    }
                }
                Assert.Equal(expected, output.ToArray());
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Plaintext_does_not_depend_on_how_it_is_read(string backend, int length)
    {
        var plaintext = RandomNumberGenerator.GetBytes(length);
        var key = RandomNumberGenerator.GetBytes(Cobblestone256.KeySize);
        var ciphertext = await EncryptAsync(backend, key, RandomNumberGenerator.GetBytes(Cobblestone256.SaltSize), plaintext, [length]);

        foreach (var seekable in new[] { true, false })
        {
            Assert.Equal(plaintext, await DecryptAsync(backend, key, ciphertext, seekable, [Capacity]));
            Assert.Equal(plaintext, await DecryptAsync(backend, key, ciphertext, seekable, [2 * Capacity + 1]));
            Assert.Equal(plaintext, await DecryptAsync(backend, key, ciphertext, seekable, [1000]));
            Assert.Equal(plaintext, await DecryptAsync(backend, key, ciphertext, seekable, [100, Capacity, Chunk + 1, Capacity]));
        }
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task A_seek_inside_a_chunk_then_whole_batch_reads_return_the_right_bytes(string backend)
    {
        var plaintext = RandomNumberGenerator.GetBytes(3 * Capacity + 77);
        var key = RandomNumberGenerator.GetBytes(Cobblestone256.KeySize);
        var ciphertext = await EncryptAsync(backend, key, RandomNumberGenerator.GetBytes(Cobblestone256.SaltSize), plaintext, [plaintext.Length]);
        await using var reader = await OpenAsync(backend, key, new MemoryStream(ciphertext, writable: false));

        foreach (var start in new[] { Chunk + 100, 2 * Chunk, 5, Capacity })
        {
            reader.Seek(start, SeekOrigin.Begin);
            var buffer = new byte[2 * Capacity];
            var read = await reader.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false);
            Assert.Equal(Math.Min(buffer.Length, plaintext.Length - start), read);
            Assert.Equal(plaintext.AsSpan(start, read).ToArray(), buffer.AsSpan(0, read).ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task A_tampered_chunk_read_directly_releases_only_the_chunks_before_it(string backend)
    {
        var plaintext = RandomNumberGenerator.GetBytes(3 * Capacity + 10);
        var key = RandomNumberGenerator.GetBytes(Cobblestone256.KeySize);
        var ciphertext = await EncryptAsync(backend, key, RandomNumberGenerator.GetBytes(Cobblestone256.SaltSize), plaintext, [plaintext.Length]);
        var tampered = Batch + 2;
        ciphertext[Cobblestone256.HeaderSize + tampered * Cobblestone256.EncryptedChunkSize + 500] ^= 0x01;

        foreach (var seekable in new[] { true, false })
        {
            await using var reader = await OpenAsync(backend, key, Input(ciphertext, seekable));
            var buffer = new byte[Capacity];
            var released = 0;
            ProtocolException? failure = null;
            while (failure is null)
            {
                buffer.AsSpan().Fill(0xAA);
                try
                {
                    var read = await reader.ReadAsync(buffer);
                    Assert.NotEqual(0, read);
                    Assert.Equal(plaintext.AsSpan(released, read).ToArray(), buffer.AsSpan(0, read).ToArray());
                    // The rest of the caller's buffer held the failed chunk's output: it must be wiped,
                    // not left with unauthenticated plaintext.
                    if (read < buffer.Length) Assert.All(buffer.AsSpan(read).ToArray(), b => Assert.Equal(0, b));
                    released += read;
                }
                catch (ProtocolException e)
                {
                    failure = e;
                }
            }
            Assert.Equal(ProtocolErrorCode.AuthenticationFailed, failure.Error.Code);
            Assert.Equal(tampered * Chunk, released);
            var again = await Assert.ThrowsAsync<ProtocolException>(async () =>
            {
                var read = await reader.ReadAsync(buffer);
                Assert.Fail($"Read {read} bytes after an authentication failure.");
            });
            Assert.Equal(ProtocolErrorCode.AuthenticationFailed, again.Error.Code);
        }
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task A_ciphertext_cut_at_a_chunk_boundary_is_truncated_for_direct_reads(string backend)
    {
        var plaintext = RandomNumberGenerator.GetBytes(3 * Capacity + 10);
        var key = RandomNumberGenerator.GetBytes(Cobblestone256.KeySize);
        var ciphertext = await EncryptAsync(backend, key, RandomNumberGenerator.GetBytes(Cobblestone256.SaltSize), plaintext, [plaintext.Length]);
        var kept = Batch + 2;
        var cut = ciphertext.AsSpan(0, Cobblestone256.HeaderSize + kept * Cobblestone256.EncryptedChunkSize).ToArray();

        await using var reader = await OpenAsync(backend, key, Input(cut, seekable: false));
        var buffer = new byte[Capacity];
        var released = 0;
        var failure = await Assert.ThrowsAsync<ProtocolException>(async () =>
        {
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
            {
                Assert.Equal(plaintext.AsSpan(released, read).ToArray(), buffer.AsSpan(0, read).ToArray());
                released += read;
            }
        });
        Assert.Equal(ProtocolErrorCode.Truncated, failure.Error.Code);
        Assert.Equal(kept * Chunk, released);
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task A_failed_write_never_lets_a_later_batch_reuse_its_nonces(string backend)
    {
        // Batches B and C differ; B's write fails after the bytes left (as a broken connection can).
        // Were C sealed under B's nonces, C' xor B' would equal C xor B (AES-GCM is a stream cipher).
        var b = RandomNumberGenerator.GetBytes(Capacity);
        var c = RandomNumberGenerator.GetBytes(Capacity);
        var output = new FailingOnceStream(failingWrite: 3);
        var key = RandomNumberGenerator.GetBytes(Cobblestone256.KeySize);
        await using (var writer = await ChunkedEncryptingStream.CreateAsync(Backends.Get(backend), key, Context, output, RandomNumberGenerator.GetBytes(Cobblestone256.SaltSize), Batch, leaveOpen: true, CancellationToken.None))
        {
            await writer.WriteAsync(RandomNumberGenerator.GetBytes(Capacity));
            await Assert.ThrowsAsync<IOException>(async () => await writer.WriteAsync(b));
            await writer.WriteAsync(c);
        }
        var sent = output.ToArray();
        var bSealed = sent.AsSpan(Cobblestone256.HeaderSize + Batch * Cobblestone256.EncryptedChunkSize, Chunk);
        var cSealed = sent.AsSpan(Cobblestone256.HeaderSize + 2 * Batch * Cobblestone256.EncryptedChunkSize, Chunk);
        var sealedXor = new byte[Chunk];
        var plainXor = new byte[Chunk];
        for (var i = 0; i < Chunk; i++)
        {
            sealedXor[i] = (byte)(bSealed[i] ^ cSealed[i]);
            plainXor[i] = (byte)(b[i] ^ c[i]);
        }
        Assert.NotEqual(plainXor, sealedXor);
    }

    private static async Task<byte[]> EncryptAsync(string backend, byte[] key, byte[] salt, byte[] plaintext, int[] writeSizes)
    {
        using var output = new MemoryStream();
        await using (var writer = await ChunkedEncryptingStream.CreateAsync(Backends.Get(backend), key, Context, output, salt, Batch, leaveOpen: true, CancellationToken.None))
        {
            var offset = 0;
            for (var i = 0; offset < plaintext.Length; i++)
            {
                var size = Math.Min(writeSizes[i % writeSizes.Length], plaintext.Length - offset);
                await writer.WriteAsync(plaintext.AsMemory(offset, size));
                offset += size;
            }
            await writer.FinishAsync();
        }
        return output.ToArray();
    }

    private static async Task<byte[]> DecryptAsync(string backend, byte[] key, byte[] ciphertext, bool seekable, int[] readSizes)
    {
        await using var reader = await OpenAsync(backend, key, Input(ciphertext, seekable));
        using var plaintext = new MemoryStream();
        var buffer = new byte[readSizes.Max()];
        for (var i = 0; ; i++)
        {
            var read = await reader.ReadAsync(buffer.AsMemory(0, readSizes[i % readSizes.Length]));
            if (read == 0) break;
            plaintext.Write(buffer, 0, read);
        }
        return plaintext.ToArray();
    }

    private static async Task<ChunkedDecryptingStream> OpenAsync(string backend, byte[] key, Stream input)
    {
        var opened = await ChunkedDecryptingStream.OpenAsync(Backends.Get(backend), key, Context, input, Batch, leaveOpen: false, CancellationToken.None);
        Assert.True(opened.IsOk, opened.Error?.ToString());
        return opened.Value;
    }

    private static Stream Input(byte[] ciphertext, bool seekable) =>
        seekable ? new MemoryStream(ciphertext, writable: false) : new ForwardOnlyStream(ciphertext);

    private sealed class ForwardOnlyStream(byte[] data) : MemoryStream(data, writable: false)
    {
        public override bool CanSeek => false;
    }

    /// <summary>Keeps every byte it is given, but reports the n-th write as failed.</summary>
    private sealed class FailingOnceStream(int failingWrite) : MemoryStream
    {
        private int _writes;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ++_writes == failingWrite ? ValueTask.FromException(new IOException("The connection broke.")) : ValueTask.CompletedTask;
        }
    }
}
