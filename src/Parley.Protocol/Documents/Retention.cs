namespace Parley.Protocol.Documents;

/// <summary>When a document is to be reviewed for declassification and for destruction (DESIGN §9).</summary>
/// <param name="DeclassifyOn">The date from which the document may be declassified, if any.</param>
/// <param name="DestroyAfter">The date after which the document is to be destroyed, if any.</param>
public sealed record RetentionSchedule(DateOnly? DeclassifyOn, DateOnly? DestroyAfter)
{
    /// <summary>No review date.</summary>
    public static RetentionSchedule None { get; } = new(null, null);
}

/// <summary>What a review is for.</summary>
public enum ReviewKind
{
    /// <summary>The declassify-on date has come: the security officer decides whether to lower the label.</summary>
    Declassification = 1,
    /// <summary>The destroy-after date has passed: the security officer decides whether to destroy.</summary>
    Destruction = 2,
}

/// <summary>One review due, for the security officer's list.</summary>
/// <param name="DocumentId">The document.</param>
/// <param name="Kind">Declassification or destruction.</param>
/// <param name="Date">The date in the schedule.</param>
/// <param name="DaysOverdue">Days since that date (0 on the day itself).</param>
public sealed record ReviewDue(Guid DocumentId, ReviewKind Kind, DateOnly Date, int DaysOverdue);

/// <summary>
/// The daily retention review: which documents are due for a declassification or destruction review.
/// It only lists; nothing is declassified or destroyed without a security officer's confirmation.
/// </summary>
public static class RetentionReview
{
    /// <summary>
    /// Reviews due on <paramref name="today"/>: a declassification review from the declassify-on date, a
    /// destruction review from the day after the destroy-after date; documents already destroyed are skipped.
    /// Oldest first, then by document id, so the list is stable from one day to the next.
    /// </summary>
    public static IReadOnlyList<ReviewDue> Due(IEnumerable<(Guid DocumentId, RetentionSchedule Schedule, bool Destroyed)> documents, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var due = new List<ReviewDue>();
        foreach (var (id, schedule, destroyed) in documents)
        {
            if (destroyed) continue;
            if (schedule.DeclassifyOn is { } declassify && declassify <= today)
                due.Add(new ReviewDue(id, ReviewKind.Declassification, declassify, today.DayNumber - declassify.DayNumber));
            if (schedule.DestroyAfter is { } destroy && destroy < today)
                due.Add(new ReviewDue(id, ReviewKind.Destruction, destroy, today.DayNumber - destroy.DayNumber));
        }
        return due.OrderBy(d => d.Date).ThenBy(d => d.DocumentId).ThenBy(d => d.Kind).ToList();
    }
}
