using System.Collections.Concurrent;
using System.Net;
using Parley.Client.Profiles;
using Parley.Protocol;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;

namespace Parley.Client.Ledger;

/// <summary>What <see cref="ProfileLedger.SyncAsync"/> found.</summary>
/// <param name="Origin">The log's origin.</param>
/// <param name="PinnedKeys">The log verifier keys pinned in the profile.</param>
/// <param name="NewlyPinned">True when this call pinned them (the profile's first contact with the log): show them to the user.</param>
/// <param name="Checkpoint">The checkpoint verified and accepted now; null while the server has signed none yet.</param>
/// <param name="Proven">Own actions proven included by this call, with their index.</param>
/// <param name="Missing">Own actions still not in the log <see cref="ProfileLedger.Grace"/> after they were taken: the server hid them or does not log.</param>
/// <param name="Waiting">Own actions not in the log yet, still within the grace period.</param>
public sealed record LedgerSyncResult(
    string Origin, IReadOnlyList<string> PinnedKeys, bool NewlyPinned, VerifiedCheckpoint? Checkpoint,
    IReadOnlyList<LedgerAction> Proven, IReadOnlyList<LedgerAction> Missing, IReadOnlyList<LedgerAction> Waiting);

/// <summary>
/// A profile's everyday use of the server's ledger. At the profile's first contact with the server it
/// pins the log's verifier keys in the profile (trust on first use); every <see cref="SyncAsync"/> then
/// moves the persisted checkpoint forward through a <see cref="LedgerClient"/> (consistency proof from
/// the last accepted one; a fork or rollback is a <see cref="LedgerVerificationException"/> and a fork is
/// remembered). It keeps, in the profile, the actions this client took that the server must log
/// (<see cref="ExpectAsync"/>) and proves each one included, warning about those still missing after
/// <see cref="Grace"/>. Senders call <see cref="EnsureDeviceLoggedAsync"/> before encrypting to a device.
/// </summary>
/// <param name="http">A client whose base address is the profile's server.</param>
/// <param name="profiles">The profile's store: pinned keys and own actions live there.</param>
/// <param name="checkpoints">Where the last accepted checkpoint and any fork evidence live (the CLI's is a folder in the profile).</param>
/// <param name="time">The clock that dates own actions.</param>
public sealed class ProfileLedger(HttpClient http, IProfileStore profiles, ICheckpointStore checkpoints, TimeProvider? time = null)
{
    /// <summary>How long after an action its entry may take to appear before its absence is reported.
    /// The sequencer integrates within seconds; minutes of slack cover a busy server, not a hidden entry.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);

    // Proven actions are kept for 'parley ledger mine'; the oldest go first beyond this many.
    private const int KeptProven = 200;

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<Guid, (string Kem, string Signing, long Index)> _loggedDevices = new();
    private LedgerClient? _log;
    private IReadOnlyList<string> _keys = [];
    private bool _newlyPinned;

    /// <summary>The verified view of the log, once opened by <see cref="SyncAsync"/> or <see cref="EnsureDeviceLoggedAsync"/>.</summary>
    public LedgerClient? Log => _log;

    /// <summary>
    /// Pins the log's keys if the profile has none yet, verifies the server's current checkpoint against the
    /// persisted one and keeps it, then proves the profile's pending actions included. Throws
    /// <see cref="LedgerVerificationException"/> when the log does not verify (a fork, a rollback, another key),
    /// and for every call after a fork.
    /// </summary>
    public async Task<LedgerSyncResult> SyncAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var log = await OpenCoreAsync(cancellationToken).ConfigureAwait(false);
            var checkpoint = await UpdateCoreAsync(log, cancellationToken).ConfigureAwait(false);
            var (proven, missing, waiting) = await CheckActionsCoreAsync(log, checkpoint, cancellationToken).ConfigureAwait(false);
            // The pinning is news once.
            var newlyPinned = _newlyPinned;
            _newlyPinned = false;
            return new LedgerSyncResult(log.Origin, _keys, newlyPinned, checkpoint, proven, missing, waiting);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The size of the last checkpoint verified (0 before any): an action taken from now on is logged at this index or after.
    /// Read it before sending the action's request and give it to <see cref="ExpectAsync"/>.</summary>
    public long Baseline => _log?.Current?.Checkpoint.Size ?? 0;

