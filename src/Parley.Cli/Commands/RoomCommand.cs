using System.CommandLine;
using Parley.Cli.Identity;
using Parley.Cli.Rooms;
using Parley.Client.Rooms;
using Spectre.Console;

namespace Parley.Cli.Commands;

/// <summary><c>parley room list|create|add|remove|members</c>: rooms and who is in them (no content, so no password).</summary>
internal static class RoomCommand
{
    public static Command Create() => new("room", "End-to-end encrypted negotiation rooms: list, create, add and remove members, see members and their verification.")
    {
        List(), CreateRoom(), Add(), Remove(), Members(),
    };

    private static Argument<string> RoomArgument() => new("ROOM") { Description = "The room's name or id." };

    private static Command List()
    {
        var profile = CliOptions.Profile();
        var json = CliOptions.Json();
        var command = new Command("list", "List your rooms: id, name, label, parties and number of members.") { profile, json };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var rooms = await session.Client.ListRoomsAsync(cancellationToken).ConfigureAwait(false);
            var output = rooms.Select(RoomOutput.From).ToList();
            if (parsed.GetValue(json))
            {
                await Output.JsonAsync<IReadOnlyList<RoomOutput>>(output, CliJson.Default.IReadOnlyListRoomOutput, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            if (output.Count == 0)
            {
                AnsiConsole.WriteLine("You are a member of no room.");
                return ExitCodes.Success;
            }
            var table = new Table().AddColumns("Id", "Name", "Label", "Parties", "Members", "Retention");
            foreach (var room in output)
                table.AddRow(new Text(room.Id.ToString()), new Text(room.Name), new Text(room.Label), new Text(string.Join(", ", room.Parties)), new Text(room.Members.ToString(System.Globalization.CultureInfo.InvariantCulture)), new Text($"{room.RetentionDays} days"));
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateRoom()
    {
        var name = new Argument<string>("NAME") { Description = "The room's name (unique on the server)." };
        var label = new Option<string>("--label") { Description = "The room's label (system high), e.g. 'SECRET//REL TO ATL, BOR'.", HelpName = "LABEL", Required = true };
        var parties = new Option<string[]>("--party") { Description = "A delegation taking part; repeat for each (yours must be one).", HelpName = "CODE", Required = true, AllowMultipleArgumentsPerToken = true };
        var retention = new Option<int?>("--retention-days") { Description = $"How long messages are kept, here and on the server (1 to {RoomCreation.MaxRetentionDays}; the server's default otherwise).", HelpName = "N" };
        var profile = CliOptions.Profile();
        var json = CliOptions.Json();
        var command = new Command("create", "Create a room with you as its first member.") { name, label, parties, retention, profile, json };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var scheme = await SchemePin.ResolveAsync(session.Client, session.Store, cancellationToken).ConfigureAwait(false);
            Protocol.Api.RoomView room;
            try
            {
                room = await RoomCreation.CreateAsync(session.Client, scheme, parsed.GetRequiredValue(name), parsed.GetRequiredValue(label), parsed.GetRequiredValue(parties),
                    parsed.GetValue(retention), cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }
            if (parsed.GetValue(json)) await Output.JsonAsync(RoomOutput.From(room), CliJson.Default.RoomOutput, cancellationToken).ConfigureAwait(false);
            else AnsiConsole.WriteLine($"Created room {room.Name} ({room.Id}), {room.Label}, parties {string.Join(", ", room.Parties)}, messages kept {room.RetentionDays} days.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Add()
    {
        var room = RoomArgument();
        var email = new Argument<string>("EMAIL") { Description = "The person to add." };
        var profile = CliOptions.Profile();
        var command = new Command("add", "Add a member (the room's creator, or the member's security officer). They read from the next epoch on, never what came before.") { room, email, profile };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var found = await CliRooms.FindAsync(session, parsed.GetRequiredValue(room), cancellationToken).ConfigureAwait(false);
            var view = await session.Client.AddRoomMemberAsync(found.Id, parsed.GetRequiredValue(email).Trim(), cancellationToken).ConfigureAwait(false);
            AnsiConsole.WriteLine($"Added {parsed.GetRequiredValue(email)} to {view.Name} ({view.Members.Count} members).");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Remove()
    {
        var room = RoomArgument();
        var email = new Argument<string>("EMAIL") { Description = "The member to remove (yourself to leave)." };
        var profile = CliOptions.Profile();
        var command = new Command("remove", "Remove a member; the next message starts a new epoch that leaves their devices out.") { room, email, profile };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var found = await CliRooms.FindAsync(session, parsed.GetRequiredValue(room), cancellationToken).ConfigureAwait(false);
            var view = await session.Client.GetRoomAsync(found.Id, cancellationToken).ConfigureAwait(false);
            var target = parsed.GetRequiredValue(email).Trim();
            var member = view.Members.FirstOrDefault(m => string.Equals(m.Email, target, StringComparison.OrdinalIgnoreCase))
                ?? throw new UsageException($"{target} is not a member of {view.Name}.");
            await session.Client.RemoveRoomMemberAsync(found.Id, member.UserId, cancellationToken).ConfigureAwait(false);
            AnsiConsole.WriteLine($"Removed {member.Email} from {view.Name}; the next message starts an epoch without their devices.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Members()
    {
        var room = RoomArgument();
        var profile = CliOptions.Profile();
        var json = CliOptions.Json();
        var command = new Command("members", "The room's members: whether you verified their safety number, and which of their devices this client would give the room's keys (and why not).")
        {
            room, profile, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var found = await CliRooms.FindAsync(session, parsed.GetRequiredValue(room), cancellationToken).ConfigureAwait(false);
            var members = await new RoomMembers(session.Client, session.Store, CliSession.Suite).GetAsync(found.Id, cancellationToken).ConfigureAwait(false);
            var output = members.Select(RoomMemberOutput.From).ToList();
            if (parsed.GetValue(json))
            {
                await Output.JsonAsync<IReadOnlyList<RoomMemberOutput>>(output, CliJson.Default.IReadOnlyListRoomMemberOutput, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            AnsiConsole.WriteLine($"{found.Name} ({found.Label}; {string.Join(", ", found.Parties)})");
            var table = new Table().AddColumns("Email", "Delegation", "Verification", "Devices");
            foreach (var member in output)
            {
                var devices = string.Join("\n", member.Devices.Select(d => d.Admitted ? $"{d.Id} ({d.Name}): admitted" : $"{d.Id}: refused, {d.Refusal}"));
                table.AddRow(new Text(member.Email), new Text(member.Delegation), new Text(member.Verification), new Text(devices.Length == 0 ? "none" : devices));
            }
            AnsiConsole.Write(table);
            foreach (var member in output.Where(m => m.Warning is not null)) AnsiConsole.MarkupLine($"[bold red]{Markup.Escape(member.Warning!)}[/]");
            return ExitCodes.Success;
        });
        return command;
    }
}
