using System.CommandLine;
using Parley.Cli.Identity;
using Parley.Cli.Rooms;
using Parley.Client.Verification;
using Spectre.Console;

namespace Parley.Cli.Commands;

/// <summary><c>parley contact verify EMAIL [--confirm]</c>: safety numbers, and the local verified mark.</summary>
internal static class ContactCommand
{
    public static Command Create() => new("contact", "People you talk to: compare safety numbers and mark them verified.")
    {
        Verify(),
    };

    private static Command Verify()
    {
        var email = new Argument<string>("EMAIL") { Description = "The person." };
        var confirm = new Option<bool>("--confirm") { Description = "Mark them verified: only after you both read the same safety number, in person or over a channel you trust." };
        var profile = CliOptions.Profile();
        var json = CliOptions.Json();
        var command = new Command("verify", "Show the safety number of you and EMAIL (60 digits from both identity keys); with --confirm, mark them verified in this profile. A verified key that changed is a loud warning.")
        {
            email, confirm, profile, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var contacts = new ContactVerification(session.Client, session.Store, CliSession.Suite);
            var who = parsed.GetRequiredValue(email).Trim();
            var checkedStatus = await contacts.CheckAsync(who, cancellationToken).ConfigureAwait(false);
            var status = parsed.GetValue(confirm) ? await contacts.ConfirmAsync(who, cancellationToken).ConfigureAwait(false) : checkedStatus;
            var number = status.SafetyNumber ?? checkedStatus.SafetyNumber!;
            if (parsed.GetValue(json))
            {
                await Output.JsonAsync(new ContactOutput(status.UserId, status.Email, status.Delegation, number.Digits, Convert.ToBase64String(number.QrPayload()),
                    VerificationText.Of(status.State), checkedStatus.Warning?.Message), CliJson.Default.ContactOutput, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            if (checkedStatus.Warning is { } warning) AnsiConsole.MarkupLine($"[bold red]{Markup.Escape(warning.Message)}[/]");
            AnsiConsole.WriteLine($"Safety number of you and {status.Email} ({status.Delegation ?? "-"}):");
            AnsiConsole.WriteLine();
            var groups = number.Formatted.Split(' ');
            AnsiConsole.WriteLine("    " + string.Join(' ', groups.Take(6)));
            AnsiConsole.WriteLine("    " + string.Join(' ', groups.Skip(6)));
            AnsiConsole.WriteLine();
            // Side by side, the other client scans this instead of reading 60 digits aloud.
            AnsiConsole.WriteLine(SafetyNumberQr.Terminal(number));
            AnsiConsole.WriteLine(status.State switch
            {
                VerificationState.Verified when parsed.GetValue(confirm) => $"Marked {status.Email} verified in this profile.",
                VerificationState.Verified => $"{status.Email} is verified (this key).",
                VerificationState.KeyChanged => $"{status.Email} was verified with another key. Compare the number again; run with --confirm only if it matches.",
                _ => $"Not verified. Read the number with {status.Email} in person or over a channel you trust; if both match, run again with --confirm.",
            });
            return ExitCodes.Success;
        });
        return command;
    }
}