    /// <summary>
    /// Records that this client just took an action the server logs as <paramref name="type"/> about
    /// <paramref name="subject"/> (singled out by <paramref name="fieldName"/> = <paramref name="fieldValue"/>
    /// when given), at index <paramref name="afterSize"/> or later (<see cref="Baseline"/> read before the
    /// request). The next <see cref="SyncAsync"/> proves it included.
    /// </summary>
    public async Task ExpectAsync(LedgerEventType type, string subject, string? fieldName, string? fieldValue, long afterSize, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ArgumentOutOfRangeException.ThrowIfNegative(afterSize);
        if ((fieldName is null) != (fieldValue is null)) throw new ArgumentException("Give a field's name and value together.", nameof(fieldName));
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var profile = await profiles.LoadAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new ProfileException("There is no profile to record the action in.");
            var action = new LedgerAction(type, subject, fieldName, fieldValue, _time.GetUtcNow(), afterSize, null);
            await profiles.SaveAsync(profile with { LedgerActions = [.. profile.LedgerActions ?? [], action] }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Key transparency for senders: proves that <paramref name="device"/>'s registration with exactly its
    /// certificate's keys is in a checkpoint this profile verified (<see cref="LedgerClient.VerifyDeviceLoggedAsync"/>),
    /// and returns the entry's index. Call it before encrypting to the device; a device whose keys are not
    /// logged is a <see cref="LedgerVerificationException"/>. Proven devices are remembered for the life of this object.
    /// </summary>
    public async Task<long> EnsureDeviceLoggedAsync(DeviceCertificate device, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        var kem = LedgerEntry.HashOf(device.KemPublicKey);
        var signing = LedgerEntry.HashOf(device.SigningPublicKey);
        // Cached by id, and only for these very keys: a server that later shows other keys under the id is checked again.
        if (_loggedDevices.TryGetValue(device.DeviceId, out var known) && known.Kem == kem && known.Signing == signing) return known.Index;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var log = await OpenCoreAsync(cancellationToken).ConfigureAwait(false);
            var index = await log.VerifyDeviceLoggedAsync(device.DeviceId, device.KemPublicKey, device.SigningPublicKey, cancellationToken).ConfigureAwait(false);
            _loggedDevices[device.DeviceId] = (kem, signing, index);
            return index;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<LedgerClient> OpenCoreAsync(CancellationToken cancellationToken)
    {
        if (_log is not null) return _log;
        var profile = await profiles.LoadAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new ProfileException("There is no profile to keep the server's ledger keys in.");
        if (http.BaseAddress is null || profile.Server != http.BaseAddress)
            throw new InvalidOperationException($"The profile belongs to {profile.Server}, the client talks to {http.BaseAddress}.");
        IReadOnlyList<INoteVerifier> verifiers;
        if (profile.LedgerKeys is { Count: > 0 } pinned)
        {
            var parsed = new List<INoteVerifier>();
            foreach (var key in pinned)
            {
                var verifier = NoteKeys.ParseVerifierKey(key);
                if (!verifier.IsOk) throw new ProfileException($"The ledger key pinned in this profile is damaged: {verifier.Error.Message}");
                parsed.Add(verifier.Value);
            }
            verifiers = parsed;
        }
        else
        {
            verifiers = await LedgerClient.FetchVerifierKeysAsync(http, cancellationToken).ConfigureAwait(false);
            if (verifiers.Any(k => k.Type == NoteKeyType.CosignatureV1) || verifiers.Any(k => k.Name != verifiers[0].Name))
                throw new LedgerVerificationException(new ProtocolError(ProtocolErrorCode.Malformed, "The server publishes log keys that are not one log's signing keys."));
            // Reloaded: the profile may have changed while the keys were fetched.
            var latest = await profiles.LoadAsync(cancellationToken).ConfigureAwait(false) ?? profile;
            await profiles.SaveAsync(latest with { LedgerKeys = [.. verifiers.Select(k => k.VerifierKey)] }, cancellationToken).ConfigureAwait(false);
            _newlyPinned = true;
        }
        _keys = [.. verifiers.Select(k => k.VerifierKey)];
        _log = await LedgerClient.CreateAsync(http, verifiers, checkpoints, cancellationToken: cancellationToken).ConfigureAwait(false);
        return _log;
    }

    private static async Task<VerifiedCheckpoint?> UpdateCoreAsync(LedgerClient log, CancellationToken cancellationToken)
    {
        try
        {
            return await log.UpdateAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.ServiceUnavailable && log.Current is null)
        {
            // A fresh server has signed nothing yet: there is nothing to verify. Once a checkpoint was
            // accepted, a server without one is not believed: the error stands.
            return null;
        }
    }

    private async Task<(List<LedgerAction> Proven, List<LedgerAction> Missing, List<LedgerAction> Waiting)> CheckActionsCoreAsync(
        LedgerClient log, VerifiedCheckpoint? checkpoint, CancellationToken cancellationToken)
    {
        List<LedgerAction> proven = [], missing = [], waiting = [];
        var profile = await profiles.LoadAsync(cancellationToken).ConfigureAwait(false);
        var actions = profile?.LedgerActions ?? [];
        if (!actions.Any(a => a.Index is null)) return (proven, missing, waiting);

        var now = _time.GetUtcNow();
        // One entry proves one action: two identical actions need two entries.
        var claimed = actions.Where(a => a.Index is not null).Select(a => a.Index!.Value).ToHashSet();
        var provenIndices = new Dictionary<LedgerAction, Queue<long>>();
        foreach (var action in actions.Where(a => a.Index is null).Distinct())
        {
            var copies = actions.Count(a => a == action);
            List<long> indices = checkpoint is null ? [] : await FindAsync(log, action, claimed, copies, cancellationToken).ConfigureAwait(false);
            claimed.UnionWith(indices);
            proven.AddRange(indices.Select(index => action with { Index = index }));
            provenIndices[action] = new Queue<long>(indices);
            for (var i = indices.Count; i < copies; i++) (now - action.At >= Grace ? missing : waiting).Add(action);
        }
        if (proven.Count == 0) return (proven, missing, waiting);

        // Merged into the profile as it is now, so that nothing recorded meanwhile is lost.
        var latest = await profiles.LoadAsync(cancellationToken).ConfigureAwait(false) ?? profile!;
        var merged = (latest.LedgerActions ?? [])
            .Select(a => a.Index is null && provenIndices.TryGetValue(a, out var queue) && queue.Count > 0 ? a with { Index = queue.Dequeue() } : a)
            .ToList();
        var extra = merged.Count(a => a.Index is not null) - KeptProven;
        if (extra > 0)
        {
            var dropped = 0;
            merged = merged.Where(a => a.Index is null || dropped++ >= extra).ToList();
        }
        await profiles.SaveAsync(latest with { LedgerActions = merged }, cancellationToken).ConfigureAwait(false);
        return (proven, missing, waiting);
    }

    // The server's lookup names candidates; each is proven included and checked to be what was expected.
    private static async Task<List<long>> FindAsync(LedgerClient log, LedgerAction action, HashSet<long> claimed, int wanted, CancellationToken cancellationToken)
    {
        var found = new List<long>();
        foreach (var (index, entry) in await log.GetVerifiedEntriesAboutAsync(action.Subject, action.AfterSize, cancellationToken).ConfigureAwait(false))
        {
            if (found.Count == wanted) break;
            if (claimed.Contains(index) || entry.Type != action.Type) continue;
            if (action.FieldName is not null && entry.Field(action.FieldName) != action.FieldValue) continue;
            found.Add(index);
        }
        return found;
    }
}
