using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Protocol.Api;
using Parley.Protocol.Ledger;
using Parley.Server.Identity.Mfa;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Sessions;
using Parley.Server.Identity.SignIn;
using Parley.Server.Ledger;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Policy.Engine;
using Parley.Server.Storage;

namespace Parley.Server.Identity.StepUp;

/// <summary>
/// Step-up: a signed-in user proves a second factor again. TOTP refreshes the authentication time;
/// WebAuthn also records the strong-authentication time and raises the session to AAL3. A failed
/// step-up counts towards the account's lockout like a failed sign-in.
/// </summary>
public static class StepUpApi
{
    public static IEndpointRouteBuilder MapStepUpApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Authentication").RequiresPolicy(Actions.StepUp, Resources.Self);
        group.MapPost("/step-up", WithTotpAsync).LimitPerCaller(AttemptLimit.StepUpPerAccount)
            .WithSummary("Re-authenticates with a TOTP code.");
        group.MapPost("/webauthn/step-up/options", WebAuthnOptionsAsync).LimitPerCaller(AttemptLimit.StepUpPerAccount)
            .WithSummary("WebAuthn assertion options for step-up.");
        group.MapPost("/webauthn/step-up", WithWebAuthnAsync).LimitPerCaller(AttemptLimit.StepUpPerAccount)
            .WithSummary("Re-authenticates with a WebAuthn assertion; the session becomes AAL3.");
        return app;
    }

    private static async Task<Results<Ok<SessionView>, ProblemHttpResult>> WithTotpAsync(
        StepUpRequest request, Caller caller, HttpContext http, ParleyDbContext db, SecondFactors factors, CredentialCheck credentials,
        SessionIssuer sessions, LedgerWriter ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.TotpCode)) return Problems.BadRequest("Give a TOTP code.");
        if (Locked(caller, time) is { } locked) return locked;
        if (!factors.VerifyTotp(caller.User, request.TotpCode))
            return await FailAsync(caller, http, credentials, "totp", cancellationToken);
        var view = await RaiseAsync(caller, db, sessions, ledger, time, "totp", strong: false, cancellationToken);
        return view is null ? Problems.Unauthorized("The code is wrong or was already used.") : TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<JsonElement>, ProblemHttpResult>> WebAuthnOptionsAsync(
        Caller caller, HttpContext http, ParleyDbContext db, WebAuthnCeremonies webAuthn, CancellationToken cancellationToken)
    {
        var options = await webAuthn.AssertionOptionsAsync(http, caller.User, WebAuthnPurpose.StepUp, caller.Session.Id, cancellationToken);
        if (options is null) return Problems.BadRequest("This account has no security key to step up with.");
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(options.Value);
    }

    private static async Task<Results<Ok<SessionView>, ProblemHttpResult>> WithWebAuthnAsync(
        WebAuthnAssertionRequest request, Caller caller, HttpContext http, ParleyDbContext db, WebAuthnCeremonies webAuthn, CredentialCheck credentials,
        SessionIssuer sessions, LedgerWriter ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Locked(caller, time) is { } locked) return locked;
        var outcome = await webAuthn.VerifyAssertionAsync(http, caller.User, WebAuthnPurpose.StepUp, caller.Session.Id, request.Assertion, cancellationToken);
        if (outcome.Credential is null) return await FailAsync(caller, http, credentials, "webauthn", cancellationToken);
        var view = await RaiseAsync(caller, db, sessions, ledger, time, "webauthn", strong: true, cancellationToken);
        return view is null ? Problems.Unauthorized("The security key's answer was already used.") : TypedResults.Ok(view);
    }

    private static ProblemHttpResult? Locked(Caller caller, TimeProvider time) =>
        caller.User.LockedUntil is { } until && until > time.GetUtcNow() ? Problems.Locked(until) : null;

    private static async Task<ProblemHttpResult> FailAsync(Caller caller, HttpContext http, CredentialCheck credentials, string method, CancellationToken cancellationToken)
    {
        var problem = await credentials.FailAsync(caller.User.Email, caller.User, caller.User, AttemptLimits.AddressOf(http), $"wrong-{method}", $"step-up/{method}", cancellationToken);
        return problem.StatusCode == StatusCodes.Status423Locked ? problem : Problems.Unauthorized("The code is wrong or was already used.");
    }

    /// <summary>The raised session, or null when a concurrent request used the same TOTP step first.</summary>
    private static async Task<SessionView?> RaiseAsync(Caller caller, ParleyDbContext db, SessionIssuer sessions, LedgerWriter ledger, TimeProvider time, string method, bool strong, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var session = caller.Session;
        var before = session.Aal;
        session.AuthenticatedAt = now;
        if (strong)
        {
            session.StrongAuthenticatedAt = now;
            session.Aal = AssuranceLevels.Aal3;
        }
        caller.User.FailedAttempts = 0;
        ledger.Record(LedgerEventType.SteppedUp, caller.User.Id, caller.User.DelegationCode, $"user:{caller.User.Id}",
            new LedgerField("session", session.Id.ToString()), new LedgerField("method", method), new LedgerField("from", before), new LedgerField("to", session.Aal));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException)
        {
            return null;
        }
        return await sessions.DescribeAsync(session, caller.User, cancellationToken);
    }
}
