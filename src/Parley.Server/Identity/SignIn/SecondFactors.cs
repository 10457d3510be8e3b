using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Ledger;
using Parley.Server.Identity.Mfa;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Security;
using Parley.Server.Ledger;
using Parley.Server.Storage;

namespace Parley.Server.Identity.SignIn;

/// <summary>Checks the second factors that need no browser ceremony: TOTP and recovery codes.</summary>
public sealed class SecondFactors(ParleyDbContext db, TotpAuthenticator totp, AtRestCipher cipher, RecoveryCodes recovery, LedgerWriter ledger)
{
    /// <summary>True and the time step remembered when the code is valid and not a replay; the caller saves.</summary>
    public bool VerifyTotp(UserAccount user, string? code)
    {
        if (user.TotpSecret is null) return false;
        var secret = cipher.Open(user.TotpSecret, user.Id);
        if (secret is null) return false;
        try
        {
            var step = totp.Verify(secret, code, user.TotpLastStep);
            if (step is null) return false;
            user.TotpLastStep = step.Value;
            return true;
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>True and the code deleted when it is one of the user's unused codes; the caller saves.</summary>
    public async Task<bool> UseRecoveryCodeAsync(UserAccount user, string code, CancellationToken cancellationToken)
    {
        var hash = recovery.Hash(code);
        var codes = await db.Set<RecoveryCodeRecord>().Where(c => c.UserId == user.Id).ToListAsync(cancellationToken);
        var match = codes.FirstOrDefault(c => System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(c.CodeHash, hash));
        if (match is null) return false;
        db.Remove(match);
        ledger.Record(LedgerEventType.RecoveryCodeUsed, user.Id, user.DelegationCode, $"user:{user.Id}",
            new LedgerField("codes-left", (codes.Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return true;
    }

    /// <summary>Replaces the user's recovery codes with ten new ones, returned once; the caller saves.</summary>
    public async Task<IReadOnlyList<string>> IssueRecoveryCodesAsync(UserAccount user, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await db.Set<RecoveryCodeRecord>().Where(c => c.UserId == user.Id).LoadAsync(cancellationToken);
        db.RemoveRange(db.Set<RecoveryCodeRecord>().Local.Where(c => c.UserId == user.Id).ToList());
        var codes = RecoveryCodes.Generate();
        foreach (var code in codes)
            db.Set<RecoveryCodeRecord>().Add(new RecoveryCodeRecord { UserId = user.Id, CodeHash = recovery.Hash(code), CreatedAt = now });
        ledger.Record(LedgerEventType.RecoveryCodesGenerated, user.Id, user.DelegationCode, $"user:{user.Id}",
            new LedgerField("count", RecoveryCodes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return codes;
    }
}
