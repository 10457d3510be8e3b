using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Sessions;
using Parley.Server.Ledger;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Policy.Engine;
using Parley.Server.Storage;

namespace Parley.Server.Identity.Delegations;

/// <summary>Delegations: the host administrator creates them; any signed-in user reads them (with their roots).</summary>
public static class DelegationsApi
{
    public static IEndpointRouteBuilder MapDelegationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/delegations").WithTags("Delegations");
        group.MapPost("", CreateAsync).RequiresPolicy(Actions.CreateDelegation, Resources.System)
            .WithSummary("Creates a delegation (host administrator).");
        group.MapGet("", ListAsync).RequiresPolicy(Actions.ReadDelegations, Resources.System)
            .WithSummary("All delegations, with their signed roots.");
        group.MapGet("/{code}", GetAsync).RequiresPolicy(Actions.ReadDelegations, Resources.Delegation("code"))
            .WithSummary("One delegation, with its signed root.");
        return app;
    }

    private static async Task<Results<Created<DelegationView>, ProblemHttpResult>> CreateAsync(
        CreateDelegationRequest request, Caller caller, ParleyDbContext db, LedgerWriter ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!DelegationCode.IsValid(request.Code)) return Problems.BadRequest("A delegation code is 2 to 8 capital letters, e.g. GBR.");
        var name = request.Name?.Trim() ?? "";
        var nationality = request.Nationality?.Trim() ?? "";
        if (name.Length is 0 or > 200) return Problems.BadRequest("Name the delegation (1 to 200 characters).");
        if (nationality.Length is 0 or > 100) return Problems.BadRequest("Give the delegation's nationality (1 to 100 characters).");
        if (await db.Set<DelegationRecord>().AnyAsync(d => d.Code == request.Code, cancellationToken))
            return Problems.Conflict($"Delegation {request.Code} already exists.");
        var delegation = new DelegationRecord { Code = request.Code, Name = name, Nationality = nationality, CreatedAt = time.GetUtcNow(), CreatedBy = caller.User.Id };
        db.Add(delegation);
        ledger.Record(LedgerEventType.DelegationCreated, caller.User.Id, delegation.Code, $"delegation:{delegation.Code}");
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/delegations/{delegation.Code}", Views.Delegation(delegation));
    }

    private static async Task<Ok<IReadOnlyList<DelegationView>>> ListAsync(ParleyDbContext db, CancellationToken cancellationToken)
    {
        var all = await db.Set<DelegationRecord>().OrderBy(d => d.Code).ToListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<DelegationView>>(all.Select(Views.Delegation).ToList());
    }

    private static async Task<Results<Ok<DelegationView>, ProblemHttpResult>> GetAsync(string code, ParleyDbContext db, CancellationToken cancellationToken)
    {
        var delegation = await db.Set<DelegationRecord>().SingleOrDefaultAsync(d => d.Code == code, cancellationToken);
        return delegation is null ? Problems.NotFound($"There is no delegation {code}.") : TypedResults.Ok(Views.Delegation(delegation));
    }
}
