using Parley.Protocol.Api;
using Parley.Protocol.Rooms;

namespace Parley.Client.Rooms;

/// <summary>Finds a room among the caller's by what a person types: its id, or its name.</summary>
public static class RoomLookup
{
    /// <summary>The room whose id is <paramref name="nameOrId"/>, else the one with that name (exactly, then
    /// without regard to case); a <see cref="RoomOperationException"/> when none or several match.</summary>
    public static RoomSummary Find(IReadOnlyList<RoomSummary> rooms, string nameOrId)
    {
        ArgumentNullException.ThrowIfNull(rooms);
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrId);
        if (Guid.TryParse(nameOrId, out var id) && rooms.FirstOrDefault(r => r.Id == id) is { } byId) return byId;
        var matches = rooms.Where(r => r.Name == nameOrId).ToList();
        if (matches.Count == 0) matches = rooms.Where(r => string.Equals(r.Name, nameOrId, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new RoomOperationException(new RoomError(RoomErrorCode.WrongRoom, $"You are a member of no room named or numbered '{nameOrId}'.")),
            _ => throw new RoomOperationException(new RoomError(RoomErrorCode.WrongRoom, $"Several of your rooms are named '{nameOrId}'; use its id ({string.Join(", ", matches.Select(r => r.Id))}).")),
        };
    }
}
