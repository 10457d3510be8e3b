using Spectre.Console;

namespace Parley.Cli.Documents;

/// <summary>
/// Progress of an upload or download: a bar with bytes, percentage, speed and time left on an
/// interactive terminal; nothing at all when the output is redirected or JSON, so scripts read only
/// the result.
/// </summary>
internal static class Transfer
{
    /// <summary>True when a live display may be drawn: an interactive terminal, not JSON.</summary>
    public static bool Live(bool json) => !json && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/> with a progress reporter of cumulative bytes (null when nothing is drawn).</summary>
    public static async Task<T> RunAsync<T>(bool live, string description, long total, Func<IProgress<long>?, Task<T>> work)
    {
        if (!live) return await work(null).ConfigureAwait(false);
        return await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: Math.Max(1, total));
                var result = await work(new Reporter(task)).ConfigureAwait(false);
                task.Value = task.MaxValue;
                return result;
            }).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> under a spinner whose status it may change (null when nothing is drawn).</summary>
    public static async Task<T> StatusAsync<T>(bool live, string status, Func<IProgress<string>?, Task<T>> work)
    {
        if (!live) return await work(null).ConfigureAwait(false);
        return await AnsiConsole.Status().StartAsync(Markup.Escape(status), async context =>
            await work(new StatusReporter(context, status)).ConfigureAwait(false)).ConfigureAwait(false);
    }

    // Set synchronously: Progress<T> would post reports after the work has finished.
    private sealed class Reporter(ProgressTask task) : IProgress<long>
    {
        public void Report(long value) => task.Value = value;
    }

    private sealed class StatusReporter(StatusContext context, string prefix) : IProgress<string>
    {
        public void Report(string value) => context.Status = Markup.Escape($"{prefix}: {value}");
    }
}
