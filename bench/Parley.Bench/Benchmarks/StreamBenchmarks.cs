using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Parley.Bench.Support;
using Parley.Protocol.Crypto;
using Parley.Protocol.Streams;

namespace Parley.Bench.Benchmarks;

/// <summary>
/// Cobblestone-256 over 64 MiB in memory, per backend, against raw AesGcm sealing the same bytes in
/// 16 KiB chunks (the baseline: no stream can beat it on this machine).
/// </summary>
[Config(typeof(ThroughputConfig))]
public class StreamBenchmarks
{
    public const int Bytes = 64 << 20;
    private const int IoSize = 1 << 20;

    private byte[] _plaintext = [];
    private byte[] _ciphertext = [];
    private byte[] _io = [];
    private byte[] _context = [];
    private SecretKey _key = null!;
    private ICryptoBackend _backend = null!;
    private ChunkedEncryption _streams = null!;
    private RawAesGcm _raw = null!;

    [Params(BackendNames.Platform, BackendNames.BouncyCastle)]
    public string Backend { get; set; } = BackendNames.Platform;

    [GlobalSetup]
    public async Task Setup()
    {
        _backend = BackendNames.Create(Backend);
        _streams = new ChunkedEncryption(_backend);
        _key = SecretKey.Generate(Cobblestone256.KeySize);
        _context = new DocumentStreamContext(Guid.NewGuid(), 1, "UNCLASSIFIED").Encode();
        _plaintext = RandomNumberGenerator.GetBytes(Bytes);
        _io = new byte[IoSize];
        _raw = new RawAesGcm();
        using var ciphertext = new MemoryStream();
        await _streams.EncryptAsync(_key, _context, new MemoryStream(_plaintext, writable: false), ciphertext);
        _ciphertext = ciphertext.ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw.Dispose();
        _key.Dispose();
    }

    [Benchmark(Baseline = true, Description = "raw AesGcm, 16 KiB chunks")]
    public void RawAesGcmSeal() => _raw.Seal(_plaintext, Bytes);

    [Benchmark(Description = "ChunkedEncryption.EncryptAsync")]
    public Task<long> Encrypt() =>
        _streams.EncryptAsync(_key, _context, new MemoryStream(_plaintext, writable: false), Stream.Null);

    [Benchmark(Description = "ChunkedEncryption.DecryptAsync")]
    public async Task<long> Decrypt() =>
        (await _streams.DecryptAsync(_key, _context, new MemoryStream(_ciphertext, writable: false), Stream.Null)).Value;

    [Benchmark(Description = "ChunkedEncryptingStream, 1 MiB writes")]
    public async Task<long> EncryptingStreamWrites()
    {
        await using var encryptor = await ChunkedEncryptingStream.CreateAsync(_backend, _key, _context, Stream.Null);
        for (var offset = 0; offset < Bytes; offset += IoSize)
            await encryptor.WriteAsync(_plaintext.AsMemory(offset, IoSize));
        await encryptor.FinishAsync();
        return encryptor.CiphertextWritten;
    }

    [Benchmark(Description = "ChunkedDecryptingStream, 1 MiB reads")]
    public async Task<long> DecryptingStreamReads()
    {
        await using var decryptor = (await ChunkedDecryptingStream.OpenAsync(_backend, _key, _context, new MemoryStream(_ciphertext, writable: false))).Value;
        long total = 0;
        int read;
        while ((read = await decryptor.ReadAsync(_io)) > 0) total += read;
        return total;
    }
}
