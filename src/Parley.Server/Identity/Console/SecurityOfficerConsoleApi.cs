using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Server.Identity.Clearances;
using Parley.Server.Identity.Model;
using Parley.Server.Storage;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Policy.Engine;

namespace Parley.Server.Identity.Console;

/// <summary>The security officer's console: members with clearance, devices and lock state, and sign-in attempts.</summary>
public static class SecurityOfficerConsoleApi
{
    public const int MaxAttempts = 500;

    public static IEndpointRouteBuilder MapSecurityOfficerConsoleApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/delegations/{code}").WithTags("Security officer").RequiresPolicy(Actions.Inspect, Resources.Delegation("code"));
        group.MapGet("/members", MembersAsync).WithSummary("Members with their current clearance, active devices, last sign-in and lock state.");
        group.MapGet("/sign-ins", SignInsAsync).WithSummary($"The delegation's latest {MaxAttempts} sign-in attempts.");
        return app;
    }

    private static async Task<Ok<IReadOnlyList<MemberView>>> MembersAsync(string code, ParleyDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var users = await db.Set<UserAccount>().Where(u => u.DelegationCode == code).ToListAsync(cancellationToken);
        var clearances = await db.Set<ClearanceRecord>().Where(c => c.DelegationCode == code && c.RevokedAt == null).ToListAsync(cancellationToken);
        var current = clearances.Where(c => c.ValidUntil > now).GroupBy(c => c.SubjectUserId).ToDictionary(g => g.Key, g => g.OrderByDescending(c => c.IssuedAt).First());
        var views = (await ClearancesApi.DescribeAsync(db, current.Values.ToList(), cancellationToken)).ToDictionary(v => v.SubjectUserId);
        var ids = users.Select(u => u.Id).ToList();
        var devices = await db.Set<DeviceRecord>().Where(d => ids.Contains(d.UserId) && d.RevokedAt == null)
            .GroupBy(d => d.UserId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<MemberView>>(users.OrderBy(u => u.DisplayName, StringComparer.Ordinal)
            .Select(u => new MemberView(Views.DirectoryUser(u), views.GetValueOrDefault(u.Id), devices.GetValueOrDefault(u.Id), u.LastSignInAt, u.LockedUntil > now))
            .ToList());
    }

    private static async Task<Ok<IReadOnlyList<SignInAttemptView>>> SignInsAsync(string code, ParleyDbContext db, CancellationToken cancellationToken)
    {
        var attempts = await db.Set<SignInAttempt>().Where(a => a.DelegationCode == code).OrderByDescending(a => a.Id).Take(MaxAttempts).ToListAsync(cancellationToken);
        var ids = attempts.Where(a => a.UserId is not null).Select(a => a.UserId!.Value).Distinct().ToList();
        var emails = await db.Set<UserAccount>().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<SignInAttemptView>>(attempts
            .Select(a => new SignInAttemptView(a.At, a.UserId is { } id ? emails.GetValueOrDefault(id, "") : "", a.UserId, a.Address,
                a.Reason is null ? a.Outcome : $"{a.Outcome}: {a.Reason}", a.Method))
            .ToList());
    }
}
