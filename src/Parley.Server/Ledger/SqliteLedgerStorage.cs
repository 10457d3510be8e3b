using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Parley.Server.Storage;

namespace Parley.Server.Ledger;

/// <summary>
/// The ledger in the data folder's SQLite database: entries stay in <c>ledger_queue</c> and get their
/// index in <c>Idx</c>; hash tiles in <c>ledger_tiles</c>; checkpoints and cosignatures in their tables.
/// Every write commits with <c>synchronous=FULL</c>, so a returned <see cref="IntegrateAsync"/> is on disk.
/// </summary>
public sealed class SqliteLedgerStorage(DataDirectory data) : ILedgerStorage, ILedgerReader, ICosignatureStore
{
    private const string LockFileName = "ledger.lock";

    // The format EF Core's SQLite provider uses for DateTimeOffset, so both read the same rows.
    private const string TimeFormat = @"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFFzzz";

    /// <inheritdoc />
    public ValueTask<IAsyncDisposable> AcquireSequencerLeaseAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(data.Root, LockFileName);
        // A POSIX record lock on the lock file keeps another process's sequencer out, and goes with the
        // process if it dies; such locks do not exclude the same process, hence the set of leases held here.
        // Unlike an exclusive open, neither stops anyone reading the (empty) file, such as a backup.
        if (!HeldInThisProcess.TryAdd(path, true)) throw Conflict();
        FileStream? stream = null;
        try
        {
            // macOS has no record locks in .NET: an exclusive open there (which also keeps readers out).
            var recordLock = !OperatingSystem.IsMacOS();
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = recordLock ? FileShare.ReadWrite : FileShare.None };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            stream = new FileStream(path, options);
            if (!OperatingSystem.IsMacOS()) stream.Lock(0, 1);
            return ValueTask.FromResult<IAsyncDisposable>(new SequencerLease(path, stream));
        }
        catch (IOException)
        {
            stream?.Dispose();
            HeldInThisProcess.TryRemove(path, out _);
            throw Conflict();
        }

        LedgerConflictException Conflict() => new($"Another Parley server is sequencing the ledger of {data.Root} ({LockFileName} is locked).");
    }

    private static readonly ConcurrentDictionary<string, bool> HeldInThisProcess = new(StringComparer.Ordinal);

    private sealed class SequencerLease(string path, FileStream stream) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (!OperatingSystem.IsMacOS()) stream.Unlock(0, 1);
            await stream.DisposeAsync().ConfigureAwait(false);
            HeldInThisProcess.TryRemove(path, out _);
        }
    }

    /// <inheritdoc cref="ILedgerStorage.ReadLatestCheckpointAsync" />
    public async ValueTask<SignedCheckpoint?> ReadLatestCheckpointAsync(CancellationToken cancellationToken) =>
        (await ReadCheckpointsAsync("ORDER BY Size DESC LIMIT 1", null, cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    /// <inheritdoc />
    public async ValueTask<SignedCheckpoint?> ReadCheckpointAsync(long size, CancellationToken cancellationToken) =>
        (await ReadCheckpointsAsync("WHERE Size = $p", size, cancellationToken).ConfigureAwait(false)).FirstOrDefault();

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<SignedCheckpoint>> ReadRecentCheckpointsAsync(int count, CancellationToken cancellationToken) =>
        await ReadCheckpointsAsync("ORDER BY Size DESC LIMIT $p", count, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc cref="ILedgerStorage.ReadTileAsync" />
    public async ValueTask<byte[]?> ReadTileAsync(int level, long index, CancellationToken cancellationToken)
    {
        await using var connection = await ParleyDbContext.OpenConnectionAsync(data, cancellationToken, forWriting: false).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Data FROM ledger_tiles WHERE Level = $level AND TileIndex = $index";
        command.Parameters.AddWithValue("$level", level);
        command.Parameters.AddWithValue("$index", index);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[];
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<byte[]>> ReadEntriesAsync(long start, int count, CancellationToken cancellationToken)
    {
        await using var connection = await ParleyDbContext.OpenConnectionAsync(data, cancellationToken, forWriting: false).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Entry FROM ledger_queue WHERE Idx >= $start AND Idx < $end ORDER BY Idx";
        command.Parameters.AddWithValue("$start", start);
        command.Parameters.AddWithValue("$end", start + count);
        var entries = new List<byte[]>(count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) entries.Add((byte[])reader[0]);
        return entries;
    }

    /// <inheritdoc />
    public async ValueTask<EntryLocation> FindEntryAsync(long queueId, CancellationToken cancellationToken)
    {
        await using var connection = await ParleyDbContext.OpenConnectionAsync(data, cancellationToken, forWriting: false).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Idx FROM ledger_queue WHERE Id = $id";
        command.Parameters.AddWithValue("$id", queueId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return new EntryLocation(false, null);
        return new EntryLocation(true, reader.IsDBNull(0) ? null : reader.GetInt64(0));
    }

    /// <inheritdoc />
    public async ValueTask<long?> FindIndexAsync(byte[] leafHash, CancellationToken cancellationToken)
    {
        await using var connection = await ParleyDbContext.OpenConnectionAsync(data, cancellationToken, forWriting: false).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT min(Idx) FROM ledger_queue WHERE LeafHash = $hash AND Idx IS NOT NULL";
        command.Parameters.AddWithValue("$hash", leafHash);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long index ? index : null;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<long>> FindIndicesAsync(string subject, int max, CancellationToken cancellationToken)
    {
        await using var connection = await ParleyDbContext.OpenConnectionAsync(data, cancellationToken, forWriting: false).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Idx FROM ledger_queue WHERE Subject = $subject AND Idx IS NOT NULL ORDER BY Idx LIMIT $max";
        command.Parameters.AddWithValue("$subject", subject);
        command.Parameters.AddWithValue("$max", max);
        var indices = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) indices.Add(reader.GetInt64(0));
        return indices;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<QueuedEntry>> ReadQueueAsync(int max, CancellationToken cancellationToken)
    {
        await using var connection = await ParleyDbContext.OpenConnectionAsync(data, cancellationToken, forWriting: false).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Id, Entry FROM ledger_queue WHERE Idx IS NULL ORDER BY Id LIMIT $max";
        command.Parameters.AddWithValue("$max", max);
        var entries = new List<QueuedEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) entries.Add(new QueuedEntry(reader.GetInt64(0), (byte[])reader[1]));
        return entries;
    }

    /// <inheritdoc />
    public async ValueTask IntegrateAsync(LedgerBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await using var connection = await ParleyDbContext.OpenConnectionAsync(data, cancellationToken).ConfigureAwait(false);
        // BEGIN IMMEDIATE: the write lock is taken before the head is read, so the check and the writes are one step.
        await using var transaction = connection.BeginTransaction(deferred: false);

        await using (var head = connection.CreateCommand())
        {
            head.CommandText = "SELECT max(Size) FROM ledger_checkpoints";
            var stored = await head.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as long?;
            if (stored != batch.PreviousSize)
                throw new LedgerConflictException($"The stored log has size {stored?.ToString(CultureInfo.InvariantCulture) ?? "none"}, not {batch.PreviousSize?.ToString(CultureInfo.InvariantCulture) ?? "none"}.");
        }

        if (batch.Entries.Count > 0)
        {
            await using var assign = connection.CreateCommand();
            assign.CommandText = "UPDATE ledger_queue SET Idx = $index WHERE Id = $id AND Idx IS NULL";
            var index = assign.Parameters.Add("$index", SqliteType.Integer);
            var id = assign.Parameters.Add("$id", SqliteType.Integer);
            assign.Prepare();
            var next = batch.PreviousSize ?? 0;
            foreach (var entry in batch.Entries)
            {
                index.Value = next++;
                id.Value = entry.QueueId;
                if (await assign.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
                    throw new LedgerConflictException($"Queued entry {entry.QueueId} is gone or already integrated.");
            }
        }

        if (batch.Tiles.Count > 0)
        {
            await using var tile = connection.CreateCommand();
            // A full tile (8,192 bytes) is immutable: never overwritten.
            tile.CommandText = """
                INSERT INTO ledger_tiles (Level, TileIndex, Data) VALUES ($level, $index, $data)
                ON CONFLICT (Level, TileIndex) DO UPDATE SET Data = excluded.Data WHERE length(ledger_tiles.Data) < 8192
                """;
            var level = tile.Parameters.Add("$level", SqliteType.Integer);
            var tileIndex = tile.Parameters.Add("$index", SqliteType.Integer);
            var tileData = tile.Parameters.Add("$data", SqliteType.Blob);
            tile.Prepare();
            foreach (var (address, bytes) in batch.Tiles)
            {
                level.Value = address.Level;
                tileIndex.Value = address.Index;
                tileData.Value = bytes;
                await tile.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await using (var checkpoint = connection.CreateCommand())
        {
            checkpoint.CommandText = "INSERT INTO ledger_checkpoints (Size, Note, CreatedAt) VALUES ($size, $note, $created)";
            checkpoint.Parameters.AddWithValue("$size", batch.Checkpoint.Size);
            checkpoint.Parameters.AddWithValue("$note", batch.Checkpoint.Note);
            checkpoint.Parameters.AddWithValue("$created", batch.Checkpoint.CreatedAt.ToString(TimeFormat, CultureInfo.InvariantCulture));
            await checkpoint.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask SaveAsync(long checkpointSize, long witnessId, long timestamp, string line, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        await using var connection = await ParleyDbContext.OpenConnectionAsync(data, cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO ledger_cosignatures (CheckpointSize, WitnessId, Timestamp, Line, ReceivedAt) VALUES ($size, $witness, $timestamp, $line, $received)
            ON CONFLICT (CheckpointSize, WitnessId) DO UPDATE SET Timestamp = excluded.Timestamp, Line = excluded.Line, ReceivedAt = excluded.ReceivedAt
            WHERE excluded.Timestamp >= ledger_cosignatures.Timestamp
            """;
        command.Parameters.AddWithValue("$size", checkpointSize);
        command.Parameters.AddWithValue("$witness", witnessId);
        command.Parameters.AddWithValue("$timestamp", timestamp);
        command.Parameters.AddWithValue("$line", line);
        command.Parameters.AddWithValue("$received", receivedAt.ToString(TimeFormat, CultureInfo.InvariantCulture));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<string>> ReadLinesAsync(long checkpointSize, CancellationToken cancellationToken)
    {
        await using var connection = await ParleyDbContext.OpenConnectionAsync(data, cancellationToken, forWriting: false).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT c.Line FROM ledger_cosignatures c JOIN witnesses w ON w.Id = c.WitnessId
            WHERE c.CheckpointSize = $size ORDER BY w.KeyName, w.KeyId
            """;
        command.Parameters.AddWithValue("$size", checkpointSize);
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) lines.Add(reader.GetString(0));
        return lines;
    }

    private async ValueTask<List<SignedCheckpoint>> ReadCheckpointsAsync(string clause, long? parameter, CancellationToken cancellationToken)
    {
        await using var connection = await ParleyDbContext.OpenConnectionAsync(data, cancellationToken, forWriting: false).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT Size, Note, CreatedAt FROM ledger_checkpoints {clause}";
        if (parameter is { } value) command.Parameters.AddWithValue("$p", value);
        var checkpoints = new List<SignedCheckpoint>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            checkpoints.Add(new SignedCheckpoint(reader.GetInt64(0), reader.GetString(1), DateTimeOffset.ParseExact(reader.GetString(2), TimeFormat, CultureInfo.InvariantCulture)));
        return checkpoints;
    }
}
