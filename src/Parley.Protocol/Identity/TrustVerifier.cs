using System.Security.Cryptography;
using Parley.Protocol.Crypto;

namespace Parley.Protocol.Identity;

/// <summary>What a client knows about one delegation's chain of trust.</summary>
/// <param name="Root">The pinned, self-signed delegation root.</param>
/// <param name="OfficerCertificates">Clearance certificates that make further officers (role security-officer).</param>
/// <param name="OfficerKeys">Composite public keys of officers, to check their signatures.</param>
/// <param name="Revocations">Signed revocations of clearances and devices of the delegation.</param>
public sealed record DelegationTrust(
    Signed<DelegationRoot> Root,
    IReadOnlyList<Signed<ClearanceCertificate>> OfficerCertificates,
    IReadOnlyList<CompositePublicKey> OfficerKeys,
    IReadOnlyList<Signed<Revocation>> Revocations);

/// <summary>A member whose clearance chains to their delegation's root. Only <see cref="TrustVerifier"/>
/// makes one, so holding one means the chain was checked.</summary>
public sealed class VerifiedMember
{
    internal VerifiedMember(string delegation, Guid userId, CompositePublicKey identityKey, ClearanceCertificate clearance)
    {
        Delegation = delegation;
        UserId = userId;
        IdentityKey = identityKey;
        Clearance = clearance;
    }

    /// <summary>The member's delegation.</summary>
    public string Delegation { get; }

    /// <summary>The member.</summary>
    public Guid UserId { get; }

    /// <summary>The member's composite identity key.</summary>
    public CompositePublicKey IdentityKey { get; }

    /// <summary>The verified clearance.</summary>
    public ClearanceCertificate Clearance { get; }

    /// <summary>True when the confidentiality training recorded in the clearance is current at <paramref name="now"/>.</summary>
    public bool TrainingCurrent(DateTimeOffset now) => Clearance.TrainingValidUntil > now.ToUnixTimeSeconds();
}

/// <summary>A device whose certificate chains through its user to the delegation's root. Only
/// <see cref="TrustVerifier"/> makes one.</summary>
public sealed class VerifiedDevice
{
    internal VerifiedDevice(VerifiedMember member, DeviceCertificate device)
    {
        Member = member;
        Device = device;
    }

    /// <summary>The verified owner.</summary>
    public VerifiedMember Member { get; }

    /// <summary>The device certificate.</summary>
    public DeviceCertificate Device { get; }
}

/// <summary>
/// Checks the chain security officer → user identity → device (DESIGN §2). A client trusts a device
/// only if: the delegation root is the pinned one and is validly self-signed; the user's clearance
/// is signed by an officer of the user's own delegation (the root officer, or an officer certified
/// by one, at most four links deep), is in its validity period and not revoked; it names the user's
/// identity key; and the device certificate is signed by that key and the device is not revoked.
/// Every refusal says why.
/// </summary>
public sealed class TrustVerifier(CryptoSuite suite)
{
    private const int MaxOfficerDepth = 4;

    /// <summary>Verifies a member's clearance against their delegation's trust.</summary>
    public async ValueTask<Result<VerifiedMember>> VerifyMemberAsync(DelegationTrust trust, Guid userId, CompositePublicKey identityKey, Signed<ClearanceCertificate> clearance, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var root = await VerifyRootAsync(trust, cancellationToken).ConfigureAwait(false);
        if (!root.TryGetValue(out var rootKey, out var error)) return error;
        var certificate = clearance.Body;
        if (certificate.SubjectUserId != userId || !CryptographicOperations.FixedTimeEquals(certificate.SubjectFingerprint, identityKey.Fingerprint()))
            return Fail(ProtocolErrorCode.Untrusted, "The clearance certificate was issued for someone else's identity key.");
        if (certificate.Delegation != trust.Root.Body.Code)
            return Fail(ProtocolErrorCode.Untrusted, $"The clearance is for delegation {certificate.Delegation}, not {trust.Root.Body.Code}.");
        var checkedCertificate = await CheckCertificateAsync(trust, rootKey, clearance, now, 0, cancellationToken).ConfigureAwait(false);
        if (checkedCertificate is not null) return checkedCertificate;
        return new VerifiedMember(certificate.Delegation, userId, identityKey, certificate);
    }

