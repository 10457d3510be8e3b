using System.Diagnostics;
using System.Security.Cryptography;
using Parley.Bench.Support;
using Parley.Protocol.Crypto;
using Parley.Protocol.Streams;

namespace Parley.Bench.Quick;

/// <summary>
/// <c>memory</c>: encrypts N GiB from a temp file to a temp file, decrypts it to a third, checks
/// the SHA-256 of the round trip, and reports the process's peak working set and the bytes the GC
/// allocated. Constant-memory streams keep both flat whatever N is.
/// </summary>
public static class MemoryProfile
{
    private const int FileBufferSize = 1 << 20;

    public static async Task<int> RunAsync(Options options)
    {
        var backend = options.CreateBackend();
        var bytes = (long)options.Gib << 30;
        var root = options.Directory ?? Path.GetTempPath();
        var folder = Path.Combine(root, "parley-bench-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        Directory.CreateDirectory(folder);
        Console.WriteLine($"memory: {options.Gib} GiB, backend {backend.Name}, files in {folder}; {Measure.Load()}");
        try
        {
            var plainPath = Path.Combine(folder, "plain.bin");
            var cipherPath = Path.Combine(folder, "cipher.bin");
            var outputPath = Path.Combine(folder, "output.bin");
            var streams = new ChunkedEncryption(backend);
            using var key = SecretKey.Generate(Cobblestone256.KeySize);
            var context = new DocumentStreamContext(Guid.NewGuid(), 1, "UNCLASSIFIED").Encode();

            byte[] expected;
            await using (var plain = Create(plainPath))
            {
                using var hash = new HashingSink();
                var source = new PatternSource(PatternSource.RandomPattern(), bytes);
                var buffer = new byte[FileBufferSize];
                int read;
                while ((read = await source.ReadAsync(buffer)) > 0)
                {
                    await plain.WriteAsync(buffer.AsMemory(0, read));
                    hash.Write(buffer.AsSpan(0, read));
                }
                expected = hash.Digest();
            }
            Report("after writing the plaintext file");

            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            await using (var plain = Open(plainPath))
            await using (var cipher = Create(cipherPath))
                await streams.EncryptAsync(key, context, plain, cipher);
            var encryptSeconds = clock.Elapsed.TotalSeconds;
            var encryptAllocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            Report($"after encrypting: {bytes / Measure.Mega / encryptSeconds:F1} MB/s, GC allocated {Mib(encryptAllocated)}");

            allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            clock.Restart();
            await using (var cipher = Open(cipherPath))
            await using (var output = Create(outputPath))
            {
                var result = await streams.DecryptAsync(key, context, cipher, output);
                if (!result.TryGetValue(out var length, out var error)) throw new InvalidOperationException($"Decryption failed: {error}");
                if (length != bytes) throw new InvalidOperationException($"Decrypted {length} bytes, expected {bytes}.");
            }
            var decryptSeconds = clock.Elapsed.TotalSeconds;
            var decryptAllocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            Report($"after decrypting: {bytes / Measure.Mega / decryptSeconds:F1} MB/s, GC allocated {Mib(decryptAllocated)}");

            await using (var output = Open(outputPath))
            {
                if (!CryptographicOperations.FixedTimeEquals(await SHA256.HashDataAsync(output), expected))
                    throw new InvalidOperationException("The decrypted file differs from the plaintext.");
            }
            using var self = Process.GetCurrentProcess();
            Console.WriteLine();
            Console.WriteLine($"round trip of {options.Gib} GiB verified (SHA-256)");
            Console.WriteLine($"peak working set        {Mib(self.PeakWorkingSet64)}");
            Console.WriteLine($"GC allocated, encrypt   {Mib(encryptAllocated)}");
            Console.WriteLine($"GC allocated, decrypt   {Mib(decryptAllocated)}");
            Console.WriteLine($"GC allocated, process   {Mib(GC.GetTotalAllocatedBytes(precise: true))}");
            Console.WriteLine(Measure.Load());
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static FileStream Create(string path) =>
        new(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous, BufferSize = 0 });

    private static FileStream Open(string path) =>
        new(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Options = FileOptions.Asynchronous | FileOptions.SequentialScan, BufferSize = 0 });

    private static void Report(string moment)
    {
        using var self = Process.GetCurrentProcess();
        Console.WriteLine($"  {moment}: working set {Mib(self.WorkingSet64)}, peak {Mib(self.PeakWorkingSet64)}");
    }

    private static string Mib(long bytes) => $"{bytes / (1024.0 * 1024.0):F1} MiB";
}
