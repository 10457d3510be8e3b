using System.CommandLine;
using Parley.Cli.Identity;
using Parley.Client.Flows;

namespace Parley.Cli.Commands;

/// <summary><c>parley admin init</c>: creates the host administrator with the server's one-time bootstrap token.</summary>
internal static class AdminCommand
{
    public static Command Create() => new("admin", "The host administrator: runs the server for the venue, creates delegations, sees no content.")
    {
        Init(),
    };

    private static Command Init()
    {
        var server = CliOptions.Server();
        var token = new Option<string>("--token") { Description = "The bootstrap token the server wrote to DATA/bootstrap-token on first start.", HelpName = "T", Required = true };
        var email = new Option<string>("--email") { Description = "The host administrator's email address.", HelpName = "E", Required = true };
        var name = new Option<string?>("--name") { Description = "Display name (default: the part of the email before '@').", HelpName = "NAME" };
        var otp = CliOptions.Otp();
        var profile = CliOptions.Profile();
        var stdin = CliOptions.PasswordStdin();
        var deviceName = CliOptions.DeviceName();
        var command = new Command("init", $"Create the host administrator with the bootstrap token (once per server): password from ${CliOptions.PasswordVariable} or --password-stdin, then TOTP.")
        {
            server, token, email, name, otp, profile, stdin, deviceName,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var url = parsed.GetRequiredValue(server);
            using var session = await CliSession.ForServerAsync(parsed.GetRequiredValue(profile), url, null, cancellationToken).ConfigureAwait(false);
            var link = EnrollmentLink.Bootstrap(url, parsed.GetRequiredValue(token).Trim());
            return await EnrollmentConsole.RunAsync(session, link, parsed.GetRequiredValue(email).Trim(), parsed.GetValue(name), parsed.GetValue(otp), parsed.GetValue(stdin), parsed.GetRequiredValue(deviceName), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
