using System.Globalization;
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
using Parley.Server.Policy.Model;
using Parley.Server.Policy.Resolution;
using Parley.Server.Storage;

namespace Parley.Server.Policy.Grants;

/// <summary>
/// Need-to-know grants: a security officer grants a member of their delegation need-to-know on one
/// resource that requires it (a room, a document) from a start to an expiry, and may revoke it.
/// A grant supplies need-to-know only; the label's conditions still apply. Both acts are ledgered.
/// </summary>
public static class GrantsApi
{
    public const int MaxReasonLength = 500;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(366);

    public static IEndpointRouteBuilder MapGrantsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/delegations/{code}/grants").WithTags("Grants");
        group.MapPost("", CreateAsync).RequiresPolicy(Actions.ManageGrants, Resources.Delegation("code"))
            .WithSummary("Grants a member of the delegation need-to-know on a resource, from a start to an expiry.");
        group.MapGet("", ListAsync).RequiresPolicy(Actions.Inspect, Resources.Delegation("code"))
            .WithSummary("The delegation's grants and their state.");
        group.MapPost("/{id:guid}/revoke", RevokeAsync).RequiresPolicy(Actions.ManageGrants, Resources.Delegation("code"))
            .WithSummary("Revokes a grant.");
        return app;
    }

    private static async Task<Results<Created<GrantView>, ProblemHttpResult>> CreateAsync(
        string code, CreateGrantRequest request, Caller caller, HttpContext http, ParleyDbContext db, ResourceKinds kinds, LedgerWriter ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.User)) return Problems.BadRequest("Name the member (email or id).");
        if (!ResourceKinds.TryParseReference(request.Resource, out var kind, out _)) return Problems.BadRequest("Name the resource as KIND:KEY, e.g. room:NAME.");
        if (!kinds.Knows(kind)) return Problems.BadRequest($"'{kind}' is not a kind of resource here (known: {string.Join(", ", kinds.Names)}).");
        var reason = request.Reason?.Trim();
        if (reason is { Length: > MaxReasonLength }) return Problems.BadRequest($"The reason is at most {MaxReasonLength} characters.");
        var now = time.GetUtcNow();
        var starts = request.StartsAt ?? now;
        if (request.ExpiresAt <= starts) return Problems.BadRequest("A grant expires after it starts.");
        if (request.ExpiresAt <= now) return Problems.BadRequest("The grant would already have expired.");
        if (request.ExpiresAt - starts > MaxDuration) return Problems.BadRequest($"A grant lasts at most {MaxDuration.TotalDays.ToString(CultureInfo.InvariantCulture)} days; grant again when it ends.");

        var user = await UserResolver.FindAsync(db, request.User.Trim(), cancellationToken);
        if (user is null || user.DelegationCode != code) return Problems.Unacceptable($"{request.User} is not a member of {code}.");
        var resource = await kinds.ResolveAsync(request.Resource, http.RequestServices, cancellationToken);
        if (resource is null) return Problems.Unacceptable($"There is no {request.Resource} that you may grant.");
        if (resource.Parties.Count > 0 && !resource.Parties.Contains(code)) return Problems.Unacceptable($"There is no {request.Resource} that you may grant.");
        if (resource.NeedToKnow is null) return Problems.Unacceptable($"{resource.Display} needs no need-to-know beyond its label, so there is nothing to grant.");

        var grant = new AccessGrant
        {
            Id = Guid.NewGuid(), UserId = user.Id, DelegationCode = code, Resource = resource.Reference, StartsAt = starts, ExpiresAt = request.ExpiresAt,
            Reason = string.IsNullOrEmpty(reason) ? null : reason, GrantedBy = caller.User.Id, GrantedAt = now,
        };
        db.Add(grant);
        ledger.Record(LedgerEventType.GrantCreated, caller.User.Id, code, resource.Reference,
            new LedgerField("grant", grant.Id.ToString()), new LedgerField("user", user.Id.ToString()),
            new LedgerField("starts-at", grant.StartsAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
            new LedgerField("expires-at", grant.ExpiresAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/delegations/{code}/grants/{grant.Id}", View(grant, user.Email, caller.User.Email, now));
    }

    private static async Task<Ok<IReadOnlyList<GrantView>>> ListAsync(string code, ParleyDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var grants = await db.Set<AccessGrant>().Where(g => g.DelegationCode == code).ToListAsync(cancellationToken);
        return TypedResults.Ok(await DescribeAsync(db, grants, time.GetUtcNow(), cancellationToken));
    }

    private static async Task<Results<Ok<GrantView>, ProblemHttpResult>> RevokeAsync(string code, Guid id, Caller caller, ParleyDbContext db, LedgerWriter ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        var grant = await db.Set<AccessGrant>().SingleOrDefaultAsync(g => g.Id == id && g.DelegationCode == code, cancellationToken);
        if (grant is null) return Problems.NotFound("There is no such grant in this delegation.");
        if (grant.RevokedAt is not null) return Problems.Conflict("The grant is revoked already.");
        var now = time.GetUtcNow();
        grant.RevokedAt = now;
        grant.RevokedBy = caller.User.Id;
        ledger.Record(LedgerEventType.GrantRevoked, caller.User.Id, code, grant.Resource,
            new LedgerField("grant", grant.Id.ToString()), new LedgerField("user", grant.UserId.ToString()));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok((await DescribeAsync(db, [grant], now, cancellationToken))[0]);
    }

    private static async Task<IReadOnlyList<GrantView>> DescribeAsync(ParleyDbContext db, List<AccessGrant> grants, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ids = grants.SelectMany(g => new[] { g.UserId, g.GrantedBy }).Distinct().ToList();
        var emails = await db.Set<UserAccount>().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email, cancellationToken);
        return grants.OrderByDescending(g => g.GrantedAt).Select(g => View(g, emails[g.UserId], emails.GetValueOrDefault(g.GrantedBy, ""), now)).ToList();
    }

    private static GrantView View(AccessGrant g, string email, string grantedBy, DateTimeOffset now) =>
        new(g.Id, g.UserId, email, g.Resource, g.StartsAt, g.ExpiresAt, g.Reason, grantedBy, g.GrantedAt, g.RevokedAt, Status(g, now));

    public static string Status(AccessGrant g, DateTimeOffset now) =>
        g.RevokedAt is not null ? "revoked" : now < g.StartsAt ? "pending" : now < g.ExpiresAt ? "active" : "expired";
}
