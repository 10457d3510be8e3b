using System.CommandLine;
using Parley.Cli.Demo;
using Parley.Cli.Serving;
using Microsoft.Extensions.Logging;
using Parley.Server.Hosting;
using Spectre.Console;

namespace Parley.Cli.Commands;

/// <summary><c>parley demo</c>: a server on the embedded default storage, prepared for a first look.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var data = ServerCommandOptions.Data();
        var urls = ServerCommandOptions.Urls();
        var command = new Command("demo", "Start Parley on the embedded default (SQLite and files under the data folder), prepare it for a first look and print where to open it.")
        {
            data, urls,
        };
        command.SetAction((parsed, cancellationToken) =>
        {
            var options = new ServerOptions
            {
                DataDirectory = parsed.GetRequiredValue(data),
                Urls = parsed.GetRequiredValue(urls),
                // The console belongs to the person trying Parley: only problems are logged.
                LogFormat = LogFormat.Text,
                MinimumLogLevel = LogLevel.Warning,
            };
            return ForegroundServer.RunAsync(options, PrepareAsync, cancellationToken);
        });
        return command;
    }

    private static async Task PrepareAsync(RunningServer server, CancellationToken cancellationToken)
    {
        var url = server.Addresses[0];
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
        var context = new DemoContext(url, http);
        foreach (var step in DemoSteps.All)
        {
            var outcome = await step.RunAsync(context, cancellationToken).ConfigureAwait(false);
            AnsiConsole.MarkupLine($"  [green]✓[/] {Markup.Escape(step.Description)}: {Markup.Escape(outcome)}");
        }
        AnsiConsole.MarkupLine($"Parley is running at [link]{Markup.Escape(url.ToString())}[/]  (Ctrl+C to stop)");
    }
}
