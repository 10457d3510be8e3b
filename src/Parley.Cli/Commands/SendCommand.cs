using System.CommandLine;
using Parley.Cli.Identity;
using Parley.Cli.Rooms;
using Parley.Protocol.Rooms;
using Spectre.Console;

namespace Parley.Cli.Commands;

/// <summary><c>parley send ROOM TEXT [--label L]</c>: encrypts on this device and posts.</summary>
internal static class SendCommand
{
    public static Command Create()
    {
        var room = new Argument<string>("ROOM") { Description = "The room's name or id." };
        var text = new Argument<string>("TEXT") { Description = "The message (at most 64 KiB)." };
        var label = new Option<string?>("--label") { Description = "The message's portion label (banner or portion mark), dominated by the room's; the room's label when absent.", HelpName = "LABEL" };
        var profile = CliOptions.Profile();
        var stdin = CliOptions.PasswordStdin();
        var json = CliOptions.Json();
        var command = new Command("send", $"Encrypt a message on this device and post it to a room (needs your password: ${CliOptions.PasswordVariable} or --password-stdin). "
            + "Starts a new epoch first when the room needs one; member devices this client does not admit get no key, and are named.")
        {
            room, text, label, profile, stdin, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var found = await CliRooms.FindAsync(session, parsed.GetRequiredValue(room), cancellationToken).ConfigureAwait(false);
            await using var rooms = await CliRooms.OpenAsync(session, parsed.GetValue(stdin), cancellationToken).ConfigureAwait(false);
            Client.Rooms.SendResult sent;
            try
            {
                sent = await rooms.SendAsync(found.Id, parsed.GetRequiredValue(text), parsed.GetValue(label), cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }
            var refused = sent.Refused.Select(NoticeOutput.From).ToList();
            if (parsed.GetValue(json))
            {
                await Output.JsonAsync(new SendOutput(found.Id, sent.Message.Sequence, sent.Message.Epoch, sent.Message.Counter, sent.Message.Label, sent.NewEpoch, refused),
                    CliJson.Default.SendOutput, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                if (sent.NewEpoch is { } epoch) AnsiConsole.WriteLine($"Started epoch {epoch} of {found.Name}.");
                foreach (var notice in sent.Refused) RoomPrinter.Notice(notice);
                AnsiConsole.WriteLine($"Sent to {found.Name} {sent.Message.PortionMark} (entry {sent.Message.Sequence}, epoch {sent.Message.Epoch}).");
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
