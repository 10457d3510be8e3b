using System.CommandLine;
using Parley.Cli.Identity;
using Spectre.Console;

namespace Parley.Cli.Commands;

/// <summary><c>parley whoami</c>: the signed-in account and session, as the server sees them.</summary>
internal static class WhoamiCommand
{
    public static Command Create()
    {
        var profile = CliOptions.Profile();
        var json = CliOptions.Json();
        var command = new Command("whoami", "Show the signed-in account, its roles and delegation, and the session's assurance level and limits.") { profile, json };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var view = await session.Client.GetSessionAsync(cancellationToken).ConfigureAwait(false);
            var output = WhoamiOutput.From(session.Profile!.Server, view, session.Profile.Device?.Id);
            if (parsed.GetValue(json))
            {
                await Output.JsonAsync(output, CliJson.Default.WhoamiOutput, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            var grid = new Grid().AddColumn().AddColumn();
            void Row(string name, string value) => grid.AddRow(new Text(name), new Text(value));
            Row("Account", $"{output.Email} ({output.DisplayName})");
            Row("User id", output.UserId.ToString());
            Row("Delegation", output.Delegation ?? "-");
            Row("Roles", string.Join(", ", output.Roles));
            Row("Server", output.Server);
            Row("Assurance", output.Aal);
            Row("Signed in", Output.Time(output.AuthenticatedAt));
            Row("Session ends", $"{Output.Time(output.ExpiresAt)} (idle: {Output.Time(output.IdleExpiresAt)})");
            Row("This device", output.DeviceId?.ToString() ?? "-");
            Row("Second factors", $"TOTP {(output.TotpEnabled ? "on" : "off")}, {output.SecurityKeys} security key(s), {output.RecoveryCodesLeft} recovery code(s) left");
            AnsiConsole.Write(grid);
            return ExitCodes.Success;
        });
        return command;
    }
}
