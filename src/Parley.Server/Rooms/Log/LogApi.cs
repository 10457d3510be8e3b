using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Server.Identity;
using Parley.Server.Identity.Sessions;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Rooms.Access;
using Parley.Server.Rooms.Management;
using Parley.Server.Rooms.Model;
using Parley.Server.Storage;

namespace Parley.Server.Rooms.Log;

/// <summary>
/// Reading a room's log after a sequence number, in order: the offline queue and the history. A member
/// reads from the entry that added them; an epoch comes with the reading device's own key package and
/// no other; messages past the room's retention are not served (the retention sweeper deletes them).
/// </summary>
public static class LogApi
{
    public const int DefaultPage = 200;
    public const int MaxPage = 1000;

    public static IEndpointRouteBuilder MapRoomLog(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/rooms/{id}/log", ReadAsync).WithTags("Rooms")
            .RequiresPolicy(Actions.Read, Resources.Of(RoomResolver.Kind, fromRoute: "id"))
            .WithSummary("The room's log after ?after= (default 0), at most ?limit= entries (default 200, at most 1000); epochs carry this device's key package only.");
        return app;
    }

    private static async Task<Results<Ok<RoomLogView>, ProblemHttpResult>> ReadAsync(
        long? after, int? limit, HttpContext http, Caller caller, ParleyDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var id = RoomsApi.RoomIdOf(http);
        if (after is < 0) return Problems.BadRequest("'after' is a sequence number, 0 or more.");
        var take = limit ?? DefaultPage;
        if (take is < 1 or > MaxPage) return Problems.BadRequest($"'limit' is 1 to {MaxPage}.");
        var room = await db.Set<RoomRecord>().AsNoTracking().SingleAsync(r => r.Id == id, cancellationToken);
        // Members read from the entry that added them; someone let in by a need-to-know grant reads the whole log (without keys).
        var membership = await db.Set<RoomMemberRecord>().AsNoTracking()
            .Where(m => m.RoomId == id && m.UserId == caller.User.Id && m.RemovedAt == null).OrderByDescending(m => m.FromSequence).FirstOrDefaultAsync(cancellationToken);
        var from = Math.Max(after ?? 0, (membership?.FromSequence ?? 1) - 1);
        var cutoff = time.GetUtcNow().AddDays(-room.RetentionDays);
        var entries = await db.Set<RoomEntryRecord>().AsNoTracking()
            .Where(e => e.RoomId == id && e.Sequence > from && (e.Kind != RoomEntryKind.Message || e.At > cutoff))
            .OrderBy(e => e.Sequence).Take(take + 1).ToListAsync(cancellationToken);
        var more = entries.Count > take;
        if (more) entries.RemoveAt(take);

        var device = caller.Session.DeviceId;
        var epochs = entries.Where(e => e.Kind == RoomEntryKind.Epoch).Select(e => e.Sequence).ToList();
        var packages = device is null || epochs.Count == 0
            ? new Dictionary<long, byte[]>()
            : await db.Set<RoomKeyPackageRecord>().AsNoTracking()
                .Where(p => p.RoomId == id && p.RecipientDeviceId == device && epochs.Contains(p.Sequence))
                .ToDictionaryAsync(p => p.Sequence, p => p.Package, cancellationToken);
        return TypedResults.Ok(new RoomLogView(id, entries.Select(e => RoomEntries.View(e, packages.GetValueOrDefault(e.Sequence))).ToList(), room.LastSequence, more));
    }
}
