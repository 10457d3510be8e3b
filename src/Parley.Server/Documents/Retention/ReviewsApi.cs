using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Documents;
using Parley.Server.Documents.Model;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Rooms.Model;
using Parley.Server.Storage;

namespace Parley.Server.Documents.Retention;

/// <summary>The reviews the daily job listed for the documents of a delegation's rooms, still due and not destroyed (its officers and auditors).</summary>
public static class ReviewsApi
{
    public static IEndpointRouteBuilder MapDocumentReviews(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/delegations/{code}/document-reviews", ReviewsAsync).WithTags("Documents")
            .RequiresPolicy(Actions.Inspect, Resources.Delegation("code"))
            .WithSummary("Documents of the rooms the delegation is a party to that are due for a declassification or destruction review.");
        return app;
    }

    private static async Task<Ok<IReadOnlyList<DocumentReviewView>>> ReviewsAsync(string code, ParleyDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var rooms = (await db.Set<RoomRecord>().AsNoTracking().ToListAsync(cancellationToken))
            .Where(r => r.PartyList().Contains(code, StringComparer.Ordinal)).Select(r => r.Id).ToList();
        var documents = await db.Set<DocumentRecord>().AsNoTracking().Where(d => rooms.Contains(d.RoomId) && d.DestroyedAt == null).ToListAsync(cancellationToken);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var due = RetentionReview.Due(documents.Select(d => (d.Id, new RetentionSchedule(d.DeclassifyOn, d.DestroyAfter), false)), today);
        var ids = documents.Select(d => d.Id).ToList();
        var listed = (await db.Set<ReviewListedRecord>().AsNoTracking().Where(r => ids.Contains(r.DocumentId)).ToListAsync(cancellationToken))
            .ToDictionary(r => (r.DocumentId, r.Kind, r.Date), r => r.ListedAt);
        var views = new List<DocumentReviewView>();
        foreach (var review in due)
        {
            var kind = DocumentReviewJob.KindName(review.Kind);
            if (!listed.TryGetValue((review.DocumentId, kind, review.Date), out var listedAt)) continue;
            var document = documents.Single(d => d.Id == review.DocumentId);
            views.Add(new DocumentReviewView(document.Id, document.RoomId, document.Title, document.Label, kind, review.Date, review.DaysOverdue, listedAt));
        }
        return TypedResults.Ok<IReadOnlyList<DocumentReviewView>>(views);
    }
}
