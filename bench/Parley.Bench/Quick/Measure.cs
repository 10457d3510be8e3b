using System.Diagnostics;

namespace Parley.Bench.Quick;

/// <summary>Best-of-N wall-clock throughput. Best, not mean: on a shared machine the other load only
/// ever slows a run down, so the fastest run is the closest to what the code can do.</summary>
public static class Measure
{
    public const double Mega = 1_000_000;

    public static async Task<double> BestMegabytesPerSecondAsync(string label, long bytes, int runs, Func<Task> body)
    {
        var best = 0.0;
        for (var run = 1; run <= runs; run++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var clock = Stopwatch.StartNew();
            await body();
            clock.Stop();
            var rate = bytes / Mega / clock.Elapsed.TotalSeconds;
            best = Math.Max(best, rate);
            Console.WriteLine($"  {label,-46} run {run}: {rate,9:F1} MB/s ({clock.Elapsed.TotalSeconds:F3} s)");
        }
        return best;
    }

    public static string Load() =>
        File.Exists("/proc/loadavg") ? "load average " + string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "load average unknown";
}
