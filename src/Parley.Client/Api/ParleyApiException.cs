using System.Net;

namespace Parley.Client.Api;

/// <summary>What kind of refusal the server answered with, so callers decide without reading status codes.</summary>
public enum ApiProblemKind
{
    /// <summary>The request was malformed or its values were refused (400, 422).</summary>
    Invalid,
    /// <summary>No valid session, or wrong credentials (401).</summary>
    Unauthenticated,
    /// <summary>The password was right but a second factor is needed (401 with the mfa-required problem type).</summary>
    MfaRequired,
    /// <summary>The server's policy refused the action (403).</summary>
    Denied,
    /// <summary>The action needs a second factor proved recently: step up (TOTP or a security key) and retry (403 with the step-up-required problem type).</summary>
    StepUpRequired,
    /// <summary>Not there, or not visible to this caller (404).</summary>
    NotFound,
    /// <summary>The state on the server does not allow it, e.g. already used (409, 410).</summary>
    Conflict,
    /// <summary>The account is locked after repeated failures (423).</summary>
    Locked,
    /// <summary>Too many attempts; try again after <see cref="ApiProblem.RetryAfter"/> (429).</summary>
    RateLimited,
    /// <summary>The server failed (5xx) or answered something this client does not understand.</summary>
    Server,
}

/// <summary>An RFC 9457 problem details answer, reduced to what a client shows and decides on.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Kind">The kind of refusal.</param>
/// <param name="Title">The server's short summary.</param>
/// <param name="Detail">The server's explanation for this occurrence, if any.</param>
/// <param name="Type">The problem type URI, if any.</param>
/// <param name="RetryAfter">From the Retry-After header of a 429 or 423.</param>
public sealed record ApiProblem(HttpStatusCode Status, ApiProblemKind Kind, string Title, string? Detail, string? Type, TimeSpan? RetryAfter)
{
    /// <summary>One line for a person: the detail when the server gave one, else the title.</summary>
    public string Message => string.IsNullOrWhiteSpace(Detail) ? Title : Detail.Contains(Title, StringComparison.OrdinalIgnoreCase) ? Detail : $"{Title}: {Detail}";
}

/// <summary>The server refused a request; carries its problem details.</summary>
public sealed class ParleyApiException(ApiProblem problem) : Exception(problem.Message)
{
    /// <summary>What the server said.</summary>
    public ApiProblem Problem { get; } = problem;

    /// <summary>Shortcut for <see cref="ApiProblem.Kind"/>.</summary>
    public ApiProblemKind Kind => Problem.Kind;
}
