using System.Collections.Immutable;
using System.Formats.Cbor;
using Parley.Protocol.Classification;
using Parley.Protocol.Crypto;
using Parley.Protocol.Formats;
using Parley.Protocol.Identity;

namespace Parley.Protocol.Rooms;

/// <summary>
/// What one device holds for one epoch of one room: the verified roster and one chain key per
/// member device (its own sending chain, and a receiving chain for every other member). It holds
/// neither the epoch secret nor any used message key, so a copy taken later opens no message already
/// read. Operations on one state run one at a time. <see cref="Close"/> it when the room's log in
/// server order reaches the next epoch's roster. It also holds the epoch's document key (PROTOCOL
/// §14.3), which outlives <see cref="Close"/>: documents wrapped for the epoch stay readable to its
/// devices until they are destroyed. <see cref="Dispose"/> zeroes it too.
/// </summary>
public sealed class EpochState : IDisposable
{
    private const string ExportType = "parley/room-epoch-state";

    private readonly Dictionary<Guid, SenderChain> _chains;
    private readonly SecretKey _documentKey;

    internal EpochState(DeviceSigned<Roster> roster, ImmutableArray<byte> rosterHash, Label label, Guid selfDeviceId, Dictionary<Guid, SenderChain> chains, SecretKey documentKey, bool closed)
    {
        _documentKey = documentKey;
        Roster = roster;
        RosterHash = rosterHash;
        Label = label;
        SelfDeviceId = selfDeviceId;
        _chains = chains;
        IsClosed = closed;
    }

    /// <summary>The signed roster of the epoch.</summary>
    public DeviceSigned<Roster> Roster { get; }

    /// <summary>SHA-256 of the roster's encoding.</summary>
    public ImmutableArray<byte> RosterHash { get; }

    /// <summary>The room.</summary>
    public Guid RoomId => Roster.Body.RoomId;

    /// <summary>The epoch number.</summary>
    public long Epoch => Roster.Body.Epoch;

    /// <summary>The label every key of the epoch is bound to.</summary>
    public Label Label { get; }

    /// <summary>The device holding this state.</summary>
    public Guid SelfDeviceId { get; }

    /// <summary>True once closed: the keys are zeroed and the epoch takes no more messages.</summary>
    public bool IsClosed { get; private set; }

    /// <summary>Counters this device has passed in the epoch, its own and every other sender's:
    /// the messages it has sent, read or skipped. An input to <see cref="EpochPolicy"/>.</summary>
    public long MessagesSeen => _chains.Values.Sum(c => c.Next);

    /// <summary>The next counter this device will send with.</summary>
    public long NextCounter => _chains.TryGetValue(SelfDeviceId, out var own) ? own.Next : 0;

    // One operation at a time: a chain moves only after a whole message checks out. The gate is a
    // SemaphoreSlim, only ever waited on asynchronously, so that it works on the browser's one thread.
    private SemaphoreSlim Gate { get; } = new(1, 1);

    internal Task EnterAsync(CancellationToken cancellationToken) => Gate.WaitAsync(cancellationToken);

    internal void Exit()
    {
        // A Close during the operation left the keys to the operation: zero them before letting go.
        if (IsClosed) DisposeChains();
        Gate.Release();
    }

    internal SenderChain? Chain(Guid deviceId) => _chains.GetValueOrDefault(deviceId);

    /// <summary>Zeroes every key: a newer epoch has started, and messages still claiming this one are
    /// refused with <see cref="RoomErrorCode.EpochSuperseded"/>. Idempotent. An operation already under
    /// way finishes first and zeroes the keys as it ends.</summary>
    public void Close()
    {
        IsClosed = true;
        // A zero timeout completes at once (no blocking wait, which the browser forbids): either the
        // gate is free and the keys go now, or an operation holds it and zeroes them as it exits.
        var entered = Gate.WaitAsync(0);
        if (!entered.IsCompletedSuccessfully || !entered.Result) return;
        DisposeChains();
        Gate.Release();
    }

    /// <summary>Closes the state and zeroes the epoch's document key.</summary>
    public void Dispose()
    {
        Close();
        _documentKey.Dispose();
    }

    /// <summary>
    /// The epoch's document key, <c>Derive(epoch key, "room-document-key v1", room id || u64(epoch), 32)</c>,
    /// as a <see cref="Documents.RoomDocumentKey"/> the caller owns (a copy: dispose it when done). Available after
    /// <see cref="Close"/>, since documents wrapped for the epoch outlive its messages.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The state was disposed.</exception>
    public Documents.RoomDocumentKey DocumentKey() => new(RoomId, Epoch, Label, SecretKey.Import(_documentKey.Span));

    private void DisposeChains()
    {
        foreach (var chain in _chains.Values) chain.Dispose();
    }

