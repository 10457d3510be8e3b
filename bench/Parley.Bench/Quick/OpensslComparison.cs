using System.Diagnostics;
using System.Globalization;
using Parley.Protocol.Crypto;

namespace Parley.Bench.Quick;

/// <summary>
/// <c>openssl</c>: Parley's streamed encryption as a share of <c>openssl speed -evp aes-256-gcm
/// -bytes 16384</c>, single stream against single thread. Each run measures openssl and then Parley,
/// so both see the same load; the best of each is compared. The target is 85 %.
/// </summary>
public static class OpensslComparison
{
    public const double Target = 0.85;

    /// <summary>8 GiB takes Parley about as long as openssl's 3-second run, so both average over
    /// the same kind of load; a short run would pick a quiet moment that openssl never gets.</summary>
    public const int DefaultMib = 8192;

    public static async Task<int> RunAsync(Options options)
    {
        var bytes = (long)options.Mib << 20;
        var backend = options.CreateBackend();
        Console.WriteLine($"openssl: {options.Mib} MiB per Parley run, openssl -seconds {options.Seconds}, backend {backend.Name}, best of {options.Runs}; {Measure.Load()}, {Environment.ProcessorCount} cores");
        await StreamWorkloads.WarmUpAsync(backend, options.BatchChunks);
        using var work = new StreamWorkloads(backend, bytes, options.BatchChunks);
        double openssl = 0;
        Rate raw = default, writes = default, encrypt = default;
        for (var run = 1; run <= options.Runs; run++)
        {
            var speed = await OpensslSpeedAsync(options.Seconds);
            Console.WriteLine($"  {"openssl speed -evp aes-256-gcm -bytes 16384",-46} round {run}: {speed,9:F1} MB/s by CPU");
            openssl = Math.Max(openssl, speed);
            raw = Rate.Max(raw, await Measure.BestAsync("raw AesGcm, 16 KiB chunks", bytes, 1, work.RawAsync));
            writes = Rate.Max(writes, await Measure.BestAsync("ChunkedEncryptingStream writes", bytes, 1, work.EncryptWritesAsync));
            encrypt = Rate.Max(encrypt, await Measure.BestAsync("ChunkedEncryption.EncryptAsync", bytes, 1, work.EncryptAsync));
        }
        Console.WriteLine();
        Console.WriteLine("openssl speed divides by CPU user time, so Parley is compared by CPU user time too; wall-clock figures");
        Console.WriteLine("are shown for reference (they drop when other processes take the cores, openssl's would as well with -elapsed).");
        Console.WriteLine($"{"openssl AES-256-GCM, 16384-byte blocks",-46} {openssl,9:F1} MB/s");
        Console.WriteLine($"{"raw AesGcm, 16 KiB chunks (ceiling)",-46} {raw.Cpu,9:F1} MB/s  {raw.Cpu / openssl,6:P1} of openssl  (wall {raw.Wall:F1} MB/s)");
        Console.WriteLine($"{"stream encryption, input in memory",-46} {writes.Cpu,9:F1} MB/s  {writes.Cpu / openssl,6:P1} of openssl  (wall {writes.Wall:F1} MB/s)  {Verdict(writes.Cpu / openssl)}");
        Console.WriteLine($"{"EncryptAsync, input read from a Stream",-46} {encrypt.Cpu,9:F1} MB/s  {encrypt.Cpu / openssl,6:P1} of openssl  (wall {encrypt.Wall:F1} MB/s)  {Verdict(encrypt.Cpu / openssl)}");
        Console.WriteLine(Measure.Load());
        return 0;
    }

    private static string Verdict(double share) => share >= Target ? $"(target {Target:P0} met)" : $"(target {Target:P0} NOT met)";

    /// <summary>Runs openssl and returns its AES-256-GCM rate at 16384-byte blocks in MB/s
    /// (openssl prints thousands of bytes per second with a "k" suffix).</summary>
    public static async Task<double> OpensslSpeedAsync(int seconds)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "speed", "-evp", "aes-256-gcm", "-bytes", "16384", "-seconds", seconds.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("openssl is not installed or not on PATH.", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"openssl speed failed ({process.ExitCode}): {await stderr}");
            return ParseSpeed(await stdout);
        }
    }

    public static double ParseSpeed(string output)
    {
        foreach (var line in output.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 2 && fields[0].Equals("aes-256-gcm", StringComparison.OrdinalIgnoreCase) && fields[1].EndsWith('k')
                && double.TryParse(fields[1][..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var kilobytes))
                return kilobytes * 1000 / Measure.Mega;
        }
        throw new InvalidOperationException("No AES-256-GCM figure in openssl's output:\n" + output);
    }
}
