using Microsoft.AspNetCore.SignalR;
using Parley.Server.Identity.Sessions;

namespace Parley.Server.Rooms.Delivery;

/// <summary>
/// Real-time delivery of rooms (<c>/hubs/rooms</c>), for the session cookie or a bearer token like the
/// HTTP API. On connecting, the connection joins each room its user is a member of and may read (each a
/// ledgered policy decision); it then receives every new entry of those rooms in log order (docs/API.md,
/// "Rooms hub"). Clients send nothing but <see cref="Joined"/>: everything they post goes through HTTP.
/// </summary>
public sealed class RoomsHub(RoomConnections connections, HubAccess access) : Hub
{
    public override async Task OnConnectedAsync()
    {
        // The enforcement point let the connection in only with a session; its claims name it.
        var user = Context.User?.FindFirst(IdentityClaims.UserId)?.Value;
        var session = Context.User?.FindFirst(IdentityClaims.SessionId)?.Value;
        if (!Guid.TryParse(user, out var userId) || !Guid.TryParse(session, out var sessionId))
        {
            Context.Abort();
            return;
        }
        var connection = connections.Add(Context.ConnectionId, userId, sessionId, Context);
        await access.JoinMemberRoomsAsync(connection, Context.ConnectionAborted);
        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Remove(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>The rooms this connection receives. SignalR runs it only after <see cref="OnConnectedAsync"/> has finished,
    /// so a client that awaits it knows its rooms are joined.</summary>
    public IReadOnlyList<Guid> Joined() => connections.Find(Context.ConnectionId)?.Rooms.ToList() ?? [];
}
