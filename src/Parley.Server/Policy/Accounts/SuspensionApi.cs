using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Protocol.Api;
using Parley.Protocol.Ledger;
using Parley.Server.Identity;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Sessions;
using Parley.Server.Ledger;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Policy.Resolution;
using Parley.Server.Storage;

namespace Parley.Server.Policy.Accounts;

/// <summary>
/// Suspension: a security officer suspends a member of their delegation (every action but seeing
/// and ending their own session is then refused by <c>forbid.account-suspended</c>, from the next
/// request on, and sign-in is refused) and reinstates them. Both are ledgered (1060, 1061).
/// </summary>
public static class SuspensionApi
{
    public const int MaxReasonLength = 500;

    public static IEndpointRouteBuilder MapSuspensionApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/delegations/{code}/members/{user}").WithTags("Security officer")
            .RequiresPolicy(Actions.SuspendAccount, Resources.Delegation("code"));
        group.MapPost("/suspend", SuspendAsync).WithSummary("Suspends a member's account.");
        group.MapPost("/reinstate", ReinstateAsync).WithSummary("Reinstates a suspended account.");
        return app;
    }

    private static async Task<Results<Ok<DirectoryUser>, ProblemHttpResult>> SuspendAsync(
        string code, string user, SuspendRequest request, Caller caller, ParleyDbContext db, LedgerWriter ledger, CancellationToken cancellationToken)
    {
        var reason = request.Reason?.Trim() ?? "";
        if (reason.Length is 0 or > MaxReasonLength) return Problems.BadRequest($"Say why (1 to {MaxReasonLength} characters).");
        var account = await UserResolver.FindAsync(db, user, cancellationToken);
        if (account is null || account.DelegationCode != code) return Problems.NotFound($"There is no member {user} in {code}.");
        if (account.Id == caller.User.Id) return Problems.Conflict("You cannot suspend yourself; ask another officer.");
        if (account.Status == AccountStatus.Suspended) return Problems.Conflict($"{account.Email} is suspended already.");
        account.Status = AccountStatus.Suspended;
        ledger.Record(LedgerEventType.AccountSuspended, caller.User.Id, code, $"user:{account.Id}",
            new LedgerField("reason-hmac", ledger.Hmac(reason)));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(Views.DirectoryUser(account));
    }

    private static async Task<Results<Ok<DirectoryUser>, ProblemHttpResult>> ReinstateAsync(
        string code, string user, Caller caller, ParleyDbContext db, LedgerWriter ledger, CancellationToken cancellationToken)
    {
        var account = await UserResolver.FindAsync(db, user, cancellationToken);
        if (account is null || account.DelegationCode != code) return Problems.NotFound($"There is no member {user} in {code}.");
        if (account.Status != AccountStatus.Suspended) return Problems.Conflict($"{account.Email} is not suspended.");
        account.Status = AccountStatus.Active;
        ledger.Record(LedgerEventType.AccountReinstated, caller.User.Id, code, $"user:{account.Id}");
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(Views.DirectoryUser(account));
    }
}