    /// <summary>
    /// The state as bytes, for the client to keep between sessions:
    /// <c>["parley/room-epoch-state", 1, signed roster, self device id, closed, [[device id, next counter, chain key, [skipped counters]], ...], document key]</c>.
    /// The bytes hold chain keys: the caller must seal them (e.g. under the profile's master key) and
    /// zero its copy. A closed state exports without chains.
    /// </summary>
    public async ValueTask<byte[]> ExportAsync(CancellationToken cancellationToken = default)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Write();
        }
        finally
        {
            Exit();
        }
    }

    private byte[] Write()
    {
        var writer = Canonical.CreateWriter();
        Canonical.WriteHeader(writer, ExportType, 1, 5);
        writer.WriteByteString(Roster.Encode());
        Cbor.WriteGuid(writer, SelfDeviceId);
        writer.WriteBoolean(IsClosed);
        var chains = IsClosed ? [] : _chains.Values.OrderBy(c => c.DeviceId, DeviceOrder.Comparer).ToList();
        writer.WriteStartArray(chains.Count);
        foreach (var chain in chains)
        {
            writer.WriteStartArray(4);
            Cbor.WriteGuid(writer, chain.DeviceId);
            writer.WriteInt64(chain.Next);
            writer.WriteByteString(chain.Key!.Span);
            writer.WriteStartArray(chain.Skipped.Count);
            foreach (var skipped in chain.Skipped) writer.WriteInt64(skipped);
            writer.WriteEndArray();
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
        writer.WriteByteString(_documentKey.Span);
        writer.WriteEndArray();
        return writer.Encode();
    }

    /// <summary>Rebuilds a state from <see cref="ExportAsync"/> output, reading the label under
    /// <paramref name="scheme"/>; a typed error for anything malformed.</summary>
    public static async ValueTask<Result<EpochState>> ImportAsync(ICryptoBackend backend, ReadOnlyMemory<byte> exported, MarkingScheme scheme, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(scheme);
        var parsed = Canonical.Decode<Exported>(exported);
        if (!parsed.TryGetValue(out var state, out var error)) return error;
        var roster = state.Roster.Body;
        var label = scheme.ParseBanner(roster.Label);
        if (!label.TryGetValue(out var parsedLabel, out error))
        {
            state.Dispose();
            return Result<EpochState>.Fail(ProtocolErrorCode.Malformed, $"The saved epoch's label does not parse: {error.Message}");
        }
        var chains = new Dictionary<Guid, SenderChain>();
        foreach (var chain in state.Chains)
        {
            if (roster.Find(chain.DeviceId) is null || !chains.TryAdd(chain.DeviceId, chain))
            {
                state.Dispose();
                return Result<EpochState>.Fail(ProtocolErrorCode.Malformed, "The saved epoch has a chain for a device outside its roster, or two for one device.");
            }
        }
        if (!state.Closed && (chains.Count != roster.Members.Length || roster.Find(state.Self) is null))
        {
            state.Dispose();
            return Result<EpochState>.Fail(ProtocolErrorCode.Malformed, "The saved epoch lacks chains of some members.");
        }
        var hash = await state.Roster.HashAsync(backend, cancellationToken).ConfigureAwait(false);
        return new EpochState(state.Roster, [.. hash], parsedLabel, state.Self, chains, state.DocumentKey, state.Closed);
    }

    /// <inheritdoc />
    public override string ToString() => $"EpochState(room {RoomId}, epoch {Epoch}{(IsClosed ? ", closed" : "")}, private)";

    private sealed record Exported(DeviceSigned<Roster> Roster, Guid Self, bool Closed, IReadOnlyList<SenderChain> Chains, SecretKey DocumentKey) : ICanonical<Exported>, IDisposable
    {
        public void WriteTo(CborWriter writer) => throw new NotSupportedException("EpochState.Export writes the state.");

        public static Exported ReadFrom(CborReader reader)
        {
            Canonical.ReadHeader(reader, ExportType, 5);
            var rosterBytes = Canonical.ReadBytesUpTo(reader, DeviceSigned<Roster>.MaxPayloadSize + 1024, "roster");
            var roster = DeviceSigned<Roster>.Decode(rosterBytes);
            if (!roster.TryGetValue(out var signedRoster, out var error)) throw new CanonicalFormatException(error.Message);
            var self = Cbor.ReadGuid(reader, "self device id");
            var closed = reader.ReadBoolean();
            var count = reader.ReadStartArray() ?? throw new CanonicalFormatException("Chains must have a definite length.");
            if (count > Rooms.Roster.MaxMembers) throw new CanonicalFormatException("Too many chains.");
            var chains = new List<SenderChain>(count);
            try
            {
                for (var i = 0; i < count; i++)
                {
                    if (reader.ReadStartArray() != 4) throw new CanonicalFormatException("A chain has 4 elements.");
                    var device = Cbor.ReadGuid(reader, "device id");
                    var next = reader.ReadInt64();
                    if (next < 0) throw new CanonicalFormatException("A counter is not negative.");
                    var key = Canonical.ReadBytes(reader, 32, "chain key");
                    var skippedCount = reader.ReadStartArray() ?? throw new CanonicalFormatException("Skipped counters must have a definite length.");
                    if (skippedCount > SenderChain.MaxSkippedRemembered) throw new CanonicalFormatException("Too many skipped counters.");
                    var skipped = new List<long>(skippedCount);
                    for (var j = 0; j < skippedCount; j++)
                    {
                        var value = reader.ReadInt64();
                        if (value < 0 || value >= next || (j > 0 && value <= skipped[^1])) throw new CanonicalFormatException("Skipped counters must be sorted, unique and below the next counter.");
                        skipped.Add(value);
                    }
                    reader.ReadEndArray();
                    reader.ReadEndArray();
                    chains.Add(new SenderChain(device, SecretKey.Adopt(key), next, skipped));
                }
                reader.ReadEndArray();
                var documentKey = Canonical.ReadBytes(reader, 32, "document key");
                reader.ReadEndArray();
                if (closed && chains.Count != 0) throw new CanonicalFormatException("A closed epoch keeps no chains.");
                return new Exported(signedRoster, self, closed, chains, SecretKey.Adopt(documentKey));
            }
            catch
            {
                foreach (var chain in chains) chain.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            foreach (var chain in Chains) chain.Dispose();
            DocumentKey.Dispose();
        }
    }
}
