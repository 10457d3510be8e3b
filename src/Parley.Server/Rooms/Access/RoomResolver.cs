using Microsoft.EntityFrameworkCore;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Resolution;
using Parley.Server.Rooms.Model;
using Parley.Server.Storage;

namespace Parley.Server.Rooms.Access;

/// <summary>
/// <c>room:ID</c> or <c>room:NAME</c> (canonical key: the id): a room as the policy sees it, with its
/// label, its parties, its creator as owner, and need-to-know by current membership.
/// </summary>
public sealed class RoomResolver(ParleyDbContext db, PolicyEngine engine) : IResourceResolver
{
    public const string Kind = "room";

    public async Task<PolicyResource?> ResolveAsync(string key, CancellationToken cancellationToken)
    {
        var room = await FindAsync(db, key, cancellationToken);
        if (room is null) return null;
        var members = await db.Set<RoomMemberRecord>().AsNoTracking()
            .Where(m => m.RoomId == room.Id && m.RemovedAt == null).Select(m => m.UserId).ToListAsync(cancellationToken);
        return Describe(room, members, engine);
    }

    /// <summary>The room as a policy resource. A stored label the scheme no longer reads is a configuration error, never "no label" (fail closed).</summary>
    public static PolicyResource Describe(RoomRecord room, IEnumerable<Guid> members, PolicyEngine engine)
    {
        var label = engine.Settings.Scheme.ParseBanner(room.Label);
        if (!label.TryGetValue(out var parsed, out var error))
            throw new InvalidOperationException($"Room {room.Id} has a label this server's marking scheme does not read: {error.Message}");
        return new PolicyResource
        {
            Kind = Kind,
            Id = room.Id.ToString(),
            Name = room.Name,
            Parties = room.PartyList().ToHashSet(StringComparer.Ordinal),
            Owner = room.CreatedBy,
            Label = parsed,
            NeedToKnow = new NeedToKnow(members.ToHashSet(), $"a member of room {room.Name}"),
        };
    }

    /// <summary>A room by id or by name.</summary>
    public static async Task<RoomRecord?> FindAsync(ParleyDbContext db, string key, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(key, out var id)) return await db.Set<RoomRecord>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        var name = RoomNames.Normalize(key);
        if (name.Length is 0 or > RoomNames.MaxLength) return null;
        return await db.Set<RoomRecord>().AsNoTracking().SingleOrDefaultAsync(r => r.NormalizedName == name, cancellationToken);
    }
}

/// <summary>Room names: what people call a room, unique on the server regardless of case.</summary>
public static class RoomNames
{
    public const int MaxLength = 100;

    public static string Normalize(string name) => name.Trim().ToLowerInvariant();

    /// <summary>Why <paramref name="name"/> cannot name a room, or null.</summary>
    public static string? Problem(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0) return "Name the room.";
        if (trimmed.Length > MaxLength) return $"A room's name has at most {MaxLength} characters.";
        if (trimmed.Any(char.IsControl)) return "A room's name cannot contain control characters.";
        // A name that reads as an id would make "room:KEY" ambiguous.
        if (Guid.TryParse(trimmed, out _)) return "A room's name cannot be an id.";
        return null;
    }
}
