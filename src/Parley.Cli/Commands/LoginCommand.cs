using System.CommandLine;
using Parley.Cli.Identity;
using Parley.Client.Flows;
using Parley.Protocol.Api;
using Spectre.Console;

namespace Parley.Cli.Commands;

/// <summary><c>parley login</c>: signs in with password and a second factor; registers this profile's device the first time.</summary>
internal static class LoginCommand
{
    public static Command Create()
    {
        var server = CliOptions.Server();
        var user = new Option<string>("--user") { Description = "Your account's email address.", HelpName = "EMAIL", Required = true };
        var otp = CliOptions.Otp();
        var recovery = new Option<string?>("--recovery-code") { Description = "One of your recovery codes, instead of a TOTP code (each works once).", HelpName = "CODE" };
        var profile = CliOptions.Profile();
        var stdin = CliOptions.PasswordStdin();
        var deviceName = CliOptions.DeviceName();
        var command = new Command("login", $"Sign in: the password (from ${CliOptions.PasswordVariable} or --password-stdin) never leaves this machine; only a key derived from it does.")
        {
            server, user, otp, recovery, profile, stdin, deviceName,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(otp) is not null && result.GetResult(recovery) is not null)
                result.AddError("--otp and --recovery-code are alternatives; give one.");
        });
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.ForServerAsync(parsed.GetRequiredValue(profile), parsed.GetRequiredValue(server), parsed.GetRequiredValue(user), cancellationToken).ConfigureAwait(false);
            var password = await Terminal.PasswordAsync(parsed.GetValue(stdin), cancellationToken).ConfigureAwait(false);
            SecondFactor factor = parsed.GetValue(recovery) is { Length: > 0 } code
                ? new SecondFactor.RecoveryCode(code.Trim())
                : new SecondFactor.Totp(await Terminal.CodeAsync(parsed.GetValue(otp), "Enter the 6-digit code your authenticator shows now:", cancellationToken).ConfigureAwait(false));
            var signIn = new SignIn(session.Client, session.Store, CliSession.Suite, ClientKind.Cli);
            using var signedIn = await signIn.SignInAsync(parsed.GetRequiredValue(user), password, factor, parsed.GetRequiredValue(deviceName), cancellationToken).ConfigureAwait(false);
            var who = signedIn.Session.User;
            AnsiConsole.MarkupLine($"[green]Signed in[/] as {Markup.Escape(who.Email)} ({Markup.Escape(string.Join(", ", who.Roles))}{Markup.Escape(who.Delegation is null ? "" : $", {who.Delegation}")}) at {signedIn.Session.Aal}; session ends {Output.Time(signedIn.Session.ExpiresAt)}{(signedIn.Device is { } device ? $"; device {device.Id}" : "")}.");
            if (factor is SecondFactor.RecoveryCode)
                AnsiConsole.MarkupLine($"That recovery code is now used up; {who.RecoveryCodesLeft} left.");
            await session.SyncLedgerAsync(Console.Out, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
