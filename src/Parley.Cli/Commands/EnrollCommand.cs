using System.CommandLine;
using Parley.Cli.Identity;
using Parley.Client.Flows;

namespace Parley.Cli.Commands;

/// <summary><c>parley enroll LINK</c>: creates your account from a one-time enrollment link.</summary>
internal static class EnrollCommand
{
    public static Command Create()
    {
        var link = new Argument<string>("LINK") { Description = "The enrollment link your security officer gave you (quote it: it contains '#' and '&')." };
        var name = new Option<string?>("--name") { Description = "Your display name (default: the part of your email before '@').", HelpName = "NAME" };
        var otp = CliOptions.Otp();
        var profile = CliOptions.Profile();
        var stdin = CliOptions.PasswordStdin();
        var deviceName = CliOptions.DeviceName();
        var command = new Command("enroll", $"Complete an enrollment link: choose your password (${CliOptions.PasswordVariable} or --password-stdin), add the TOTP secret to your authenticator, confirm a first code, and keep the recovery codes.")
        {
            link, name, otp, profile, stdin, deviceName,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var parsedLink = EnrollmentLink.Parse(parsed.GetValue(link));
            if (!parsedLink.TryGetValue(out var enrollmentLink, out var error)) throw new UsageException(error.Message);
            using var session = await CliSession.ForServerAsync(parsed.GetRequiredValue(profile), enrollmentLink.Server, null, cancellationToken).ConfigureAwait(false);
            return await EnrollmentConsole.RunAsync(session, enrollmentLink, null, parsed.GetValue(name), parsed.GetValue(otp), parsed.GetValue(stdin), parsed.GetRequiredValue(deviceName), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
