using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Documents;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;
using Parley.Server.Documents.Access;
using Parley.Server.Documents.Management;
using Parley.Server.Documents.Model;
using Parley.Server.Documents.Storage;
using Parley.Server.Identity;
using Parley.Server.Identity.Sessions;
using Parley.Server.Ledger;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Rooms;
using Parley.Server.Rooms.Log;
using Parley.Server.Rooms.Model;
using Parley.Server.Storage;

namespace Parley.Server.Documents.Reading;

/// <summary>
/// Reading a version: its envelope for the caller's device (the signed manifest, the wraps for that device and
/// the room-epoch wraps; an access, ledgered as keys released) and its ciphertext (ledgered as read); and adding
/// room-epoch wraps to a version so that members who joined later can open it. A destroyed document answers 410
/// with its destruction certificate.
/// </summary>
public static class ReadingApi
{
    public static IEndpointRouteBuilder MapDocumentReading(this IEndpointRouteBuilder app)
    {
        var documents = app.MapGroup("/api/documents").WithTags("Documents");
        documents.MapGet("/{id}/versions/{n:int}/envelope", EnvelopeAsync).RequiresPolicy(Actions.Read, Resources.Of(DocumentResolver.Kind, fromRoute: "id"))
            .WithSummary("The version's envelope for this device (application/cbor): the signed manifest, this device's wraps and the room-epoch wraps.");
        documents.MapGet("/{id}/versions/{n:int}/content", ContentAsync).RequiresPolicy(Actions.Read, Resources.Of(DocumentResolver.Kind, fromRoute: "id"))
            .WithSummary("The version's ciphertext (application/octet-stream, ranges allowed).");
        documents.MapPost("/{id}/versions/{n:int}/wraps", AddWrapsAsync).RequiresPolicy(Actions.Read, Resources.Of(DocumentResolver.Kind, fromRoute: "id"))
            .WithSummary("Adds room-epoch key wraps for the room's current epoch to a version of a document that is not restricted.");
        return app;
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> EnvelopeAsync(
        int n, HttpContext http, Caller caller, ParleyDbContext db, LedgerWriter ledger, CancellationToken cancellationToken)
    {
        var id = DocumentsApi.DocumentIdOf(http);
        var document = await db.Set<DocumentRecord>().AsNoTracking().SingleAsync(d => d.Id == id, cancellationToken);
        if (document.DestroyedAt is not null) return DocumentProblems.Destroyed(document);
        var version = await db.Set<DocumentVersionRecord>().AsNoTracking().SingleOrDefaultAsync(v => v.DocumentId == id && v.Version == n, cancellationToken);
        if (version is null) return Problems.NotFound($"The document has no version {n}; the latest is {document.LatestVersion}.");
        var device = caller.Session.DeviceId;
        var wraps = await db.Set<DocumentWrapRecord>().AsNoTracking()
            .Where(w => w.DocumentId == id && w.Version == n && (w.Kind == WrapKind.RoomEpoch || (w.Kind == WrapKind.Device && w.RecipientId == device)))
            .OrderBy(w => w.Id).ToListAsync(cancellationToken);
        if (wraps.Count == 0) return Problems.Forbidden("No key of this version was given to this device.");

        var manifest = Signed<DocumentVersion>.Decode(version.SignedManifest).Value;
        var envelope = new DocumentEnvelope(manifest, wraps.Select(w => DocumentKeyWrap.Decode(w.Wrap).Value).ToList()).Encode();
        ledger.Record(LedgerEventType.DocumentKeysReleased, caller.User.Id, caller.User.DelegationCode, DocumentsApi.Subject(id),
            new LedgerField("document", id.ToString()), new LedgerField("version", n.ToString(CultureInfo.InvariantCulture)),
            new LedgerField("device", device?.ToString() ?? ""), new LedgerField("label", version.Label),
            new LedgerField("device-wraps", wraps.Count(w => w.Kind == WrapKind.Device).ToString(CultureInfo.InvariantCulture)),
            new LedgerField("room-wraps", wraps.Count(w => w.Kind == WrapKind.RoomEpoch).ToString(CultureInfo.InvariantCulture)));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.File(envelope, DocumentsProtocol.EnvelopeMediaType);
    }

    private static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> ContentAsync(
        int n, HttpContext http, Caller caller, ParleyDbContext db, DocumentBlobs blobs, LedgerWriter ledger, CancellationToken cancellationToken)
    {
        var id = DocumentsApi.DocumentIdOf(http);
        var document = await db.Set<DocumentRecord>().AsNoTracking().SingleAsync(d => d.Id == id, cancellationToken);
        if (document.DestroyedAt is not null) return DocumentProblems.Destroyed(document);
        var version = await db.Set<DocumentVersionRecord>().AsNoTracking().SingleOrDefaultAsync(v => v.DocumentId == id && v.Version == n, cancellationToken);
        if (version is null) return Problems.NotFound($"The document has no version {n}; the latest is {document.LatestVersion}.");
        var path = blobs.VersionPath(id, n);
        if (!File.Exists(path)) return Problems.Gone($"The ciphertext of version {n} is no longer on this server.");
        ledger.Record(LedgerEventType.DocumentContentRead, caller.User.Id, caller.User.DelegationCode, DocumentsApi.Subject(id),
            new LedgerField("document", id.ToString()), new LedgerField("version", n.ToString(CultureInfo.InvariantCulture)),
            new LedgerField("device", caller.Session.DeviceId?.ToString() ?? ""), new LedgerField("label", version.Label),
            new LedgerField("size", version.CiphertextLength.ToString(CultureInfo.InvariantCulture)),
            new LedgerField("range", http.Request.Headers.Range.ToString()));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.PhysicalFile(path, "application/octet-stream", enableRangeProcessing: true);
    }

    private static async Task<Results<Ok<DocumentView>, ProblemHttpResult>> AddWrapsAsync(
        int n, AddWrapsRequest request, HttpContext http, Caller caller, ParleyDbContext db, DocumentLocks locks, RoomLocks roomLocks, LedgerWriter ledger,
        DocumentViews views, Rotation rotation, TimeProvider time, CancellationToken cancellationToken)
    {
        var id = DocumentsApi.DocumentIdOf(http);
        if (request.Wraps is null || request.Wraps.Count == 0) return Problems.BadRequest("Give the wraps to add.");
        if (request.Wraps.Count > DocumentEnvelope.MaxWraps) return Problems.BadRequest($"At most {DocumentEnvelope.MaxWraps} wraps at once.");
        var wraps = new List<DocumentKeyWrap>();
        foreach (var bytes in request.Wraps)
        {
            if (bytes is null || !DocumentKeyWrap.Decode(bytes).TryGetValue(out var wrap, out var error))
                return Problems.BadRequest("A wrap is malformed.");
            wraps.Add(wrap);
        }
        var roomId = await db.Set<DocumentRecord>().Where(d => d.Id == id).Select(d => d.RoomId).SingleAsync(cancellationToken);
        using var roomHeld = await roomLocks.AcquireAsync(roomId, cancellationToken);
        using var documentHeld = await locks.AcquireAsync(id, cancellationToken);
        var document = await db.Set<DocumentRecord>().SingleAsync(d => d.Id == id, cancellationToken);
        if (document.DestroyedAt is not null) return DocumentProblems.Destroyed(document);
        if (document.Restricted) return Problems.Unacceptable("A restricted document is wrapped for named devices only; room wraps cannot be added to it.");
        var version = await db.Set<DocumentVersionRecord>().AsNoTracking().SingleOrDefaultAsync(v => v.DocumentId == id && v.Version == n, cancellationToken);
        if (version is null) return Problems.NotFound($"The document has no version {n}; the latest is {document.LatestVersion}.");
        var room = await db.Set<RoomRecord>().AsNoTracking().SingleAsync(r => r.Id == roomId, cancellationToken);
        foreach (var wrap in wraps)
        {
            if (wrap.DocumentId != id || wrap.Version != n || !wrap.VersionHash.AsSpan().SequenceEqual(version.VersionHash))
                return Problems.Unacceptable($"A wrap names another document, version or version hash than version {n}'s.");
            if (wrap.Kind != KeyWrapRecipient.RoomEpoch) return Problems.Unacceptable("Only room-epoch wraps can be added to a version.");
            if (wrap.RecipientId != roomId || wrap.Epoch != room.Epoch)
                return Problems.Unacceptable($"Room wraps are for this room's current epoch ({room.Epoch}) only.");
        }
        if (await rotation.ReasonsAsync(room, time.GetUtcNow(), cancellationToken) is { Count: > 0 } reasons)
            return RoomProblems.RekeyRequired(room, reasons);
        var existing = await db.Set<DocumentWrapRecord>().AsNoTracking().Where(w => w.DocumentId == id && w.Version == n && w.Kind == WrapKind.RoomEpoch)
            .Select(w => new { w.RecipientId, w.Epoch }).ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        var added = wraps.DistinctBy(w => (w.RecipientId, w.Epoch)).Where(w => !existing.Any(e => e.RecipientId == w.RecipientId && e.Epoch == w.Epoch)).ToList();
        if (added.Count > 0)
        {
            foreach (var wrap in added) db.Add(DocumentsApi.WrapRecord(wrap, caller.User.Id, now));
            document.Version++;
            ledger.Record(LedgerEventType.DocumentWrapsAdded, caller.User.Id, caller.User.DelegationCode, DocumentsApi.Subject(id),
                new LedgerField("document", id.ToString()), new LedgerField("version", n.ToString(CultureInfo.InvariantCulture)),
                new LedgerField("room", roomId.ToString()), new LedgerField("epoch", room.Epoch.ToString(CultureInfo.InvariantCulture)),
                new LedgerField("wraps", added.Count.ToString(CultureInfo.InvariantCulture)));
            if (!await DocumentsApi.SaveAsync(db, cancellationToken)) return DocumentProblems.Concurrent();
        }
        return TypedResults.Ok(await views.ViewAsync(document, cancellationToken));
    }
}
