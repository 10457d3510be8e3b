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
using Parley.Server.Storage;

namespace Parley.Server.Policy.Downgrades;

/// <summary>
/// Downgrades: writing content below its container's label is refused (<c>forbid.write-down</c>)
/// unless a security officer, cleared for the container, authorised it beforehand as a separate,
/// ledgered act: to which label, optionally for which item, until when. A writer names the
/// downgrade with the write; the rule checks it covers the resource, the label and the item.
/// </summary>
public static class DowngradesApi
{
    public const int MaxJustificationLength = 1000;

    public static IEndpointRouteBuilder MapDowngradesApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/policy/downgrades", CreateAsync).WithTags("Policy")
            .RequiresPolicy(Actions.Downgrade, Resources.Referenced("resource"))
            .WithSummary("Authorises writing ?resource='s content at a lower label (security officer cleared for the resource).");
        app.MapGet("/api/delegations/{code}/downgrades", ListAsync).WithTags("Policy")
            .RequiresPolicy(Actions.Inspect, Resources.Delegation("code"))
            .WithSummary("The downgrades the delegation's officers authorised.");
        return app;
    }

    private static async Task<Results<Created<DowngradeView>, ProblemHttpResult>> CreateAsync(
        CreateDowngradeRequest request, HttpContext http, Caller caller, ParleyDbContext db, PolicyEngine engine, LedgerWriter ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        var resource = PolicyEnforcement.DecisionOf(http).Request.Resource;
        if (resource.Label is not { } from) return Problems.Unacceptable($"{resource.Display} carries no label to downgrade from.");
        if (string.IsNullOrWhiteSpace(request.Label)) return Problems.BadRequest("Give the label the content will carry.");
        if (!engine.Settings.Scheme.ParseBanner(request.Label.Trim()).TryGetValue(out var to, out var error))
            return Problems.BadRequest($"The label is not valid: {error.Message}");
        if (to == from || !from.Dominates(to)) return Problems.Unacceptable($"{to} is not below {from}; a downgrade goes to a lower label.");
        var justification = request.Justification?.Trim() ?? "";
        if (justification.Length is 0 or > MaxJustificationLength) return Problems.BadRequest($"Justify the downgrade (1 to {MaxJustificationLength} characters).");
        var item = request.ItemHash?.Trim().ToLowerInvariant();
        if (item is not null && !PolicyContextSources.IsSha256Hex(item)) return Problems.BadRequest("The item hash is 64 hex digits (SHA-256).");
        var hours = request.ExpiresInHours ?? 24;
        if (hours is < 1 or > 168) return Problems.BadRequest("A downgrade lasts 1 to 168 hours.");

        var now = time.GetUtcNow();
        var record = new DowngradeRecord
        {
            Id = Guid.NewGuid(), Resource = resource.Reference, FromLabel = from.ToBanner(), ToLabel = to.ToBanner(), ItemHash = item,
            Justification = justification, DelegationCode = caller.User.DelegationCode!, AuthorizedBy = caller.User.Id, AuthorizedAt = now, ExpiresAt = now.AddHours(hours),
        };
        db.Add(record);
        var fields = new List<LedgerField>
        {
            new("downgrade", record.Id.ToString()), new("from", record.FromLabel), new("to", record.ToLabel),
            new("justification-hmac", ledger.Hmac(justification)),
            new("expires-at", record.ExpiresAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
        };
        if (item is not null) fields.Add(new("item-hash", item));
        ledger.Record(LedgerEventType.Downgrade, caller.User.Id, record.DelegationCode, resource.Reference, fields.ToArray());
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/delegations/{record.DelegationCode}/downgrades", View(record, caller.User.Email));
    }

    private static async Task<Ok<IReadOnlyList<DowngradeView>>> ListAsync(string code, ParleyDbContext db, CancellationToken cancellationToken)
    {
        var records = await db.Set<DowngradeRecord>().Where(d => d.DelegationCode == code).ToListAsync(cancellationToken);
        var ids = records.Select(r => r.AuthorizedBy).Distinct().ToList();
        var emails = await db.Set<UserAccount>().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<DowngradeView>>(records.OrderByDescending(r => r.AuthorizedAt).Select(r => View(r, emails.GetValueOrDefault(r.AuthorizedBy, ""))).ToList());
    }

    private static DowngradeView View(DowngradeRecord r, string by) => new(r.Id, r.Resource, r.FromLabel, r.ToLabel, r.ItemHash, by, r.AuthorizedAt, r.ExpiresAt);
}
