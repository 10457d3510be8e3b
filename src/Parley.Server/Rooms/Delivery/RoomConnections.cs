using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Parley.Server.Rooms.Delivery;

/// <summary>A live hub connection: whose session it is, on which device, and which rooms it receives.</summary>
public sealed class RoomConnection(string id, Guid userId, Guid sessionId, HubCallerContext context)
{
    private readonly ConcurrentDictionary<Guid, byte> _rooms = new();

    public string Id { get; } = id;

    public Guid UserId { get; } = userId;

    public Guid SessionId { get; } = sessionId;

    /// <summary>The device the session is bound to when it connected; key packages go to this device only.</summary>
    public Guid? DeviceId { get; set; }

    public HubCallerContext Context { get; } = context;

    public IReadOnlyCollection<Guid> Rooms => _rooms.Keys.ToList();

    public bool Receives(Guid roomId) => _rooms.ContainsKey(roomId);

    internal void Join(Guid roomId) => _rooms.TryAdd(roomId, 0);

    internal bool Leave(Guid roomId) => _rooms.TryRemove(roomId, out _);
}

/// <summary>
/// The hub connections of this server. SignalR's groups carry messages to a room's connections; this
/// registry knows each connection's user and device, so that a removed member's connections leave at
/// once and each key package goes only to its recipient device.
/// </summary>
public sealed class RoomConnections
{
    private readonly ConcurrentDictionary<string, RoomConnection> _connections = new(StringComparer.Ordinal);

    public RoomConnection Add(string id, Guid userId, Guid sessionId, HubCallerContext context)
    {
        var connection = new RoomConnection(id, userId, sessionId, context);
        _connections[id] = connection;
        return connection;
    }

    public void Remove(string id) => _connections.TryRemove(id, out _);

    public RoomConnection? Find(string id) => _connections.GetValueOrDefault(id);

    public IReadOnlyList<RoomConnection> All => _connections.Values.ToList();

    public IReadOnlyList<RoomConnection> OfUser(Guid userId) => _connections.Values.Where(c => c.UserId == userId).ToList();

    public IReadOnlyList<RoomConnection> InRoom(Guid roomId) => _connections.Values.Where(c => c.Receives(roomId)).ToList();
}
