using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Protocol.Api;
using Parley.Server.Identity;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Sessions;
using Parley.Server.Ledger;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Policy.Facts;
using Parley.Server.Policy.Resolution;
using Parley.Server.Storage;
using Microsoft.EntityFrameworkCore;

namespace Parley.Server.Policy.Explain;

/// <summary>
/// The policy's own endpoints: explain a decision about a member (officers and auditors of their
/// delegation), check one's own access before acting, and read the marking scheme and the rules.
/// </summary>
public static class PolicyApi
{
    public static IEndpointRouteBuilder MapPolicyApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/policy").WithTags("Policy");
        group.MapGet("/explain", ExplainAsync)
            .RequiresPolicy(Actions.Explain, Resources.Referenced("resource"), PolicyContextSources.ExplainedUserFromQuery("user"))
            .WithSummary("The decision on ?user= doing ?action= on ?resource= now (with their latest live session), and every rule evaluated.");
        group.MapGet("/access", Access)
            .RequiresPolicy(new ActionLocator.FromQuery("action"), Resources.Referenced("resource"),
                PolicyContextSources.WrittenLabelFromQuery("label"), PolicyContextSources.ItemHashFromQuery("item"), PolicyContextSources.DowngradeFromQuery("downgrade"))
            .WithSummary("May I do ?action= on ?resource= (writing ?label=)? 200 with the decision when permitted; 403 with the reason, or 404, when not.");
        group.MapGet("/scheme", Scheme).RequiresPolicy(Actions.ReadPolicy, Resources.System)
            .WithSummary("The marking scheme and what each label needs of a session.");
        group.MapGet("/rules", Rules).RequiresPolicy(Actions.ReadPolicy, Resources.System)
            .WithSummary("Every rule of the policy: id, effect, condition, reason.");
        return app;
    }

    private static async Task<Results<Ok<PolicyDecisionView>, ProblemHttpResult>> ExplainAsync(
        string action, string? label, HttpContext http, Caller caller, ParleyDbContext db, PolicyEngine engine, PrincipalFacts facts, LedgerWriter ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        var authorising = PolicyEnforcement.DecisionOf(http).Request;
        var explained = Actions.Find(action?.Trim());
        if (explained is null) return Problems.BadRequest($"'action' must name an action: {string.Join(", ", Actions.All.Select(a => a.Name))}.");
        var context = PolicyContext.Empty;
        if (!string.IsNullOrEmpty(label))
        {
            var parsed = engine.Settings.Scheme.ParseBanner(label);
            if (!parsed.TryGetValue(out var written, out var error)) return Problems.BadRequest($"The label of the content is not valid: {error.Message}");
            context = context with { WrittenLabel = written };
        }
        var resource = authorising.Resource;
        var user = await db.Set<UserAccount>().AsNoTracking().SingleAsync(u => u.Id == authorising.Context.ExplainedUser!.Id, cancellationToken);
        var now = time.GetUtcNow();
        if (resource.NeedToKnow is not null) context = context with { Grants = await facts.GrantsAsync(user.Id, resource.Reference, cancellationToken) };
        var session = await facts.LatestLiveSessionAsync(user.Id, now, cancellationToken);
        var principal = await facts.LoadAsync(user, session, now, cancellationToken);
        var decision = engine.Decide(new PolicyRequest(principal, explained, resource, context, now));
        DecisionLog.Record(ledger, decision, "explain", explainedBy: caller.User.Id);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(decision.ToView());
    }

    private static Ok<PolicyDecisionView> Access(HttpContext http) => TypedResults.Ok(PolicyEnforcement.DecisionOf(http).ToView());

    private static Ok<PolicySchemeView> Scheme(PolicyEngine engine) => TypedResults.Ok(new PolicySchemeView(
        engine.Settings.Scheme.ToDefinition(),
        engine.Settings.Assurance.Select(a => new AssuranceRequirementView(a.AtOrAbove.Name, a.Aal, (int)a.Within.TotalMinutes)).ToList()));

    private static Ok<IReadOnlyList<PolicyRuleView>> Rules(PolicyEngine engine) =>
        TypedResults.Ok<IReadOnlyList<PolicyRuleView>>(engine.Rules.Select(r => new PolicyRuleView(r.Id, r.EffectName, r.Condition, r.Reason)).ToList());
}
