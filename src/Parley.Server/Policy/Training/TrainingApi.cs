using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Ledger;
using Parley.Server.Identity;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Sessions;
using Parley.Server.Ledger;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Policy.Facts;
using Parley.Server.Policy.Model;
using Parley.Server.Policy.Resolution;
using Parley.Server.Storage;

namespace Parley.Server.Policy.Training;

/// <summary>
/// Training records: a security officer records course completions for members of their
/// delegation (ledgered), and reads each member's current training. The newest completion
/// decides; without one, the clearance certificate's training date does.
/// </summary>
public static class TrainingApi
{
    public const int MaxCourseLength = 200;

    public static IEndpointRouteBuilder MapTrainingApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/delegations/{code}/training").WithTags("Training");
        group.MapPost("", RecordAsync).RequiresPolicy(Actions.ManageTraining, Resources.Delegation("code"))
            .WithSummary("Records a course completion for a member of the delegation.");
        group.MapGet("", ListAsync).RequiresPolicy(Actions.Inspect, Resources.Delegation("code"))
            .WithSummary("Each member's current training and recorded completions.");
        return app;
    }

    private static async Task<Results<Created<TrainingRecordView>, ProblemHttpResult>> RecordAsync(
        string code, RecordTrainingRequest request, Caller caller, ParleyDbContext db, LedgerWriter ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        var course = request.Course?.Trim() ?? "";
        if (course.Length is 0 or > MaxCourseLength) return Problems.BadRequest($"Name the course (1 to {MaxCourseLength} characters).");
        if (string.IsNullOrWhiteSpace(request.User)) return Problems.BadRequest("Name the member (email or id).");
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (request.CompletedOn > today) return Problems.BadRequest($"The course cannot be completed in the future (today is {today:yyyy-MM-dd} UTC).");
        if (request.ValidUntil < request.CompletedOn) return Problems.BadRequest("A course is valid until a day on or after its completion.");
        var user = await UserResolver.FindAsync(db, request.User.Trim(), cancellationToken);
        if (user is null || user.DelegationCode != code) return Problems.Unacceptable($"{request.User} is not a member of {code}.");

        var record = new TrainingRecord
        {
            Id = Guid.NewGuid(),
            UserId = user.Id,
            DelegationCode = code,
            Course = course,
            CompletedOn = new DateTimeOffset(request.CompletedOn.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            ValidUntil = EndOfDay(request.ValidUntil),
            RecordedBy = caller.User.Id,
            RecordedAt = now,
        };
        db.Add(record);
        ledger.Record(LedgerEventType.TrainingRecorded, caller.User.Id, code, $"user:{user.Id}",
            new LedgerField("record", record.Id.ToString()), new LedgerField("course", course),
            new LedgerField("completed-on", request.CompletedOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
            new LedgerField("valid-until", request.ValidUntil.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/delegations/{code}/training/{record.Id}", View(record, user.Email, caller.User.Email));
    }

    /// <summary>The last instant of a day, UTC: training "valid until 1 March" still counts on 1 March.</summary>
    public static DateTimeOffset EndOfDay(DateOnly day) => new(day.ToDateTime(new TimeOnly(23, 59, 59)), TimeSpan.Zero);

    private static async Task<Ok<IReadOnlyList<TrainingStatusView>>> ListAsync(string code, ParleyDbContext db, PrincipalFacts facts, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var users = await db.Set<UserAccount>().Where(u => u.DelegationCode == code).ToListAsync(cancellationToken);
        var records = await db.Set<TrainingRecord>().Where(t => t.DelegationCode == code).ToListAsync(cancellationToken);
        var recorders = records.Select(r => r.RecordedBy).Distinct().ToList();
        var emails = await db.Set<UserAccount>().Where(u => recorders.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email, cancellationToken);
        var statuses = new List<TrainingStatusView>();
        foreach (var user in users.OrderBy(u => u.Email, StringComparer.OrdinalIgnoreCase))
        {
            var principal = await facts.LoadAsync(user, null, now, cancellationToken);
            var training = principal.Training;
            var own = records.Where(r => r.UserId == user.Id).OrderByDescending(r => r.CompletedOn).ThenByDescending(r => r.RecordedAt)
                .Select(r => View(r, user.Email, emails.GetValueOrDefault(r.RecordedBy, ""))).ToList();
            statuses.Add(new TrainingStatusView(user.Id, user.Email, training.ValidUntil, training.Source, training.ValidUntil >= now, own));
        }
        return TypedResults.Ok<IReadOnlyList<TrainingStatusView>>(statuses);
    }

    private static TrainingRecordView View(TrainingRecord r, string email, string recordedBy) =>
        new(r.Id, r.UserId, email, r.Course, DateOnly.FromDateTime(r.CompletedOn.UtcDateTime), r.ValidUntil, recordedBy, r.RecordedAt);
}
