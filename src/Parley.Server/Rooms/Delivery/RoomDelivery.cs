using Microsoft.AspNetCore.SignalR;
using Parley.Protocol.Api;

namespace Parley.Server.Rooms.Delivery;

/// <summary>
/// Pushes a room's new entries to the connections that receive it, in log order (callers hold the
/// room's lock and push after the entry is committed). A message goes to the room's group; an epoch
/// goes to each connection with that connection's device's key package and no other.
/// </summary>
public sealed class RoomDelivery(IHubContext<RoomsHub> hub, RoomConnections connections)
{
    public static string Group(Guid roomId) => $"room:{roomId:N}";

    /// <summary>An entry every receiver gets alike (message, membership, label, retention, expiry).</summary>
    public Task EntryAsync(RoomEntry entry, CancellationToken cancellationToken) =>
        hub.Clients.Group(Group(entry.RoomId)).SendAsync(RoomsHubProtocol.Entry, entry, cancellationToken);

    /// <summary>An epoch: its roster to every receiver, its key package only to the device it is for.</summary>
    public async Task EpochAsync(RoomEntry entry, IReadOnlyDictionary<Guid, byte[]> packages, CancellationToken cancellationToken)
    {
        foreach (var connection in connections.InRoom(entry.RoomId))
        {
            var package = connection.DeviceId is { } device && packages.TryGetValue(device, out var bytes) ? bytes : null;
            await hub.Clients.Client(connection.Id).SendAsync(RoomsHubProtocol.Entry, entry with { KeyPackage = package }, cancellationToken);
        }
    }

    /// <summary>Makes the connection receive the room.</summary>
    public async Task JoinAsync(RoomConnection connection, Guid roomId, CancellationToken cancellationToken)
    {
        await hub.Groups.AddToGroupAsync(connection.Id, Group(roomId), cancellationToken);
        connection.Join(roomId);
    }

    /// <summary>Tells a connection it now receives a room.</summary>
    public Task AddedAsync(RoomConnection connection, RoomSummary room, CancellationToken cancellationToken) =>
        hub.Clients.Client(connection.Id).SendAsync(RoomsHubProtocol.Added, room, cancellationToken);

    /// <summary>Stops every connection of <paramref name="userId"/> from receiving the room, and tells it why.</summary>
    public async Task DropAsync(Guid roomId, Guid userId, string reason, CancellationToken cancellationToken)
    {
        foreach (var connection in connections.OfUser(userId)) await LeaveAsync(connection, roomId, reason, cancellationToken);
    }

    /// <summary>Stops one connection from receiving the room, and tells it why.</summary>
    public async Task LeaveAsync(RoomConnection connection, Guid roomId, string reason, CancellationToken cancellationToken)
    {
        await hub.Groups.RemoveFromGroupAsync(connection.Id, Group(roomId), cancellationToken);
        if (connection.Leave(roomId))
            await hub.Clients.Client(connection.Id).SendAsync(RoomsHubProtocol.Removed, new RoomRemoval(roomId, reason), cancellationToken);
    }
}
