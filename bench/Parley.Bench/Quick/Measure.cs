using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Parley.Bench.Quick;

/// <summary>A throughput by two clocks: CPU user time, the divisor openssl speed uses (so its figure
/// does not drop when other processes take the cores), and wall-clock time, what a user waits.</summary>
public readonly record struct Rate(double Cpu, double Wall)
{
    public static Rate Max(Rate a, Rate b) => new(Math.Max(a.Cpu, b.Cpu), Math.Max(a.Wall, b.Wall));
}

/// <summary>Best-of-N throughput. Best, not mean: on a shared machine the other load only ever slows
/// a run down, so the fastest run is the closest to what the code can do.</summary>
public static partial class Measure
{
    public const double Mega = 1_000_000;

    public static async Task<Rate> BestAsync(string label, long bytes, int runs, Func<Task> body)
    {
        var best = new Rate(0, 0);
        for (var run = 1; run <= runs; run++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var cpu = UserCpuTime();
            var clock = Stopwatch.StartNew();
            await body();
            clock.Stop();
            var rate = new Rate(bytes / Mega / (UserCpuTime() - cpu).TotalSeconds, bytes / Mega / clock.Elapsed.TotalSeconds);
            best = Rate.Max(best, rate);
            Console.WriteLine($"  {label,-46} run {run}: {rate.Cpu,9:F1} MB/s by CPU, {rate.Wall,9:F1} MB/s by wall clock ({clock.Elapsed.TotalSeconds:F3} s)");
        }
        return best;
    }

    public static string Load() =>
        File.Exists("/proc/loadavg") ? "load average " + string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "load average unknown";

    /// <summary>User CPU time of the whole process (background threads included, which only counts
    /// against Parley), in microseconds on Linux; elsewhere the runtime's coarser figure.</summary>
    public static TimeSpan UserCpuTime()
    {
        if (OperatingSystem.IsLinux() && GetResourceUsage(0, out var usage) == 0)
            return TimeSpan.FromSeconds(usage.UserSeconds) + TimeSpan.FromMicroseconds(usage.UserMicroseconds);
        using var self = Process.GetCurrentProcess();
        return self.UserProcessorTime;
    }

    // struct rusage of 64-bit Linux: two timevals (user, system) and fourteen longs, 144 bytes.
    [StructLayout(LayoutKind.Sequential, Size = 144)]
    private struct ResourceUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetResourceUsage(int who, out ResourceUsage usage);
}