    /// <summary>Verifies a device: its owner's clearance chain, then the device certificate.</summary>
    public async ValueTask<Result<VerifiedDevice>> VerifyDeviceAsync(DelegationTrust trust, Guid userId, CompositePublicKey identityKey, Signed<ClearanceCertificate> clearance, Signed<DeviceCertificate> device, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var member = await VerifyMemberAsync(trust, userId, identityKey, clearance, now, cancellationToken).ConfigureAwait(false);
        if (!member.TryGetValue(out var verified, out var error)) return error;
        var body = device.Body;
        if (body.UserId != userId || !CryptographicOperations.FixedTimeEquals(body.IdentityFingerprint, identityKey.Fingerprint()))
            return Result<VerifiedDevice>.Fail(ProtocolErrorCode.Untrusted, "The device certificate names another user or identity key.");
        if (!await device.VerifyAsync(suite, identityKey, cancellationToken).ConfigureAwait(false))
            return Result<VerifiedDevice>.Fail(ProtocolErrorCode.BadSignature, "The device certificate is not signed by its user's identity key.");
        if (body.IssuedAt > now.ToUnixTimeSeconds() + ClockSkewSeconds)
            return Result<VerifiedDevice>.Fail(ProtocolErrorCode.NotYetValid, "The device certificate is dated in the future.");
        var rootKey = trust.Root.Body.OfficerKey().Value;
        if (await FindRevocationAsync(trust, rootKey, RevocationKind.Device, body.DeviceId, identityKey, now, 0, cancellationToken).ConfigureAwait(false) is { } revoked)
            return Result<VerifiedDevice>.Fail(ProtocolErrorCode.Revoked, $"The device was revoked: {revoked.Reason}");
        return new VerifiedDevice(verified, body);
    }

    /// <summary>Tolerated clock difference between client and certificate issuer.</summary>
    public const long ClockSkewSeconds = 300;

    private async ValueTask<Result<CompositePublicKey>> VerifyRootAsync(DelegationTrust trust, CancellationToken cancellationToken)
    {
        var key = trust.Root.Body.OfficerKey();
        if (!key.TryGetValue(out var rootKey, out _)) return Result<CompositePublicKey>.Fail(ProtocolErrorCode.Untrusted, "The delegation root carries a malformed key.");
        if (!await trust.Root.VerifyAsync(suite, rootKey, cancellationToken).ConfigureAwait(false))
            return Result<CompositePublicKey>.Fail(ProtocolErrorCode.BadSignature, $"The root of delegation {trust.Root.Body.Code} is not self-signed by its officer.");
        return rootKey;
    }

    // Returns null when the certificate is valid now, signed by an officer of its delegation and not revoked.
    private async ValueTask<ProtocolError?> CheckCertificateAsync(DelegationTrust trust, CompositePublicKey rootKey, Signed<ClearanceCertificate> certificate, DateTimeOffset now, int depth, CancellationToken cancellationToken)
    {
        var body = certificate.Body;
        var seconds = now.ToUnixTimeSeconds();
        if (body.ValidFrom > seconds + ClockSkewSeconds)
            return new ProtocolError(ProtocolErrorCode.NotYetValid, $"The clearance certificate is valid only from {DateTimeOffset.FromUnixTimeSeconds(body.ValidFrom):u}.");
        if (body.ValidUntil <= seconds)
            return new ProtocolError(ProtocolErrorCode.Expired, $"The clearance certificate expired on {DateTimeOffset.FromUnixTimeSeconds(body.ValidUntil):u}.");

        var issuer = await FindOfficerAsync(trust, rootKey, certificate.SignerFingerprint, body.Delegation, now, depth, cancellationToken).ConfigureAwait(false);
        if (!issuer.TryGetValue(out var issuerKey, out var error)) return error;
        if (!await certificate.VerifyAsync(suite, issuerKey, cancellationToken).ConfigureAwait(false))
            return new ProtocolError(ProtocolErrorCode.BadSignature, "The clearance certificate's signature does not verify: it was forged or altered.");
        if (await FindRevocationAsync(trust, rootKey, RevocationKind.Clearance, body.Serial, null, now, depth, cancellationToken).ConfigureAwait(false) is { } revoked)
            return new ProtocolError(ProtocolErrorCode.Revoked, $"The clearance certificate was revoked: {revoked.Reason}");
        return null;
    }

