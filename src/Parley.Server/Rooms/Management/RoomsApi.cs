using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Identity;
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
/// Rooms as things: create one (the creator is its first member), list one's own, read one, read its
/// members' directory entries (what a client admits devices from), and, for a delegation's officers
/// and auditors, the rooms their delegation is a party to.
/// </summary>
public static class RoomsApi
{
    public const int DefaultRetentionDays = 90;
    public const int MaxRetentionDays = 3650;

    public static IEndpointRouteBuilder MapRoomsManagement(this IEndpointRouteBuilder app)
    {
        var rooms = app.MapGroup("/api/rooms").WithTags("Rooms");
        rooms.MapPost("", CreateAsync)
            .RequiresPolicy(Actions.CreateRoom, Resources.System, PolicyContextSources.WrittenLabelFromBody<CreateRoomRequest>(r => r.Label?.Trim()))
            .WithSummary("Creates a room at a label with parties; the caller is its first member.");
        rooms.MapGet("", ListMineAsync).RequiresPolicy(Actions.ListRooms, Resources.Self)
            .WithSummary("The rooms the caller is a member of, with their labels.");
        rooms.MapGet("/{id}", GetAsync).RequiresPolicy(Actions.Read, Resources.Of(RoomResolver.Kind, fromRoute: "id"))
            .WithSummary("A room (by id or name): label, parties, members, current epoch, and whether a new epoch is required.");
        rooms.MapGet("/{id}/devices", DevicesAsync).RequiresPolicy(Actions.Read, Resources.Of(RoomResolver.Kind, fromRoute: "id"))
            .WithSummary("The directory entries of the room's current members: what a client admits devices from before making an epoch.");
        app.MapGet("/api/delegations/{code}/rooms", DelegationRoomsAsync).WithTags("Rooms")
            .RequiresPolicy(Actions.Inspect, Resources.Delegation("code"))
            .WithSummary("The rooms the delegation is a party to, with their members (its officers and auditors).");
        return app;
    }

    /// <summary>The id of the room the enforcement point resolved (the route may name it by id or by name).</summary>
    public static Guid RoomIdOf(HttpContext http) => Guid.Parse(PolicyEnforcement.DecisionOf(http).Request.Resource.Id);

