using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Parley.Server.Identity.Authorization;

/// <summary>
/// Turns authorization outcomes into problem details: 401 when there is no valid session (saying why,
/// e.g. expired), 404 when the caller may not know the resource exists, 403 with "step up" when only
/// a fresh second factor is missing, 403 otherwise.
/// </summary>
public sealed class ProblemAuthorizationResults : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (result.Challenged)
        {
            var failure = Sessions.SessionAuthenticationHandler.FailureOf(context);
            await TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in required",
                detail: failure ?? "This needs a signed-in session (cookie or bearer token).", type: "urn:parley:problem:unauthenticated").ExecuteAsync(context);
            return;
        }
        if (result.Forbidden)
        {
            var failed = result.AuthorizationFailure?.FailedRequirements.ToList() ?? [];
            IResult problem = failed.Any(r => r is IHiddenResourceRequirement)
                ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "There is nothing here that you may see.")
                : failed.Any(r => r is RecentAuthenticationRequirement) && failed.Count == 1
                    ? TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Step-up required",
                        detail: "Confirm it is you with a second factor (POST /api/auth/step-up), then try again.", type: "urn:parley:problem:step-up-required")
                    : TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: "Your role does not allow this.");
            await problem.ExecuteAsync(context);
            return;
        }
        await _default.HandleAsync(next, context, policy, result);
    }
}
