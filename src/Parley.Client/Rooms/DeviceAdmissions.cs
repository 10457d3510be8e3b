using Parley.Client.Api;
using Parley.Client.Trust;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;
using Parley.Protocol.Rooms;

namespace Parley.Client.Rooms;

/// <summary>A device's admission to a room, with the directory facts about its owner.</summary>
/// <param name="Result">The <see cref="RoomDevice"/>, or why it was refused.</param>
/// <param name="User">The owner as the directory describes them (null when the directory does not know them).</param>
internal sealed record Admission(RoomResult<RoomDevice> Result, DirectoryUser? User);

/// <summary>
/// Admits devices to rooms the only way the protocol allows, <see cref="RoomAdmission.AdmitAsync"/>:
/// from the owner's directory entry (device and clearance certificates, revocations) and their
/// delegation's chain of trust anchored on the pinned root. The server supplies the material and
/// the client checks all of it. Entries are cached for the life of the client; a caller asks for
/// fresh ones before it hands out keys, so that a revocation is not missed.
/// </summary>
internal sealed class DeviceAdmissions(ParleyClient client, DirectoryVerifier directory, CryptoSuite suite, TimeProvider time)
{
    private readonly RoomAdmission _admission = new(suite);
    private readonly Dictionary<Guid, Fetched> _entries = [];
    private readonly Dictionary<(RoomDefinition Room, Guid Device), Admission> _admitted = [];

    private sealed record Fetched(DirectoryEntry? Entry, DelegationTrust? Trust, string? Problem);

    /// <summary>Forgets every cached entry and admission.</summary>
    public void Forget()
    {
        _entries.Clear();
        _admitted.Clear();
    }

    /// <summary>The directory's description of a user (from the cache unless <paramref name="fresh"/>).</summary>
    public async Task<DirectoryUser?> UserAsync(Guid userId, bool fresh, CancellationToken cancellationToken) =>
        (await FetchAsync(userId, fresh, cancellationToken).ConfigureAwait(false)).Entry?.User;

    /// <summary>
    /// Admits device <paramref name="deviceId"/> of user <paramref name="userId"/> to <paramref name="room"/>.
    /// With <paramref name="fresh"/> the directory is asked again (certificates and revocations change);
    /// otherwise a cached answer serves, and the directory is asked again only for a device it did not list.
    /// </summary>
    public async Task<Admission> AdmitAsync(RoomDefinition room, Guid userId, Guid deviceId, bool fresh, CancellationToken cancellationToken)
    {
        if (!fresh && _admitted.TryGetValue((room, deviceId), out var cached) && (cached.User is null || cached.User.Id == userId)) return cached;
        var fetched = await FetchAsync(userId, fresh, cancellationToken).ConfigureAwait(false);
        if (!fresh && fetched.Entry is not null && FindDevice(fetched.Entry, deviceId) is null)
            fetched = await FetchAsync(userId, true, cancellationToken).ConfigureAwait(false);
        var admission = await AdmitFromAsync(room, fetched, userId, deviceId, cancellationToken).ConfigureAwait(false);
        _admitted[(room, deviceId)] = admission;
        return admission;
    }

    /// <summary>Admits every device the directory lists for <paramref name="userId"/> (revoked ones come back refused).</summary>
    public async Task<IReadOnlyList<(Guid DeviceId, Admission Admission)>> AdmitAllAsync(RoomDefinition room, Guid userId, bool fresh, CancellationToken cancellationToken)
    {
        var fetched = await FetchAsync(userId, fresh, cancellationToken).ConfigureAwait(false);
        var results = new List<(Guid, Admission)>();
        if (fetched.Entry is null) return results;
        foreach (var bytes in fetched.Entry.DeviceCertificates)
        {
            var decoded = Signed<DeviceCertificate>.Decode(bytes);
            if (!decoded.TryGetValue(out var certificate, out _)) continue;
            var admission = await AdmitFromAsync(room, fetched, userId, certificate.Body.DeviceId, cancellationToken).ConfigureAwait(false);
            _admitted[(room, certificate.Body.DeviceId)] = admission;
            results.Add((certificate.Body.DeviceId, admission));
        }
        return results;
    }

