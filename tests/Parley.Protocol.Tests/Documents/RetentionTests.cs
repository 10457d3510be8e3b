using Parley.Protocol.Documents;

namespace Parley.Protocol.Tests.Documents;

/// <summary>The daily retention review lists what is due, on the right day, and nothing else.</summary>
public class RetentionTests
{
    private static readonly DateOnly Today = new(2026, 11, 28);

    [Fact]
    public void Reviews_fall_due_on_the_declassify_on_date_and_after_the_destroy_after_date()
    {
        var a = Guid.Parse("00000000-0000-0000-0000-00000000000a");
        var b = Guid.Parse("00000000-0000-0000-0000-00000000000b");
        var c = Guid.Parse("00000000-0000-0000-0000-00000000000c");
        var d = Guid.Parse("00000000-0000-0000-0000-00000000000d");
        var due = RetentionReview.Due(
        [
            (a, new RetentionSchedule(Today, Today), false),                                // declassify today; destroy only tomorrow
            (b, new RetentionSchedule(Today.AddDays(1), Today.AddDays(-3)), false),         // destroy 3 days overdue
            (c, new RetentionSchedule(Today.AddDays(-10), null), true),                     // already destroyed
            (d, RetentionSchedule.None, false),
        ], Today);
        Assert.Equal(
        [
            new ReviewDue(b, ReviewKind.Destruction, Today.AddDays(-3), 3),
            new ReviewDue(a, ReviewKind.Declassification, Today, 0),
        ], due);
        // A destroy-after date is a last day of keeping: no destruction review on the day itself.
        Assert.Empty(RetentionReview.Due([(a, new RetentionSchedule(Today.AddDays(1), Today), false)], Today));
        Assert.Single(RetentionReview.Due([(a, new RetentionSchedule(Today.AddDays(1), Today), false)], Today.AddDays(1)), r => r.Kind == ReviewKind.Destruction);
    }
}
