using System.Buffers.Binary;
using Parley.Protocol.Crypto;

namespace Parley.Protocol.Rooms;

/// <summary>The 32-byte secret one device makes for an epoch and sends to the others in key packages.</summary>
public static class EpochSecret
{
    /// <summary>Size of an epoch secret.</summary>
    public const int Size = 32;
}

/// <summary>
/// One sender's hash-ratchet chain in one epoch (forward secrecy within the epoch):
/// <code>
/// commitment   = Derive(epoch secret, "room-epoch-commitment v1", room id (16) || epoch (8))   (in the roster)
/// epoch key    = Derive(epoch secret, "room-epoch v1", roster hash)
/// chain key 0  = Derive(epoch key, "room-sender-chain v1", room id (16) || epoch (8) || sender device id (16))
/// message key || nonce = Derive(chain key i, "room-message-key v1", i (8), 44)
/// chain key i+1 = Derive(chain key i, "room-chain-step v1", i (8))
/// </code>
/// The chain holds only the key for its next counter: every earlier key is zeroed once used or passed over.
/// </summary>
internal sealed class SenderChain : IDisposable
{
    /// <summary>Most counters a receiver passes over to reach one message.</summary>
    public const int MaxGap = 1000;

    /// <summary>Most passed-over counters remembered to tell a late message from a replay.</summary>
    public const int MaxSkippedRemembered = 1024;

    public const int MessageKeySize = 32;
    public const int NonceSize = 12;

    public SenderChain(Guid deviceId, SecretKey key, long next, IEnumerable<long>? skipped = null)
    {
        DeviceId = deviceId;
        Key = key;
        Next = next;
        Skipped = new SortedSet<long>(skipped ?? []);
    }

    public Guid DeviceId { get; }

    /// <summary>The chain key for counter <see cref="Next"/>; null once the chain is closed.</summary>
    public SecretKey? Key { get; private set; }

    /// <summary>The next counter this chain can produce a key for.</summary>
    public long Next { get; private set; }

    /// <summary>Counters passed over without a message (their keys are gone).</summary>
    public SortedSet<long> Skipped { get; }

    public static async ValueTask<byte[]> CommitmentAsync(KeySchedule keys, SecretKey epochSecret, Guid roomId, long epoch, CancellationToken cancellationToken)
    {
        var context = new byte[16 + 8];
        roomId.TryWriteBytes(context.AsSpan(0, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteInt64BigEndian(context.AsSpan(16, 8), epoch);
        using var commitment = await keys.DeriveAsync(epochSecret, Labels.RoomEpochCommitment, context, 32, cancellationToken: cancellationToken).ConfigureAwait(false);
        return commitment.Export();
    }

    public static async ValueTask<SecretKey> EpochKeyAsync(KeySchedule keys, SecretKey epochSecret, ReadOnlyMemory<byte> rosterHash, CancellationToken cancellationToken) =>
        await keys.DeriveAsync(epochSecret, Labels.RoomEpoch, rosterHash, 32, cancellationToken: cancellationToken).ConfigureAwait(false);

    /// <summary><c>room_document_key = Derive(epoch key, "room-document-key v1", room id (16) || epoch (8), 32)</c>: the epoch's key for document wraps.</summary>
    public static async ValueTask<SecretKey> DocumentKeyAsync(KeySchedule keys, SecretKey epochKey, Guid roomId, long epoch, CancellationToken cancellationToken)
    {
        var context = new byte[16 + 8];
        roomId.TryWriteBytes(context.AsSpan(0, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteInt64BigEndian(context.AsSpan(16, 8), epoch);
        return await keys.DeriveAsync(epochKey, Labels.RoomDocumentKey, context, 32, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public static async ValueTask<SecretKey> StartAsync(KeySchedule keys, SecretKey epochKey, Guid roomId, long epoch, Guid sender, CancellationToken cancellationToken)
    {
        var context = new byte[16 + 8 + 16];
        roomId.TryWriteBytes(context.AsSpan(0, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteInt64BigEndian(context.AsSpan(16, 8), epoch);
        sender.TryWriteBytes(context.AsSpan(24, 16), bigEndian: true, out _);
        return await keys.DeriveAsync(epochKey, Labels.RoomSenderChain, context, 32, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public static async ValueTask<SecretKey> MessageKeyAsync(KeySchedule keys, SecretKey chainKey, long counter, CancellationToken cancellationToken) =>
        await keys.DeriveAsync(chainKey, Labels.RoomMessageKey, Counter(counter), MessageKeySize + NonceSize, cancellationToken: cancellationToken).ConfigureAwait(false);

    public static async ValueTask<SecretKey> StepAsync(KeySchedule keys, SecretKey chainKey, long counter, CancellationToken cancellationToken) =>
        await keys.DeriveAsync(chainKey, Labels.RoomChainStep, Counter(counter), 32, cancellationToken: cancellationToken).ConfigureAwait(false);

    /// <summary>Moves the chain past <paramref name="counter"/>: <paramref name="nextKey"/> becomes the key for
    /// counter + 1, the old key is zeroed and the counters in between are remembered as skipped.</summary>
    public void Advance(long counter, SecretKey nextKey)
    {
        for (var skipped = Next; skipped < counter; skipped++)
        {
            Skipped.Add(skipped);
            if (Skipped.Count > MaxSkippedRemembered) Skipped.Remove(Skipped.Min);
        }
        Key?.Dispose();
        Key = nextKey;
        Next = counter + 1;
    }

    public void Dispose()
    {
        Key?.Dispose();
        Key = null;
    }

    private static byte[] Counter(long counter)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, counter);
        return bytes;
    }
}
