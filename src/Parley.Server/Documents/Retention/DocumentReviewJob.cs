using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Documents;
using Parley.Protocol.Ledger;
using Parley.Server.Documents.Management;
using Parley.Server.Documents.Model;
using Parley.Server.Documents.Storage;
using Parley.Server.Ledger;
using Parley.Server.Storage;

namespace Parley.Server.Documents.Retention;

/// <summary>
/// The daily retention review (docs/PROTOCOL.md §14.9): on start and then every 24 hours by the server's clock,
/// lists each document newly due for a declassification or destruction review, once per document, kind and date
/// (a listed review and a <see cref="LedgerEventType.DocumentReviewDue"/> entry). It never declassifies or
/// destroys anything: a security officer decides. It also deletes expired uploads and their part files.
/// </summary>
public sealed partial class DocumentReviewJob(IServiceScopeFactory scopes, DocumentBlobs blobs, TimeProvider time, ILogger<DocumentReviewJob> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromHours(24);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            do
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A failed run lists nothing (it commits once); the next one tries again.
                    LogRunFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One run: lists the reviews newly due today and deletes expired uploads. Returns how many reviews were listed.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<ParleyDbContext>();
        var ledger = services.GetRequiredService<LedgerWriter>();
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);

        var documents = await db.Set<DocumentRecord>().AsNoTracking()
            .Where(d => d.DestroyedAt == null && (d.DeclassifyOn != null || d.DestroyAfter != null)).ToListAsync(cancellationToken);
        var due = RetentionReview.Due(documents.Select(d => (d.Id, new RetentionSchedule(d.DeclassifyOn, d.DestroyAfter), false)), today);
        var ids = due.Select(d => d.DocumentId).Distinct().ToList();
        var listed = (await db.Set<ReviewListedRecord>().AsNoTracking().Where(r => ids.Contains(r.DocumentId)).ToListAsync(cancellationToken))
            .Select(r => (r.DocumentId, r.Kind, r.Date)).ToHashSet();
        var added = 0;
        foreach (var review in due)
        {
            var kind = KindName(review.Kind);
            if (!listed.Add((review.DocumentId, kind, review.Date))) continue;
            var document = documents.Single(d => d.Id == review.DocumentId);
            db.Add(new ReviewListedRecord { DocumentId = review.DocumentId, Kind = kind, Date = review.Date, ListedAt = now });
            ledger.Record(LedgerEventType.DocumentReviewDue, null, null, DocumentsApi.Subject(review.DocumentId),
                new LedgerField("room", document.RoomId.ToString()), new LedgerField("document", review.DocumentId.ToString()),
                new LedgerField("kind", kind), new LedgerField("date", review.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                new LedgerField("days-overdue", review.DaysOverdue.ToString(CultureInfo.InvariantCulture)), new LedgerField("label", document.Label));
            added++;
        }

        var expired = await db.Set<UploadRecord>().Where(u => u.ExpiresAt <= now).ToListAsync(cancellationToken);
        db.RemoveRange(expired);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var upload in expired) blobs.DeleteUpload(upload.Id);
        if (added > 0 || expired.Count > 0) LogRun(logger, added, expired.Count);
        return added;
    }

    /// <summary>The API's name of a review kind.</summary>
    public static string KindName(ReviewKind kind) => kind == ReviewKind.Declassification ? "declassify" : "destroy";

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention review: {Reviews} reviews newly due, {Uploads} expired uploads deleted.")]
    private static partial void LogRun(ILogger logger, int reviews, int uploads);

    [LoggerMessage(Level = LogLevel.Error, Message = "A retention review run failed; the next one tries again.")]
    private static partial void LogRunFailed(ILogger logger, Exception exception);
}
