using Parley.Server.Identity;
using Parley.Server.Identity.Sessions;
using Parley.Server.Ledger;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Facts;
using Parley.Server.Policy.Resolution;
using Parley.Server.Storage;

namespace Parley.Server.Policy.Enforcement;

/// <summary>
/// The one enforcement point. For every endpoint, before its handler runs: refuse endpoints that
/// declare no policy (fail closed), let public entry points through, require a session (401),
/// find the action and the resource (404 when there is none), read the request facts the rules
/// need, decide, commit the decision to the ledger, and then answer 404 (a resource the caller may
/// not know about), 400 (a request fact was malformed), 403 with the decision, the deciding rules,
/// the reason and whether a step-up would help, or run the handler.
/// </summary>
public sealed partial class PolicyEnforcement(RequestDelegate next, ILogger<PolicyEnforcement> logger)
{
    public async Task InvokeAsync(HttpContext http, PolicyEngine engine, ResourceKinds kinds, PrincipalFacts facts, ParleyDbContext db, LedgerWriter ledger, TimeProvider time)
    {
        var endpoint = http.GetEndpoint();
        // Every endpoint of the application is a route endpoint; the others are routing's own
        // answers (405 for a known path with another method), which reach no handler of ours.
        if (endpoint is not RouteEndpoint)
        {
            await next(http);
            return;
        }
        var policy = endpoint.Metadata.GetMetadata<EndpointPolicy>();
        if (policy is null)
        {
            LogUndeclared(logger, endpoint.DisplayName ?? "(unnamed)");
            await TypedResults.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "No access policy",
                detail: "This endpoint declares no access policy, so it is refused.", type: "urn:parley:problem:no-policy").ExecuteAsync(http);
            return;
        }
        if (policy.IsPublic)
        {
            await next(http);
            return;
        }

