using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Documents;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;
using Parley.Server.Documents.Access;
using Parley.Server.Documents.Delivery;
using Parley.Server.Documents.Management;
using Parley.Server.Documents.Model;
using Parley.Server.Documents.Storage;
using Parley.Server.Identity;
using Parley.Server.Identity.Sessions;
using Parley.Server.Ledger;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Storage;

namespace Parley.Server.Documents.Destruction;

/// <summary>
/// Destruction by cryptographic erase (NIST SP 800-88 purge): a security officer of a party to the room sends
/// their signed certificate naming every version, no wrapped key remaining, result succeeded. In one transaction
/// every key wrap of the document is deleted, the count of its wraps is checked to be zero, the document is marked
/// destroyed with the certificate, and the ledger records the certificate's hash; then the ciphertext files are
/// deleted. Versions, endorsements and the print register stay as metadata (the register must still account for
/// paper copies); the document's view hides versions and endorsements. And retention: the officers set the dates
/// the daily review reads.
/// </summary>
public static class DestructionApi
{
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(10);

    public static IEndpointRouteBuilder MapDocumentDestruction(this IEndpointRouteBuilder app)
    {
        var documents = app.MapGroup("/api/documents").WithTags("Documents");
        documents.MapPost("/{id}/destroy", DestroyAsync).RequiresPolicy(Actions.DestroyDocument, Resources.Of(DocumentResolver.Kind, fromRoute: "id"))
            .WithSummary("Destroys the document by cryptographic erase, with the performer's signed certificate (security officers of the parties).");
        documents.MapPut("/{id}/retention", RetentionAsync).RequiresPolicy(Actions.DocumentRetention, Resources.Of(DocumentResolver.Kind, fromRoute: "id"))
            .WithSummary("Sets the declassify-on and destroy-after dates (security officers of the parties).");
        return app;
    }

