using Parley.Protocol.Ledger;

namespace Parley.Server.Ledger;

/// <summary>An entry waiting in the queue.</summary>
/// <param name="QueueId">Its queue id.</param>
/// <param name="Entry">Its bytes.</param>
public sealed record QueuedEntry(long QueueId, byte[] Entry);

/// <summary>A checkpoint the log signed, as stored.</summary>
/// <param name="Size">Tree size.</param>
/// <param name="Note">The signed note (text, blank line, the log's signature lines).</param>
/// <param name="CreatedAt">When it was signed.</param>
public sealed record SignedCheckpoint(long Size, string Note, DateTimeOffset CreatedAt)
{
    /// <summary>The checkpoint in the note.</summary>
    public Checkpoint Checkpoint => Parley.Protocol.Ledger.Checkpoint.Parse(SignedNote.Parse(Note).Value.Text).Value;
}

/// <summary>
/// What one sequencing step makes durable, all or nothing: the queued entries it gives indices
/// <c>[PreviousSize, Checkpoint.Size)</c> in order, the tiles that changed, and the checkpoint that signs them.
/// </summary>
/// <param name="PreviousSize">Size of the latest stored checkpoint this step extends (null for the first checkpoint).</param>
/// <param name="Entries">Queued entries, in their new index order.</param>
/// <param name="Tiles">Hash tiles to write (full tiles once, partial tiles as they grow).</param>
/// <param name="Checkpoint">The new checkpoint.</param>
public sealed record LedgerBatch(long? PreviousSize, IReadOnlyList<QueuedEntry> Entries, IReadOnlyList<(TileAddress Tile, byte[] Data)> Tiles, SignedCheckpoint Checkpoint);

/// <summary>Raised when storage refuses a sequencing step because its state is not the one the step was computed from.</summary>
public sealed class LedgerConflictException(string message) : Exception(message);

/// <summary>
/// The sequencer's storage seam. The sequencer owns the append lifecycle (batching, indices, tiles,
/// signing); a driver only persists, and makes <see cref="IntegrateAsync"/> atomic and durable before it
/// returns. SQLite today (<see cref="SqliteLedgerStorage"/>); PostgreSQL later, with an advisory lock as lease.
/// </summary>
public interface ILedgerStorage
{
    /// <summary>Takes the one sequencer lease of this log; throws <see cref="LedgerConflictException"/> if another sequencer holds it.</summary>
    ValueTask<IAsyncDisposable> AcquireSequencerLeaseAsync(CancellationToken cancellationToken);

    /// <summary>The latest checkpoint, or null before the first.</summary>
    ValueTask<SignedCheckpoint?> ReadLatestCheckpointAsync(CancellationToken cancellationToken);

    /// <summary>The stored version of a hash tile (its latest width), or null.</summary>
    ValueTask<byte[]?> ReadTileAsync(int level, long index, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="max"/> queued entries, oldest first.</summary>
    ValueTask<IReadOnlyList<QueuedEntry>> ReadQueueAsync(int max, CancellationToken cancellationToken);

    /// <summary>Makes <paramref name="batch"/> durable in one transaction; throws <see cref="LedgerConflictException"/>
    /// when the stored head is not <see cref="LedgerBatch.PreviousSize"/> or an entry is no longer queued.</summary>
    ValueTask IntegrateAsync(LedgerBatch batch, CancellationToken cancellationToken);
}

/// <summary>Where an entry is: still queued, integrated at an index, or unknown.</summary>
/// <param name="Exists">False when no entry has this queue id.</param>
/// <param name="Index">Its index in the log once integrated.</param>
public readonly record struct EntryLocation(bool Exists, long? Index);

/// <summary>Read side of the log, for the HTTP API and for features waiting on their entries.</summary>
public interface ILedgerReader
{
    /// <summary>The latest checkpoint, or null.</summary>
    ValueTask<SignedCheckpoint?> ReadLatestCheckpointAsync(CancellationToken cancellationToken);

    /// <summary>The checkpoint of size <paramref name="size"/>, or null.</summary>
    ValueTask<SignedCheckpoint?> ReadCheckpointAsync(long size, CancellationToken cancellationToken);

    /// <summary>The latest <paramref name="count"/> checkpoints, newest first.</summary>
    ValueTask<IReadOnlyList<SignedCheckpoint>> ReadRecentCheckpointsAsync(int count, CancellationToken cancellationToken);

    /// <summary>The stored version of a hash tile, or null.</summary>
    ValueTask<byte[]?> ReadTileAsync(int level, long index, CancellationToken cancellationToken);

    /// <summary>The stored entries with indices in <c>[start, start + count)</c>, in index order, as they are (gaps included).</summary>
    ValueTask<IReadOnlyList<byte[]>> ReadEntriesAsync(long start, int count, CancellationToken cancellationToken);

    /// <summary>Where the entry queued as <paramref name="queueId"/> is.</summary>
    ValueTask<EntryLocation> FindEntryAsync(long queueId, CancellationToken cancellationToken);

    /// <summary>The first index holding an entry with this leaf hash, or null.</summary>
    ValueTask<long?> FindIndexAsync(byte[] leafHash, CancellationToken cancellationToken);

    /// <summary>The indices of integrated entries about <paramref name="subject"/>, oldest first, at most <paramref name="max"/>.</summary>
    ValueTask<IReadOnlyList<long>> FindIndicesAsync(string subject, int max, CancellationToken cancellationToken);
}

/// <summary>Witness cosignatures of stored checkpoints.</summary>
public interface ICosignatureStore
{
    /// <summary>Keeps a witness's cosignature of a checkpoint, replacing an older one of the same witness.</summary>
    ValueTask SaveAsync(long checkpointSize, long witnessId, long timestamp, string line, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>The cosignature lines of a checkpoint, by witness key name.</summary>
    ValueTask<IReadOnlyList<string>> ReadLinesAsync(long checkpointSize, CancellationToken cancellationToken);
}
