using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Documents;
using Parley.Protocol.Documents.Canary;
using Parley.Protocol.Ledger;
using Parley.Server.Documents.Access;
using Parley.Server.Documents.Management;
using Parley.Server.Documents.Model;
using Parley.Server.Identity;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Sessions;
using Parley.Server.Ledger;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Storage;

namespace Parley.Server.Documents.Printing;

/// <summary>
/// The print register (docs/PROTOCOL.md §14.7–14.8). It holds each document's marking key and hands a reader
/// the canary choices of their own copy only: a numbered printed copy (registered, ledgered, refused for a
/// label the deployment keeps on screen) or their on-screen copy 0. The security officers of the parties read
/// the register, record the destruction of paper copies and fetch every copy's choices to trace a leak.
/// </summary>
public static class PrintRegisterApi
{
    public static IEndpointRouteBuilder MapDocumentPrinting(this IEndpointRouteBuilder app)
    {
        var documents = app.MapGroup("/api/documents").WithTags("Documents");
        documents.MapPost("/{id}/versions/{n:int}/prints", PrintAsync).RequiresPolicy(Actions.Print, Resources.Of(DocumentResolver.Kind, fromRoute: "id"))
            .WithSummary("Registers a printed copy of the version and returns its number, its record and its canary choices.");
        documents.MapPost("/{id}/versions/{n:int}/marks", MarksAsync).RequiresPolicy(Actions.Read, Resources.Of(DocumentResolver.Kind, fromRoute: "id"))
            .WithSummary("The caller's on-screen canary choices (copy 0) of the version.");
        documents.MapGet("/{id}/prints", RegisterAsync).RequiresPolicy(Actions.DocumentRegister, Resources.Of(DocumentResolver.Kind, fromRoute: "id"))
            .WithSummary("The document's print register (security officers of the parties).");
        documents.MapPost("/{id}/prints/{copy:int}/destroyed", CopyDestroyedAsync).RequiresPolicy(Actions.DocumentRegister, Resources.Of(DocumentResolver.Kind, fromRoute: "id"))
            .WithSummary("Records that a printed copy was destroyed (security officers of the parties).");
        documents.MapPost("/{id}/trace-copies", TraceAsync).RequiresPolicy(Actions.DocumentRegister, Resources.Of(DocumentResolver.Kind, fromRoute: "id"))
            .WithSummary("Every printed and on-screen copy of a version with its canary choices, to trace a leak (security officers of the parties).");
        return app;
    }

    private static string? SitesProblem(int sites) =>
        sites is < 0 or > CanaryChoices.MaxSites ? $"Sites are 0 to {CanaryChoices.MaxSites} (the number of canary sites of the version's text)." : null;

    private static async Task<Results<Created<PrintGrant>, ProblemHttpResult>> PrintAsync(
        int n, MarksRequest request, HttpContext http, Caller caller, ParleyDbContext db, PolicyEngine engine, DocumentLocks locks, LedgerWriter ledger,
        MarkingKeys marking, TimeProvider time, CancellationToken cancellationToken)
    {
        var id = DocumentsApi.DocumentIdOf(http);
        if (SitesProblem(request.Sites) is { } sitesProblem) return Problems.BadRequest(sitesProblem);
        if (caller.Session.DeviceId is not { } device) return Problems.Forbidden("Printing needs a session bound to a device.");
        using var held = await locks.AcquireAsync(id, cancellationToken);
        var document = await db.Set<DocumentRecord>().SingleAsync(d => d.Id == id, cancellationToken);
        if (!marking.Opens(document)) return DocumentProblems.MarkingKeyDamaged();
        if (document.DestroyedAt is not null) return DocumentProblems.Destroyed(document);
        var version = await db.Set<DocumentVersionRecord>().AsNoTracking().SingleOrDefaultAsync(v => v.DocumentId == id && v.Version == n, cancellationToken);
        if (version is null) return Problems.NotFound($"The document has no version {n}; the latest is {document.LatestVersion}.");
        var printing = engine.Settings.Printing;
        var label = engine.Settings.Scheme.ParseBanner(version.Label).Value;
        if (printing.Refusal(label) is { } refusal) return Problems.Forbidden(refusal);

        var now = time.GetUtcNow();
        var printedAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var copy = document.NextCopyNumber;
        document.NextCopyNumber++;
        document.Version++;
        var record = new PrintRecord(id, n, [.. version.VersionHash], copy, caller.User.Id, device, version.Label, printedAt.ToUnixTimeSeconds());
        var encoded = Parley.Protocol.Formats.Canonical.Encode(record);
        var hash = record.Hash();
        db.Add(new PrintRecordRow
        {
            DocumentId = id, CopyNumber = copy, Version = n, RecipientUserId = caller.User.Id, RecipientDeviceId = device, Label = version.Label,
            PrintedAt = printedAt, Record = encoded, RecordHash = hash,
        });
        ledger.Record(LedgerEventType.DocumentPrinted, caller.User.Id, caller.User.DelegationCode, DocumentsApi.Subject(id),
            new LedgerField("document", id.ToString()), new LedgerField("copy", copy.ToString(CultureInfo.InvariantCulture)),
            new LedgerField("version", n.ToString(CultureInfo.InvariantCulture)), new LedgerField("recipient", caller.User.Id.ToString()),
            new LedgerField("device", device.ToString()), new LedgerField("label", version.Label), new LedgerField("record-hash", Convert.ToHexStringLower(hash)));
        if (!await DocumentsApi.SaveAsync(db, cancellationToken)) return DocumentProblems.Concurrent();
        var choices = marking.Choices(document, new CanaryCopy(caller.User.Id, copy), request.Sites);
        return TypedResults.Created($"/api/documents/{id}/prints", new PrintGrant(copy, encoded, choices, caller.User.DisplayName, printedAt,
            printing.HighestLevel?.Name, printing.NoPrintCompartments));
    }

