using System.CommandLine;
using System.Text.Json;
using Parley.Cli.Identity;
using Parley.Cli.Rooms;
using Parley.Client.Rooms;
using Spectre.Console;

namespace Parley.Cli.Commands;

/// <summary><c>parley read ROOM [--json] [--follow]</c>: the room's messages, decrypted on this device, with their portion markings.</summary>
internal static class ReadCommand
{
    public static Command Create()
    {
        var room = new Argument<string>("ROOM") { Description = "The room's name or id." };
        var follow = new Option<bool>("--follow") { Description = "Stay connected and print new messages as they arrive, until Ctrl+C." };
        var profile = CliOptions.Profile();
        var stdin = CliOptions.PasswordStdin();
        var json = CliOptions.Json();
        var command = new Command("read", $"Print a room's messages with their portion markings, decrypted on this device; one that cannot be read shows why (needs your password: ${CliOptions.PasswordVariable} or --password-stdin). "
            + "With --json --follow, one JSON object per line.")
        {
            room, follow, profile, stdin, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var found = await CliRooms.FindAsync(session, parsed.GetRequiredValue(room), cancellationToken).ConfigureAwait(false);
            await using var rooms = await CliRooms.OpenAsync(session, parsed.GetValue(stdin), cancellationToken).ConfigureAwait(false);
            var asJson = parsed.GetValue(json);
            var update = await rooms.SyncAsync(found.Id, cancellationToken).ConfigureAwait(false);
            var messages = await rooms.GetMessagesAsync(found.Id, cancellationToken).ConfigureAwait(false);
            if (!parsed.GetValue(follow))
            {
                if (asJson)
                {
                    var output = new ReadOutput(found.Id, found.Name, found.Label, messages.Select(MessageOutput.From).ToList(), update.Notices.Select(NoticeOutput.From).ToList());
                    await Output.JsonAsync(output, CliJson.Default.ReadOutput, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    PrintHeader(found);
                    foreach (var notice in update.Notices) RoomPrinter.Notice(notice);
                    foreach (var message in messages) RoomPrinter.Message(message);
                    if (messages.Count == 0) AnsiConsole.WriteLine("(no messages)");
                }
                return ExitCodes.Success;
            }

            if (!asJson) PrintHeader(found);
            var printer = new FollowPrinter(asJson, found.Id);
            foreach (var notice in update.Notices) await printer.NoticeAsync(notice).ConfigureAwait(false);
            foreach (var message in messages) await printer.MessageAsync(message).ConfigureAwait(false);
            await using var live = RoomsLiveConnection.Create(rooms);
            live.Updated += printer.UpdateAsync;
            live.ConnectionLost += error => printer.StatusAsync($"connection lost{(error is null ? "" : $" ({error.Message})")}; reconnecting");
            live.Failed += error => printer.StatusAsync($"could not apply an update: {error.Message}");
            await live.StartAsync(cancellationToken).ConfigureAwait(false);
            await printer.StatusAsync("following; Ctrl+C to stop").ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: the normal way out.
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static void PrintHeader(Protocol.Api.RoomSummary room) =>
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(room.Name)}[/] [grey]{Markup.Escape(room.Label)} · {Markup.Escape(string.Join(", ", room.Parties))}[/]");

    /// <summary>Prints what the live connection brings, in order, once per message.</summary>
    private sealed class FollowPrinter(bool json, Guid roomId)
    {
        private readonly HashSet<long> _printed = [];

        public async Task UpdateAsync(RoomUpdate update)
        {
            if (update.RoomId != roomId) return;
            foreach (var notice in update.Notices) await NoticeAsync(notice).ConfigureAwait(false);
            foreach (var message in update.Messages) await MessageAsync(message).ConfigureAwait(false);
        }

        public async Task MessageAsync(RoomMessageView message)
        {
            if (!_printed.Add(message.Sequence)) return;
            if (json) await LineAsync(new FollowLine("message", MessageOutput.From(message), null)).ConfigureAwait(false);
            else RoomPrinter.Message(message);
        }

        public async Task NoticeAsync(RoomNotice notice)
        {
            if (json) await LineAsync(new FollowLine("notice", null, NoticeOutput.From(notice))).ConfigureAwait(false);
            else RoomPrinter.Notice(notice);
        }

        public async Task StatusAsync(string status)
        {
            if (json) await Console.Error.WriteLineAsync($"parley: {status}").ConfigureAwait(false);
            else AnsiConsole.MarkupLine($"[grey]-- {Markup.Escape(status)}[/]");
        }

        private static async Task LineAsync(FollowLine line)
        {
            await Console.Out.WriteLineAsync(JsonSerializer.Serialize(line, CliJson.Compact.FollowLine)).ConfigureAwait(false);
            await Console.Out.FlushAsync().ConfigureAwait(false);
        }
    }
}
