using System.CommandLine;
using Parley.Cli.Identity;
using Parley.Client.Trust;
using Spectre.Console;

namespace Parley.Cli.Commands;

/// <summary><c>parley directory verify EMAIL</c>: what this client can verify about a person, not what the server claims.</summary>
internal static class DirectoryCommand
{
    public static Command Create() => new("directory", "The public key directory, checked by this client against pinned delegation roots.")
    {
        Verify(),
    };

    private static Command Verify()
    {
        var email = new Argument<string>("EMAIL") { Description = "The person to verify." };
        var profile = CliOptions.Profile();
        var json = CliOptions.Json();
        var command = new Command("verify", "Verify a person's clearance and devices against their delegation's pinned root (pinned now if first seen); exit 1 if they are not trusted, with the reasons.")
        {
            email, profile, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var verifier = new DirectoryVerifier(session.Client, new TrustStore(session.Store, CliSession.Suite), CliSession.Suite);
            var verification = await verifier.VerifyAsync(parsed.GetRequiredValue(email), cancellationToken).ConfigureAwait(false);
            var output = VerificationOutput.From(verification);
            if (parsed.GetValue(json))
            {
                await Output.JsonAsync(output, CliJson.Default.VerificationOutput, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                AnsiConsole.MarkupLine(output.Trusted ? $"[green]Trusted[/]: {Markup.Escape(output.Email)} ({Markup.Escape(output.Delegation ?? "-")})" : $"[red]NOT trusted[/]: {Markup.Escape(output.Email)} ({Markup.Escape(output.Delegation ?? "-")})");
                if (output.Clearance is { } c)
                    AnsiConsole.WriteLine($"Clearance {c.Level}{(c.Compartments.Count == 0 ? "" : "//" + string.Join('/', c.Compartments))}, valid until {Output.Time(c.ValidUntil)}, training until {Output.Time(c.TrainingValidUntil)}; serial {c.Serial}");
                foreach (var device in output.Devices) AnsiConsole.WriteLine($"Device {device.Id} ({device.Name}): verified");
                foreach (var refusal in output.Refusals) AnsiConsole.WriteLine($"Refused {refusal.Subject}: {refusal.Reason}");
            }
            return output.Trusted ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }
}
