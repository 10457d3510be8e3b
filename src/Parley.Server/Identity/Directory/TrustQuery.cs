using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Identity;
using Parley.Server.Identity.Model;
using Parley.Server.Storage;

namespace Parley.Server.Identity.Directory;

/// <summary>A delegation's chain of trust as stored: the signed root, the clearances that carry the
/// security-officer role with their subjects' keys, and every signed revocation of the delegation.</summary>
public static class TrustQuery
{
    /// <summary>The trust view, or null while the delegation has no root.</summary>
    public static async Task<DelegationTrustView?> LoadAsync(ParleyDbContext db, DelegationRecord delegation, CancellationToken cancellationToken)
    {
        if (delegation.RootEnvelope is null) return null;
        var code = delegation.Code;
        var clearances = await db.Set<ClearanceRecord>().Where(c => c.DelegationCode == code).ToListAsync(cancellationToken);
        var officerCertificates = clearances.Where(c => c.Roles.HasFlag(Roles.SecurityOfficer)).OrderBy(c => c.IssuedAt).ToList();
        var officerIds = officerCertificates.Select(c => c.SubjectUserId).Distinct().ToList();
        var officerKeys = await db.Set<UserAccount>().Where(u => officerIds.Contains(u.Id)).Select(u => u.IdentityPublicKey).ToListAsync(cancellationToken);
        var members = db.Set<UserAccount>().Where(u => u.DelegationCode == code).Select(u => u.Id);
        var deviceRevocations = await db.Set<DeviceRecord>().Where(d => d.Revocation != null && members.Contains(d.UserId)).Select(d => d.Revocation!).ToListAsync(cancellationToken);
        var revocations = clearances.Where(c => c.Revocation is not null).Select(c => c.Revocation!).Concat(deviceRevocations).ToList();
        return new DelegationTrustView(code, delegation.RootEnvelope, officerCertificates.Select(c => c.Certificate).ToList(), officerKeys, revocations);
    }
}