    private async ValueTask<Result<CompositePublicKey>> FindOfficerAsync(DelegationTrust trust, CompositePublicKey rootKey, byte[] fingerprint, string delegation, DateTimeOffset now, int depth, CancellationToken cancellationToken)
    {
        if (delegation != trust.Root.Body.Code)
            return Result<CompositePublicKey>.Fail(ProtocolErrorCode.Untrusted, $"Only an officer of {delegation} may certify its members.");
        if (CryptographicOperations.FixedTimeEquals(fingerprint, rootKey.Fingerprint())) return rootKey;
        if (depth >= MaxOfficerDepth)
            return Result<CompositePublicKey>.Fail(ProtocolErrorCode.Untrusted, "The chain of officers is too long.");
        var key = trust.OfficerKeys.FirstOrDefault(k => CryptographicOperations.FixedTimeEquals(k.Fingerprint(), fingerprint));
        var certificate = trust.OfficerCertificates.FirstOrDefault(c => CryptographicOperations.FixedTimeEquals(c.Body.SubjectFingerprint, fingerprint));
        if (key is null || certificate is null)
            return Result<CompositePublicKey>.Fail(ProtocolErrorCode.Untrusted, $"The signer is not a security officer of {delegation}.");
        if (!certificate.Body.RoleSet.HasFlag(Roles.SecurityOfficer) || certificate.Body.Delegation != delegation)
            return Result<CompositePublicKey>.Fail(ProtocolErrorCode.Untrusted, $"The signer is not a security officer of {delegation}.");
        var officerCheck = await CheckCertificateAsync(trust, rootKey, certificate, now, depth + 1, cancellationToken).ConfigureAwait(false);
        if (officerCheck is not null)
            return Result<CompositePublicKey>.Fail(officerCheck.Code, $"The signing officer's own clearance is not valid: {officerCheck.Message}");
        return key;
    }

    // A revocation counts only if a current officer of the delegation (or, for a device, its own
    // user) signed it; anything else the server might insert is ignored.
    private async ValueTask<Revocation?> FindRevocationAsync(DelegationTrust trust, CompositePublicKey rootKey, RevocationKind kind, Guid subject, CompositePublicKey? owner, DateTimeOffset now, int depth, CancellationToken cancellationToken)
    {
        foreach (var revocation in trust.Revocations)
        {
            var body = revocation.Body;
            if (body.Kind != kind || body.SubjectId != subject || body.Delegation != trust.Root.Body.Code) continue;
            if (owner is not null && await revocation.VerifyAsync(suite, owner, cancellationToken).ConfigureAwait(false)) return body;
            var officer = await FindOfficerAsync(trust, rootKey, revocation.SignerFingerprint, body.Delegation, now, depth, cancellationToken).ConfigureAwait(false);
            if (officer.IsOk && await revocation.VerifyAsync(suite, officer.Value, cancellationToken).ConfigureAwait(false)) return body;
        }
        return null;
    }

    private static Result<VerifiedMember> Fail(ProtocolErrorCode code, string message) => Result<VerifiedMember>.Fail(code, message);
}
