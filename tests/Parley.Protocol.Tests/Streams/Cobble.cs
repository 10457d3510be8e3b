using System.Security.Cryptography;
using Parley.Protocol.Crypto;
using Parley.Protocol.Streams;

namespace Parley.Protocol.Tests.Streams;

/// <summary>Helpers for Cobblestone-256 tests: encrypt and decrypt whole messages in memory, through
/// the same streams applications use.</summary>
internal static class Cobble
{
    public const int Header = Cobblestone256.HeaderSize;
    public const int Chunk = Cobblestone256.ChunkSize;
    public const int SealedChunk = Cobblestone256.EncryptedChunkSize;

    public static readonly byte[] Context = new DocumentStreamContext(Guid.Parse("6f1c2a4e-9b3d-4c57-8e21-0a9f3b7d5c11"), 1, "SECRET//REL TO ATL, BOR").Encode();

    /// <summary>Five full chunks and a short final one: enough to cross batch boundaries with small batches.</summary>
    public static byte[] Message(int length = 5 * Chunk + 100, int seed = 1)
    {
        var message = new byte[length];
        new Random(seed).NextBytes(message);
        return message;
    }

    public static async Task<byte[]> EncryptAsync(ICryptoBackend backend, SecretKey key, byte[] plaintext, byte[]? context = null, byte[]? salt = null, int batchChunks = 2)
    {
        using var output = new MemoryStream();
        var writer = salt is null
            ? await ChunkedEncryptingStream.CreateAsync(backend, key, context ?? Context, output, batchChunks, leaveOpen: true)
            : await ChunkedEncryptingStream.CreateAsync(backend, key.Export(), context ?? Context, output, salt, batchChunks, leaveOpen: true, CancellationToken.None);
        await using (writer)
        {
            // Uneven writes, so that write boundaries fall inside chunks.
            for (var offset = 0; offset < plaintext.Length; offset += 7777)
                await writer.WriteAsync(plaintext.AsMemory(offset, Math.Min(7777, plaintext.Length - offset)));
            await writer.FinishAsync();
        }
        return output.ToArray();
    }

    /// <summary>What a reader got: the plaintext released before any error, and the error.</summary>
    public sealed record Outcome(byte[] Released, ProtocolError? OpenError, ProtocolError? ReadError)
    {
        public bool Failed => OpenError is not null || ReadError is not null;

        public ProtocolError? Error => OpenError ?? ReadError;
    }

    public static Task<Outcome> DecryptSequentiallyAsync(ICryptoBackend backend, SecretKey key, byte[] ciphertext, byte[]? context = null, int batchChunks = 2) =>
        DecryptAsync(backend, key, new ForwardOnly(ciphertext), context, batchChunks);

    public static Task<Outcome> DecryptSeekableAsync(ICryptoBackend backend, SecretKey key, byte[] ciphertext, byte[]? context = null, int batchChunks = 2) =>
        DecryptAsync(backend, key, new MemoryStream(ciphertext, writable: false), context, batchChunks);

    private static async Task<Outcome> DecryptAsync(ICryptoBackend backend, SecretKey key, Stream input, byte[]? context, int batchChunks)
    {
        var opened = await ChunkedDecryptingStream.OpenAsync(backend, key, context ?? Context, input, batchChunks);
        if (!opened.TryGetValue(out var reader, out var error)) return new Outcome([], error, null);
        await using (reader)
        {
            using var released = new MemoryStream();
            var buffer = new byte[5000];
            try
            {
                int read;
                while ((read = await reader.ReadAsync(buffer)) > 0) released.Write(buffer, 0, read);
                return new Outcome(released.ToArray(), null, null);
            }
            catch (ProtocolException e)
            {
                return new Outcome(released.ToArray(), null, e.Error);
            }
        }
    }

    /// <summary>Chunk <paramref name="index"/> of a ciphertext, tag included.</summary>
    public static byte[] SealedChunkAt(byte[] ciphertext, int index)
    {
        var start = Header + index * SealedChunk;
        return ciphertext.AsSpan(start, Math.Min(SealedChunk, ciphertext.Length - start)).ToArray();
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    public static SecretKey NewKey() => SecretKey.Generate(Cobblestone256.KeySize);

    public static byte[] Sha512(byte[] data) => SHA512.HashData(data);

    /// <summary>An in-memory input that cannot seek, like a network download.</summary>
    public sealed class ForwardOnly(byte[] data) : MemoryStream(data, writable: false)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
    }
}
