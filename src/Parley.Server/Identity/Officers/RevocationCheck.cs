using System.Security.Cryptography;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;
using Parley.Server.Identity.Model;

namespace Parley.Server.Identity.Officers;

/// <summary>A revocation whose signature and signer's authority were checked.</summary>
public sealed record CheckedRevocation(Signed<Revocation>? Revocation, string? Refusal);

/// <summary>
/// Checks a submitted revocation: well-formed, of the expected kind, subject and delegation, and
/// signed either by <c>owner</c> (a device's own user) or by a security officer of the delegation.
/// </summary>
public sealed class RevocationCheck(CryptoSuite suite, OfficerAuthority officers)
{
    public async Task<CheckedRevocation> CheckAsync(byte[]? submitted, RevocationKind kind, Guid subject, DelegationRecord delegation, UserAccount? owner, CancellationToken cancellationToken)
    {
        if (submitted is null) return new(null, "The revocation is missing.");
        if (!Signed<Revocation>.Decode(submitted).TryGetValue(out var revocation, out var error))
            return new(null, $"The revocation is malformed: {error.Message}");
        var body = revocation.Body;
        if (body.Kind != kind) return new(null, $"This is a revocation of a {body.Kind.ToString().ToLowerInvariant()}, not of a {kind.ToString().ToLowerInvariant()}.");
        if (body.SubjectId != subject) return new(null, "The revocation names another subject.");
        if (body.Delegation != delegation.Code) return new(null, $"The revocation is for delegation {body.Delegation}, not {delegation.Code}.");

        if (owner is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(owner.IdentityPublicKey), revocation.SignerFingerprint))
        {
            var ownerKey = CompositePublicKey.Decode(owner.IdentityPublicKey).Value;
            return await revocation.VerifyAsync(suite, ownerKey, cancellationToken)
                ? new(revocation, null)
                : new(null, "The revocation's signature does not verify: it was forged or altered.");
        }
        var (officer, refusal) = await officers.FindAsync(delegation, revocation.SignerFingerprint, cancellationToken);
        if (officer is null) return new(null, owner is null ? refusal : $"Only the device's user or a security officer of {delegation.Code} may revoke it: {refusal}");
        return await revocation.VerifyAsync(suite, officer.Key, cancellationToken)
            ? new(revocation, null)
            : new(null, "The revocation's signature does not verify: it was forged or altered.");
    }
}
