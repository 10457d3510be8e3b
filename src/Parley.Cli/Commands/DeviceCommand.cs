using System.CommandLine;
using Parley.Cli.Identity;
using Parley.Client.Flows;
using Spectre.Console;

namespace Parley.Cli.Commands;

/// <summary><c>parley device list|revoke</c>: the signed-in user's devices.</summary>
internal static class DeviceCommand
{
    public static Command Create() => new("device", "Your devices: each browser or CLI profile you signed in from.")
    {
        List(), Revoke(),
    };

    private static Command List()
    {
        var profile = CliOptions.Profile();
        var json = CliOptions.Json();
        var command = new Command("list", "List your devices, revoked ones included.") { profile, json };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var devices = await new Devices(session.Client, CliSession.Suite).ListAsync(cancellationToken).ConfigureAwait(false);
            var output = devices.Select(d => DeviceOutput.From(d, session.Profile!.Device?.Id)).ToList();
            if (parsed.GetValue(json))
            {
                await Output.JsonAsync<IReadOnlyList<DeviceOutput>>(output, CliJson.Default.IReadOnlyListDeviceOutput, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            var table = new Table().AddColumns("Id", "Name", "Registered", "Last seen", "State");
            foreach (var device in output)
            {
                var state = device.RevokedAt is { } revoked ? $"revoked {Output.Time(revoked)}{(device.RevokedBy is null ? "" : $" by {device.RevokedBy}")}" : "active";
                if (device.ThisDevice) state += " (this profile)";
                table.AddRow(new Text(device.Id.ToString()), new Text(device.Name), new Text(Output.Time(device.RegisteredAt)), new Text(Output.Time(device.LastSeenAt)), new Text(state));
            }
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Revoke()
    {
        var id = new Argument<Guid>("ID") { Description = "The device's id (see 'parley device list')." };
        var reason = new Option<string>("--reason") { Description = "Why, recorded in the signed revocation.", HelpName = "TEXT", DefaultValueFactory = _ => "revoked by its owner" };
        var profile = CliOptions.Profile();
        var stdin = CliOptions.PasswordStdin();
        var command = new Command("revoke", $"Revoke one of your devices with a revocation signed by your identity key (needs your password: ${CliOptions.PasswordVariable} or --password-stdin).")
        {
            id, reason, profile, stdin,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            using var identity = await session.UnlockAsync(parsed.GetValue(stdin), cancellationToken).ConfigureAwait(false);
            var device = await new Devices(session.Client, CliSession.Suite).RevokeAsync(identity, session.Delegation, parsed.GetValue(id), parsed.GetRequiredValue(reason), cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"Revoked device {device.Id} ({device.Name}).".AsMemory(), cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
