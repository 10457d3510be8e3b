using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Documents;
using Parley.Protocol.Ledger;
using Parley.Server.Documents.Printing;
using Parley.Server.Documents.Access;
using Parley.Server.Documents.Delivery;
using Parley.Server.Documents.Model;
using Parley.Server.Documents.Storage;
using Parley.Server.Documents.Uploads;
using Parley.Server.Identity;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Sessions;
using Parley.Server.Ledger;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Rooms;
using Parley.Server.Rooms.Access;
using Parley.Server.Rooms.Management;
using Parley.Server.Rooms.Model;
using Parley.Server.Storage;

namespace Parley.Server.Documents.Management;

/// <summary>
/// Documents as things: create one in a room from its first version, add versions, list a room's, read one.
/// A version is accepted only after every check of <see cref="VersionIntake"/>; then its upload becomes its
/// ciphertext file, its records are stored with the ledger entry in one transaction, and the room's
/// connections are told.
/// </summary>
public static class DocumentsApi
{
    public const int MaxTitleLength = 200;

    public static IEndpointRouteBuilder MapDocumentsManagement(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/rooms/{id}/documents", CreateAsync).WithTags("Documents")
            .RequiresPolicy(Actions.Write, Resources.Of(RoomResolver.Kind, fromRoute: "id"), DocumentContextSources.CreateLabel, PolicyContextSources.DowngradeFromQuery("downgrade"))
            .WithSummary("Creates a document in the room from its first version (an upload and its envelope).");
        app.MapGet("/api/rooms/{id}/documents", ListAsync).WithTags("Documents")
            .RequiresPolicy(Actions.Read, Resources.Of(RoomResolver.Kind, fromRoute: "id"))
            .WithSummary("The room's documents (restricted ones only to those given a key of them).");
        var documents = app.MapGroup("/api/documents").WithTags("Documents");
        documents.MapGet("/{id}", GetAsync).RequiresPolicy(Actions.Read, Resources.Of(DocumentResolver.Kind, fromRoute: "id"))
            .WithSummary("A document: its versions, endorsements and retention; once destroyed, its metadata and certificate only.");
        documents.MapPost("/{id}/versions", AddVersionAsync)
            .RequiresPolicy(Actions.Write, Resources.Of(DocumentResolver.Kind, fromRoute: "id"), DocumentContextSources.VersionLabel, PolicyContextSources.DowngradeFromQuery("downgrade"))
            .WithSummary("Adds the next version (an upload and its envelope).");
        return app;
    }

    /// <summary>The id of the document the enforcement point resolved.</summary>
    public static Guid DocumentIdOf(HttpContext http) => Guid.Parse(PolicyEnforcement.DecisionOf(http).Request.Resource.Id);

    /// <summary>Why <paramref name="title"/> cannot be a document's title, or null.</summary>
    public static string? TitleProblem(string? title)
    {
        var trimmed = title?.Trim() ?? "";
        if (trimmed.Length == 0) return "Give the document a title.";
        if (trimmed.Length > MaxTitleLength) return $"A title has at most {MaxTitleLength} characters.";
        if (trimmed.Any(char.IsControl)) return "A title cannot contain control characters.";
        return null;
    }

    /// <summary>Why the retention dates are not sane, or null.</summary>
    public static string? RetentionProblem(DateOnly? declassifyOn, DateOnly? destroyAfter)
    {
        var earliest = new DateOnly(2000, 1, 1);
        if (declassifyOn is { } d && d < earliest || destroyAfter is { } e && e < earliest) return "Retention dates are from 2000-01-01 on.";
        if (declassifyOn is { } declassify && destroyAfter is { } destroy && destroy < declassify)
            return $"The document cannot be destroyed ({destroy:yyyy-MM-dd}) before its declassification review ({declassify:yyyy-MM-dd}).";
        return null;
    }