    private static async Task<Results<Ok<DocumentView>, ProblemHttpResult>> DestroyAsync(
        DestroyDocumentRequest request, HttpContext http, Caller caller, ParleyDbContext db, CryptoSuite suite, DocumentLocks locks, DocumentBlobs blobs,
        LedgerWriter ledger, LedgerSequencer sequencer, DocumentDelivery delivery, DocumentViews views, TimeProvider time, CancellationToken cancellationToken)
    {
        var id = DocumentsApi.DocumentIdOf(http);
        if (request.Certificate is null || !Signed<DestructionCertificate>.Decode(request.Certificate).TryGetValue(out var signed, out var error))
            return Problems.BadRequest("The destruction certificate is malformed.");
        using var held = await locks.AcquireAsync(id, cancellationToken);
        var document = await db.Set<DocumentRecord>().SingleAsync(d => d.Id == id, cancellationToken);
        if (document.DestroyedAt is { } at) return Problems.Conflict($"The document was destroyed on {at.UtcDateTime:yyyy-MM-dd HH:mm} UTC already.");

        var versions = await db.Set<DocumentVersionRecord>().Where(v => v.DocumentId == id).Select(v => v.Version).OrderBy(v => v).ToListAsync(cancellationToken);
        var problem = await CertificateProblemAsync(signed, document, versions, caller, suite, time.GetUtcNow(), cancellationToken);
        if (problem is not null) return Problems.Unacceptable(problem);

        var now = time.GetUtcNow();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var erased = await db.Set<DocumentWrapRecord>().Where(w => w.DocumentId == id).ExecuteDeleteAsync(cancellationToken);
            var remaining = await db.Set<DocumentWrapRecord>().CountAsync(w => w.DocumentId == id, cancellationToken);
            if (remaining != 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return Problems.Conflict($"{remaining} key wraps of the document remained after the erase; nothing was destroyed. Try again.");
            }
            document.DestroyedAt = now;
            document.DestroyedBy = caller.User.Id;
            document.Certificate = request.Certificate;
            document.Version++;
            ledger.Record(LedgerEventType.DocumentDestroyed, caller.User.Id, caller.User.DelegationCode, DocumentsApi.Subject(id),
                new LedgerField("room", document.RoomId.ToString()), new LedgerField("document", id.ToString()),
                new LedgerField("versions", string.Join(",", versions.Select(v => v.ToString(CultureInfo.InvariantCulture)))), new LedgerField("label", document.Label),
                new LedgerField("wraps-erased", erased.ToString(CultureInfo.InvariantCulture)), new LedgerField("wraps-remaining", "0"),
                new LedgerField("certificate-id", signed.Body.CertificateId.ToString()), new LedgerField("certificate-hash", Convert.ToHexStringLower(signed.Hash())));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                await transaction.RollbackAsync(cancellationToken);
                db.ChangeTracker.Clear();
                return DocumentProblems.Concurrent();
            }
        }
        sequencer.Nudge();
        blobs.DeleteDocument(id);
        await delivery.SendAsync(document.RoomId, id, "destroyed", document.LatestVersion, cancellationToken);
        return TypedResults.Ok(await views.ViewAsync(document, cancellationToken));
    }

    private static async Task<string?> CertificateProblemAsync(Signed<DestructionCertificate> signed, DocumentRecord document, IReadOnlyList<int> versions, Caller caller,
        CryptoSuite suite, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var body = signed.Body;
        if (body.DocumentId != document.Id) return $"The certificate is for document {body.DocumentId}, not {document.Id}.";
        if (!body.Versions.SequenceEqual(versions))
            return $"The certificate must name every version of the document ({string.Join(", ", versions)}), not {string.Join(", ", body.Versions)}.";
        if (body.Label != document.Label) return $"The certificate's label {body.Label} is not the document's ({document.Label}).";
        if (body.WrappedKeysRemaining != 0 || body.Result != SanitizationResult.Succeeded)
            return "The certificate must state that no wrapped key remains and that the sanitization succeeded.";
        if (body.PerformedBy != caller.User.Id) return "The certificate names another performer; you certify what you perform yourself.";
        if (body.Delegation != caller.User.DelegationCode) return $"The certificate speaks for {body.Delegation}; you are of {caller.User.DelegationCode}.";
        var at = DateTimeOffset.FromUnixTimeSeconds(body.PerformedAt);
        if ((at - now).Duration() > ClockTolerance)
            return $"The certificate is dated {at.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, more than {ClockTolerance.TotalMinutes} minutes from the server's clock ({now.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC).";
        if (!CompositePublicKey.Decode(caller.User.IdentityPublicKey).TryGetValue(out var identity, out _) || !await signed.VerifyAsync(suite, identity, cancellationToken))
            return "The certificate's signature does not verify under your identity key.";
        return null;
    }

    private static async Task<Results<Ok<DocumentView>, ProblemHttpResult>> RetentionAsync(
        SetRetentionRequest request, HttpContext http, Caller caller, ParleyDbContext db, DocumentLocks locks, LedgerWriter ledger, DocumentViews views,
        CancellationToken cancellationToken)
    {
        var id = DocumentsApi.DocumentIdOf(http);
        if (DocumentsApi.RetentionProblem(request.DeclassifyOn, request.DestroyAfter) is { } problem) return Problems.BadRequest(problem);
        using var held = await locks.AcquireAsync(id, cancellationToken);
        var document = await db.Set<DocumentRecord>().SingleAsync(d => d.Id == id, cancellationToken);
        if (document.DestroyedAt is not null) return Problems.Gone("The document was destroyed; it has no retention left to change.");
        ledger.Record(LedgerEventType.DocumentRetentionChanged, caller.User.Id, caller.User.DelegationCode, DocumentsApi.Subject(id),
            new LedgerField("document", id.ToString()),
            new LedgerField("declassify-on", DocumentsApi.Day(request.DeclassifyOn)), new LedgerField("destroy-after", DocumentsApi.Day(request.DestroyAfter)),
            new LedgerField("previous-declassify-on", DocumentsApi.Day(document.DeclassifyOn)), new LedgerField("previous-destroy-after", DocumentsApi.Day(document.DestroyAfter)));
        document.DeclassifyOn = request.DeclassifyOn;
        document.DestroyAfter = request.DestroyAfter;
        document.Version++;
        if (!await DocumentsApi.SaveAsync(db, cancellationToken)) return DocumentProblems.Concurrent();
        return TypedResults.Ok(await views.ViewAsync(document, cancellationToken));
    }
}
