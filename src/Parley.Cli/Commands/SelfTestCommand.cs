using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Parley.Protocol.Crypto;
using Parley.Protocol.SelfTest;
using Spectre.Console;

namespace Parley.Cli.Commands;

/// <summary><c>parley selftest</c>: the PARLEY-PQ1 power-up self-test on this machine.</summary>
internal static class SelfTestCommand
{
    private const int MaxMebibytes = 1024;

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var mebibytes = new Option<int>("--mib")
        {
            Description = $"Size of the timed streaming round trip, in MiB (1 to {MaxMebibytes}).",
            HelpName = "N",
            DefaultValueFactory = _ => 8,
            CustomParser = result =>
            {
                var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= MaxMebibytes)
                    return value;
                result.AddError($"--mib takes a whole number from 1 to {MaxMebibytes}, not '{token}'.");
                return 0;
            },
        };

        var vectors = new Option<DirectoryInfo>("--vectors")
        {
            Description = "After the self-test, run every Wycheproof vector file in DIR (e.g. shared/vectors/wycheproof) on every native backend.",
            HelpName = "DIR",
        }.AcceptExistingOnly();

        var command = new Command("selftest", "Run the cryptographic self-test: known answers for every primitive, round trips with tampering refused, and streaming throughput.")
        {
            json, mebibytes, vectors,
        };
        vectors.Validators.Add(result =>
        {
            // A folder with nothing to run would pass without checking anything. (A missing folder
            // is refused by AcceptExistingOnly, and converting its token here would throw.)
            if (result.Tokens is [var token] && new DirectoryInfo(token.Value) is { Exists: true } directory && SelfTestVectors.Find(directory).Supported.Count == 0)
                result.AddError($"--vectors: {directory.FullName} holds none of the vector files parley runs ({string.Join(", ", Protocol.Conformance.Wycheproof.SupportedFiles)}).");
        });
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var suite = new SelfTestSuite(CryptoSuite.Default);
            var streamBytes = parsed.GetValue(mebibytes) * 1024 * 1024;
            var directory = parsed.GetValue(vectors);
            var (files, ignored) = directory is null ? ([], []) : SelfTestVectors.Find(directory);
            var backends = SelfTestVectors.Backends();
            if (parsed.GetValue(json))
            {
                var report = await suite.RunAsync(streamBytes, cancellationToken: cancellationToken).ConfigureAwait(false);
                var runs = directory is null ? null : await SelfTestVectors.RunAsync(directory, files, backends, null, cancellationToken).ConfigureAwait(false);
                var output = SelfTestOutput.From(report, runs, directory is null ? null : ignored);
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(output, CliJson.Default.SelfTestOutput).AsMemory(), cancellationToken).ConfigureAwait(false);
                return output.Passed ? ExitCodes.Success : ExitCodes.Failure;
            }
            var (result, vectorRuns) = await RunWithProgressAsync(suite, streamBytes, directory, files, backends, cancellationToken).ConfigureAwait(false);
            Print(result);
            if (directory is null) return result.Passed ? ExitCodes.Success : ExitCodes.Failure;
            PrintVectors(vectorRuns, ignored);
            return result.Passed && vectorRuns.All(r => r.Report.AllPassed) ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static async Task<(SelfTestReport, IReadOnlyList<VectorRun>)> RunWithProgressAsync(SelfTestSuite suite, int streamBytes, DirectoryInfo? directory,
        IReadOnlyList<string> files, IReadOnlyList<ICryptoBackend> backends, CancellationToken cancellationToken)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            var report = await suite.RunAsync(streamBytes, cancellationToken: cancellationToken).ConfigureAwait(false);
            var runs = directory is null ? [] : await SelfTestVectors.RunAsync(directory, files, backends, null, cancellationToken).ConfigureAwait(false);
            return (report, runs);
        }
        return await AnsiConsole.Progress().AutoClear(true).StartAsync(async context =>
        {
            var task = context.AddTask("Self-test", maxValue: 12);
            var report = await suite.RunAsync(streamBytes, new Progress<SelfTestCheck>(_ => task.Increment(1)), cancellationToken).ConfigureAwait(false);
            if (directory is null) return (report, (IReadOnlyList<VectorRun>)[]);
            // At most one run per file and backend; files that run on BouncyCastle alone finish early.
            var vectorTask = context.AddTask("Vectors", maxValue: files.Count * backends.Count);
            var runs = await SelfTestVectors.RunAsync(directory, files, backends, new Progress<VectorRun>(_ => vectorTask.Increment(1)), cancellationToken).ConfigureAwait(false);
            vectorTask.Value = vectorTask.MaxValue;
            return (report, runs);
        }).ConfigureAwait(false);
    }

    private static void Print(SelfTestReport report)
    {
        var table = new Table().Title($"{report.Suite} on {report.Backend}");
        table.AddColumn("Check");
        table.AddColumn("Result");
        table.AddColumn(new TableColumn("ms").RightAligned());
        table.AddColumn("Detail");
        foreach (var check in report.Checks)
        {
            table.AddRow(
                new Text(check.Name),
                new Markup(check.Passed ? "[green]pass[/]" : "[red]FAIL[/]"),
                new Text(check.Milliseconds.ToString("F1", CultureInfo.InvariantCulture)),
                new Text(check.Detail));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(report.Passed ? $"[green]{Markup.Escape(report.Summary)}[/]" : $"[red]{Markup.Escape(report.Summary)}[/]");
    }

    private const int ListedFailures = 5;

    private static void PrintVectors(IReadOnlyList<VectorRun> runs, IReadOnlyList<string> ignored)
    {
        var table = new Table().Title("Wycheproof vectors");
        table.AddColumn("File");
        table.AddColumn("Backend");
        table.AddColumn(new TableColumn("Passed").RightAligned());
        table.AddColumn(new TableColumn("N/A").RightAligned());
        table.AddColumn(new TableColumn("ms").RightAligned());
        table.AddColumn("Failures");
        foreach (var run in runs)
        {
            var report = run.Report;
            var failures = report.Failures.Take(ListedFailures).Select(Describe).ToList();
            if (report.Failures.Count > ListedFailures) failures.Add($"... and {report.Failures.Count - ListedFailures} more");
            table.AddRow(
                new Text(report.File),
                new Text(report.Backend),
                new Markup(report.AllPassed ? $"[green]{report.Passed}/{report.Total}[/]" : $"[red]{report.Passed}/{report.Total}[/]"),
                new Text(report.NotApplicable.Count.ToString(CultureInfo.InvariantCulture)),
                new Text(run.Milliseconds.ToString("F0", CultureInfo.InvariantCulture)),
                new Text(string.Join("\n", failures)));
        }
        AnsiConsole.Write(table);
        foreach (var name in ignored) AnsiConsole.MarkupLine($"Ignored {Markup.Escape(name)}: not a vector file parley runs.");
        var failed = runs.FirstOrDefault(r => !r.Report.AllPassed);
        var files = runs.Select(r => r.Report.File).Distinct().Count();
        // Plain and unwrapped (Spectre wraps at the terminal's width), so scripts can match the line.
        Console.Out.WriteLine(failed is null
            ? $"PASS {files} vector file{(files == 1 ? "" : "s")}, {runs.Sum(r => r.Report.Total)} cases in {runs.Count} runs"
            : $"FAIL {failed.Report.File} on {failed.Report.Backend}: {string.Join("; ", failed.Report.Failures.Take(3).Select(Describe))}");
    }

    private static string Describe(Protocol.Conformance.ConformanceFailure failure) =>
        $"tcId {failure.TestCaseId}{(failure.Comment.Length > 0 ? $" ({failure.Comment})" : "")}: expected {failure.Expected}; got {failure.Actual}";
}

/// <summary>The JSON shape of <c>parley selftest --json</c>. <c>passed</c> covers the vectors too;
/// <c>vectors</c> and <c>ignoredFiles</c> appear only with <c>--vectors</c>.</summary>
internal sealed record SelfTestOutput(
    bool Passed,
    string Suite,
    string Backend,
    IReadOnlyList<SelfTestCheckOutput> Checks,
    double TotalMilliseconds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<VectorOutput>? Vectors = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? IgnoredFiles = null)
{
    public static SelfTestOutput From(SelfTestReport report, IReadOnlyList<VectorRun>? vectors = null, IReadOnlyList<string>? ignoredFiles = null) => new(
        report.Passed && (vectors?.All(v => v.Report.AllPassed) ?? true),
        report.Suite,
        report.Backend,
        report.Checks.Select(c => new SelfTestCheckOutput(c.Name, c.Passed, c.Milliseconds, c.Detail)).ToList(),
        report.TotalMilliseconds,
        vectors?.Select(VectorOutput.From).ToList(),
        ignoredFiles);
}

/// <summary>One check in <see cref="SelfTestOutput"/>.</summary>
internal sealed record SelfTestCheckOutput(string Name, bool Passed, double Milliseconds, string Detail);
