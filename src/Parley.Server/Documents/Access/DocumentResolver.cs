using Microsoft.EntityFrameworkCore;
using Parley.Server.Documents.Model;
using Parley.Server.Identity.Model;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Resolution;
using Parley.Server.Rooms.Model;
using Parley.Server.Storage;

namespace Parley.Server.Documents.Access;

/// <summary>
/// <c>document:ID</c>: a document as the policy sees it. Its label is the latest version's (a destroyed
/// document keeps its last), its parties are its room's, its owner its creator. Need-to-know: the room's
/// current members; for a restricted document, only those of them who were given a key (a device wrap of
/// some version for one of their devices). Once destroyed no key remains, so a restricted document's
/// metadata is then for the room's current members.
/// </summary>
public sealed class DocumentResolver(ParleyDbContext db, PolicyEngine engine) : IResourceResolver
{
    public const string Kind = "document";

    public async Task<PolicyResource?> ResolveAsync(string key, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(key, out var id)) return null;
        var document = await db.Set<DocumentRecord>().AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (document is null) return null;
        var room = await db.Set<RoomRecord>().AsNoTracking().SingleAsync(r => r.Id == document.RoomId, cancellationToken);
        var members = await db.Set<RoomMemberRecord>().AsNoTracking()
            .Where(m => m.RoomId == room.Id && m.RemovedAt == null).Select(m => m.UserId).ToListAsync(cancellationToken);
        IReadOnlySet<Guid> needToKnow = members.ToHashSet();
        if (document.Restricted && document.DestroyedAt is null) needToKnow = (await KeyHoldersAsync(db, id, cancellationToken)).Intersect(members).ToHashSet();
        return Describe(document, room, needToKnow, engine);
    }

    /// <summary>The users one of whose devices holds a device wrap of some version of the document.</summary>
    public static async Task<List<Guid>> KeyHoldersAsync(ParleyDbContext db, Guid documentId, CancellationToken cancellationToken) =>
        await (from w in db.Set<DocumentWrapRecord>()
               join d in db.Set<DeviceRecord>() on w.RecipientId equals d.Id
               where w.DocumentId == documentId && w.Kind == WrapKind.Device
               select d.UserId).Distinct().ToListAsync(cancellationToken);

    /// <summary>The document as a policy resource. A stored label the scheme no longer reads is a configuration error (fail closed).</summary>
    public static PolicyResource Describe(DocumentRecord document, RoomRecord room, IReadOnlySet<Guid> needToKnow, PolicyEngine engine)
    {
        var label = engine.Settings.Scheme.ParseBanner(document.Label);
        if (!label.TryGetValue(out var parsed, out var error))
            throw new InvalidOperationException($"Document {document.Id} has a label this server's marking scheme does not read: {error.Message}");
        return new PolicyResource
        {
            Kind = Kind,
            Id = document.Id.ToString(),
            Name = document.Title,
            Parties = room.PartyList().ToHashSet(StringComparer.Ordinal),
            Owner = document.CreatedBy,
            Label = parsed,
            NeedToKnow = new NeedToKnow(needToKnow,
                document.Restricted && document.DestroyedAt is null ? $"a member of room {room.Name} given a key of this restricted document" : $"a member of room {room.Name}"),
        };
    }
}
