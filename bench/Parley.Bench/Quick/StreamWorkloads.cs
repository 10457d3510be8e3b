using System.Security.Cryptography;
using Parley.Bench.Support;
using Parley.Protocol.Crypto;
using Parley.Protocol.Streams;

namespace Parley.Bench.Quick;

/// <summary>
/// The stream workloads of the quick modes over one key, context and plaintext pattern. Each checks
/// its own output length, and <see cref="VerifyRoundTripAsync"/> checks the bytes, so a fast but
/// wrong stream cannot pass.
/// </summary>
public sealed class StreamWorkloads : IDisposable
{
    private readonly ICryptoBackend _backend;
    private readonly ChunkedEncryption _streams;
    private readonly SecretKey _key = SecretKey.Generate(Cobblestone256.KeySize);
    private readonly byte[] _context = new DocumentStreamContext(Guid.NewGuid(), 1, "UNCLASSIFIED").Encode();
    private readonly byte[] _pattern = PatternSource.RandomPattern();
    private readonly RawAesGcm _raw = new();
    private readonly int _batchChunks;
    private SegmentedStore? _ciphertext;

    public StreamWorkloads(ICryptoBackend backend, long bytes, int batchChunks)
    {
        _backend = backend;
        _streams = new ChunkedEncryption(backend);
        _batchChunks = batchChunks;
        Bytes = bytes;
    }

    public long Bytes { get; }

    /// <summary>Runs every workload once on a small input, so the measured runs see tiered-up code.</summary>
    public static async Task WarmUpAsync(ICryptoBackend backend, int batchChunks)
    {
        using var warm = new StreamWorkloads(backend, 64 << 20, batchChunks);
        await warm.RawAsync();
        await warm.RawOpenAsync();
        await warm.EncryptAsync();
        await warm.EncryptWritesAsync();
        await warm.DecryptAsync();
        await warm.DecryptSequentialAsync();
    }

    public Task RawAsync()
    {
        _raw.Seal(_pattern, Bytes);
        return Task.CompletedTask;
    }

    public Task RawOpenAsync()
    {
        _raw.Open(_pattern, Bytes);
        return Task.CompletedTask;
    }

    /// <summary>ChunkedEncryption.EncryptAsync from a Stream source (one copy of every byte into its buffer).</summary>
    public async Task EncryptAsync()
    {
        var written = await _streams.EncryptAsync(_key, _context, new PatternSource(_pattern, Bytes), Stream.Null);
        Check(written == Cobblestone256.CiphertextLength(Bytes), "ciphertext length");
    }

    /// <summary>ChunkedEncryptingStream fed 1 MiB writes straight from memory.</summary>
    public async Task EncryptWritesAsync()
    {
        await using var encryptor = await ChunkedEncryptingStream.CreateAsync(_backend, _key, _context, Stream.Null, _batchChunks);
        for (long done = 0; done < Bytes; done += _pattern.Length)
            await encryptor.WriteAsync(_pattern.AsMemory(0, (int)Math.Min(_pattern.Length, Bytes - done)));
        await encryptor.FinishAsync();
        Check(encryptor.CiphertextWritten == Cobblestone256.CiphertextLength(Bytes), "ciphertext length");
    }

    /// <summary>ChunkedEncryption.DecryptAsync from a seekable in-memory ciphertext.</summary>
    public async Task DecryptAsync()
    {
        var ciphertext = await CiphertextAsync();
        ciphertext.Position = 0;
        var result = await _streams.DecryptAsync(_key, _context, ciphertext, Stream.Null);
        Check(result.TryGetValue(out var length, out _) && length == Bytes, "decryption");
    }

    /// <summary>ChunkedDecryptingStream read in 1 MiB reads from a non-seekable input.</summary>
    public async Task DecryptSequentialAsync()
    {
        var ciphertext = await CiphertextAsync();
        ciphertext.Position = 0;
        var opened = await ChunkedDecryptingStream.OpenAsync(_backend, _key, _context, new ForwardOnly(ciphertext), _batchChunks);
        Check(opened.TryGetValue(out var decryptor, out _), "commitment");
        await using (decryptor)
        {
            var buffer = new byte[_pattern.Length];
            long total = 0;
            int read;
            while ((read = await decryptor.ReadAsync(buffer)) > 0) total += read;
            Check(total == Bytes, "plaintext length");
        }
    }

    /// <summary>Untimed: the decrypted bytes hash to the same SHA-256 as the plaintext.</summary>
    public async Task VerifyRoundTripAsync()
    {
        var ciphertext = await CiphertextAsync();
        ciphertext.Position = 0;
        using var decrypted = new HashingSink();
        var result = await _streams.DecryptAsync(_key, _context, ciphertext, decrypted);
        Check(result.IsOk, "round trip");
        using var expected = new HashingSink();
        await new PatternSource(_pattern, Bytes).CopyToAsync(expected);
        Check(CryptographicOperations.FixedTimeEquals(decrypted.Digest(), expected.Digest()), "round-trip SHA-256");
    }

    private async Task<SegmentedStore> CiphertextAsync()
    {
        if (_ciphertext is null)
        {
            _ciphertext = new SegmentedStore();
            await _streams.EncryptAsync(_key, _context, new PatternSource(_pattern, Bytes), _ciphertext);
        }
        return _ciphertext;
    }

    public void Dispose()
    {
        _raw.Dispose();
        _key.Dispose();
    }

    private static void Check([System.Diagnostics.CodeAnalysis.DoesNotReturnIf(false)] bool condition, string what)
    {
        if (!condition) throw new InvalidOperationException($"Benchmark self-check failed: {what}.");
    }
}