    private async Task<Admission> AdmitFromAsync(RoomDefinition room, Fetched fetched, Guid userId, Guid deviceId, CancellationToken cancellationToken)
    {
        if (fetched.Entry is not { } entry)
            return new Admission(RoomResult<RoomDevice>.Fail(RoomErrorCode.Untrusted, $"Device {deviceId} belongs to user {userId}, whom the directory does not know: {fetched.Problem}"), null);
        if (fetched.Trust is not { } trust)
            return new Admission(RoomResult<RoomDevice>.Fail(RoomErrorCode.Untrusted, $"The delegation of {entry.User.Email} cannot be trusted: {fetched.Problem}"), entry.User);
        var device = FindDevice(entry, deviceId);
        if (device is null)
            return new Admission(RoomResult<RoomDevice>.Fail(RoomErrorCode.Untrusted, $"Device {deviceId} is not one of {entry.User.Email}'s devices in the directory: an unknown device."), entry.User);
        var identity = CompositePublicKey.Decode(entry.User.IdentityPublicKey);
        if (!identity.TryGetValue(out var identityKey, out var keyError))
            return new Admission(RoomResult<RoomDevice>.Fail(RoomErrorCode.Untrusted, $"The identity key of {entry.User.Email} is not valid: {keyError.Message}"), entry.User);

        // The newest clearance first: an older one may have been revoked or superseded.
        var clearances = entry.ClearanceCertificates.Select(c => Signed<ClearanceCertificate>.Decode(c)).Where(c => c.IsOk).Select(c => c.Value)
            .OrderByDescending(c => c.Body.IssuedAt).ToList();
        if (clearances.Count == 0)
            return new Admission(RoomResult<RoomDevice>.Fail(RoomErrorCode.Untrusted, $"{entry.User.Email} holds no clearance certificate, so no officer vouches for their devices."), entry.User);
        RoomError? first = null;
        foreach (var clearance in clearances)
        {
            var result = await _admission.AdmitAsync(room, trust, entry.User.Id, identityKey, clearance, device, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            if (result.IsOk) return new Admission(result, entry.User);
            first ??= result.Error;
        }
        return new Admission(first!, entry.User);
    }

    private static Signed<DeviceCertificate>? FindDevice(DirectoryEntry entry, Guid deviceId)
    {
        foreach (var bytes in entry.DeviceCertificates)
        {
            var decoded = Signed<DeviceCertificate>.Decode(bytes);
            if (decoded.TryGetValue(out var certificate, out _) && certificate.Body.DeviceId == deviceId && certificate.Body.UserId == entry.User.Id) return certificate;
        }
        return null;
    }

    private async Task<Fetched> FetchAsync(Guid userId, bool fresh, CancellationToken cancellationToken)
    {
        if (!fresh && _entries.TryGetValue(userId, out var cached)) return cached;
        Fetched fetched;
        try
        {
            var entry = await client.GetDirectoryEntryAsync(userId, cancellationToken).ConfigureAwait(false);
            if (entry.User.Id != userId)
                fetched = new Fetched(null, null, $"the directory answered with {entry.User.Id} when asked for {userId}");
            else if (entry.User.Delegation is not { } code)
                fetched = new Fetched(entry, null, $"{entry.User.Email} belongs to no delegation");
            else
            {
                var trust = await directory.GetTrustAsync(code, cancellationToken).ConfigureAwait(false);
                fetched = trust.TryGetValue(out var delegationTrust, out var error)
                    ? new Fetched(entry, delegationTrust with { Revocations = [.. delegationTrust.Revocations, .. Revocations(entry)] }, null)
                    : new Fetched(entry, null, error.Message);
            }
        }
        catch (ParleyApiException e) when (e.Kind == ApiProblemKind.NotFound)
        {
            fetched = new Fetched(null, null, "not in the directory");
        }
        _entries[userId] = fetched;
        // Admissions made from the previous entry may rest on certificates or revocations that changed.
        foreach (var key in _admitted.Keys.Where(k => _admitted[k].User?.Id == userId).ToList()) _admitted.Remove(key);
        return fetched;
    }

    private static IEnumerable<Signed<Revocation>> Revocations(DirectoryEntry entry) =>
        entry.Revocations.Select(r => Signed<Revocation>.Decode(r)).Where(r => r.IsOk).Select(r => r.Value);
}
