using Parley.Client.Api;
using Parley.Protocol;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;

namespace Parley.Client.Trust;

/// <summary>Why one certificate or device of a person was not trusted.</summary>
/// <param name="Subject">What was refused, e.g. "clearance 6f1c…" or "device 2b9e… (laptop)".</param>
/// <param name="Reason">The typed reason.</param>
public sealed record TrustRefusal(string Subject, ProtocolError Reason)
{
    /// <inheritdoc />
    public override string ToString() => $"{Subject}: {Reason.Message}";
}

/// <summary>The outcome of checking a person against their delegation's pinned root.</summary>
/// <param name="User">The directory's claims about the person (only <see cref="Member"/> and <see cref="Devices"/> are verified).</param>
/// <param name="Member">The verified clearance, or null when none verified.</param>
/// <param name="Devices">The devices whose certificates chain to the pinned root.</param>
/// <param name="Refusals">Everything that was not trusted, and why.</param>
public sealed record PersonVerification(DirectoryUser User, VerifiedMember? Member, IReadOnlyList<VerifiedDevice> Devices, IReadOnlyList<TrustRefusal> Refusals)
{
    /// <summary>True when the person is cleared and has at least one trusted device.</summary>
    public bool Trusted => Member is not null && Devices.Count > 0;
}

/// <summary>
/// Fetches a person's directory entry and their delegation's trust view, and believes only what
/// verifies with <see cref="TrustVerifier"/> against the pinned root: the server may omit, replay
/// or forge anything it sends, and every such item is refused with its reason.
/// </summary>
public sealed class DirectoryVerifier(ParleyClient client, TrustStore trustStore, CryptoSuite suite, TimeProvider? time = null)
{
    private readonly TrustVerifier _verifier = new(suite);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Verifies the person with id <paramref name="userId"/>.</summary>
    public async Task<PersonVerification> VerifyAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var entry = await client.GetDirectoryEntryAsync(userId, cancellationToken).ConfigureAwait(false);
        if (entry.User.Id != userId) return Refused(entry, "directory", ProtocolErrorCode.Untrusted, $"The server answered with {entry.User.Id} when asked for {userId}.");
        return await VerifyEntryAsync(entry, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Verifies the person with address <paramref name="email"/>.</summary>
    public async Task<PersonVerification> VerifyAsync(string email, CancellationToken cancellationToken = default)
    {
        var entry = await client.GetDirectoryEntryAsync(email, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(entry.User.Email, email, StringComparison.OrdinalIgnoreCase))
            return Refused(entry, "directory", ProtocolErrorCode.Untrusted, $"The server answered with {entry.User.Email} when asked for {email}.");
        return await VerifyEntryAsync(entry, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A delegation's chain of trust, anchored on the pinned root (pinned now if first seen).</summary>
    public async Task<Result<DelegationTrust>> GetTrustAsync(string code, CancellationToken cancellationToken = default)
    {
        var view = await client.GetDelegationTrustAsync(code, cancellationToken).ConfigureAwait(false);
        if (view.Code != code)
            return Result<DelegationTrust>.Fail(ProtocolErrorCode.Untrusted, $"The server sent the trust of {view.Code} when asked for {code}.");
        var root = await trustStore.ResolveAsync(code, view.Root, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!root.TryGetValue(out var pinned, out var error)) return error;
        // Malformed items are dropped: they cannot make anything trusted, only fail to.
        var officers = Decode<ClearanceCertificate>(view.OfficerCertificates);
        var keys = view.OfficerKeys.Select(k => CompositePublicKey.Decode(k)).Where(k => k.IsOk).Select(k => k.Value).ToList();
        var revocations = Decode<Revocation>(view.Revocations);
        return new DelegationTrust(pinned, officers, keys, revocations);
    }

    private async Task<PersonVerification> VerifyEntryAsync(DirectoryEntry entry, CancellationToken cancellationToken)
    {
        var user = entry.User;
        var identity = CompositePublicKey.Decode(user.IdentityPublicKey);
        if (!identity.TryGetValue(out var identityKey, out var keyError))
            return Refused(entry, "identity key", ProtocolErrorCode.InvalidKey, keyError.Message);
        if (user.Delegation is null)
            return Refused(entry, "delegation", ProtocolErrorCode.Untrusted, $"{user.Email} belongs to no delegation, so no security officer vouches for them.");

        var trust = await GetTrustAsync(user.Delegation, cancellationToken).ConfigureAwait(false);
        if (!trust.TryGetValue(out var delegationTrust, out var trustError))
            return Refused(entry, $"delegation {user.Delegation}", trustError.Code, trustError.Message);
        delegationTrust = delegationTrust with { Revocations = [.. delegationTrust.Revocations, .. Decode<Revocation>(entry.Revocations)] };

        var refusals = new List<TrustRefusal>();
        var now = _time.GetUtcNow();
        (VerifiedMember Member, Signed<ClearanceCertificate> Certificate)? best = null;
        foreach (var bytes in entry.ClearanceCertificates)
        {
            var decoded = Signed<ClearanceCertificate>.Decode(bytes);
            if (!decoded.TryGetValue(out var certificate, out var error))
            {
                refusals.Add(new TrustRefusal("clearance (malformed)", error));
                continue;
            }
            var member = await _verifier.VerifyMemberAsync(delegationTrust, user.Id, identityKey, certificate, now, cancellationToken).ConfigureAwait(false);
            if (!member.TryGetValue(out var verified, out error))
            {
                refusals.Add(new TrustRefusal($"clearance {certificate.Body.Serial}", error));
                continue;
            }
            if (best is null || verified.Clearance.IssuedAt > best.Value.Member.Clearance.IssuedAt) best = (verified, certificate);
        }
        if (best is null)
        {
            if (entry.ClearanceCertificates.Count == 0)
                refusals.Add(new TrustRefusal("clearance", new ProtocolError(ProtocolErrorCode.Untrusted, $"{user.Email} holds no clearance certificate.")));
            return new PersonVerification(user, null, [], refusals);
        }

        var devices = new List<VerifiedDevice>();
        foreach (var bytes in entry.DeviceCertificates)
        {
            var decoded = Signed<DeviceCertificate>.Decode(bytes);
            if (!decoded.TryGetValue(out var device, out var error))
            {
                refusals.Add(new TrustRefusal("device (malformed)", error));
                continue;
            }
            var verified = await _verifier.VerifyDeviceAsync(delegationTrust, user.Id, identityKey, best.Value.Certificate, device, now, cancellationToken).ConfigureAwait(false);
            if (verified.TryGetValue(out var trusted, out error)) devices.Add(trusted);
            else refusals.Add(new TrustRefusal($"device {device.Body.DeviceId} ({device.Body.DeviceName})", error));
        }
        return new PersonVerification(user, best.Value.Member, devices, refusals);
    }

    private static List<Signed<T>> Decode<T>(IEnumerable<byte[]> items) where T : ISignedBody<T> =>
        items.Select(i => Signed<T>.Decode(i)).Where(r => r.IsOk).Select(r => r.Value).ToList();

    private static PersonVerification Refused(DirectoryEntry entry, string subject, ProtocolErrorCode code, string message) =>
        new(entry.User, null, [], [new TrustRefusal(subject, new ProtocolError(code, message))]);
}
