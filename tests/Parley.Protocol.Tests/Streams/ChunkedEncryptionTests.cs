using Parley.Protocol.Crypto;
using Parley.Protocol.Streams;
using static Parley.Protocol.Tests.Streams.Cobble;

namespace Parley.Protocol.Tests.Streams;

/// <summary>
/// Cobblestone-256 document streams: every way of changing a ciphertext (cutting, extending,
/// reordering, duplicating, tampering, another key or context) is refused, the reader releases only
/// authenticated plaintext and keeps failing after an error, and random access reads what was written.
/// </summary>
public class ChunkedEncryptionTests
{
    private static readonly byte[] Plaintext = Message();

    public static TheoryData<string> BackendNames => Backends.Names;

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task A_message_decrypts_to_itself_sequentially_and_by_random_access(string backend)
    {
        using var key = NewKey();
        var ciphertext = await EncryptAsync(Backends.Get(backend), key, Plaintext);
        Assert.Equal(Cobblestone256.CiphertextLength(Plaintext.Length), ciphertext.Length);
        foreach (var outcome in new[] { await DecryptSequentiallyAsync(Backends.Get(backend), key, ciphertext), await DecryptSeekableAsync(Backends.Get(backend), key, ciphertext) })
        {
            Assert.Null(outcome.Error);
            Assert.Equal(Plaintext, outcome.Released);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Chunk - 1)]
    [InlineData(Chunk)]
    [InlineData(2 * Chunk)]
    [InlineData(2 * Chunk + 1)]
    public async Task Messages_of_boundary_lengths_round_trip(int length)
    {
        using var key = NewKey();
        var message = Message(length);
        var ciphertext = await EncryptAsync(Backends.Platform, key, message);
        Assert.Equal(message, (await DecryptSequentiallyAsync(Backends.Platform, key, ciphertext)).Released);
        Assert.Equal(message, (await DecryptSeekableAsync(Backends.Platform, key, ciphertext)).Released);
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task Truncation_at_every_chunk_boundary_is_refused(string backend)
    {
        using var key = NewKey();
        var ciphertext = await EncryptAsync(Backends.Get(backend), key, Plaintext);
        for (var chunks = 0; chunks <= 5; chunks++)
        {
            var cut = ciphertext[..(Header + chunks * SealedChunk)];
            var sequential = await DecryptSequentiallyAsync(Backends.Get(backend), key, cut);
            Assert.True(sequential.Failed, $"cut after {chunks} chunks was accepted sequentially");
            // Full chunks are never final, so what was released is authentic but the end is refused.
            Assert.Equal(Plaintext[..(chunks * Chunk)], sequential.Released);
            Assert.True((await DecryptSeekableAsync(Backends.Get(backend), key, cut)).OpenError is not null, $"cut after {chunks} chunks opened for random access");
        }
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task Truncation_inside_a_chunk_or_the_header_is_refused(string backend)
    {
        using var key = NewKey();
        var ciphertext = await EncryptAsync(Backends.Get(backend), key, Plaintext);
        var cuts = new List<int> { 0, 1, Cobblestone256.SaltSize, Header - 1, Header + 1, ciphertext.Length - 1, ciphertext.Length - Cobblestone256.TagSize };
        for (var chunk = 0; chunk <= 5; chunk++)
            cuts.AddRange([Header + chunk * SealedChunk + 1, Header + chunk * SealedChunk + Chunk / 2, Header + chunk * SealedChunk + SealedChunk - 1]);
        foreach (var cut in cuts.Where(c => c < ciphertext.Length).Distinct())
        {
            var truncated = ciphertext[..cut];
            var sequential = await DecryptSequentiallyAsync(Backends.Get(backend), key, truncated);
            Assert.True(sequential.Failed, $"cut at {cut} was accepted sequentially");
            Assert.True(Plaintext.AsSpan().StartsWith(sequential.Released), $"cut at {cut} released bytes that are not the plaintext");
            Assert.True((await DecryptSeekableAsync(Backends.Get(backend), key, truncated)).Failed, $"cut at {cut} was accepted by random access");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(1000)]
    [InlineData(SealedChunk)]
    public async Task Garbage_after_the_final_chunk_is_refused(int garbage)
    {
        using var key = NewKey();
        var ciphertext = await EncryptAsync(Backends.Platform, key, Plaintext);
        var extended = Concat(ciphertext, Message(garbage, seed: garbage));
        Assert.True((await DecryptSequentiallyAsync(Backends.Platform, key, extended)).Failed);
        Assert.True((await DecryptSeekableAsync(Backends.Platform, key, extended)).Failed);
    }

    [Fact]
    public async Task A_validly_encrypted_chunk_after_the_final_chunk_is_refused()
    {
        // Same key, salt and context: the longer message's chunks 0..4 equal ours, and its chunk 5 is
        // a valid chunk at exactly the next index.
        using var key = NewKey();
        var salt = Message(Cobblestone256.SaltSize, seed: 7);
        var ours = await EncryptAsync(Backends.Platform, key, Plaintext, salt: salt);
        var longer = await EncryptAsync(Backends.Platform, key, Concat(Plaintext[..(5 * Chunk)], Message(Chunk + 10, seed: 8)), salt: salt);
        Assert.Equal(ours[..(Header + 5 * SealedChunk)], longer[..(Header + 5 * SealedChunk)]);

        foreach (var forged in new[]
        {
            // Our message, then their chunk 6 (their final chunk, at its own index).
            Concat(ours, SealedChunkAt(longer, 6)),
            // Our first five chunks, then their full chunk 5 in place of our final chunk.
            Concat(ours[..(Header + 5 * SealedChunk)], SealedChunkAt(longer, 5)),
            // Our whole message, then their full chunk 5.
            Concat(ours, SealedChunkAt(longer, 5)),
        })
        {
            Assert.True((await DecryptSequentiallyAsync(Backends.Platform, key, forged)).Failed);
            Assert.True((await DecryptSeekableAsync(Backends.Platform, key, forged)).Failed);
        }
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task Reordered_chunks_are_refused(string backend)
    {
        using var key = NewKey();
        var ciphertext = await EncryptAsync(Backends.Get(backend), key, Plaintext);
        var swapped = Concat(ciphertext[..Header], SealedChunkAt(ciphertext, 1), SealedChunkAt(ciphertext, 0), ciphertext[(Header + 2 * SealedChunk)..]);
        var sequential = await DecryptSequentiallyAsync(Backends.Get(backend), key, swapped);
        Assert.True(sequential.Failed);
        Assert.Empty(sequential.Released);
        Assert.Equal(ProtocolErrorCode.AuthenticationFailed, sequential.Error!.Code);
        // The final chunk is intact, so the length authenticates; reading still fails.
        var seekable = await DecryptSeekableAsync(Backends.Get(backend), key, swapped);
        Assert.Null(seekable.OpenError);
        Assert.NotNull(seekable.ReadError);
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task A_duplicated_chunk_is_refused(string backend)
    {
        using var key = NewKey();
        var ciphertext = await EncryptAsync(Backends.Get(backend), key, Plaintext);
        var duplicated = Concat(ciphertext[..Header], SealedChunkAt(ciphertext, 0), SealedChunkAt(ciphertext, 0), ciphertext[(Header + 2 * SealedChunk)..]);
        var sequential = await DecryptSequentiallyAsync(Backends.Get(backend), key, duplicated);
        Assert.True(sequential.Failed);
        Assert.Equal(Plaintext[..Chunk], sequential.Released);
        Assert.True((await DecryptSeekableAsync(Backends.Get(backend), key, duplicated)).Failed);
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task A_tampered_byte_anywhere_in_a_chunk_is_refused(string backend)
    {
        using var key = NewKey();
        var ciphertext = await EncryptAsync(Backends.Get(backend), key, Plaintext);
        foreach (var position in new[] { Header, Header + 100, Header + Chunk, Header + SealedChunk - 1, Header + 3 * SealedChunk + 5, ciphertext.Length - 1 })
        {
            var tampered = (byte[])ciphertext.Clone();
            tampered[position] ^= 0x20;
            var sequential = await DecryptSequentiallyAsync(Backends.Get(backend), key, tampered);
            Assert.True(sequential.Failed, $"byte {position} flipped was accepted");
            var chunk = (position - Header) / SealedChunk;
            Assert.Equal(Plaintext[..(chunk * Chunk)], sequential.Released);
            Assert.True((await DecryptSeekableAsync(Backends.Get(backend), key, tampered)).Failed);
        }
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task Every_header_byte_is_bound_by_the_key_commitment(string backend)
    {
        using var key = NewKey();
        var ciphertext = await EncryptAsync(Backends.Get(backend), key, Plaintext[..100]);
        for (var position = 0; position < Header; position++)
        {
            var tampered = (byte[])ciphertext.Clone();
            tampered[position] ^= 0x01;
            var outcome = await DecryptSequentiallyAsync(Backends.Get(backend), key, tampered);
            Assert.Equal(ProtocolErrorCode.AuthenticationFailed, outcome.OpenError?.Code);
        }
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task Another_key_is_refused_before_any_chunk_is_read(string backend)
    {
        using var key = NewKey();
        using var other = NewKey();
        var ciphertext = await EncryptAsync(Backends.Get(backend), key, Plaintext);
        var outcome = await DecryptSequentiallyAsync(Backends.Get(backend), other, ciphertext);
        Assert.Equal(ProtocolErrorCode.AuthenticationFailed, outcome.OpenError?.Code);
        Assert.Empty(outcome.Released);
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task Another_document_version_or_label_is_refused(string backend)
    {
        using var key = NewKey();
        var id = Guid.NewGuid();
        var context = new DocumentStreamContext(id, 2, "SECRET").Encode();
        var ciphertext = await EncryptAsync(Backends.Get(backend), key, Plaintext, context);
        foreach (var other in new[] { new DocumentStreamContext(Guid.NewGuid(), 2, "SECRET"), new DocumentStreamContext(id, 3, "SECRET"), new DocumentStreamContext(id, 2, "CONFIDENTIAL") })
            Assert.Equal(ProtocolErrorCode.AuthenticationFailed, (await DecryptSequentiallyAsync(Backends.Get(backend), key, ciphertext, other.Encode())).OpenError?.Code);
        Assert.Null((await DecryptSequentiallyAsync(Backends.Get(backend), key, ciphertext, context)).Error);
    }

    [Fact]
    public async Task A_key_of_the_wrong_size_is_a_typed_error()
    {
        using var key = SecretKey.Generate(16);
        var opened = await ChunkedDecryptingStream.OpenAsync(Backends.Platform, key, Context, new MemoryStream(new byte[200]));
        Assert.Equal(ProtocolErrorCode.InvalidKey, opened.Error?.Code);
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task After_an_error_every_read_fails_again(string backend)
    {
        using var key = NewKey();
        var ciphertext = await EncryptAsync(Backends.Get(backend), key, Plaintext);
        ciphertext[Header + SealedChunk + 10] ^= 1;
        foreach (var input in new Stream[] { new ForwardOnly(ciphertext), new MemoryStream(ciphertext) })
        {
            await using var reader = (await ChunkedDecryptingStream.OpenAsync(Backends.Get(backend), key, Context, input, batchChunks: 1)).Value;
            var buffer = new byte[Chunk];
            Assert.Equal(Chunk, await reader.ReadAtLeastAsync(buffer, Chunk));
            var first = await Assert.ThrowsAsync<ProtocolException>(() => reader.ReadAsync(buffer).AsTask());
            for (var again = 0; again < 3; again++)
            {
                var repeated = await Assert.ThrowsAsync<ProtocolException>(() => reader.ReadAsync(buffer).AsTask());
                Assert.Equal(first.Error, repeated.Error);
            }
            Assert.Throws<ProtocolException>(() => reader.Read(buffer, 0, buffer.Length));
        }
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task Random_access_reads_at_many_offsets_equal_the_plaintext(string backend)
    {
        using var key = NewKey();
        var ciphertext = await EncryptAsync(Backends.Get(backend), key, Plaintext);
        await using var reader = (await ChunkedDecryptingStream.OpenAsync(Backends.Get(backend), key, Context, new MemoryStream(ciphertext), batchChunks: 2)).Value;
        Assert.True(reader.CanSeek);
        Assert.Equal(Plaintext.Length, reader.Length);
        var random = new Random(42);
        for (var i = 0; i < 200; i++)
        {
            var offset = random.Next(Plaintext.Length + 1);
            var length = random.Next(0, 3 * Chunk);
            var origin = (SeekOrigin)random.Next(3);
            var position = origin switch
            {
                SeekOrigin.Begin => reader.Seek(offset, SeekOrigin.Begin),
                SeekOrigin.Current => reader.Seek(offset - reader.Position, SeekOrigin.Current),
                _ => reader.Seek(offset - Plaintext.Length, SeekOrigin.End),
            };
            Assert.Equal(offset, position);
            var buffer = new byte[length];
            var read = await reader.ReadAtLeastAsync(buffer, length, throwOnEndOfStream: false);
            Assert.Equal(Math.Min(length, Plaintext.Length - offset), read);
            Assert.True(buffer.AsSpan(0, read).SequenceEqual(Plaintext.AsSpan(offset, read)), $"read of {length} at {offset} differs");
            Assert.Equal(offset + read, reader.Position);
        }
    }

    [Fact]
    public async Task Seeking_from_the_end_needs_an_authenticated_length()
    {
        using var key = NewKey();
        var ciphertext = await EncryptAsync(Backends.Platform, key, Plaintext);

        // A forward-only input has no authenticated length until its end: no seeking at all.
        await using (var forward = (await ChunkedDecryptingStream.OpenAsync(Backends.Platform, key, Context, new ForwardOnly(ciphertext))).Value)
        {
            Assert.False(forward.CanSeek);
            Assert.Throws<NotSupportedException>(() => forward.Seek(-10, SeekOrigin.End));
            Assert.Throws<NotSupportedException>(() => forward.Length);
        }

        // A seekable input whose final chunk does not authenticate is refused at open, so no stream
        // ever seeks relative to an end an attacker chose.
        var tamperedEnd = (byte[])ciphertext.Clone();
        tamperedEnd[^1] ^= 1;
        var refused = await ChunkedDecryptingStream.OpenAsync(Backends.Platform, key, Context, new MemoryStream(tamperedEnd));
        Assert.Equal(ProtocolErrorCode.AuthenticationFailed, refused.Error?.Code);
        var cutEnd = ciphertext[..^100];
        Assert.False((await ChunkedDecryptingStream.OpenAsync(Backends.Platform, key, Context, new MemoryStream(cutEnd))).IsOk);

        await using var reader = (await ChunkedDecryptingStream.OpenAsync(Backends.Platform, key, Context, new MemoryStream(ciphertext))).Value;
        reader.Seek(-10, SeekOrigin.End);
        var tail = new byte[10];
        await reader.ReadExactlyAsync(tail);
        Assert.Equal(Plaintext[^10..], tail);
    }

    [Fact]
    public async Task A_message_whose_writer_never_finished_is_refused_as_truncated()
    {
        using var key = NewKey();
        using var output = new MemoryStream();
        var writer = await ChunkedEncryptingStream.CreateAsync(Backends.Platform, key, Context, output, batchChunks: 1, leaveOpen: true);
        await writer.WriteAsync(Plaintext.AsMemory(0, 3 * Chunk));
        // No FinishAsync and no dispose: whatever reached the output so far is a prefix.
        var unfinished = output.ToArray();
        Assert.Equal(ProtocolErrorCode.Truncated, (await DecryptSequentiallyAsync(Backends.Platform, key, unfinished)).Error?.Code);
        await writer.DisposeAsync();
        Assert.Equal(Plaintext[..(3 * Chunk)], (await DecryptSequentiallyAsync(Backends.Platform, key, output.ToArray())).Released);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => writer.WriteAsync(new byte[1]).AsTask());
    }
}