    private static async Task<Results<Created<DocumentView>, ProblemHttpResult>> CreateAsync(
        CreateDocumentRequest request, HttpContext http, Caller caller, ParleyDbContext db, VersionIntake intake, DocumentBlobs blobs, DocumentLocks locks,
        RoomLocks roomLocks, LedgerWriter ledger, DocumentDelivery delivery, DocumentViews views, MarkingKeys marking, TimeProvider time, CancellationToken cancellationToken)
    {
        var roomId = RoomsApi.RoomIdOf(http);
        if (TitleProblem(request.Title) is { } titleProblem) return Problems.BadRequest(titleProblem);
        if (RetentionProblem(request.DeclassifyOn, request.DestroyAfter) is { } retentionProblem) return Problems.BadRequest(retentionProblem);
        var (envelope, malformed) = VersionIntake.Decode(request.Envelope);
        if (envelope is null) return malformed!;
        var documentId = envelope.Manifest.Body.DocumentId;

        using var roomHeld = await roomLocks.AcquireAsync(roomId, cancellationToken);
        using var documentHeld = await locks.AcquireAsync(documentId, cancellationToken);
        using var uploadHeld = await locks.AcquireAsync(request.UploadId, cancellationToken);
        if (await db.Set<DocumentRecord>().AnyAsync(d => d.Id == documentId, cancellationToken))
            return Problems.Conflict($"There is a document {documentId} already; a new document needs a new id.");
        var upload = await UploadsApi.FindAsync(db, request.UploadId, caller, time, cancellationToken);
        if (upload is null) return Problems.Unacceptable($"There is no upload {request.UploadId} of yours (it may have expired or been used).");
        var room = await db.Set<RoomRecord>().AsNoTracking().SingleAsync(r => r.Id == roomId, cancellationToken);
        var (accepted, problem) = await intake.CheckAsync(envelope, caller, room, request.Restricted, documentId, null, upload, cancellationToken);
        if (accepted is null) return problem!;

        var now = time.GetUtcNow();
        var title = request.Title.Trim();
        var document = new DocumentRecord
        {
            Id = documentId, RoomId = roomId, Title = title, Label = accepted.Label.ToCanonicalString(), Restricted = request.Restricted,
            CreatedBy = caller.User.Id, CreatedAt = now, UpdatedAt = now, DeclassifyOn = request.DeclassifyOn, DestroyAfter = request.DestroyAfter,
            LatestVersion = 1, MarkingKey = marking.New(documentId),
        };
        db.Add(document);
        AddVersion(db, document, accepted, upload, caller, now);
        ledger.Record(LedgerEventType.DocumentVersionUploaded, caller.User.Id, caller.User.DelegationCode, Subject(documentId),
            [.. VersionFields(room.Id, document, accepted), new LedgerField("title-hmac", ledger.Hmac(title)),
             new LedgerField("declassify-on", Day(request.DeclassifyOn)), new LedgerField("destroy-after", Day(request.DestroyAfter))]);

        blobs.Promote(upload.Id, documentId, 1);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            blobs.Demote(upload.Id, documentId, 1);
            db.ChangeTracker.Clear();
            if (await db.Set<DocumentRecord>().AsNoTracking().AnyAsync(d => d.Id == documentId, cancellationToken))
                return Problems.Conflict($"There is a document {documentId} already; a new document needs a new id.");
            throw;
        }
        catch
        {
            blobs.Demote(upload.Id, documentId, 1);
            throw;
        }
        await delivery.SendAsync(roomId, documentId, "created", 1, cancellationToken);
        return TypedResults.Created($"/api/documents/{documentId}", await views.ViewAsync(document, cancellationToken));
    }

    private static async Task<Results<Created<DocumentView>, ProblemHttpResult>> AddVersionAsync(
        AddVersionRequest request, HttpContext http, Caller caller, ParleyDbContext db, VersionIntake intake, DocumentBlobs blobs, DocumentLocks locks,
        RoomLocks roomLocks, LedgerWriter ledger, DocumentDelivery delivery, DocumentViews views, TimeProvider time, CancellationToken cancellationToken)
    {
        var documentId = DocumentIdOf(http);
        var (envelope, malformed) = VersionIntake.Decode(request.Envelope);
        if (envelope is null) return malformed!;
        var roomId = await db.Set<DocumentRecord>().Where(d => d.Id == documentId).Select(d => d.RoomId).SingleAsync(cancellationToken);

        using var roomHeld = await roomLocks.AcquireAsync(roomId, cancellationToken);
        using var documentHeld = await locks.AcquireAsync(documentId, cancellationToken);
        using var uploadHeld = await locks.AcquireAsync(request.UploadId, cancellationToken);
        var document = await db.Set<DocumentRecord>().SingleAsync(d => d.Id == documentId, cancellationToken);
        if (document.DestroyedAt is not null) return DocumentProblems.Destroyed(document);
        var upload = await UploadsApi.FindAsync(db, request.UploadId, caller, time, cancellationToken);
        if (upload is null) return Problems.Unacceptable($"There is no upload {request.UploadId} of yours (it may have expired or been used).");
        var room = await db.Set<RoomRecord>().AsNoTracking().SingleAsync(r => r.Id == roomId, cancellationToken);
        var latest = await db.Set<DocumentVersionRecord>().AsNoTracking().SingleAsync(v => v.DocumentId == documentId && v.Version == document.LatestVersion, cancellationToken);
        var (accepted, problem) = await intake.CheckAsync(envelope, caller, room, document.Restricted, documentId, latest, upload, cancellationToken);
        if (accepted is null) return problem!;

        var now = time.GetUtcNow();
        var number = accepted.Manifest.Version;
        document.LatestVersion = number;
        document.Label = accepted.Label.ToCanonicalString();
        document.UpdatedAt = now;
        document.Version++;
        AddVersion(db, document, accepted, upload, caller, now);
        ledger.Record(LedgerEventType.DocumentVersionUploaded, caller.User.Id, caller.User.DelegationCode, Subject(documentId),
            [.. VersionFields(room.Id, document, accepted), new LedgerField("title-hmac", ledger.Hmac(document.Title))]);

        blobs.Promote(upload.Id, documentId, number);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            blobs.Demote(upload.Id, documentId, number);
            db.ChangeTracker.Clear();
            return DocumentProblems.Concurrent();
        }
        catch
        {
            blobs.Demote(upload.Id, documentId, number);
            throw;
        }
        await delivery.SendAsync(roomId, documentId, "version", number, cancellationToken);
        return TypedResults.Created($"/api/documents/{documentId}", await views.ViewAsync(document, cancellationToken));
    }

    private static void AddVersion(ParleyDbContext db, DocumentRecord document, AcceptedVersion accepted, UploadRecord upload, Caller caller, DateTimeOffset now)
    {
        var manifest = accepted.Manifest;
        db.Add(new DocumentVersionRecord
        {
            DocumentId = document.Id, Version = manifest.Version, VersionHash = accepted.Hash, SignedManifest = accepted.Envelope.Manifest.Encode(),
            Label = accepted.Label.ToCanonicalString(), MediaType = manifest.MediaType, ContentLength = manifest.ContentLength, CiphertextLength = manifest.CiphertextLength,
            AuthorUserId = manifest.AuthorUserId, AuthorDeviceId = manifest.AuthorDeviceId, CreatedAt = now,
        });
        foreach (var wrap in accepted.Envelope.Wraps) db.Add(WrapRecord(wrap, caller.User.Id, now));
        db.Remove(upload);
    }

    public static DocumentWrapRecord WrapRecord(DocumentKeyWrap wrap, Guid addedBy, DateTimeOffset now) => new()
    {
        DocumentId = wrap.DocumentId, Version = wrap.Version, Kind = (WrapKind)(int)wrap.Kind, RecipientId = wrap.RecipientId, Epoch = wrap.Epoch,
        Wrap = wrap.Encode(), AddedAt = now, AddedBy = addedBy,
    };

    private static LedgerField[] VersionFields(Guid roomId, DocumentRecord document, AcceptedVersion accepted) =>
    [
        new("room", roomId.ToString()),
        new("document", document.Id.ToString()),
        new("version", accepted.Manifest.Version.ToString(CultureInfo.InvariantCulture)),
        new("version-hash", Convert.ToHexStringLower(accepted.Hash)),
        new("label", accepted.Label.ToCanonicalString()),
        new("media-type", accepted.Manifest.MediaType),
        new("size", accepted.Manifest.CiphertextLength.ToString(CultureInfo.InvariantCulture)),
        new("restricted", document.Restricted ? "true" : "false"),
        new("wraps", accepted.Envelope.Wraps.Count.ToString(CultureInfo.InvariantCulture)),
    ];

    public static string Subject(Guid documentId) => $"document:{documentId}";

    public static string Day(DateOnly? day) => day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";

    private static async Task<Ok<IReadOnlyList<DocumentSummary>>> ListAsync(HttpContext http, Caller caller, ParleyDbContext db, CancellationToken cancellationToken)
    {
        var roomId = RoomsApi.RoomIdOf(http);
        var documents = await db.Set<DocumentRecord>().AsNoTracking().Where(d => d.RoomId == roomId).ToListAsync(cancellationToken);
        // A restricted document is listed only to those one of whose devices was given a key of it (until it is destroyed).
        var mine = db.Set<DeviceRecord>().Where(d => d.UserId == caller.User.Id).Select(d => d.Id);
        var ofRoom = db.Set<DocumentRecord>().Where(d => d.RoomId == roomId).Select(d => d.Id);
        var keyed = (await db.Set<DocumentWrapRecord>().Where(w => w.Kind == WrapKind.Device && mine.Contains(w.RecipientId) && ofRoom.Contains(w.DocumentId))
            .Select(w => w.DocumentId).Distinct().ToListAsync(cancellationToken)).ToHashSet();
        var visible = documents.Where(d => !d.Restricted || d.DestroyedAt is not null || keyed.Contains(d.Id)).ToList();
        var ids = visible.Select(d => d.Id).ToList();
        var latest = await db.Set<DocumentVersionRecord>().AsNoTracking().Where(v => ids.Contains(v.DocumentId)).ToListAsync(cancellationToken);
        var endorsements = await db.Set<EndorsementRecord>().Where(e => ids.Contains(e.DocumentId)).GroupBy(e => e.DocumentId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        var summaries = visible.OrderBy(d => d.CreatedAt).ThenBy(d => d.Id).Select(d =>
        {
            var version = latest.Single(v => v.DocumentId == d.Id && v.Version == d.LatestVersion);
            var destroyed = d.DestroyedAt is not null;
            return new DocumentSummary(d.Id, d.RoomId, d.Title, d.Label, d.Restricted, d.LatestVersion, version.MediaType, version.ContentLength, d.UpdatedAt,
                destroyed ? 0 : endorsements.GetValueOrDefault(d.Id), destroyed);
        }).ToList();
        return TypedResults.Ok<IReadOnlyList<DocumentSummary>>(summaries);
    }

    private static async Task<Ok<DocumentView>> GetAsync(HttpContext http, ParleyDbContext db, DocumentViews views, CancellationToken cancellationToken)
    {
        var id = DocumentIdOf(http);
        var document = await db.Set<DocumentRecord>().AsNoTracking().SingleAsync(d => d.Id == id, cancellationToken);
        return TypedResults.Ok(await views.ViewAsync(document, cancellationToken));
    }

    /// <summary>Saves; false when another writer changed the document first (nothing was written, the change tracker is cleared).</summary>
    internal static async Task<bool> SaveAsync(ParleyDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }
}