    private static async Task<Results<Ok<ViewMarks>, ProblemHttpResult>> MarksAsync(
        int n, MarksRequest request, HttpContext http, Caller caller, ParleyDbContext db, DocumentLocks locks, LedgerWriter ledger, MarkingKeys marking, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var id = DocumentsApi.DocumentIdOf(http);
        if (SitesProblem(request.Sites) is { } sitesProblem) return Problems.BadRequest(sitesProblem);
        using var held = await locks.AcquireAsync(id, cancellationToken);
        var document = await db.Set<DocumentRecord>().AsNoTracking().SingleAsync(d => d.Id == id, cancellationToken);
        if (!marking.Opens(document)) return DocumentProblems.MarkingKeyDamaged();
        if (document.DestroyedAt is not null) return DocumentProblems.Destroyed(document);
        if (!await db.Set<DocumentVersionRecord>().AnyAsync(v => v.DocumentId == id && v.Version == n, cancellationToken))
            return Problems.NotFound($"The document has no version {n}; the latest is {document.LatestVersion}.");
        var now = time.GetUtcNow();
        var device = caller.Session.DeviceId ?? Guid.Empty;
        var marks = await db.Set<ViewMarksRecord>().SingleOrDefaultAsync(m => m.DocumentId == id && m.Version == n && m.UserId == caller.User.Id, cancellationToken);
        if (marks is null) db.Add(new ViewMarksRecord { DocumentId = id, Version = n, UserId = caller.User.Id, DeviceId = device, FirstIssuedAt = now, LastIssuedAt = now });
        else
        {
            marks.DeviceId = device;
            marks.LastIssuedAt = now;
        }
        ledger.Record(LedgerEventType.DocumentMarksIssued, caller.User.Id, caller.User.DelegationCode, DocumentsApi.Subject(id),
            new LedgerField("document", id.ToString()), new LedgerField("version", n.ToString(CultureInfo.InvariantCulture)),
            new LedgerField("copy", "0"), new LedgerField("device", device.ToString()), new LedgerField("sites", request.Sites.ToString(CultureInfo.InvariantCulture)));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new ViewMarks(marking.Choices(document, new CanaryCopy(caller.User.Id, 0), request.Sites)));
    }

    private static async Task<Ok<IReadOnlyList<PrintRegisterEntry>>> RegisterAsync(HttpContext http, ParleyDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await EntriesAsync(db, DocumentsApi.DocumentIdOf(http), cancellationToken));

    private static async Task<IReadOnlyList<PrintRegisterEntry>> EntriesAsync(ParleyDbContext db, Guid id, CancellationToken cancellationToken)
    {
        var rows = await db.Set<PrintRecordRow>().AsNoTracking().Where(p => p.DocumentId == id).OrderBy(p => p.CopyNumber).ToListAsync(cancellationToken);
        var users = rows.Select(r => r.RecipientUserId).Distinct().ToList();
        var names = await db.Set<UserAccount>().AsNoTracking().Where(u => users.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
        return rows.Select(r => new PrintRegisterEntry(r.CopyNumber, r.Version, r.RecipientUserId, names.GetValueOrDefault(r.RecipientUserId, ""), r.RecipientDeviceId, r.Label,
            r.PrintedAt, r.RecordHash, r.DestroyedAt, r.DestroyedBy, r.DestructionNote)).ToList();
    }

    private static async Task<Results<Ok<IReadOnlyList<PrintRegisterEntry>>, ProblemHttpResult>> CopyDestroyedAsync(
        int copy, RecordCopyDestroyedRequest request, HttpContext http, Caller caller, ParleyDbContext db, DocumentLocks locks, LedgerWriter ledger,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var id = DocumentsApi.DocumentIdOf(http);
        var note = request.Note?.Trim() ?? "";
        if (note.Length is 0 or > 1000) return Problems.BadRequest("Say how the copy was destroyed, in 1 to 1000 characters.");
        using var held = await locks.AcquireAsync(id, cancellationToken);
        var row = await db.Set<PrintRecordRow>().SingleOrDefaultAsync(p => p.DocumentId == id && p.CopyNumber == copy, cancellationToken);
        if (row is null) return Problems.NotFound($"The register has no copy {copy} of this document.");
        if (row.DestroyedAt is { } at) return Problems.Conflict($"Copy {copy} was recorded destroyed on {at.UtcDateTime:yyyy-MM-dd HH:mm} UTC already.");
        row.DestroyedAt = time.GetUtcNow();
        row.DestroyedBy = caller.User.Id;
        row.DestructionNote = note;
        ledger.Record(LedgerEventType.PrintedCopyDestroyed, caller.User.Id, caller.User.DelegationCode, DocumentsApi.Subject(id),
            new LedgerField("document", id.ToString()), new LedgerField("copy", copy.ToString(CultureInfo.InvariantCulture)),
            new LedgerField("version", row.Version.ToString(CultureInfo.InvariantCulture)), new LedgerField("recipient", row.RecipientUserId.ToString()),
            new LedgerField("record-hash", Convert.ToHexStringLower(row.RecordHash)), new LedgerField("note-hash", LedgerEntry.HashOf(System.Text.Encoding.UTF8.GetBytes(note))));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(await EntriesAsync(db, id, cancellationToken));
    }

    private static async Task<Results<Ok<IReadOnlyList<CopyChoicesView>>, ProblemHttpResult>> TraceAsync(
        TraceCopiesRequest request, HttpContext http, Caller caller, ParleyDbContext db, LedgerWriter ledger, MarkingKeys marking, CancellationToken cancellationToken)
    {
        var id = DocumentsApi.DocumentIdOf(http);
        if (SitesProblem(request.Sites) is { } sitesProblem) return Problems.BadRequest(sitesProblem);
        var document = await db.Set<DocumentRecord>().AsNoTracking().SingleAsync(d => d.Id == id, cancellationToken);
        if (!marking.Opens(document)) return DocumentProblems.MarkingKeyDamaged();
        if (!await db.Set<DocumentVersionRecord>().AnyAsync(v => v.DocumentId == id && v.Version == request.Version, cancellationToken))
            return Problems.NotFound($"The document has no version {request.Version}.");
        var prints = await db.Set<PrintRecordRow>().AsNoTracking().Where(p => p.DocumentId == id && p.Version == request.Version).OrderBy(p => p.CopyNumber).ToListAsync(cancellationToken);
        var views = await db.Set<ViewMarksRecord>().AsNoTracking().Where(m => m.DocumentId == id && m.Version == request.Version).ToListAsync(cancellationToken);
        var ids = prints.Select(p => p.RecipientUserId).Concat(views.Select(v => v.UserId)).Distinct().ToList();
        var users = await db.Set<UserAccount>().AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, cancellationToken);
        var copies = new List<CopyChoicesView>();
        foreach (var view in views.OrderBy(v => v.FirstIssuedAt).ThenBy(v => v.UserId))
        {
            var user = users[view.UserId];
            copies.Add(new CopyChoicesView(0, user.Id, user.DisplayName, user.Email, view.DeviceId, view.FirstIssuedAt, marking.Choices(document, new CanaryCopy(user.Id, 0), request.Sites)));
        }
        foreach (var print in prints)
        {
            var user = users[print.RecipientUserId];
            copies.Add(new CopyChoicesView(print.CopyNumber, user.Id, user.DisplayName, user.Email, print.RecipientDeviceId, print.PrintedAt,
                marking.Choices(document, new CanaryCopy(user.Id, print.CopyNumber), request.Sites)));
        }
        ledger.Record(LedgerEventType.DocumentCopiesTraced, caller.User.Id, caller.User.DelegationCode, DocumentsApi.Subject(id),
            new LedgerField("document", id.ToString()), new LedgerField("version", request.Version.ToString(CultureInfo.InvariantCulture)),
            new LedgerField("printed", prints.Count.ToString(CultureInfo.InvariantCulture)), new LedgerField("on-screen", views.Count.ToString(CultureInfo.InvariantCulture)),
            new LedgerField("sites", request.Sites.ToString(CultureInfo.InvariantCulture)));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<CopyChoicesView>>(copies);
    }
}
