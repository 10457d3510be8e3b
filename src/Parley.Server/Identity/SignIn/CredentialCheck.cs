using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Security;
using Parley.Server.Ledger;
using Parley.Server.Storage;

namespace Parley.Server.Identity.SignIn;

/// <summary>Either the account whose password was right, or the problem to answer with.</summary>
public sealed record PasswordChecked(UserAccount? User, ProblemHttpResult? Problem);

/// <summary>
/// Checks an email and authentication secret, with lockout: 5 consecutive failures (wrong password or
/// wrong second factor) lock the account for 15 minutes. Addresses without an account lock the same
/// way, and cost the same Argon2id work, so neither the answer nor the lockout reveals whether an
/// account exists. Every attempt is stored and ledgered through <see cref="SignInRecorder"/>.
/// </summary>
public sealed class CredentialCheck(ParleyDbContext db, SignInRecorder attempts, LedgerWriter ledger, TimeProvider time)
{
    public const int MaxConsecutiveFailures = 5;
    public static readonly TimeSpan LockDuration = TimeSpan.FromMinutes(15);
    private static readonly byte[] UnknownAccountSalt = new byte[16];

    /// <summary>The account if the password is right and it is not locked; otherwise a saved failure and the problem.</summary>
    public async Task<PasswordChecked> CheckPasswordAsync(string email, byte[] authSecret, string address, string method, CancellationToken cancellationToken)
    {
        var normalized = Emails.Normalize(email);
        var user = await db.Set<UserAccount>().SingleOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        var state = await LockoutStateAsync(user, email, cancellationToken);
        var now = time.GetUtcNow();
        if (state.LockedUntil is { } until)
        {
            if (until > now)
            {
                attempts.Record(email, user, address, SignInOutcome.Locked, "account-locked", method);
                await db.SaveChangesAsync(cancellationToken);
                return new PasswordChecked(null, Problems.Locked(until));
            }
            state.LockedUntil = null;
            state.FailedAttempts = 0;
        }

        if (user is null)
        {
            AuthSecretHasher.Hash(authSecret, UnknownAccountSalt);
            return new PasswordChecked(null, await FailAsync(email, null, state, address, "unknown-account", method, cancellationToken));
        }
        var right = authSecret.Length == PasswordKeys.AuthSecretSize && AuthSecretHasher.Verify(authSecret, user.AuthSalt, user.AuthHash);
        if (!right) return new PasswordChecked(null, await FailAsync(email, user, state, address, "wrong-password", method, cancellationToken));
        if (user.Status != AccountStatus.Active) return new PasswordChecked(null, await FailAsync(email, user, state, address, "suspended", method, cancellationToken));
        return new PasswordChecked(user, null);
    }

    /// <summary>Counts a failure (locking at the fifth), records the attempt and saves. The answer is the
    /// same generic 401 for every failure, or 423 once locked.</summary>
    public async Task<ProblemHttpResult> FailAsync(string email, UserAccount? user, ILockoutState? state, string address, string reason, string method, CancellationToken cancellationToken)
    {
        state ??= await LockoutStateAsync(user, email, cancellationToken);
        state.FailedAttempts++;
        attempts.Record(email, user, address, SignInOutcome.Failed, reason, method);
        ProblemHttpResult problem = Problems.Unauthorized();
        if (state.FailedAttempts >= MaxConsecutiveFailures)
        {
            var until = time.GetUtcNow() + LockDuration;
            state.LockedUntil = until;
            ledger.Record(LedgerEventType.AccountLocked, user?.Id, user?.DelegationCode, user is null ? "account:unknown" : $"user:{user.Id}",
                new LedgerField("email-hmac", ledger.Hmac(email)), new LedgerField("locked-until", until.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
            problem = Problems.Locked(until);
        }
        if (state is UnknownAccountLockout unknown)
        {
            unknown.UpdatedAt = time.GetUtcNow();
            if (db.Entry(unknown).State == EntityState.Detached) db.Add(unknown);
        }
        await db.SaveChangesAsync(cancellationToken);
        return problem;
    }

    /// <summary>Clears the failure count after a successful sign-in; the caller records the attempt and saves.</summary>
    public void Succeeded(UserAccount user)
    {
        user.FailedAttempts = 0;
        user.LockedUntil = null;
        user.LastSignInAt = time.GetUtcNow();
    }

    private async Task<ILockoutState> LockoutStateAsync(UserAccount? user, string email, CancellationToken cancellationToken)
    {
        if (user is not null) return user;
        var key = ledger.Hmac(email);
        return await db.Set<UnknownAccountLockout>().FindAsync([key], cancellationToken) ?? new UnknownAccountLockout { EmailHmac = key };
    }
}
