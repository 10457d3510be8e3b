using System.Net;
using System.Text.Json;

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
/// <param name="Policy">When the access policy refused (403): its decision, the deciding rules and the reason.</param>
public sealed record ApiProblem(HttpStatusCode Status, ApiProblemKind Kind, string Title, string? Detail, string? Type, TimeSpan? RetryAfter, PolicyRefusal? Policy = null)
{
    /// <summary>The problem's other members (RFC 9457 extensions), e.g. <c>lockedUntil</c>, or a policy
    /// decision's <c>rules</c>, <c>reason</c> and <c>stepUp</c>; empty when there are none.</summary>
    public IReadOnlyDictionary<string, JsonElement> Extensions { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>True when stepping up would help: the server asked for it (<see cref="ApiProblemKind.StepUpRequired"/>),
    /// or refused with a 403 whose <c>stepUp</c> member is true.</summary>
    public bool SuggestsStepUp =>
        Kind == ApiProblemKind.StepUpRequired
        || (Kind == ApiProblemKind.Denied && Policy is { StepUp: true })
        || (Kind == ApiProblemKind.Denied && Extensions.TryGetValue("stepUp", out var stepUp) && stepUp.ValueKind == JsonValueKind.True);

    /// <summary>One line for a person: the detail when the server gave one, else the title.</summary>
    public string Message => string.IsNullOrWhiteSpace(Detail) ? Title : Detail.Contains(Title, StringComparison.OrdinalIgnoreCase) ? Detail : $"{Title}: {Detail}";
}

/// <summary>The access policy's refusal, as the 403 problem details carry it.</summary>
/// <param name="Decision">Always <c>deny</c>.</param>
/// <param name="Kind">Why: <c>not-permitted</c>, <c>not-cleared</c>, <c>training-expired</c>, <c>device</c>, <c>step-up</c>, <c>suspended</c>, <c>write-refused</c>.</param>
/// <param name="Rules">The ids of the rules that decided, e.g. <c>forbid.level-too-low</c>.</param>
/// <param name="Reason">What a person is told.</param>
/// <param name="StepUp">True when a stronger sign-in (step-up) is all that is missing: offer it.</param>
/// <param name="StepUpWith"><c>security-key</c> or <c>second-factor</c> when <paramref name="StepUp"/>.</param>
public sealed record PolicyRefusal(string Decision, string Kind, IReadOnlyList<string> Rules, string Reason, bool StepUp, string? StepUpWith);

/// <summary>The server refused a request; carries its problem details.</summary>
public sealed class ParleyApiException(ApiProblem problem) : Exception(problem.Message)
{
    /// <summary>What the server said.</summary>
    public ApiProblem Problem { get; } = problem;

    /// <summary>Shortcut for <see cref="ApiProblem.Kind"/>.</summary>
    public ApiProblemKind Kind => Problem.Kind;

    /// <summary>The access policy's decision, when the policy refused.</summary>
    public string? Decision => Problem.Policy?.Decision;

    /// <summary>The deciding rules, when the policy refused; empty otherwise.</summary>
    public IReadOnlyList<string> Rules => Problem.Policy?.Rules ?? [];

    /// <summary>The policy's reason, or the problem's message.</summary>
    public string Reason => Problem.Policy?.Reason ?? Problem.Message;
}
