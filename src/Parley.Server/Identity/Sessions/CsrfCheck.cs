using System.Security.Cryptography;
using System.Text;
using Parley.Protocol.Api;

namespace Parley.Server.Identity.Sessions;

/// <summary>
/// Antiforgery for cookie sessions: an unsafe request (anything but GET, HEAD, OPTIONS, TRACE) to an
/// endpoint that needs a session must carry <c>X-CSRF-TOKEN</c> equal to the session's token. A
/// bearer token is not sent by browsers on their own, so bearer sessions need no such header.
/// </summary>
public static class CsrfCheck
{
    public static async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var caller = context.Features.Get<Caller>();
        if (caller is { Session.Client: ClientKind.Web } && !IsSafe(context.Request.Method)
            && context.GetEndpoint()?.Metadata.GetMetadata<Policy.Enforcement.EndpointPolicy>() is not { IsPublic: true }
            && !Matches(context.Request.Headers[SessionCookie.CsrfHeader].ToString(), caller.Session.CsrfToken))
        {
            await TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Antiforgery token missing or wrong",
                detail: $"Requests that change something must carry the header {SessionCookie.CsrfHeader} with the session's token (SessionView.CsrfToken).",
                type: "urn:parley:problem:csrf").ExecuteAsync(context);
            return;
        }
        await next();
    }

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    private static bool Matches(string presented, string? expected) =>
        expected is not null && presented.Length > 0
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));
}
