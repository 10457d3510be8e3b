namespace Parley.Protocol.Ledger;

/// <summary>The outcome of recomputing a whole log.</summary>
/// <param name="Size">The checkpoint's size.</param>
/// <param name="EntriesChecked">Entries hashed and compared before the verdict.</param>
/// <param name="FirstBadIndex">The first entry index where the log's data disagrees (entry, tile or bundle), or null.</param>
/// <param name="Error">Why the log failed, or null when it verified.</param>
public sealed record LogAuditReport(long Size, long EntriesChecked, long? FirstBadIndex, ProtocolError? Error)
{
    /// <summary>True when every entry and tile matched and the entries produce the checkpoint's root.</summary>
    public bool Ok => Error is null;
}

/// <summary>
/// Offline verification of a whole log against a checkpoint whose signatures the caller has verified:
/// reads every entry bundle and hash tile of the checkpoint's tree, recomputes every leaf hash and every
/// tile above from the entries, and the root. Inserted, deleted, modified or reordered entries show up as
/// the first index where recomputed and stored hashes diverge. Memory stays at a few tiles.
/// </summary>
public static class LogAudit
{
    /// <summary>Runs the audit.</summary>
    /// <param name="reader">Where the tiles and bundles are.</param>
    /// <param name="checkpoint">The verified checkpoint to check the log against.</param>
    /// <param name="checkEntry">Optional check of each entry's form (null when it is well formed).</param>
    /// <param name="progress">Receives the number of entries checked after each bundle.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async ValueTask<LogAuditReport> RunAsync(ITileReader reader, Checkpoint checkpoint, Func<byte[], ProtocolError?>? checkEntry = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(checkpoint);
        var audit = new Audit(reader, checkpoint.Size, cancellationToken);
        var frontier = new MerkleFrontier();
        foreach (var bundle in TileMath.EntryBundles(checkpoint.Size))
        {
            var start = bundle.Index * TileAddress.FullWidth;
            var read = await reader.ReadAsync(bundle, cancellationToken).ConfigureAwait(false);
            if (!read.IsOk) return audit.Fail(start, read.Error with { Message = $"{bundle.Path}: {read.Error.Message}" });
            var entries = EntryBundle.Decode(read.Value);
            if (!entries.IsOk) return audit.Fail(start, entries.Error with { Message = $"{bundle.Path}: {entries.Error.Message}" });
            var tile = await TileHashes.ReadTileAsync(reader, TileAddress.HashTile(0, bundle.Index, bundle.Width), cancellationToken).ConfigureAwait(false);
            if (!tile.IsOk) return audit.Fail(start, tile.Error);

            var count = Math.Min(entries.Value.Count, bundle.Width);
            var leaf = new byte[MerkleHash.Size];
            for (var i = 0; i < count; i++)
            {
                var index = start + i;
                var entry = entries.Value[i];
                if (checkEntry?.Invoke(entry) is { } invalid) return audit.Fail(index, invalid with { Message = $"Entry {index}: {invalid.Message}" });
                MerkleHash.Leaf(entry, leaf);
                if (!leaf.AsSpan().SequenceEqual(tile.Value.AsSpan(i * MerkleHash.Size, MerkleHash.Size)))
                    return audit.Fail(index, new ProtocolError(ProtocolErrorCode.InvalidProof, $"Entry {index} does not match its leaf hash in {TileAddress.HashTile(0, bundle.Index, bundle.Width).Path}."));
                frontier.Append(leaf);
                audit.EntriesChecked++;
            }
            if (entries.Value.Count != bundle.Width)
                return audit.Fail(start + count, new ProtocolError(ProtocolErrorCode.InvalidLength, $"{bundle.Path} holds {entries.Value.Count} entries, {bundle.Width} expected."));
            if (!bundle.IsPartial && await audit.PushAsync(1, bundle.Index, MerkleHash.PerfectRoot(tile.Value)).ConfigureAwait(false) is { } upper)
                return upper;
            progress?.Report(audit.EntriesChecked);
        }
        if (!frontier.Root().AsSpan().SequenceEqual(checkpoint.Root))
            return audit.Fail(null, new ProtocolError(ProtocolErrorCode.InvalidProof, "The entries and tiles agree with each other but do not produce the checkpoint's root: the whole log was rewritten."));
        return new LogAuditReport(checkpoint.Size, audit.EntriesChecked, null, null);
    }

    // Compares the hashes recomputed from below with the stored tiles above, as soon as each is known,
    // so that a bad upper tile is reported at the first entry it covers.
    private sealed class Audit(ITileReader reader, long size, CancellationToken cancellationToken)
    {
        private readonly Dictionary<int, (long Index, byte[] Data)> _stored = [];

        public long EntriesChecked { get; set; }

        public LogAuditReport Fail(long? index, ProtocolError error) => new(size, EntriesChecked, index, error);

        public async ValueTask<LogAuditReport?> PushAsync(int level, long position, byte[] hash)
        {
            var tileIndex = position / TileAddress.FullWidth;
            var offset = (int)(position % TileAddress.FullWidth);
            var firstEntry = position << (TileAddress.Height * level);
            if (!_stored.TryGetValue(level, out var stored) || stored.Index != tileIndex)
            {
                var address = TileMath.HashTileAt(level, tileIndex, size)!.Value;
                var read = await TileHashes.ReadTileAsync(reader, address, cancellationToken).ConfigureAwait(false);
                if (!read.IsOk) return Fail(firstEntry, read.Error);
                stored = (tileIndex, read.Value);
                _stored[level] = stored;
            }
            if (!hash.AsSpan().SequenceEqual(stored.Data.AsSpan(offset * MerkleHash.Size, MerkleHash.Size)))
            {
                var path = TileMath.HashTileAt(level, tileIndex, size)!.Value.Path;
                return Fail(firstEntry, new ProtocolError(ProtocolErrorCode.InvalidProof, $"Hash {offset} of {path} does not match the entries under it (from entry {firstEntry})."));
            }
            if (offset == TileAddress.FullWidth - 1)
                return await PushAsync(level + 1, tileIndex, MerkleHash.PerfectRoot(stored.Data)).ConfigureAwait(false);
            return null;
        }
    }
}
