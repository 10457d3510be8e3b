using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Parley.Server.Identity;

/// <summary>RFC 9457 problem details of identity, with one sentence each that says what to do.</summary>
public static class Problems
{
    /// <summary>The one answer for a wrong email, password or second factor, so none of them can be told apart.</summary>
    public const string WrongCredentials = "The email, password or code is wrong.";

    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: detail, type: "urn:parley:problem:bad-request");

    public static ProblemHttpResult Unauthorized(string detail = WrongCredentials) =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed", detail: detail, type: "urn:parley:problem:sign-in-failed");

    public static ProblemHttpResult MfaRequired() =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Second factor required",
            detail: "Give a TOTP code or a recovery code (or sign in with a security key).", type: "urn:parley:problem:mfa-required");

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail, type: "urn:parley:problem:forbidden");

    public static ProblemHttpResult NotFound(string detail = "There is nothing here that you may see.") =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail, type: "urn:parley:problem:conflict");

    public static ProblemHttpResult Gone(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Gone", detail: detail, type: "urn:parley:problem:gone");

    /// <summary>A refused certificate, root or revocation: the reason comes from the verifier.</summary>
    public static ProblemHttpResult Unacceptable(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Refused", detail: detail, type: "urn:parley:problem:refused");

    public static ProblemHttpResult Locked(DateTimeOffset until) =>
        TypedResults.Problem(statusCode: StatusCodes.Status423Locked, title: "Account locked",
            detail: $"Too many failed sign-ins: the account is locked until {until.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC.",
            type: "urn:parley:problem:locked",
            extensions: new Dictionary<string, object?> { ["lockedUntil"] = until });

    public static ProblemHttpResult TooManyRequests(HttpContext http, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many attempts",
            detail: $"Too many attempts; try again in {seconds} s.", type: "urn:parley:problem:rate-limited",
            extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds });
    }
}
