using Parley.Protocol;
using Parley.Protocol.Classification;
using Parley.Protocol.Crypto;
using Parley.Protocol.Rooms;

namespace Parley.Client.Rooms;

/// <summary>One epoch as this device knows it.</summary>
internal sealed class EpochRecord(long epoch, byte[] rosterHash, DeviceSigned<Roster>? roster, EpochState? state, RoomError? problem, long sequence)
{
    public long Epoch { get; } = epoch;

    public byte[] RosterHash { get; } = rosterHash;

    /// <summary>The signed roster (kept for the current epoch and the ones with keys).</summary>
    public DeviceSigned<Roster>? Roster { get; set; } = roster;

    /// <summary>This device's state for the epoch; null when it holds no key for it.</summary>
    public EpochState? State { get; set; } = state;

    /// <summary>Why this device holds no key for the epoch.</summary>
    public RoomError? Problem { get; set; } = problem;

    /// <summary>The log position of the roster.</summary>
    public long Sequence { get; } = sequence;
}

/// <summary>
/// The live form of <see cref="RoomVaultData"/> for one room: epoch states as objects that hold their
/// keys, and the messages read. Owned by one <see cref="RoomsClient"/>, used one operation at a time.
/// </summary>
internal sealed class RoomState : IDisposable
{
    public RoomState(Guid roomId) => RoomId = roomId;

    public Guid RoomId { get; }

    public long LastSequence { get; set; }

    public int? RetentionDays { get; set; }

    public SortedDictionary<long, EpochRecord> Epochs { get; } = [];

    public List<VaultMessage> Messages { get; } = [];

    public List<VaultSent> Sent { get; } = [];

    /// <summary>An epoch this device made and the server accepted, kept until the log reaches its roster.</summary>
    public EpochState? PendingOwnEpoch { get; set; }

    /// <summary>The latest epoch in log order.</summary>
    public EpochRecord? Current => Epochs.Count == 0 ? null : Epochs.Values.Last();

    /// <summary>Drops what the room's retention no longer allows: messages stored, and own copies sent, before the cut.</summary>
    public int Expire(DateTimeOffset now)
    {
        if (RetentionDays is not { } days || days <= 0) return 0;
        var cut = now - TimeSpan.FromDays(days);
        var removed = Messages.RemoveAll(m => m.StoredAt <= cut);
        removed += Sent.RemoveAll(s => s.SentAt <= cut);
        return removed;
    }

    public static async Task<Result<RoomState>> FromVaultAsync(Guid roomId, RoomVaultData data, ICryptoBackend backend, MarkingScheme scheme, CancellationToken cancellationToken)
    {
        var state = new RoomState(roomId) { LastSequence = data.LastSequence, RetentionDays = data.RetentionDays };
        foreach (var epoch in data.Epochs)
        {
            DeviceSigned<Roster>? roster = null;
            if (epoch.Roster is { } rosterBytes)
            {
                var decoded = DeviceSigned<Roster>.Decode(rosterBytes);
                if (!decoded.TryGetValue(out roster, out var error))
                {
                    state.Dispose();
                    return Result<RoomState>.Fail(ProtocolErrorCode.Malformed, $"A saved roster of room {roomId} is damaged: {error.Message}");
                }
            }
            EpochState? epochState = null;
            if (epoch.State is { } exported)
            {
                var imported = await EpochState.ImportAsync(backend, exported, scheme, cancellationToken).ConfigureAwait(false);
                if (!imported.TryGetValue(out epochState, out var error))
                {
                    state.Dispose();
                    return Result<RoomState>.Fail(ProtocolErrorCode.Malformed, $"A saved epoch of room {roomId} is damaged: {error.Message}");
                }
            }
            var problem = epoch.Problem is { } code ? new RoomError(code, epoch.ProblemMessage ?? RoomError.Describe(code)) : null;
            state.Epochs[epoch.Epoch] = new EpochRecord(epoch.Epoch, epoch.RosterHash, roster, epochState, problem, epoch.Sequence);
        }
        if (data.PendingEpoch is { } pending)
        {
            var imported = await EpochState.ImportAsync(backend, pending, scheme, cancellationToken).ConfigureAwait(false);
            if (!imported.TryGetValue(out var own, out var error))
            {
                state.Dispose();
                return Result<RoomState>.Fail(ProtocolErrorCode.Malformed, $"The saved epoch this device made in room {roomId} is damaged: {error.Message}");
            }
            state.PendingOwnEpoch = own;
        }
        state.Messages.AddRange(data.Messages);
        state.Sent.AddRange(data.Sent);
        return state;
    }

    public async Task<RoomVaultData> ToVaultAsync(CancellationToken cancellationToken)
    {
        var epochs = new List<VaultEpoch>(Epochs.Count);
        var current = Current;
        foreach (var record in Epochs.Values)
        {
            byte[]? exported = null;
            // A closed epoch exports without its chain keys (no message of it can be read or sent any more),
            // but with its document key: documents wrapped for the epoch outlive its messages.
            if (record.State is { } state) exported = await state.ExportAsync(cancellationToken).ConfigureAwait(false);
            // Epochs with no key of this device need no roster once a later one is known.
            var keepRoster = record == current || exported is not null;
            epochs.Add(new VaultEpoch(record.Epoch, record.RosterHash, keepRoster ? record.Roster?.Encode() : null, exported, record.Problem?.Code, record.Problem?.Message, record.Sequence));
        }
        return new RoomVaultData
        {
            LastSequence = LastSequence,
            RetentionDays = RetentionDays,
            Epochs = epochs,
            PendingEpoch = PendingOwnEpoch is { IsClosed: false } pending ? await pending.ExportAsync(cancellationToken).ConfigureAwait(false) : null,
            Messages = [.. Messages],
            Sent = [.. Sent],
        };
    }

    public void Dispose()
    {
        foreach (var record in Epochs.Values) record.State?.Dispose();
        PendingOwnEpoch?.Dispose();
    }
}
