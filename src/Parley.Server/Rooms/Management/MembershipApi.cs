using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Ledger;
using Parley.Server.Identity;
using Parley.Server.Identity.Sessions;
using Parley.Server.Ledger;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Policy.Resolution;
using Parley.Server.Rooms.Access;
using Parley.Server.Rooms.Delivery;
using Parley.Server.Rooms.Log;
using Parley.Server.Rooms.Model;
using Parley.Server.Storage;

namespace Parley.Server.Rooms.Management;

/// <summary>
/// Who is in a room. The creator (while a member) and the members' own security officers add and
/// remove members; a member may leave; a party's officer withdraws the party and with it its members.
/// Only cleared members of party delegations can be added. A removal requires a new epoch before the
/// next message and ends the removed member's deliveries at once.
/// </summary>
public static class MembershipApi
{
    public static IEndpointRouteBuilder MapRoomMembership(this IEndpointRouteBuilder app)
    {
        var room = app.MapGroup("/api/rooms/{id}").WithTags("Rooms");
        room.MapPut("/members/{user}", AddAsync)
            .RequiresPolicy(Actions.ManageRoomMembers, Resources.Of(RoomResolver.Kind, fromRoute: "id"), RoomContextSources.AffectedUserFromRoute("user"))
            .WithSummary("Adds a person (id or email) to the room: a cleared member of a party delegation.");
        room.MapDelete("/members/{user}", RemoveAsync)
            .RequiresPolicy(Actions.ManageRoomMembers, Resources.Of(RoomResolver.Kind, fromRoute: "id"), RoomContextSources.AffectedUserFromRoute("user"))
            .WithSummary("Removes a member (or the caller leaves); the next message needs a new epoch.");
        room.MapPost("/withdraw", WithdrawAsync)
            .RequiresPolicy(Actions.WithdrawParty, Resources.Of(RoomResolver.Kind, fromRoute: "id"))
            .WithSummary("Withdraws the caller's delegation (its security officer) from the room, with all its members.");
        return app;
    }

