using Parley.Client.Api;
using Parley.Client.Ledger;
using Parley.Client.Trust;
using Parley.Protocol;
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
/// this client checks all of it. Entries and trust views are cached for a short while; admissions
/// are kept while the entry they came from is unchanged, so a room of fifty is not re-verified
/// before every message.
/// </summary>
internal sealed class DeviceAdmissions(ParleyClient client, DirectoryVerifier directory, CryptoSuite suite, TimeProvider time)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan LedgerPatience = TimeSpan.FromSeconds(1);
    private const int LedgerAttempts = 5;

    private readonly RoomAdmission _admission = new(suite);
    private readonly Dictionary<Guid, Fetched> _entries = [];
    private readonly Dictionary<string, (Result<DelegationTrust> Trust, DateTimeOffset At)> _trusts = new(StringComparer.Ordinal);
    private readonly Dictionary<(RoomDefinition Room, Guid Device), Admission> _admitted = [];

    private sealed record Fetched(DirectoryEntry? Entry, string? Problem, DateTimeOffset At);

    /// <summary>Forgets what is cached about <paramref name="userId"/> (their membership or devices changed).</summary>
    public void Forget(Guid userId)
    {
        _entries.Remove(userId);
        DropAdmissions(userId);
    }

    /// <summary>The directory's description of a user (cached unless <paramref name="fresh"/>).</summary>
    public async Task<DirectoryUser?> UserAsync(Guid userId, bool fresh, CancellationToken cancellationToken) =>
        (await FetchAsync(userId, fresh, cancellationToken).ConfigureAwait(false)).Entry?.User;

    /// <summary>
    /// Takes directory entries fetched in bulk (the room's devices) as the current ones; with
    /// <paramref name="refreshTrust"/> the delegations' trust views are fetched again too, as before
    /// keys are handed out, so that a revocation by an officer is not missed.
    /// </summary>
    public async Task SeedAsync(IReadOnlyList<DirectoryEntry> entries, bool refreshTrust, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (refreshTrust)
        {
            foreach (var code in entries.Select(e => e.User.Delegation).OfType<string>().Distinct(StringComparer.Ordinal))
                await TrustAsync(code, true, cancellationToken).ConfigureAwait(false);
        }
        foreach (var entry in entries)
        {
            if (_entries.TryGetValue(entry.User.Id, out var known) && known.Entry is { } previous && Same(previous, entry))
            {
                _entries[entry.User.Id] = known with { At = now };
                continue;
            }
            _entries[entry.User.Id] = new Fetched(entry, null, now);
            DropAdmissions(entry.User.Id);
        }
    }

    /// <summary>
    /// Admits device <paramref name="deviceId"/> of user <paramref name="userId"/> to <paramref name="room"/>.
    /// With <paramref name="fresh"/> the directory is asked again; otherwise a recent answer serves, and
    /// the directory is asked again for a device it did not list.
    /// </summary>
    public async Task<Admission> AdmitAsync(RoomDefinition room, Guid userId, Guid deviceId, bool fresh, CancellationToken cancellationToken)
    {
        if (!fresh && _admitted.TryGetValue((room, deviceId), out var cached) && cached.User?.Id == userId && IsRecent(userId)) return cached;
        var fetched = await FetchAsync(userId, fresh, cancellationToken).ConfigureAwait(false);
        if (!fresh && fetched.Entry is not null && FindDevice(fetched.Entry, deviceId) is null)
            fetched = await FetchAsync(userId, true, cancellationToken).ConfigureAwait(false);
        var admission = await AdmitFromAsync(room, fetched, userId, deviceId, fresh, cancellationToken).ConfigureAwait(false);
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
            if (!decoded.TryGetValue(out var certificate, out _))
            {
                results.Add((Guid.Empty, new Admission(RoomResult<RoomDevice>.Fail(RoomErrorCode.Untrusted, $"The directory lists a malformed device certificate for {fetched.Entry.User.Email}."), fetched.Entry.User)));
                continue;
            }
            var deviceId = certificate.Body.DeviceId;
            if (!_admitted.TryGetValue((room, deviceId), out var admission) || admission.User?.Id != userId)
            {
                admission = await AdmitFromAsync(room, fetched, userId, deviceId, false, cancellationToken).ConfigureAwait(false);
                _admitted[(room, deviceId)] = admission;
            }
            results.Add((deviceId, admission));
        }
        return results;
    }

    private async Task<Admission> AdmitFromAsync(RoomDefinition room, Fetched fetched, Guid userId, Guid deviceId, bool fresh, CancellationToken cancellationToken)
    {
        if (fetched.Entry is not { } entry)
            return new Admission(RoomResult<RoomDevice>.Fail(RoomErrorCode.Untrusted, $"Device {deviceId} belongs to user {userId}, whom the directory does not describe ({fetched.Problem}): an unknown device."), null);
        if (entry.User.Delegation is not { } code)
            return new Admission(RoomResult<RoomDevice>.Fail(RoomErrorCode.Untrusted, $"{entry.User.Email} belongs to no delegation, so no security officer vouches for their devices."), entry.User);
        var trusted = await TrustAsync(code, fresh, cancellationToken).ConfigureAwait(false);
        if (!trusted.TryGetValue(out var trust, out var trustError))
            return new Admission(RoomResult<RoomDevice>.Fail(RoomErrorCode.Untrusted, $"The delegation {code} of {entry.User.Email} cannot be trusted: {trustError.Message}"), entry.User);
        trust = trust with { Revocations = [.. trust.Revocations, .. Revocations(entry)] };
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
            if (result.IsOk) return await UnlessUnloggedAsync(new Admission(result, entry.User), device.Body, entry.User, cancellationToken).ConfigureAwait(false);
            // A revoked clearance fails as revoked too; what explains the refusal is a clearance still in force
            // (certificates issued in the same second come in no particular order).
            if (first is null || (first.Code == RoomErrorCode.DeviceRevoked && result.Error.Code != RoomErrorCode.DeviceRevoked)) first = result.Error;
        }
        return new Admission(first!, entry.User);
    }

    /// <summary>
    /// Key transparency (DESIGN §8): a client that follows the server's ledger admits a device only once
    /// its registration with exactly these keys is in a checkpoint it verified, so a key the server
    /// shows this client but hides from the log is never encrypted to. A registration a moment old may
    /// not be sequenced yet: it is asked for again for a few seconds before the device is refused.
    /// </summary>
    private async Task<Admission> UnlessUnloggedAsync(Admission admitted, DeviceCertificate device, DirectoryUser user, CancellationToken cancellationToken)
    {
        if (client.Ledger is null) return admitted;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await client.EnsureDeviceLoggedAsync(device, cancellationToken).ConfigureAwait(false);
                return admitted;
            }
            catch (LedgerVerificationException e) when (e.Error.Code == ProtocolErrorCode.Untrusted && attempt < LedgerAttempts)
            {
                await Task.Delay(LedgerPatience, cancellationToken).ConfigureAwait(false);
            }
            catch (LedgerVerificationException e)
            {
                return new Admission(RoomResult<RoomDevice>.Fail(RoomErrorCode.Untrusted,
                    $"Device {device.DeviceId} of {user.Email} is not in the server's ledger with these keys, so nothing is encrypted to it: {e.Message}"), user);
            }
        }
    }

    private async Task<Result<DelegationTrust>> TrustAsync(string code, bool fresh, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!fresh && _trusts.TryGetValue(code, out var cached) && now - cached.At < MaxAge) return cached.Trust;
        Result<DelegationTrust> trust;
        try
        {
            trust = await directory.GetTrustAsync(code, cancellationToken).ConfigureAwait(false);
        }
        catch (ParleyApiException e) when (e.Kind == ApiProblemKind.NotFound)
        {
            trust = Result<DelegationTrust>.Fail(ProtocolErrorCode.Untrusted, $"delegation {code} has no root of trust on the server");
        }
        _trusts[code] = (trust, now);
        return trust;
    }

    private bool IsRecent(Guid userId) => _entries.TryGetValue(userId, out var fetched) && time.GetUtcNow() - fetched.At < MaxAge;

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
        var now = time.GetUtcNow();
        if (!fresh && _entries.TryGetValue(userId, out var cached) && now - cached.At < MaxAge) return cached;
        Fetched fetched;
        try
        {
            var entry = await client.GetDirectoryEntryAsync(userId, cancellationToken).ConfigureAwait(false);
            fetched = entry.User.Id == userId ? new Fetched(entry, null, now) : new Fetched(null, $"the directory answered with {entry.User.Id} when asked for {userId}", now);
        }
        catch (ParleyApiException e) when (e.Kind == ApiProblemKind.NotFound)
        {
            fetched = new Fetched(null, "not in the directory", now);
        }
        if (!_entries.TryGetValue(userId, out var previous) || previous.Entry is null || fetched.Entry is null || !Same(previous.Entry, fetched.Entry))
            DropAdmissions(userId);
        _entries[userId] = fetched;
        return fetched;
    }

    private void DropAdmissions(Guid userId)
    {
        foreach (var key in _admitted.Where(a => a.Value.User?.Id == userId || a.Value.User is null).Select(a => a.Key).ToList()) _admitted.Remove(key);
    }

    private static bool Same(DirectoryEntry a, DirectoryEntry b) =>
        a.User.Id == b.User.Id && a.User.Email == b.User.Email && a.User.Delegation == b.User.Delegation
        && a.User.IdentityPublicKey.AsSpan().SequenceEqual(b.User.IdentityPublicKey)
        && SameList(a.DeviceCertificates, b.DeviceCertificates) && SameList(a.ClearanceCertificates, b.ClearanceCertificates) && SameList(a.Revocations, b.Revocations);

    private static bool SameList(IReadOnlyList<byte[]> a, IReadOnlyList<byte[]> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.AsSpan().SequenceEqual(p.Second));

    private static IEnumerable<Signed<Revocation>> Revocations(DirectoryEntry entry) =>
        entry.Revocations.Select(r => Signed<Revocation>.Decode(r)).Where(r => r.IsOk).Select(r => r.Value);
}
