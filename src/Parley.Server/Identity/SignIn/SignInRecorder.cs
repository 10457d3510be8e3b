using Parley.Protocol.Ledger;
using Parley.Server.Identity.Model;
using Parley.Server.Ledger;
using Parley.Server.Storage;

namespace Parley.Server.Identity.SignIn;

/// <summary>Outcomes of a sign-in attempt, as stored and ledgered.</summary>
public static class SignInOutcome
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Locked = "locked";
    public const string RateLimited = "rate-limited";
}

/// <summary>
/// Stores every sign-in attempt (for the security officer's console) and records it in the ledger,
/// in the caller's unit of work. Emails and addresses are HMAC-ed in the ledger; no secret, password
/// or code is ever part of either.
/// </summary>
public sealed class SignInRecorder(ParleyDbContext db, LedgerWriter ledger, TimeProvider time)
{
    public void Record(string email, UserAccount? user, string address, string outcome, string? reason, string? method, Guid? sessionId = null)
    {
        var emailHmac = ledger.Hmac(email);
        db.Set<SignInAttempt>().Add(new SignInAttempt
        {
            At = time.GetUtcNow(),
            EmailHmac = emailHmac,
            UserId = user?.Id,
            DelegationCode = user?.DelegationCode,
            Address = address,
            Outcome = outcome,
            Reason = reason,
            Method = method,
        });
        var fields = new List<LedgerField> { new("email-hmac", emailHmac), new("address-hmac", ledger.Hmac(address)), new("outcome", outcome) };
        if (reason is not null) fields.Add(new LedgerField("reason", reason));
        if (method is not null) fields.Add(new LedgerField("method", method));
        if (sessionId is { } session) fields.Add(new LedgerField("session", session.ToString()));
        var type = outcome == SignInOutcome.Succeeded ? LedgerEventType.SignInSucceeded : LedgerEventType.SignInFailed;
        ledger.Record(type, user?.Id, user?.DelegationCode, user is null ? "account:unknown" : $"user:{user.Id}", [.. fields]);
    }
}
