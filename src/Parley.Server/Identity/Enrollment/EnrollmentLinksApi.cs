using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Security;
using Parley.Server.Identity.Sessions;
using Parley.Server.Ledger;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Policy.Engine;
using Parley.Server.Storage;

namespace Parley.Server.Identity.Enrollment;

/// <summary>
/// One-time enrollment links of a delegation: <c>/api/delegations/{code}/enrollments</c>. The host
/// administrator makes links for security officers; an officer makes links for the delegation's
/// members (any role but host administrator).
/// </summary>
public static class EnrollmentLinksApi
{
    public const int DefaultLifetimeHours = 72;
    public const int MaxLifetimeHours = 24 * 14;

    public static IEndpointRouteBuilder MapEnrollmentLinksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/delegations/{code}/enrollments").WithTags("Enrollment").RequiresPolicy(Actions.ManageEnrollments, Resources.Delegation("code"));
        group.MapPost("", CreateAsync).WithSummary("Creates a one-time enrollment link; the token is shown once.")
            .RequiresPolicy(Actions.ManageEnrollments, Resources.Delegation("code"), PolicyContextSources.RolesFromBody<CreateEnrollmentRequest>(r => r.Roles));
        group.MapGet("", ListAsync).WithSummary("The delegation's enrollment links and their state.");
        group.MapDelete("/{id:guid}", WithdrawAsync).WithSummary("Withdraws a pending enrollment link.");
        return app;
    }

    private static async Task<Results<Created<CreatedEnrollment>, ProblemHttpResult>> CreateAsync(
        string code, CreateEnrollmentRequest request, Caller caller, HttpContext http, ParleyDbContext db, LedgerWriter ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        var delegation = await db.Set<DelegationRecord>().SingleOrDefaultAsync(d => d.Code == code, cancellationToken);
        if (delegation is null) return Problems.NotFound($"There is no delegation {code}.");
        if (request.Delegation is not null && request.Delegation != code)
            return Problems.BadRequest($"The request names delegation {request.Delegation} but the address names {code}.");
        if (!Emails.IsPlausible(request.Email)) return Problems.BadRequest("Give the enrollee's email address.");
        if (!RoleNames.Parse(request.Roles ?? []).TryGetValue(out var roles, out var roleError)) return Problems.BadRequest(roleError.Message);
        if (roles == Roles.None) return Problems.BadRequest("Give at least one role.");
        var hours = request.ExpiresInHours ?? DefaultLifetimeHours;
        if (hours is < 1 or > MaxLifetimeHours) return Problems.BadRequest($"An enrollment link lasts 1 to {MaxLifetimeHours} hours.");

        var now = time.GetUtcNow();
        var normalized = Emails.Normalize(request.Email);
        if (await db.Set<UserAccount>().AnyAsync(u => u.NormalizedEmail == normalized, cancellationToken))
            return Problems.Conflict("An account with this email address exists already.");
        var pending = await db.Set<EnrollmentRecord>().Where(e => e.UsedAt == null && e.WithdrawnAt == null && e.ExpiresAt > now).Select(e => e.Email).ToListAsync(cancellationToken);
        if (pending.Any(e => Emails.Normalize(e) == normalized))
            return Problems.Conflict("A pending enrollment link exists for this email address; withdraw it first.");

        var token = Tokens.New();
        var enrollment = new EnrollmentRecord
        {
            Id = Guid.NewGuid(),
            TokenHash = Tokens.Hash(token),
            UserId = Guid.NewGuid(),
            Email = request.Email.Trim(),
            Roles = roles,
            DelegationCode = code,
            CreatedAt = now,
            ExpiresAt = now.AddHours(hours),
            CreatedBy = caller.User.Id,
        };
        db.Add(enrollment);
        ledger.Record(LedgerEventType.EnrollmentCreated, caller.User.Id, code, $"enrollment:{enrollment.Id}",
            new LedgerField("email-hmac", ledger.Hmac(enrollment.Email)), new LedgerField("roles", string.Join(",", RoleNames.ToNames(roles))),
            new LedgerField("user", enrollment.UserId.ToString()),
            new LedgerField("expires-at", enrollment.ExpiresAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)));
        await db.SaveChangesAsync(cancellationToken);

        var link = Link(http, token, delegation.RootFingerprint);
        return TypedResults.Created($"/api/delegations/{code}/enrollments/{enrollment.Id}",
            new CreatedEnrollment(Views.Enrollment(enrollment, caller.User.Email, now), token, link));
    }

    /// <summary>The link handed to the enrollee: the token and the root fingerprint travel in the fragment, which browsers never send.</summary>
    public static string Link(HttpContext http, string token, string? rootFingerprint)
    {
        var link = $"{http.Request.Scheme}://{http.Request.Host}/enroll#token={token}";
        return rootFingerprint is null ? link : $"{link}&root={rootFingerprint}";
    }

    private static async Task<Ok<IReadOnlyList<EnrollmentView>>> ListAsync(string code, ParleyDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var enrollments = await db.Set<EnrollmentRecord>().Where(e => e.DelegationCode == code).ToListAsync(cancellationToken);
        var creators = await CreatorsAsync(db, enrollments, cancellationToken);
        var now = time.GetUtcNow();
        return TypedResults.Ok<IReadOnlyList<EnrollmentView>>(enrollments.OrderByDescending(e => e.CreatedAt)
            .Select(e => Views.Enrollment(e, creators.GetValueOrDefault(e.CreatedBy ?? Guid.Empty, "server"), now)).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> WithdrawAsync(string code, Guid id, Caller caller, ParleyDbContext db, LedgerWriter ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        var enrollment = await db.Set<EnrollmentRecord>().SingleOrDefaultAsync(e => e.Id == id && e.DelegationCode == code, cancellationToken);
        if (enrollment is null) return Problems.NotFound();
        var now = time.GetUtcNow();
        if (Views.EnrollmentStatus(enrollment, now) != "pending")
            return Problems.Conflict($"The enrollment is {Views.EnrollmentStatus(enrollment, now)}; only a pending one can be withdrawn.");
        enrollment.WithdrawnAt = now;
        ledger.Record(LedgerEventType.EnrollmentWithdrawn, caller.User.Id, code, $"enrollment:{enrollment.Id}");
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Dictionary<Guid, string>> CreatorsAsync(ParleyDbContext db, List<EnrollmentRecord> enrollments, CancellationToken cancellationToken)
    {
        var ids = enrollments.Where(e => e.CreatedBy is not null).Select(e => e.CreatedBy!.Value).Distinct().ToList();
        return await db.Set<UserAccount>().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email, cancellationToken);
    }
}
