using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Ledger;
using Parley.Server.Identity.Mfa;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Security;
using Parley.Server.Identity.Sessions;
using Parley.Server.Identity.SignIn;
using Parley.Server.Ledger;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Policy.Engine;
using Parley.Server.Storage;

namespace Parley.Server.Identity.Account;

/// <summary>The signed-in user's own second factors: <c>/api/account/...</c>. Changes that could lock
/// the owner out or hand the account to someone else need a recent second factor (step-up).</summary>
public static class AuthenticatorsApi
{
    public static IEndpointRouteBuilder MapAuthenticatorsApi(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/api/account").WithTags("Account").RequiresPolicy(Actions.ManageAccount, Resources.Self);
        account.MapPost("/totp/setup", TotpSetupAsync).RequiresPolicy(Actions.ChangeAuthenticators, Resources.Self)
            .WithSummary("Starts replacing the TOTP secret: a new secret, its otpauth URI and QR code.");
        account.MapPost("/totp/confirm", TotpConfirmAsync).LimitPerCaller(AttemptLimit.StepUpPerAccount)
            .WithSummary("Confirms the new TOTP secret with a first code.");
        account.MapPost("/recovery-codes", RecoveryCodesAsync).RequiresPolicy(Actions.ChangeAuthenticators, Resources.Self)
            .WithSummary("Replaces the recovery codes with ten new ones, shown once.");
        account.MapPost("/security-keys/options", SecurityKeyOptionsAsync)
            .WithSummary("WebAuthn creation options for a new security key or passkey.");
        account.MapPost("/security-keys", RegisterSecurityKeyAsync)
            .WithSummary("Registers the security key created with the options.");
        account.MapGet("/security-keys", ListSecurityKeysAsync).RequiresPolicy(Actions.ReadAccount, Resources.Self)
            .WithSummary("The user's security keys.");
        account.MapDelete("/security-keys/{id:guid}", RemoveSecurityKeyAsync).RequiresPolicy(Actions.ChangeAuthenticators, Resources.Self)
            .WithSummary("Removes a security key.");
        return app;
    }

    private static async Task<Ok<TotpSetupResponse>> TotpSetupAsync(Caller caller, ParleyDbContext db, AtRestCipher cipher, CancellationToken cancellationToken)
    {
        var secret = TotpAuthenticator.NewSecret();
        caller.User.PendingTotpSecret = cipher.Seal(secret, caller.User.Id);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(TotpAuthenticator.Describe(secret, caller.User.Email));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> TotpConfirmAsync(
        TotpConfirmRequest request, Caller caller, ParleyDbContext db, AtRestCipher cipher, TotpAuthenticator totp, LedgerWriter ledger, CancellationToken cancellationToken)
    {
        var user = caller.User;
        if (user.PendingTotpSecret is null) return Problems.BadRequest("Start with POST /api/account/totp/setup.");
        var secret = cipher.Open(user.PendingTotpSecret, user.Id);
        if (secret is null) return Problems.BadRequest("The pending TOTP secret cannot be read; start again.");
        // The new authenticator's codes have never been used: any valid step counts.
        var step = totp.Verify(secret, request.Code, lastAcceptedStep: -1);
        if (step is null) return Problems.BadRequest("The code does not match the new secret; check the authenticator's clock and try the next code.");
        user.TotpSecret = user.PendingTotpSecret;
        user.PendingTotpSecret = null;
        user.TotpLastStep = step.Value;
        ledger.Record(LedgerEventType.TotpEnrolled, user.Id, user.DelegationCode, $"user:{user.Id}", new LedgerField("replaced", "true"));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<RecoveryCodesResponse>> RecoveryCodesAsync(Caller caller, ParleyDbContext db, SecondFactors factors, TimeProvider time, CancellationToken cancellationToken)
    {
        var codes = await factors.IssueRecoveryCodesAsync(caller.User, time.GetUtcNow(), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new RecoveryCodesResponse(codes));
    }

    private static async Task<Ok<JsonElement>> SecurityKeyOptionsAsync(Caller caller, HttpContext http, ParleyDbContext db, WebAuthnCeremonies webAuthn, CancellationToken cancellationToken)
    {
        var options = await webAuthn.RegistrationOptionsAsync(http, caller.User, caller.Session, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(options);
    }

    private static async Task<Results<Created<SecurityKeyView>, ProblemHttpResult>> RegisterSecurityKeyAsync(
        WebAuthnRegisterRequest request, Caller caller, HttpContext http, ParleyDbContext db, WebAuthnCeremonies webAuthn, LedgerWriter ledger, CancellationToken cancellationToken)
    {
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > 100) return Problems.BadRequest("Name the security key (1 to 100 characters).");
        var outcome = await webAuthn.RegisterAsync(http, caller.User, caller.Session, name, request.Attestation, cancellationToken);
        if (outcome.Credential is not { } key)
        {
            await db.SaveChangesAsync(cancellationToken);
            return Problems.BadRequest(outcome.Error!);
        }
        ledger.Record(LedgerEventType.SecurityKeyRegistered, caller.User.Id, caller.User.DelegationCode, $"user:{caller.User.Id}",
            new LedgerField("key", key.Id.ToString()), new LedgerField("credential-hash", Protocol.Ledger.LedgerEntry.HashOf(key.CredentialId)), new LedgerField("aaguid", key.AaGuid.ToString()));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/account/security-keys/{key.Id}", View(key));
    }

    private static async Task<Ok<IReadOnlyList<SecurityKeyView>>> ListSecurityKeysAsync(Caller caller, ParleyDbContext db, CancellationToken cancellationToken)
    {
        var keys = await db.Set<SecurityKeyCredential>().Where(k => k.UserId == caller.User.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<SecurityKeyView>>(keys.OrderBy(k => k.CreatedAt).Select(View).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveSecurityKeyAsync(Guid id, Caller caller, ParleyDbContext db, LedgerWriter ledger, CancellationToken cancellationToken)
    {
        var key = await db.Set<SecurityKeyCredential>().SingleOrDefaultAsync(k => k.Id == id && k.UserId == caller.User.Id, cancellationToken);
        if (key is null) return Problems.NotFound();
        db.Remove(key);
        ledger.Record(LedgerEventType.SecurityKeyRemoved, caller.User.Id, caller.User.DelegationCode, $"user:{caller.User.Id}", new LedgerField("key", key.Id.ToString()));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static SecurityKeyView View(SecurityKeyCredential key) => new(key.Id, key.Name, key.CreatedAt, key.LastUsedAt);
}
