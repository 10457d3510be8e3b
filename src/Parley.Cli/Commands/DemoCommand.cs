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
            return ForegroundServer.RunAsync(options, (server, token) => PrepareAsync(server, options.DataDirectory, token), cancellationToken);
        });
        return command;
    }

    private static async Task PrepareAsync(RunningServer server, string dataDirectory, CancellationToken cancellationToken)
    {
        var url = server.Addresses[0];
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        var context = new DemoContext(url, http, Path.GetFullPath(dataDirectory));
        foreach (var step in DemoSteps.All)
        {
            var outcome = await step.RunAsync(context, cancellationToken).ConfigureAwait(false);
            AnsiConsole.MarkupLine($"  [green]✓[/] {Markup.Escape(step.Description)}: {Markup.Escape(outcome)}");
        }
        if (context.Manifest is { } manifest) PrintAccounts(manifest, url);
        AnsiConsole.MarkupLine($"Parley is running at [link]{Markup.Escape(url.ToString())}[/]  (Ctrl+C to stop)");
    }

    private static void PrintAccounts(DemoManifest manifest, Uri url)
    {
        var table = new Table().Title("Demo accounts (also in demo.json)").AddColumns("Email", "Password", "TOTP secret", "Delegation", "Role", "Clearance");
        foreach (var user in manifest.Users)
            table.AddRow(user.Email, user.Password, user.TotpSecret, user.Delegation ?? "-", user.Role, user.Clearance ?? "-");
        AnsiConsole.Write(table);
        var example = manifest.Users.FirstOrDefault(u => u.Clearance?.Contains("//", StringComparison.Ordinal) == true) ?? manifest.Users[0];
        AnsiConsole.WriteLine($"Sign in in the browser at {url}, or with the CLI (a code: oathtool --totp -b {example.TotpSecret}):");
        AnsiConsole.WriteLine($"  PARLEY_PASSWORD='{example.Password}' parley login --server {url} --user {example.Email} --otp CODE --profile ./my-profile");
        PrintDenial(manifest, url);
    }

    // One denial a newcomer can see, with its reason and every rule: a member cleared CONFIDENTIAL
    // asking to read SECRET//ALPHA, explained by their officer.
    private static void PrintDenial(DemoManifest manifest, Uri url)
    {
        var officer = manifest.Users.FirstOrDefault(u => u.Role == "security-officer");
        var member = manifest.Users.FirstOrDefault(u => u.Delegation == officer?.Delegation && u.Clearance == "CONFIDENTIAL");
        if (officer is null || member is null) return;
        AnsiConsole.WriteLine($"See a denial and its reason ({member.Email} is cleared CONFIDENTIAL, not SECRET//ALPHA), as their officer:");
        AnsiConsole.WriteLine($"  parley policy explain --profile {officer.Profile} --user {member.Email} --resource 'label:SECRET//ALPHA' --action read");
        AnsiConsole.WriteLine($"  (if the officer's session has ended: PARLEY_PASSWORD='{officer.Password}' parley login --server {url} --user {officer.Email} --otp CODE --profile {officer.Profile})");
    }
}
