using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Ledger;
using Parley.Protocol.Rooms;
using Parley.Server.Identity;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Sessions;
using Parley.Server.Ledger;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Rooms.Access;
using Parley.Server.Rooms.Delivery;
using Parley.Server.Rooms.Log;
using Parley.Server.Rooms.Model;
using Parley.Server.Storage;

namespace Parley.Server.Rooms.Management;

/// <summary>
/// A room's label and retention, changed by its creator or an officer of a party. A new label must
/// keep every party within its releasability and every member cleared for it, and forces a new epoch
/// before the next message (its keys are bound to the label). Lowering a label is a downgrade, which
/// only a party's officer may decide (<c>forbid.room-label-lowered</c>).
/// </summary>
public static class SettingsApi
{
    public static IEndpointRouteBuilder MapRoomSettings(this IEndpointRouteBuilder app)
    {
        var room = app.MapGroup("/api/rooms/{id}").WithTags("Rooms");
        room.MapPut("/label", ChangeLabelAsync)
            .RequiresPolicy(Actions.ChangeRoom, Resources.Of(RoomResolver.Kind, fromRoute: "id"), PolicyContextSources.WrittenLabelFromBody<ChangeRoomLabelRequest>(r => r.Label?.Trim()))
            .WithSummary("Changes the room's label; the next message needs a new epoch at the new label.");
        room.MapPut("/retention", ChangeRetentionAsync)
            .RequiresPolicy(Actions.ChangeRoom, Resources.Of(RoomResolver.Kind, fromRoute: "id"))
            .WithSummary("Changes how long the room keeps its messages.");
        return app;
    }

    private static async Task<Results<Ok<RoomView>, ProblemHttpResult>> ChangeLabelAsync(
        ChangeRoomLabelRequest request, HttpContext http, Caller caller, ParleyDbContext db, PolicyEngine engine, MemberEligibility eligibility, RoomViews views,
        LedgerWriter ledger, RoomLocks locks, RoomDelivery delivery, TimeProvider time, CancellationToken cancellationToken)
    {
        var id = RoomsApi.RoomIdOf(http);
        if (string.IsNullOrWhiteSpace(request.Label)) return Problems.BadRequest("Give the new label.");
        if (!engine.Settings.Scheme.ParseBanner(request.Label.Trim()).TryGetValue(out var label, out var error))
            return Problems.BadRequest($"The label is not valid: {error.Message}");
        using var held = await locks.AcquireAsync(id, cancellationToken);
        var room = await db.Set<RoomRecord>().SingleAsync(r => r.Id == id, cancellationToken);
        var previous = room.Label;
        if (previous == label.ToCanonicalString()) return Problems.Conflict($"The room is labelled {previous} already.");
        if (!RoomDefinition.Create(id, label, room.PartyList()).TryGetValue(out _, out var definitionError)) return Problems.Unacceptable(definitionError.Message);

        var now = time.GetUtcNow();
        var members = await (from m in db.Set<RoomMemberRecord>()
                             join u in db.Set<UserAccount>() on m.UserId equals u.Id
                             where m.RoomId == id && m.RemovedAt == null
                             select u).ToListAsync(cancellationToken);
        var uncleared = new List<string>();
        foreach (var member in members)
        {
            if (await eligibility.ProblemAsync(member, room.PartyList(), label, now, cancellationToken) is { } problem) uncleared.Add(problem);
        }
        if (uncleared.Count > 0)
            return Problems.Conflict($"Not every member may be in a room labelled {label}; remove them first. {string.Join(" ", uncleared)}");

        room.Label = label.ToCanonicalString();
        room.Rekey |= RekeyFlags.LabelChanged;
        var entry = RoomEntries.Append(db, room, RoomEntryKind.LabelChanged, now, caller.User.Id);
        entry.Label = room.Label;
        ledger.Record(LedgerEventType.RoomLabelChanged, caller.User.Id, caller.User.DelegationCode, $"room:{id}",
            new LedgerField("from", previous), new LedgerField("to", room.Label), new LedgerField("sequence", entry.Sequence.ToString(CultureInfo.InvariantCulture)));
        if (!await MembershipApi.SaveAsync(db, cancellationToken)) return RoomProblems.Concurrent();
        await delivery.EntryAsync(RoomEntries.View(entry), cancellationToken);
        return TypedResults.Ok(await views.ViewAsync(room, cancellationToken));
    }

    private static async Task<Results<Ok<RoomView>, ProblemHttpResult>> ChangeRetentionAsync(
        ChangeRoomRetentionRequest request, HttpContext http, Caller caller, ParleyDbContext db, RoomViews views,
        LedgerWriter ledger, RoomLocks locks, RoomDelivery delivery, TimeProvider time, CancellationToken cancellationToken)
    {
        var id = RoomsApi.RoomIdOf(http);
        if (request.RetentionDays is < 1 or > RoomsApi.MaxRetentionDays) return Problems.BadRequest($"Retention is 1 to {RoomsApi.MaxRetentionDays} days.");
        using var held = await locks.AcquireAsync(id, cancellationToken);
        var room = await db.Set<RoomRecord>().SingleAsync(r => r.Id == id, cancellationToken);
        if (room.RetentionDays == request.RetentionDays) return Problems.Conflict($"The room keeps messages {room.RetentionDays} days already.");
        var previous = room.RetentionDays;
        room.RetentionDays = request.RetentionDays;
        var entry = RoomEntries.Append(db, room, RoomEntryKind.RetentionChanged, time.GetUtcNow(), caller.User.Id);
        entry.RetentionDays = room.RetentionDays;
        ledger.Record(LedgerEventType.RoomRetentionChanged, caller.User.Id, caller.User.DelegationCode, $"room:{id}",
            new LedgerField("from-days", previous.ToString(CultureInfo.InvariantCulture)), new LedgerField("to-days", room.RetentionDays.ToString(CultureInfo.InvariantCulture)),
            new LedgerField("sequence", entry.Sequence.ToString(CultureInfo.InvariantCulture)));
        if (!await MembershipApi.SaveAsync(db, cancellationToken)) return RoomProblems.Concurrent();
        await delivery.EntryAsync(RoomEntries.View(entry), cancellationToken);
        return TypedResults.Ok(await views.ViewAsync(room, cancellationToken));
    }
}
