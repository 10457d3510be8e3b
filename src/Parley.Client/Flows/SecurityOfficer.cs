using Parley.Client.Api;
using Parley.Client.Keys;
using Parley.Protocol;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;

namespace Parley.Client.Flows;

/// <summary>What an officer certifies about a member.</summary>
/// <param name="Email">The member's address.</param>
/// <param name="Level">Clearance level, e.g. SECRET.</param>
/// <param name="Compartments">Compartments, e.g. ALPHA.</param>
/// <param name="Roles">Roles the certificate states; the member's account roles when empty.</param>
/// <param name="ValidFor">How long from now the clearance lasts.</param>
/// <param name="TrainingValidUntil">End of the member's confidentiality training validity.</param>
public sealed record ClearanceRequest(string Email, string Level, IReadOnlyList<string> Compartments, Roles Roles, TimeSpan ValidFor, DateTimeOffset TrainingValidUntil);

/// <summary>
/// A security officer's operations on their own delegation: enrollment links for members,
/// clearance certificates signed with the officer's identity key, signed revocations of clearances
/// and devices, the member list and sign-in attempts. The server checks the signatures and the
/// officer's authority; this class makes and signs, and refuses obvious mistakes before asking.
/// </summary>
public sealed class SecurityOfficer(ParleyClient client, CryptoSuite suite, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>A one-time enrollment link for <paramref name="email"/> with <paramref name="roles"/>.</summary>
    public Task<CreatedEnrollment> CreateEnrollmentAsync(string email, Roles roles, string delegation, int? expiresInHours = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        if (roles == Roles.None) throw new ArgumentException("An enrollment grants at least one role.", nameof(roles));
        return client.CreateEnrollmentAsync(new CreateEnrollmentRequest(email, RoleNames.ToNames(roles), delegation, expiresInHours), cancellationToken);
    }

    /// <summary>
    /// Issues a clearance certificate for a member of <paramref name="delegation"/>, binding the
    /// member's identity key as the directory lists it. Returns the certificate and the server's view.
    /// </summary>
    public async Task<(Signed<ClearanceCertificate> Certificate, ClearanceView View)> CertifyAsync(UnlockedIdentity officer, string delegation, ClearanceRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(officer);
        ArgumentNullException.ThrowIfNull(request);
        if (request.ValidFor <= TimeSpan.Zero) throw new ArgumentException("A clearance must last some time.", nameof(request));
        var entry = await client.GetDirectoryEntryAsync(request.Email, cancellationToken).ConfigureAwait(false);
        var subject = entry.User;
        if (!string.Equals(subject.Email, request.Email, StringComparison.OrdinalIgnoreCase))
            throw new TrustException(new ProtocolError(ProtocolErrorCode.Untrusted, $"The directory answered with {subject.Email} when asked for {request.Email}."));
        if (subject.Delegation != delegation)
            throw new TrustException(new ProtocolError(ProtocolErrorCode.Untrusted, $"{subject.Email} is a member of {subject.Delegation ?? "no delegation"}, not {delegation}; only their own officer may certify them."));
        var key = CompositePublicKey.Decode(subject.IdentityPublicKey);
        if (!key.TryGetValue(out var subjectKey, out var error)) throw new TrustException(error);
        var roles = request.Roles != Roles.None ? RoleNames.ToNames(request.Roles) : subject.Roles;
        var now = _time.GetUtcNow();
        var body = new ClearanceCertificate(Guid.NewGuid(), delegation, subject.Id, subjectKey.Fingerprint(), roles, request.Level,
            request.Compartments.Order(StringComparer.Ordinal).Distinct().ToList(),
            now.ToUnixTimeSeconds(), now.Add(request.ValidFor).ToUnixTimeSeconds(), request.TrainingValidUntil.ToUnixTimeSeconds(), now.ToUnixTimeSeconds());
        var certificate = await officer.SignAsync(suite, body, cancellationToken).ConfigureAwait(false);
        var view = await client.IssueClearanceAsync(delegation, certificate.Encode(), cancellationToken).ConfigureAwait(false);
        return (certificate, view);
    }

    /// <summary>Revokes a clearance by serial with a revocation signed by the officer.</summary>
    public async Task<ClearanceView> RevokeClearanceAsync(UnlockedIdentity officer, string delegation, Guid serial, string reason, CancellationToken cancellationToken = default)
    {
        var revocation = await SignRevocationAsync(suite, officer, RevocationKind.Clearance, serial, delegation, reason, _time, cancellationToken).ConfigureAwait(false);
        return await client.RevokeClearanceAsync(delegation, serial, revocation.Encode(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Revokes any device of the delegation with a revocation signed by the officer.</summary>
    public async Task<DeviceView> RevokeDeviceAsync(UnlockedIdentity officer, string delegation, Guid deviceId, string reason, CancellationToken cancellationToken = default)
    {
        var revocation = await SignRevocationAsync(suite, officer, RevocationKind.Device, deviceId, delegation, reason, _time, cancellationToken).ConfigureAwait(false);
        return await client.RevokeDeviceAsync(deviceId, revocation.Encode(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The delegation's members with their clearance, devices and lock state.</summary>
    public Task<IReadOnlyList<MemberView>> MembersAsync(string delegation, CancellationToken cancellationToken = default) =>
        client.ListMembersAsync(delegation, cancellationToken);

    /// <summary>All devices of the delegation, revoked ones included.</summary>
    public Task<IReadOnlyList<DeviceView>> DevicesAsync(string delegation, CancellationToken cancellationToken = default) =>
        client.ListDelegationDevicesAsync(delegation, cancellationToken);

    /// <summary>Recent sign-in attempts of the delegation's accounts.</summary>
    public Task<IReadOnlyList<SignInAttemptView>> SignInsAsync(string delegation, CancellationToken cancellationToken = default) =>
        client.ListSignInAttemptsAsync(delegation, cancellationToken);

    internal static Task<Signed<Revocation>> SignRevocationAsync(CryptoSuite suite, UnlockedIdentity signer, RevocationKind kind, Guid subject, string delegation, string reason, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signer);
        if (!DelegationCode.IsValid(delegation)) throw new ArgumentException($"'{delegation}' is not a delegation code.", nameof(delegation));
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        if (reason.Length > 500) throw new ArgumentException("A revocation reason is at most 500 characters.", nameof(reason));
        return signer.SignAsync(suite, new Revocation(kind, subject, delegation, time.GetUtcNow().ToUnixTimeSeconds(), reason), cancellationToken);
    }
}
