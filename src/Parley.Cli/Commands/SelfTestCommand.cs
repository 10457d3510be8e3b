using System.CommandLine;
using System.Globalization;
using System.Text.Json;
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

        var command = new Command("selftest", "Run the cryptographic self-test: known answers for every primitive, round trips with tampering refused, and streaming throughput.")
        {
            json, mebibytes,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var suite = new SelfTestSuite(CryptoSuite.Default);
            var streamBytes = parsed.GetValue(mebibytes) * 1024 * 1024;
            if (parsed.GetValue(json))
            {
                var report = await suite.RunAsync(streamBytes, cancellationToken: cancellationToken).ConfigureAwait(false);
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(SelfTestOutput.From(report), CliJson.Default.SelfTestOutput).AsMemory(), cancellationToken).ConfigureAwait(false);
                return report.Passed ? ExitCodes.Success : ExitCodes.Failure;
            }
            var result = await RunWithProgressAsync(suite, streamBytes, cancellationToken).ConfigureAwait(false);
            Print(result);
            return result.Passed ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static async Task<SelfTestReport> RunWithProgressAsync(SelfTestSuite suite, int streamBytes, CancellationToken cancellationToken)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            return await suite.RunAsync(streamBytes, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await AnsiConsole.Progress().AutoClear(true).StartAsync(async context =>
        {
            var task = context.AddTask("Self-test", maxValue: 12);
            var progress = new Progress<SelfTestCheck>(check => task.Increment(1));
            return await suite.RunAsync(streamBytes, progress, cancellationToken).ConfigureAwait(false);
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
}

/// <summary>The JSON shape of <c>parley selftest --json</c>.</summary>
internal sealed record SelfTestOutput(bool Passed, string Suite, string Backend, IReadOnlyList<SelfTestCheckOutput> Checks, double TotalMilliseconds)
{
    public static SelfTestOutput From(SelfTestReport report) => new(
        report.Passed,
        report.Suite,
        report.Backend,
        report.Checks.Select(c => new SelfTestCheckOutput(c.Name, c.Passed, c.Milliseconds, c.Detail)).ToList(),
        report.TotalMilliseconds);
}

/// <summary>One check in <see cref="SelfTestOutput"/>.</summary>
internal sealed record SelfTestCheckOutput(string Name, bool Passed, double Milliseconds, string Detail);
