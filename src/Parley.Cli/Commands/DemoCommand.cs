using System.CommandLine;
using Parley.Cli.Demo;
using Parley.Cli.Serving;
using Microsoft.Extensions.Logging;
using Parley.Server.Hosting;
using Parley.Protocol.Api;
using Parley.Server.Policy.Engine;
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
                Policy = DemoPolicy(parsed.GetRequiredValue(data)),
            };
            return ForegroundServer.RunAsync(options, (server, token) => PrepareAsync(server, options.DataDirectory, token), cancellationToken);
        });
        return command;
    }

    // The seeded people have an authenticator app, not a security key: unless the folder has its own
    // policy.json, the demo lets any second factor of the last 12 hours reach SECRET (the default asks for
    // a security key used within 15 minutes), so its SECRET room can be read and written at once.
    internal static PolicySettings? DemoPolicy(string dataDirectory) =>
        File.Exists(Path.Combine(dataDirectory, PolicySettings.FileName)) ? null : PolicySettings.Default with
        {
            Assurance = [new AssuranceRequirement(PolicySettings.Default.Scheme.FindLevel("SECRET")!, AssuranceLevels.Aal2, TimeSpan.FromHours(12))],
        };

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
        PrintRooms(manifest);
    }

    // Where to look first: the negotiation, read from a member's profile, and the room one member may not enter.
    private static void PrintRooms(DemoManifest manifest)
    {
        if (manifest.Rooms is null) return;
        var head = manifest.Users.FirstOrDefault(u => u.Email == "head@atl.example");
        var interpreter = manifest.Users.FirstOrDefault(u => u.Email == DemoRooms.Excluded);
        if (head is null || interpreter is null) return;
        AnsiConsole.WriteLine($"Read the negotiation as ATL's head (rooms: {string.Join(", ", manifest.Rooms)}):");
        AnsiConsole.WriteLine($"  PARLEY_PASSWORD='{head.Password}' parley read '{DemoRooms.Joint}' --profile {head.Profile}");
        AnsiConsole.WriteLine($"'{DemoRooms.Cell}' is SECRET; {interpreter.Email} is cleared {interpreter.Clearance}. Try adding them, as ATL's head:");
        AnsiConsole.WriteLine($"  parley room add '{DemoRooms.Cell}' {interpreter.Email} --profile {head.Profile}");
        PrintDocument(manifest, head);
    }

    // The draft treaty: its versions and initials, and what changed between them.
    private static void PrintDocument(DemoManifest manifest, DemoUser head)
    {
        if (manifest.Document is not { } document) return;
        AnsiConsole.WriteLine($"The draft treaty ({document.Id}): {document.Versions} versions, version {document.InitialledVersion} initialled ad referendum by {document.InitialledBy}. As ATL's head:");
        AnsiConsole.WriteLine($"  parley doc list '{document.Room}' --profile {head.Profile}");
        AnsiConsole.WriteLine($"  PARLEY_PASSWORD='{head.Password}' parley doc show {document.Id} --profile {head.Profile}");
        AnsiConsole.WriteLine($"  PARLEY_PASSWORD='{head.Password}' parley doc diff {document.Id} 1 2 --profile {head.Profile}");
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
