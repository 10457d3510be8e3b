using Parley.Client.Trust;
using Parley.Protocol.Crypto;
using Parley.Protocol.Documents;
using Parley.Protocol.Rooms;

namespace Parley.Client.Rooms;

// What documents need from rooms: the epoch document keys this device holds (PROTOCOL §12.5,
// §14.3), the device's KEM key for restricted documents, and the verified directory.
public sealed partial class RoomsClient
{
    /// <summary>The directory as this client verifies it, against the delegations' pinned roots.</summary>
    internal DirectoryVerifier Directory { get; }

    internal CryptoSuite Suite => _suite;

    internal TimeProvider Time => _time;

    /// <summary>This device's KEM private key (owned by this client: valid until disposal).</summary>
    internal HybridKemPrivateKey DeviceKem
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _deviceKeys.Kem;
        }
    }

    /// <summary>
    /// The document key of the room's current epoch, a copy the caller disposes. Catches up with the
    /// log first and makes a new epoch when this device holds none, the server requires one, or the
    /// epoch policy says so (a removed member, a revoked device, age): a document is never wrapped for
    /// an epoch someone who left still holds.
    /// </summary>
    internal async Task<RoomDocumentKey> CurrentDocumentKeyAsync(Guid roomId, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = await StateAsync(roomId, cancellationToken).ConfigureAwait(false);
            var refused = new List<RoomNotice>();
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
            {
                var room = await _client.GetRoomAsync(roomId, cancellationToken).ConfigureAwait(false);
                var definition = Define(room);
                await SyncCoreAsync(room, state, cancellationToken).ConfigureAwait(false);
                var current = state.Current;
                var needed = room.RekeyRequired.Count > 0 || current?.State is not { IsClosed: false } || current.Epoch != room.Epoch?.Epoch
                    || await RotationNeededAsync(room, definition, current, cancellationToken).ConfigureAwait(false);
                if (needed)
                {
                    var rotated = await RotateAsync(room, definition, state, refused, cancellationToken).ConfigureAwait(false);
                    if (rotated is null) continue;
                    current = state.Current;
                    if (current?.Epoch != rotated || current.State is null) continue;
                }
                return current!.State!.DocumentKey();
            }
            throw new RoomOperationException(new RoomError(RoomErrorCode.EpochSuperseded, $"No current epoch could be settled after {MaxAttempts} attempts: the room's epoch kept changing."));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The document keys this device holds for the given epochs of the room (after catching up with its log), copies the caller disposes.</summary>
    internal async Task<IReadOnlyList<RoomDocumentKey>> HeldDocumentKeysAsync(Guid roomId, IReadOnlyCollection<long> epochs, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = await StateAsync(roomId, cancellationToken).ConfigureAwait(false);
            if (epochs.Any(e => !state.Epochs.ContainsKey(e)))
            {
                var room = await _client.GetRoomAsync(roomId, cancellationToken).ConfigureAwait(false);
                await SyncCoreAsync(room, state, cancellationToken).ConfigureAwait(false);
            }
            return state.Epochs.Values.Where(e => epochs.Contains(e.Epoch) && e.State is not null).Select(e => e.State!.DocumentKey()).ToList();
        }
        finally
        {
            _gate.Release();
        }
    }
}
