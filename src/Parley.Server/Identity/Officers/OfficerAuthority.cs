using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;
using Parley.Server.Identity.Model;
using Parley.Server.Storage;

namespace Parley.Server.Identity.Officers;

/// <summary>A security officer whose authority was checked, with their key.</summary>
public sealed record Officer(UserAccount User, CompositePublicKey Key);

/// <summary>
/// Who may sign for a delegation: the officer named in its root, or a member holding the
/// security-officer role whose own clearance (with that role) verifies through
/// <see cref="TrustVerifier"/> against the delegation's trust as the server holds it.
/// </summary>
public sealed class OfficerAuthority(ParleyDbContext db, CryptoSuite suite, TimeProvider time)
{
    /// <summary>The officer of <paramref name="delegation"/> with key fingerprint <paramref name="fingerprint"/>, or why there is none.</summary>
    public async Task<(Officer? Officer, string? Refusal)> FindAsync(DelegationRecord delegation, byte[] fingerprint, CancellationToken cancellationToken)
    {
        if (delegation.RootEnvelope is null) return (null, $"Delegation {delegation.Code} has no root of trust yet.");
        var members = await db.Set<UserAccount>().Where(u => u.DelegationCode == delegation.Code).ToListAsync(cancellationToken);
        var signer = members.FirstOrDefault(u => CryptographicOperations.FixedTimeEquals(SHA256.HashData(u.IdentityPublicKey), fingerprint));
        if (signer is null) return (null, $"The signer is not a member of {delegation.Code}, so not one of its security officers.");
        var key = CompositePublicKey.Decode(signer.IdentityPublicKey).Value;
        if (delegation.RootFingerprint == Convert.ToHexStringLower(fingerprint)) return (new Officer(signer, key), null);
        if (!signer.Roles.HasFlag(Roles.SecurityOfficer) || signer.Status != AccountStatus.Active)
            return (null, $"The signer is not a security officer of {delegation.Code}.");

        var trust = await TrustAsync(delegation, cancellationToken);
        var now = time.GetUtcNow();
        var clearances = await db.Set<ClearanceRecord>()
            .Where(c => c.SubjectUserId == signer.Id && c.DelegationCode == delegation.Code)
            .ToListAsync(cancellationToken);
        string? reason = null;
        // Revoked and expired ones too: the verifier then says why they do not count.
        foreach (var record in clearances.Where(c => c.Roles.HasFlag(Roles.SecurityOfficer)).OrderByDescending(c => c.IssuedAt))
        {
            var certificate = Signed<ClearanceCertificate>.Decode(record.Certificate).Value;
            var verified = await new TrustVerifier(suite).VerifyMemberAsync(trust, signer.Id, key, certificate, now, cancellationToken);
            if (verified.IsOk) return (new Officer(signer, key), null);
            reason = verified.Error!.Message;
        }
        return (null, reason is null
            ? $"The signer is not a security officer of {delegation.Code}: they hold no officer clearance."
            : $"The signer's officer clearance is not valid: {reason}");
    }

    /// <summary>The delegation's chain of trust as stored, parsed (everything in it was checked when it was accepted).</summary>
    public async Task<DelegationTrust> TrustAsync(DelegationRecord delegation, CancellationToken cancellationToken)
    {
        var view = await Directory.TrustQuery.LoadAsync(db, delegation, cancellationToken) ?? throw new InvalidOperationException($"Delegation {delegation.Code} has no root.");
        return new DelegationTrust(
            Signed<DelegationRoot>.Decode(view.Root).Value,
            view.OfficerCertificates.Select(c => Signed<ClearanceCertificate>.Decode(c).Value).ToList(),
            view.OfficerKeys.Select(k => CompositePublicKey.Decode(k).Value).ToList(),
            view.Revocations.Select(r => Signed<Revocation>.Decode(r).Value).ToList());
    }
}