    private static async Task<Results<Created<RoomView>, ProblemHttpResult>> CreateAsync(
        CreateRoomRequest request, HttpContext http, Caller caller, ParleyDbContext db, PolicyEngine engine, RoomViews views, LedgerWriter ledger,
        RoomConnections connections, HubAccess hubAccess, RoomLocks locks, TimeProvider time, CancellationToken cancellationToken)
    {
        if (RoomNames.Problem(request.Name) is { } nameProblem) return Problems.BadRequest(nameProblem);
        if (string.IsNullOrWhiteSpace(request.Label)) return Problems.BadRequest("Give the room's label (banner form, e.g. SECRET//REL TO ATL, BOR).");
        if (!engine.Settings.Scheme.ParseBanner(request.Label.Trim()).TryGetValue(out var label, out var labelError))
            return Problems.BadRequest($"The label is not valid: {labelError.Message}");
        var retention = request.RetentionDays ?? DefaultRetentionDays;
        if (retention is < 1 or > MaxRetentionDays) return Problems.BadRequest($"Retention is 1 to {MaxRetentionDays} days.");
        if (request.Parties is null || request.Parties.Count == 0) return Problems.BadRequest("Name the parties (delegation codes).");
        var parties = request.Parties.Select(p => p?.Trim() ?? "").ToList();
        var id = Guid.NewGuid();
        if (!RoomDefinition.Create(id, label, parties).TryGetValue(out var definition, out var definitionError))
            return Problems.Unacceptable(definitionError.Message);
        var known = await db.Set<DelegationRecord>().Where(d => definition.Parties.Contains(d.Code)).Select(d => d.Code).ToListAsync(cancellationToken);
        if (definition.Parties.Except(known).ToList() is { Count: > 0 } unknown) return Problems.Unacceptable($"There is no delegation {string.Join(", ", unknown)}.");
        var user = caller.User;
        if (user.DelegationCode is not { } own || !definition.Parties.Contains(own))
            return Problems.Unacceptable($"You are the room's first member, so your delegation {user.DelegationCode} must be one of its parties.");
        var name = request.Name.Trim();
        var normalized = RoomNames.Normalize(name);
        if (await db.Set<RoomRecord>().AnyAsync(r => r.NormalizedName == normalized, cancellationToken))
            return Problems.Conflict($"There is a room called {name} already.");

        var now = time.GetUtcNow();
        var room = new RoomRecord
        {
            Id = id, Name = name, NormalizedName = normalized, Label = label.ToCanonicalString(), Parties = string.Join(' ', definition.Parties),
            CreatedBy = user.Id, CreatedAt = now, RetentionDays = retention,
        };
        db.Add(room);
        var added = RoomEntries.Append(db, room, RoomEntryKind.MemberAdded, now, user.Id);
        added.SubjectUserId = user.Id;
        db.Add(new RoomMemberRecord { RoomId = id, UserId = user.Id, DelegationCode = own, AddedAt = now, AddedBy = user.Id, FromSequence = added.Sequence });
        ledger.Record(LedgerEventType.RoomCreated, user.Id, own, $"room:{id}",
            new LedgerField("name-hmac", ledger.Hmac(name)), new LedgerField("label", room.Label), new LedgerField("parties", string.Join(",", definition.Parties)),
            new LedgerField("retention-days", retention.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        ledger.Record(LedgerEventType.RoomMemberAdded, user.Id, own, $"room:{id}",
            new LedgerField("user", user.Id.ToString()), new LedgerField("delegation", own), new LedgerField("sequence", added.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Two rooms created with one name at the same moment: the unique index kept the first.
            db.ChangeTracker.Clear();
            if (await db.Set<RoomRecord>().AsNoTracking().AnyAsync(r => r.NormalizedName == normalized, cancellationToken))
                return Problems.Conflict($"There is a room called {name} already.");
            throw;
        }

        using (await locks.AcquireAsync(id, cancellationToken))
        {
            await hubAccess.JoinAddedAsync(connections.OfUser(user.Id), RoomViews.Summary(room, 1), cancellationToken);
        }
        return TypedResults.Created($"/api/rooms/{id}", await views.ViewAsync(room, cancellationToken));
    }

    private static async Task<Ok<IReadOnlyList<RoomSummary>>> ListMineAsync(Caller caller, ParleyDbContext db, CancellationToken cancellationToken)
    {
        var mine = db.Set<RoomMemberRecord>().Where(m => m.UserId == caller.User.Id && m.RemovedAt == null).Select(m => m.RoomId);
        var rooms = await db.Set<RoomRecord>().AsNoTracking().Where(r => mine.Contains(r.Id)).ToListAsync(cancellationToken);
        var counts = await db.Set<RoomMemberRecord>().Where(m => mine.Contains(m.RoomId) && m.RemovedAt == null)
            .GroupBy(m => m.RoomId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<RoomSummary>>(rooms.OrderBy(r => r.Name, StringComparer.Ordinal)
            .Select(r => RoomViews.Summary(r, counts.GetValueOrDefault(r.Id))).ToList());
    }

    private static async Task<Ok<RoomView>> GetAsync(HttpContext http, ParleyDbContext db, RoomViews views, CancellationToken cancellationToken)
    {
        var id = RoomIdOf(http);
        var room = await db.Set<RoomRecord>().AsNoTracking().SingleAsync(r => r.Id == id, cancellationToken);
        return TypedResults.Ok(await views.ViewAsync(room, cancellationToken));
    }

    private static async Task<Ok<IReadOnlyList<DirectoryEntry>>> DevicesAsync(HttpContext http, ParleyDbContext db, CancellationToken cancellationToken)
    {
        var id = RoomIdOf(http);
        var members = db.Set<RoomMemberRecord>().Where(m => m.RoomId == id && m.RemovedAt == null).Select(m => m.UserId);
        var users = await db.Set<UserAccount>().AsNoTracking().Where(u => members.Contains(u.Id)).ToListAsync(cancellationToken);
        var devices = (await db.Set<DeviceRecord>().AsNoTracking().Where(d => members.Contains(d.UserId)).ToListAsync(cancellationToken)).ToLookup(d => d.UserId);
        var clearances = (await db.Set<ClearanceRecord>().AsNoTracking().Where(c => members.Contains(c.SubjectUserId)).ToListAsync(cancellationToken)).ToLookup(c => c.SubjectUserId);
        var entries = users.OrderBy(u => u.DelegationCode, StringComparer.Ordinal).ThenBy(u => u.Email, StringComparer.Ordinal).Select(u =>
        {
            var own = devices[u.Id].OrderBy(d => d.RegisteredAt).ToList();
            var held = clearances[u.Id].OrderBy(c => c.IssuedAt).ToList();
            var revocations = own.Where(d => d.Revocation is not null).Select(d => d.Revocation!).Concat(held.Where(c => c.Revocation is not null).Select(c => c.Revocation!)).ToList();
            return new DirectoryEntry(Views.DirectoryUser(u), own.Select(d => d.Certificate).ToList(), held.Select(c => c.Certificate).ToList(), revocations);
        }).ToList();
        return TypedResults.Ok<IReadOnlyList<DirectoryEntry>>(entries);
    }

    private static async Task<Ok<IReadOnlyList<RoomView>>> DelegationRoomsAsync(string code, ParleyDbContext db, RoomViews views, CancellationToken cancellationToken)
    {
        var rooms = await db.Set<RoomRecord>().AsNoTracking().ToListAsync(cancellationToken);
        var ofParty = rooms.Where(r => r.PartyList().Contains(code, StringComparer.Ordinal)).OrderBy(r => r.Name, StringComparer.Ordinal);
        return TypedResults.Ok(await views.ViewsAsync(ofParty, cancellationToken));
    }
}
