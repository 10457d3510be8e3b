using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;
using Parley.Server.Identity.Mfa;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Security;
using Parley.Server.Identity.Sessions;
using Parley.Server.Ledger;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Policy.Engine;
using Parley.Server.Storage;

namespace Parley.Server.Identity.SignIn;

/// <summary>Sign-in and sign-out: <c>/api/auth/...</c>.</summary>
public static class SignInApi
{
    private const string SignInIsPublic = "Signing in is how a session starts; it is rate limited and every attempt is recorded.";

    public static IEndpointRouteBuilder MapSignInApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Authentication");
        auth.MapPost("/prelogin", Prelogin).Public(SignInIsPublic).LimitPerAddress(AttemptLimit.PreloginPerAddress)
            .WithSummary("The account's password derivation parameters (made-up but stable for unknown emails).");
        auth.MapPost("/login", LoginAsync).Public(SignInIsPublic).LimitSignIn<LoginRequest>(r => r.Email, "password")
            .WithSummary("Signs in with the authentication secret and a TOTP or recovery code (AAL2).");
        auth.MapPost("/webauthn/login/options", WebAuthnOptionsAsync).Public(SignInIsPublic).LimitSignIn<WebAuthnLoginOptionsRequest>(r => r.Email, "webauthn")
            .WithSummary("Checks the authentication secret and returns WebAuthn assertion options for the account's keys.");
        auth.MapPost("/webauthn/login", WebAuthnLoginAsync).Public(SignInIsPublic).LimitSignIn<WebAuthnLoginRequest>(r => r.Email, "webauthn")
            .WithSummary("Signs in with the authentication secret and a WebAuthn assertion (AAL3).");
        auth.MapPost("/logout", LogoutAsync).RequiresPolicy(Actions.EndSession, Resources.Self)
            .WithSummary("Ends the session.");
        auth.MapGet("/session", SessionAsync).RequiresPolicy(Actions.ReadSession, Resources.Self)
            .WithSummary("The current session and user (whoami).");
        return app;
    }

    private static async Task<Results<Ok<PreloginResponse>, ProblemHttpResult>> Prelogin(PreloginRequest request, ParleyDbContext db, ServerIdentityKey key, CancellationToken cancellationToken)
    {
        if (!Emails.IsPlausible(request.Email)) return Problems.BadRequest("Give the email address of the account.");
        var normalized = Emails.Normalize(request.Email);
        var user = await db.Set<UserAccount>().SingleOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        if (user is not null) return TypedResults.Ok(new PreloginResponse(user.Kdf()));
        // An unknown address gets the defaults with a salt that is the same on every call, like a real account's.
        var salt = HMACSHA256.HashData(key.PreloginSalt, Encoding.UTF8.GetBytes(normalized))[..16];
        var defaults = KdfParameters.CreateDefault();
        return TypedResults.Ok(new PreloginResponse(defaults with { Salt = salt }));
    }

    private static async Task<Results<Ok<LoginResponse>, ProblemHttpResult>> LoginAsync(
        LoginRequest request, HttpContext http, ParleyDbContext db, CredentialCheck credentials, SecondFactors factors,
        SessionIssuer sessions, SignInRecorder attempts, CancellationToken cancellationToken)
    {
        if (!Emails.IsPlausible(request.Email) || request.AuthSecret is null)
            return Problems.BadRequest("Give the email and the authentication secret derived from the password.");
        var useTotp = !string.IsNullOrWhiteSpace(request.TotpCode);
        var useRecovery = !string.IsNullOrWhiteSpace(request.RecoveryCode);
        if (useTotp && useRecovery) return Problems.BadRequest("Give either a TOTP code or a recovery code, not both.");
        // Said before the password is checked, so it reveals nothing about the password.
        if (!useTotp && !useRecovery) return Problems.MfaRequired();
        var method = useTotp ? "totp" : "recovery-code";
        var address = AttemptLimits.AddressOf(http);

        var checkedPassword = await credentials.CheckPasswordAsync(request.Email, request.AuthSecret, address, method, cancellationToken);
        if (checkedPassword.Problem is not null) return checkedPassword.Problem;
        var user = checkedPassword.User!;

        var secondFactor = useTotp ? factors.VerifyTotp(user, request.TotpCode) : await factors.UseRecoveryCodeAsync(user, request.RecoveryCode!, cancellationToken);
        if (!secondFactor)
            return await credentials.FailAsync(request.Email, user, user, address, useTotp ? "wrong-totp" : "wrong-recovery-code", method, cancellationToken);

        var login = await OpenSessionAsync(http, db, credentials, sessions, attempts, user, request.Client, AssuranceLevels.Aal2, request.Email, address, method, cancellationToken);
        return login is null ? Problems.Unauthorized() : TypedResults.Ok(login);
    }

    private static async Task<Results<Ok<JsonElement>, ProblemHttpResult>> WebAuthnOptionsAsync(
        WebAuthnLoginOptionsRequest request, HttpContext http, ParleyDbContext db, CredentialCheck credentials, WebAuthnCeremonies webAuthn, CancellationToken cancellationToken)
    {
        if (!Emails.IsPlausible(request.Email) || request.AuthSecret is null)
            return Problems.BadRequest("Give the email and the authentication secret derived from the password.");
        var checkedPassword = await credentials.CheckPasswordAsync(request.Email, request.AuthSecret, AttemptLimits.AddressOf(http), "webauthn", cancellationToken);
        if (checkedPassword.Problem is not null) return checkedPassword.Problem;
        var options = await webAuthn.AssertionOptionsAsync(http, checkedPassword.User!, WebAuthnPurpose.SignIn, null, cancellationToken);
        if (options is null) return Problems.BadRequest("This account has no security key; sign in with a TOTP code.");
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(options.Value);
    }

    private static async Task<Results<Ok<LoginResponse>, ProblemHttpResult>> WebAuthnLoginAsync(
        WebAuthnLoginRequest request, HttpContext http, ParleyDbContext db, CredentialCheck credentials, WebAuthnCeremonies webAuthn,
        SessionIssuer sessions, SignInRecorder attempts, CancellationToken cancellationToken)
    {
        if (!Emails.IsPlausible(request.Email) || request.AuthSecret is null)
            return Problems.BadRequest("Give the email and the authentication secret derived from the password.");
        var address = AttemptLimits.AddressOf(http);
        var checkedPassword = await credentials.CheckPasswordAsync(request.Email, request.AuthSecret, address, "webauthn", cancellationToken);
        if (checkedPassword.Problem is not null) return checkedPassword.Problem;
        var user = checkedPassword.User!;
        var outcome = await webAuthn.VerifyAssertionAsync(http, user, WebAuthnPurpose.SignIn, null, request.Assertion, cancellationToken);
        if (outcome.Credential is null)
            return await credentials.FailAsync(request.Email, user, user, address, "wrong-webauthn", "webauthn", cancellationToken);
        var login = await OpenSessionAsync(http, db, credentials, sessions, attempts, user, request.Client, AssuranceLevels.Aal3, request.Email, address, "webauthn", cancellationToken);
        return login is null ? Problems.Unauthorized() : TypedResults.Ok(login);
    }

    /// <summary>The answer, or null when a concurrent request used the same TOTP step or recovery code first.</summary>
    private static async Task<LoginResponse?> OpenSessionAsync(HttpContext http, ParleyDbContext db, CredentialCheck credentials, SessionIssuer sessions, SignInRecorder attempts,
        UserAccount user, ClientKind client, string aal, string email, string address, string method, CancellationToken cancellationToken)
    {
        credentials.Succeeded(user);
        var (session, token) = await sessions.OpenAsync(user, client, aal, cancellationToken);
        attempts.Record(email, user, address, SignInOutcome.Succeeded, null, method, session.Id);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // The second of two requests racing with one code: nothing of it was saved.
            return null;
        }
        return await sessions.RespondAsync(http, session, token, user, cancellationToken);
    }

    private static async Task<NoContent> LogoutAsync(Caller caller, HttpContext http, ParleyDbContext db, LedgerWriter ledger, CancellationToken cancellationToken)
    {
        db.Remove(caller.Session);
        ledger.Record(LedgerEventType.SignedOut, caller.User.Id, caller.User.DelegationCode, $"user:{caller.User.Id}", new LedgerField("session", caller.Session.Id.ToString()));
        await db.SaveChangesAsync(cancellationToken);
        SessionCookie.Delete(http.Response);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<SessionView>> SessionAsync(Caller caller, SessionIssuer sessions, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sessions.DescribeAsync(caller.Session, caller.User, cancellationToken));
}
