using Microsoft.EntityFrameworkCore;
using Parley.Server.Identity.Model;
using Parley.Server.Ledger;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Facts;
using Parley.Server.Rooms.Access;
using Parley.Server.Rooms.Model;
using Parley.Server.Storage;

namespace Parley.Server.Rooms.Delivery;

/// <summary>
/// Decides which rooms a hub connection receives. The hub is not an HTTP endpoint, so the enforcement
/// point cannot decide for it; this asks the same engine the same question a log fetch asks (<c>read</c>
/// on <c>room:ID</c>, with the connection's session) and commits each decision to the ledger before the
/// connection joins, exactly as the enforcement point does.
/// </summary>
public sealed class HubAccess(ParleyDbContext db, PolicyEngine engine, PrincipalFacts facts, LedgerWriter ledger, RoomLocks locks, RoomDelivery delivery, TimeProvider time)
{
    public const string Via = "hub " + Parley.Protocol.Api.RoomsHubProtocol.Path;

    /// <summary>Joins the connection to every room its user is a member of and may read now.</summary>
    public async Task JoinMemberRoomsAsync(RoomConnection connection, CancellationToken cancellationToken)
    {
        var rooms = await db.Set<RoomMemberRecord>().AsNoTracking()
            .Where(m => m.UserId == connection.UserId && m.RemovedAt == null).Select(m => m.RoomId).Distinct().ToListAsync(cancellationToken);
        foreach (var room in rooms) await JoinAsync(connection, room, cancellationToken);
    }

    /// <summary>Joins the user's live connections to a room they were just added to and tells them (the caller holds the room's lock).</summary>
    public async Task JoinAddedAsync(IEnumerable<RoomConnection> connections, Parley.Protocol.Api.RoomSummary room, CancellationToken cancellationToken)
    {
        foreach (var connection in connections)
        {
            if (await DecideAndJoinAsync(connection, room.Id, cancellationToken)) await delivery.AddedAsync(connection, room, cancellationToken);
        }
    }

    private async Task JoinAsync(RoomConnection connection, Guid roomId, CancellationToken cancellationToken)
    {
        using (await locks.AcquireAsync(roomId, cancellationToken)) await DecideAndJoinAsync(connection, roomId, cancellationToken);
    }

    private async Task<bool> DecideAndJoinAsync(RoomConnection connection, Guid roomId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var session = await db.Set<SessionRecord>().AsNoTracking().SingleOrDefaultAsync(s => s.Id == connection.SessionId, cancellationToken);
        var user = await db.Set<UserAccount>().AsNoTracking().SingleOrDefaultAsync(u => u.Id == connection.UserId, cancellationToken);
        var room = await db.Set<RoomRecord>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == roomId, cancellationToken);
        if (session is null || user is null || room is null) return false;
        connection.DeviceId = session.DeviceId;

        var members = await db.Set<RoomMemberRecord>().AsNoTracking().Where(m => m.RoomId == roomId && m.RemovedAt == null).Select(m => m.UserId).ToListAsync(cancellationToken);
        var resource = RoomResolver.Describe(room, members, engine);
        var context = PolicyContext.Empty with { Grants = await facts.GrantsAsync(user.Id, resource.Reference, cancellationToken) };
        var principal = await facts.LoadAsync(user, session, now, cancellationToken);
        var decision = engine.Decide(new PolicyRequest(principal, Actions.Read, resource, context, now));
        // Committed before the connection joins: a delivery whose decision is not in the ledger does not happen.
        DecisionLog.Record(ledger, decision, Via);
        await db.SaveChangesAsync(cancellationToken);
        if (!decision.Permitted || !members.Contains(user.Id)) return false;
        await delivery.JoinAsync(connection, roomId, cancellationToken);
        return true;
    }
}
