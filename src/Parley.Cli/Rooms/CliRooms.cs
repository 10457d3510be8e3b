using Parley.Cli.Identity;
using Parley.Client.Rooms;

namespace Parley.Cli.Rooms;

/// <summary>Opens the SDK's rooms for a CLI command: the password re-derives the master key, which opens
/// the device keys and seals the room states kept in the profile.</summary>
internal static class CliRooms
{
    public static async Task<RoomsClient> OpenAsync(CliSession session, bool passwordFromStdin, CancellationToken cancellationToken)
    {
        using var identity = await session.UnlockAsync(passwordFromStdin, cancellationToken).ConfigureAwait(false);
        return await RoomsClient.OpenAsync(session.Client, session.Store, CliSession.Suite, identity, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A room by name or id among the caller's rooms, without keys.</summary>
    public static async Task<Protocol.Api.RoomSummary> FindAsync(CliSession session, string nameOrId, CancellationToken cancellationToken)
    {
        var rooms = await session.Client.ListRoomsAsync(cancellationToken).ConfigureAwait(false);
        return RoomLookup.Find(rooms, nameOrId);
    }
}
