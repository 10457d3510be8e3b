namespace Parley.Bench.Quick;

/// <summary>
/// <c>stream</c>: N MiB through the Cobblestone-256 streams, plaintext from memory and output to a
/// null sink, best of R runs, with raw AesGcm as the ceiling; then an untimed round-trip check.
/// </summary>
public static class StreamThroughput
{
    public static async Task<int> RunAsync(Options options)
    {
        var backend = options.CreateBackend();
        Console.WriteLine($"stream: {options.Mib} MiB, backend {backend.Name}, batch {options.BatchChunks} chunks, best of {options.Runs}; {Measure.Load()}, {Environment.ProcessorCount} cores");
        await StreamWorkloads.WarmUpAsync(backend, options.BatchChunks);
        using var work = new StreamWorkloads(backend, (long)options.Mib << 20, options.BatchChunks);
        var rows = new (string Label, Func<Task> Body)[]
        {
            ("raw AesGcm seal, 16 KiB chunks (ceiling)", work.RawAsync),
            ("encrypt, ChunkedEncryption.EncryptAsync", work.EncryptAsync),
            ("encrypt, ChunkedEncryptingStream writes", work.EncryptWritesAsync),
            ("raw AesGcm open, 16 KiB chunks (ceiling)", work.RawOpenAsync),
            ("decrypt, ChunkedEncryption.DecryptAsync", work.DecryptAsync),
            ("decrypt, ChunkedDecryptingStream sequential", work.DecryptSequentialAsync),
        };
        var best = new Rate[rows.Length];
        for (var i = 0; i < rows.Length; i++)
            best[i] = await Measure.BestAsync(rows[i].Label, work.Bytes, options.Runs, rows[i].Body);
        await work.VerifyRoundTripAsync();
        Console.WriteLine();
        Console.WriteLine($"{"MB/s (10^6 bytes), best run",-46} {"by CPU",9}       {"by wall",9}");
        // Each encryption row is compared with the sealing ceiling, each decryption row with the opening one.
        const int openCeiling = 3;
        for (var i = 0; i < rows.Length; i++)
        {
            var ceiling = i < openCeiling ? 0 : openCeiling;
            Console.WriteLine($"{rows[i].Label,-46} {best[i].Cpu,9:F1} MB/s  {best[i].Wall,9:F1} MB/s" + (i == ceiling ? "" : $"  ({best[i].Cpu / best[ceiling].Cpu:P0} of its ceiling by CPU)"));
        }
        Console.WriteLine($"round trip verified (SHA-256 of {options.Mib} MiB matches); {Measure.Load()}");
        return 0;
    }
}