        var caller = http.Features.Get<Caller>();
        if (caller is null)
        {
            await TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in required",
                detail: SessionAuthenticationHandler.FailureOf(http) ?? "This needs a signed-in session (cookie or bearer token).",
                type: "urn:parley:problem:unauthenticated").ExecuteAsync(http);
            return;
        }

        var action = FindAction(http, policy.Action!);
        if (action.Problem is not null)
        {
            await Problems.BadRequest(action.Problem).ExecuteAsync(http);
            return;
        }
        var (resource, resourceProblem) = await FindResourceAsync(http, policy.Resource!, caller, kinds);
        if (resourceProblem is not null)
        {
            await Problems.BadRequest(resourceProblem).ExecuteAsync(http);
            return;
        }
        if (resource is null)
        {
            await Problems.NotFound().ExecuteAsync(http);
            return;
        }

        // A fact that cannot be read is answered after the decision: a caller who may not know the
        // resource gets the same 404 whatever they sent.
        var context = PolicyContext.Empty;
        string? contextProblem = null;
        foreach (var source in policy.Context)
        {
            var reading = await source.ReadAsync(http, context);
            contextProblem ??= reading.Problem;
            context = reading.Context;
        }

        var now = time.GetUtcNow();
        if (resource.NeedToKnow is not null) context = context with { Grants = await facts.GrantsAsync(caller.User.Id, resource.Reference, http.RequestAborted) };
        var principal = await facts.LoadAsync(caller.User, caller.Session, now, http.RequestAborted);
        var decision = engine.Decide(new PolicyRequest(principal, action.Action!, resource, context, now));

        // Committed before the handler runs: an action whose decision is not in the ledger does not happen.
        DecisionLog.Record(ledger, decision, Via(http, endpoint));
        await db.SaveChangesAsync(http.RequestAborted);
        http.Features.Set(decision);

        if (decision.Hidden)
        {
            await Problems.NotFound().ExecuteAsync(http);
            return;
        }
        if (contextProblem is not null)
        {
            await Problems.BadRequest(contextProblem).ExecuteAsync(http);
            return;
        }
        if (!decision.Permitted)
        {
            await Denied(decision).ExecuteAsync(http);
            return;
        }
        await next(http);
    }

    /// <summary>The decision that let the request reach its handler.</summary>
    public static PolicyDecision DecisionOf(HttpContext http) =>
        http.Features.Get<PolicyDecision>() ?? throw new InvalidOperationException("The request reached its handler without a policy decision.");

    /// <summary>The 403 answer of a denial.</summary>
    public static IResult Denied(PolicyDecision decision) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden,
        title: decision.StepUp ? "Step-up required" : "Denied",
        detail: decision.Reason,
        type: decision.StepUp ? "urn:parley:problem:step-up-required" : "urn:parley:problem:denied",
        extensions: new Dictionary<string, object?>
        {
            ["decision"] = decision.Outcome,
            ["kind"] = PolicyDecision.KindName(decision.Kind),
            ["rules"] = decision.DecidingRules,
            ["reason"] = decision.Reason,
            ["stepUp"] = decision.StepUp,
            ["stepUpWith"] = decision.StepUpWith,
        });

    private static (PolicyAction? Action, string? Problem) FindAction(HttpContext http, ActionLocator locator)
    {
        switch (locator)
        {
            case ActionLocator.Fixed fixedAction:
                return (fixedAction.Action, null);
            case ActionLocator.FromQuery query:
                var name = http.Request.Query[query.Parameter].FirstOrDefault();
                var action = Actions.Find(name?.Trim());
                return action is null
                    ? (null, $"'{query.Parameter}' must name an action: {string.Join(", ", Actions.All.Select(a => a.Name))}.")
                    : (action, null);
            default:
                throw new InvalidOperationException($"Unknown action locator {locator}.");
        }
    }

    private static async Task<(PolicyResource? Resource, string? Problem)> FindResourceAsync(HttpContext http, ResourceLocator locator, Caller caller, ResourceKinds kinds)
    {
        var services = http.RequestServices;
        var cancellationToken = http.RequestAborted;
        switch (locator)
        {
            case ResourceLocator.Self:
                return (UserResolver.Describe(caller.User), null);
            case ResourceLocator.Fixed f:
                return (await Resolver(kinds, f.FixedKind, services).ResolveAsync(f.Key, cancellationToken), null);
            case ResourceLocator.FromRoute route:
                var key = http.GetRouteValue(route.Parameter)?.ToString()
                    ?? throw new InvalidOperationException($"The route has no parameter '{route.Parameter}' to find the {route.RouteKind} by.");
                return (await Resolver(kinds, route.RouteKind, services).ResolveAsync(key, cancellationToken), null);
            case ResourceLocator.FromQuery query:
                var value = http.Request.Query[query.Parameter].FirstOrDefault();
                if (string.IsNullOrWhiteSpace(value)) return (null, $"Name the {query.QueryKind} with '{query.Parameter}='.");
                return (await Resolver(kinds, query.QueryKind, services).ResolveAsync(value.Trim(), cancellationToken), null);
            case ResourceLocator.ReferenceFromQuery reference:
                var text = http.Request.Query[reference.Parameter].FirstOrDefault();
                if (!ResourceKinds.TryParseReference(text, out var kind, out var resourceKey))
                    return (null, $"Name the resource with '{reference.Parameter}=KIND:KEY', e.g. label:SECRET//ALPHA or delegation:ATL.");
                if (!kinds.Knows(kind)) return (null, $"'{kind}' is not a kind of resource here (known: {string.Join(", ", kinds.Names)}).");
                return (await Resolver(kinds, kind, services).ResolveAsync(resourceKey, cancellationToken), null);
            default:
                throw new InvalidOperationException($"Unknown resource locator {locator}.");
        }
    }

    private static IResourceResolver Resolver(ResourceKinds kinds, string kind, IServiceProvider services) =>
        kinds.ResolverFor(kind, services) ?? throw new InvalidOperationException($"No resolver is registered for resource kind '{kind}'.");

    private static string? Via(HttpContext http, Endpoint endpoint) =>
        endpoint is RouteEndpoint route ? $"{http.Request.Method} /{route.RoutePattern.RawText?.Trim('/')}" : null;

    [LoggerMessage(Level = LogLevel.Error, Message = "Endpoint {Endpoint} declares no access policy; refused.")]
    private static partial void LogUndeclared(ILogger logger, string endpoint);
}