    private static async Task<Results<Ok<RoomView>, ProblemHttpResult>> AddAsync(
        string user, HttpContext http, Caller caller, ParleyDbContext db, PolicyEngine engine, MemberEligibility eligibility, RoomViews views,
        LedgerWriter ledger, RoomLocks locks, RoomDelivery delivery, RoomConnections connections, HubAccess hubAccess, TimeProvider time, CancellationToken cancellationToken)
    {
        var id = RoomsApi.RoomIdOf(http);
        var person = await UserResolver.FindAsync(db, user.Trim(), cancellationToken);
        if (person is null) return Problems.Unacceptable($"There is no one called {user} to add.");
        using var held = await locks.AcquireAsync(id, cancellationToken);
        var room = await db.Set<RoomRecord>().SingleAsync(r => r.Id == id, cancellationToken);
        var label = engine.Settings.Scheme.ParseBanner(room.Label).Value;
        var now = time.GetUtcNow();
        if (await eligibility.ProblemAsync(person, room.PartyList(), label, now, cancellationToken) is { } problem) return Problems.Unacceptable(problem);
        if (await db.Set<RoomMemberRecord>().AnyAsync(m => m.RoomId == id && m.UserId == person.Id && m.RemovedAt == null, cancellationToken))
            return Problems.Conflict($"{person.Email} is a member already.");

        var entry = RoomEntries.Append(db, room, RoomEntryKind.MemberAdded, now, caller.User.Id);
        entry.SubjectUserId = person.Id;
        db.Add(new RoomMemberRecord { RoomId = id, UserId = person.Id, DelegationCode = person.DelegationCode!, AddedAt = now, AddedBy = caller.User.Id, FromSequence = entry.Sequence });
        // The new member must not read what came before: their devices get keys from the next epoch on.
        room.Rekey |= RekeyFlags.MemberAdded;
        ledger.Record(LedgerEventType.RoomMemberAdded, caller.User.Id, caller.User.DelegationCode, $"room:{id}",
            new LedgerField("user", person.Id.ToString()), new LedgerField("delegation", person.DelegationCode!), Sequence(entry));
        if (!await SaveAsync(db, cancellationToken)) return RoomProblems.Concurrent();

        await delivery.EntryAsync(RoomEntries.View(entry), cancellationToken);
        var count = await db.Set<RoomMemberRecord>().CountAsync(m => m.RoomId == id && m.RemovedAt == null, cancellationToken);
        await hubAccess.JoinAddedAsync(connections.OfUser(person.Id), RoomViews.Summary(room, count), cancellationToken);
        return TypedResults.Ok(await views.ViewAsync(room, cancellationToken));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(
        string user, HttpContext http, Caller caller, ParleyDbContext db, LedgerWriter ledger, RoomLocks locks, RoomDelivery delivery, TimeProvider time, CancellationToken cancellationToken)
    {
        var id = RoomsApi.RoomIdOf(http);
        var person = await UserResolver.FindAsync(db, user.Trim(), cancellationToken);
        if (person is null) return Problems.NotFound($"{user} is not a member of the room.");
        using var held = await locks.AcquireAsync(id, cancellationToken);
        var room = await db.Set<RoomRecord>().SingleAsync(r => r.Id == id, cancellationToken);
        var membership = await db.Set<RoomMemberRecord>().SingleOrDefaultAsync(m => m.RoomId == id && m.UserId == person.Id && m.RemovedAt == null, cancellationToken);
        if (membership is null) return Problems.NotFound($"{person.Email} is not a member of the room.");

        var reason = person.Id == caller.User.Id ? "left" : "removed";
        var entry = Remove(db, ledger, room, membership, caller, reason, time.GetUtcNow());
        if (!await SaveAsync(db, cancellationToken)) return RoomProblems.Concurrent();

        // Out of the room's group before the entry goes out: from now on they receive nothing of it.
        await delivery.DropAsync(id, person.Id, reason, cancellationToken);
        await delivery.EntryAsync(RoomEntries.View(entry), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<RoomView>, ProblemHttpResult>> WithdrawAsync(
        HttpContext http, Caller caller, ParleyDbContext db, RoomViews views, LedgerWriter ledger, RoomLocks locks, RoomDelivery delivery, TimeProvider time, CancellationToken cancellationToken)
    {
        var id = RoomsApi.RoomIdOf(http);
        var party = caller.User.DelegationCode!;
        using var held = await locks.AcquireAsync(id, cancellationToken);
        var room = await db.Set<RoomRecord>().SingleAsync(r => r.Id == id, cancellationToken);
        var parties = room.PartyList().ToList();
        if (!parties.Contains(party)) return Problems.Conflict($"{party} is not a party to the room.");
        if (parties.Count == 1) return Problems.Conflict($"{party} is the room's only party; a room needs at least one.");

        var now = time.GetUtcNow();
        var withdrawn = RoomEntries.Append(db, room, RoomEntryKind.PartyWithdrawn, now, caller.User.Id);
        withdrawn.Party = party;
        room.Parties = string.Join(' ', parties.Where(p => p != party));
        room.Rekey |= RekeyFlags.PartiesChanged;
        var memberships = await db.Set<RoomMemberRecord>().Where(m => m.RoomId == id && m.DelegationCode == party && m.RemovedAt == null).ToListAsync(cancellationToken);
        var removals = memberships.Select(m => Remove(db, ledger, room, m, caller, "party-withdrawn", now)).ToList();
        ledger.Record(LedgerEventType.RoomPartyWithdrawn, caller.User.Id, party, $"room:{id}",
            new LedgerField("party", party), new LedgerField("members-removed", memberships.Count.ToString(CultureInfo.InvariantCulture)), Sequence(withdrawn));
        if (!await SaveAsync(db, cancellationToken)) return RoomProblems.Concurrent();

        foreach (var membership in memberships) await delivery.DropAsync(id, membership.UserId, "party-withdrawn", cancellationToken);
        await delivery.EntryAsync(RoomEntries.View(withdrawn), cancellationToken);
        foreach (var removal in removals) await delivery.EntryAsync(RoomEntries.View(removal), cancellationToken);
        return TypedResults.Ok(await views.ViewAsync(room, cancellationToken));
    }

    private static RoomEntryRecord Remove(ParleyDbContext db, LedgerWriter ledger, RoomRecord room, RoomMemberRecord membership, Caller caller, string reason, DateTimeOffset now)
    {
        membership.RemovedAt = now;
        membership.RemovedBy = caller.User.Id;
        membership.RemovalReason = reason;
        var entry = RoomEntries.Append(db, room, RoomEntryKind.MemberRemoved, now, caller.User.Id);
        entry.SubjectUserId = membership.UserId;
        entry.Reason = reason;
        room.Rekey |= RekeyFlags.MemberRemoved;
        ledger.Record(LedgerEventType.RoomMemberRemoved, caller.User.Id, caller.User.DelegationCode, $"room:{room.Id}",
            new LedgerField("user", membership.UserId.ToString()), new LedgerField("delegation", membership.DelegationCode), new LedgerField("reason", reason), Sequence(entry));
        return entry;
    }

    private static LedgerField Sequence(RoomEntryRecord entry) => new("sequence", entry.Sequence.ToString(CultureInfo.InvariantCulture));

    /// <summary>Saves; false when another server node changed the room first (nothing was written).</summary>
    internal static async Task<bool> SaveAsync(ParleyDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }
}
