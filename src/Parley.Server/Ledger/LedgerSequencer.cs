using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Parley.Protocol.Ledger;

namespace Parley.Server.Ledger;

/// <summary>Where an entry landed: its index, and the size of the checkpoint that includes it.</summary>
/// <param name="Index">The entry's index in the log.</param>
/// <param name="TreeSize">Size of a signed checkpoint that contains it (at least <paramref name="Index"/> + 1).</param>
public sealed record LedgerIntegration(long Index, long TreeSize);

/// <summary>How the sequencer batches.</summary>
public sealed record LedgerOptions
{
    /// <summary>Most entries integrated under one checkpoint.</summary>
    public int MaxBatch { get; init; } = 4096;

    /// <summary>How often the queue is looked at when nothing signals new entries (entries queued by other processes).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// The one sequencer of the log (a hosted service; a file lock keeps a second server off the same data
/// folder). It drains <c>ledger_queue</c> in batches: assigns indices in queue order, grows the tiles,
/// signs a checkpoint with both log keys and only then, in one durable transaction with the tiles and
/// the checkpoint, marks the entries integrated. It never signs over storage whose tiles do not give
/// the last checkpoint's root: it stops instead. Waits and retries run on real time; the server's
/// clock (which tests may move) only stamps checkpoints.
/// </summary>
public sealed class LedgerSequencer(ILedgerStorage storage, ILedgerReader reader, LedgerIdentity identity, LedgerOptions options, TimeProvider time, ILogger<LedgerSequencer> logger)
    : BackgroundService
{
    private readonly Channel<bool> _work = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private TaskCompletionSource _integrated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once the sequencer has stopped for good on an error (details in the log).</summary>
    public bool Halted { get; private set; }

    /// <summary>Asks the sequencer to look at the queue now.</summary>
    public void Nudge() => _work.Writer.TryWrite(true);

    /// <summary>
    /// Waits until the entry queued as <paramref name="queueId"/> (see <see cref="LedgerRecord.QueueId"/>) is in a
    /// durable signed checkpoint. Throws <see cref="KeyNotFoundException"/> for an id that was never committed.
    /// Pass a token with a deadline: if the sequencer has halted the wait only ends with it.
    /// </summary>
    public async Task<LedgerIntegration> WaitForIntegrationAsync(long queueId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var signal = Volatile.Read(ref _integrated).Task;
            var location = await reader.FindEntryAsync(queueId, cancellationToken).ConfigureAwait(false);
            if (!location.Exists) throw new KeyNotFoundException($"No ledger entry was queued with id {queueId}.");
            if (location.Index is { } index) return await IntegratedAsync(index, cancellationToken).ConfigureAwait(false);
            Nudge();
            await WaitAsync(signal, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until an entry with this RFC 6962 leaf hash is in a durable signed checkpoint (the first such entry if several).</summary>
    public async Task<LedgerIntegration> WaitForIntegrationAsync(byte[] leafHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leafHash);
        if (leafHash.Length != MerkleHash.Size) throw new ArgumentException("A leaf hash is 32 bytes.", nameof(leafHash));
        while (true)
        {
            var signal = Volatile.Read(ref _integrated).Task;
            if (await reader.FindIndexAsync(leafHash, cancellationToken).ConfigureAwait(false) is { } index)
                return await IntegratedAsync(index, cancellationToken).ConfigureAwait(false);
            Nudge();
            await WaitAsync(signal, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IAsyncDisposable lease;
        try
        {
            lease = await storage.AcquireSequencerLeaseAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (LedgerConflictException e)
        {
            Halt(e, "The ledger sequencer cannot start: {Reason}");
            return;
        }
        await using (lease.ConfigureAwait(false))
        {
            TiledTree? tree = null;
            var failures = 0;
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    tree ??= await LoadAsync(stoppingToken).ConfigureAwait(false);
                    if (!await IntegrateBatchAsync(tree, stoppingToken).ConfigureAwait(false))
                        await WaitForWorkAsync(stoppingToken).ConfigureAwait(false);
                    failures = 0;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (LedgerCorruptException e)
                {
                    Halt(e, "The ledger sequencer stopped: {Reason}");
                    return;
                }
                catch (Exception e) when (e is LedgerConflictException or Microsoft.Data.Sqlite.SqliteException or IOException)
                {
                    // Nothing was acknowledged: reload the tree from what is durable and try again.
                    tree = null;
                    failures++;
                    logger.LogError(e, "Ledger integration failed (attempt {Attempt}); retrying.", failures);
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * failures)), stoppingToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Integrates one batch from the queue; false when the queue was empty.</summary>
    internal async Task<bool> IntegrateBatchAsync(TiledTree tree, CancellationToken cancellationToken)
    {
        var queued = await storage.ReadQueueAsync(options.MaxBatch, cancellationToken).ConfigureAwait(false);
        if (queued.Count == 0) return false;
        var previous = tree.Size;
        foreach (var entry in queued)
        {
            // The writer refuses such entries; one in the queue means someone wrote there directly.
            if (entry.Entry.Length > EntryBundle.MaxEntrySize)
                throw new LedgerCorruptException($"Queued entry {entry.QueueId} is {entry.Entry.Length} bytes, more than an entry bundle can hold.");
            tree.Append(MerkleHash.Leaf(entry.Entry));
        }
        var checkpoint = Checkpoint.Create(identity.Origin, tree.Size, tree.Root());
        var signed = new SignedCheckpoint(tree.Size, identity.Sign(checkpoint).Format(), time.GetUtcNow());
        await storage.IntegrateAsync(new LedgerBatch(previous, queued, tree.TakeChangedTiles(), signed), cancellationToken).ConfigureAwait(false);
        logger.LogDebug("Ledger integrated {Count} entries; size {Size}.", queued.Count, tree.Size);
        Interlocked.Exchange(ref _integrated, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        return true;
    }

    /// <summary>Rebuilds the tree's edge from storage and checks it against the latest checkpoint.</summary>
    internal async Task<TiledTree> LoadAsync(CancellationToken cancellationToken)
    {
        var head = await storage.ReadLatestCheckpointAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new LedgerCorruptException("The ledger has no checkpoint; it is created at start-up.");
        var checkpoint = head.Checkpoint;
        var partials = new Dictionary<TileAddress, byte[]?>();
        for (var level = 0; level < TileMath.Levels(checkpoint.Size); level++)
        {
            if (TileMath.PartialWidth(level, checkpoint.Size) is > 0 and var width)
            {
                var tile = TileAddress.HashTile(level, TileMath.FullTiles(level, checkpoint.Size), width);
                partials[tile] = await storage.ReadTileAsync(level, tile.Index, cancellationToken).ConfigureAwait(false);
            }
        }
        var tree = TiledTree.Resume(checkpoint.Size, tile => partials.GetValueOrDefault(tile));
        if (!tree.IsOk) throw new LedgerCorruptException($"The stored tiles cannot resume the log at size {checkpoint.Size}: {tree.Error.Message}");
        if (!tree.Value.Root().AsSpan().SequenceEqual(checkpoint.Root))
            throw new LedgerCorruptException($"The stored tiles do not give the root of the checkpoint of size {checkpoint.Size}; refusing to sign over them.");
        return tree.Value;
    }

    private async Task<LedgerIntegration> IntegratedAsync(long index, CancellationToken cancellationToken)
    {
        var head = await reader.ReadLatestCheckpointAsync(cancellationToken).ConfigureAwait(false);
        // The index and its checkpoint are written in one transaction, so the head includes it.
        return new LedgerIntegration(index, head?.Size ?? index + 1);
    }

    private async Task WaitAsync(Task signal, CancellationToken cancellationToken)
    {
        try
        {
            await signal.WaitAsync(options.PollInterval, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Look again: the entry may have come from another process, or the signal was missed.
        }
    }

    private async Task WaitForWorkAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.PollInterval);
        try
        {
            await _work.Reader.ReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Poll: entries queued by another process (e.g. `parley ledger witness add`) send no signal.
        }
    }

    private void Halt(Exception e, string message)
    {
        Halted = true;
        logger.LogCritical(e, message, e.Message);
    }
}

/// <summary>Raised when stored ledger data contradicts itself; the sequencer stops rather than sign over it.</summary>
public sealed class LedgerCorruptException(string message) : Exception(message);

/// <summary>Wakes the sequencer when a save queued ledger entries, so that integration does not wait for the next poll.</summary>
public sealed class LedgerQueueSignal(IServiceProvider services) : SaveChangesInterceptor
{
    /// <inheritdoc />
    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Signal(eventData.Context);
        return result;
    }

    /// <inheritdoc />
    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Signal(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void Signal(DbContext? context)
    {
        if (context is not null && context.ChangeTracker.Entries<PendingLedgerEntry>().Any(e => e.Entity.Index is null))
            services.GetRequiredService<LedgerSequencer>().Nudge();
    }
}
