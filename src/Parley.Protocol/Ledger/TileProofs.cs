namespace Parley.Protocol.Ledger;

/// <summary>
/// Where tiles and entry bundles come from: a server over HTTP, an exported folder, the server's own
/// storage. Implementations do the I/O; Protocol only computes. A partial tile may be answered with
/// a longer version of the same tile: hashes never change once written, so the prefix is the tile.
/// </summary>
public interface ITileReader
{
    /// <summary>The bytes of <paramref name="tile"/>, or an error (missing, unreachable, refused).</summary>
    ValueTask<Result<byte[]>> ReadAsync(TileAddress tile, CancellationToken cancellationToken);
}

/// <summary>
/// Full hash tiles never change, so their bytes and every hash between their levels can be kept:
/// proofs that share tiles (the upper levels, for all leaves) then neither read nor hash them again.
/// Bounded; the oldest tiles leave first. Safe to share between threads.
/// </summary>
public sealed class FullTileCache
{
    private readonly int _capacity;
    private readonly Dictionary<TileAddress, byte[][]> _levels = [];
    private readonly Queue<TileAddress> _order = new();
    private readonly Lock _lock = new();

    /// <summary>A cache of at most <paramref name="capacity"/> tiles (about 16 KiB each).</summary>
    public FullTileCache(int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    internal bool TryGet(TileAddress tile, out byte[][] levels)
    {
        lock (_lock) return _levels.TryGetValue(tile, out levels!);
    }

    // levels[h] holds the 256 >> h hashes at height h above the tile's own level.
    internal byte[][] Add(TileAddress tile, byte[] data)
    {
        var levels = new byte[TileAddress.Height + 1][];
        levels[0] = data;
        for (var h = 1; h <= TileAddress.Height; h++)
        {
            var below = levels[h - 1];
            var level = new byte[below.Length / 2];
            for (var i = 0; i < level.Length / MerkleHash.Size; i++)
                MerkleHash.Node(below.AsSpan(2 * i * MerkleHash.Size, MerkleHash.Size), below.AsSpan((2 * i + 1) * MerkleHash.Size, MerkleHash.Size), level.AsSpan(i * MerkleHash.Size, MerkleHash.Size));
            levels[h] = level;
        }
        lock (_lock)
        {
            if (_levels.TryGetValue(tile, out var existing)) return existing;
            if (_order.Count == _capacity) _levels.Remove(_order.Dequeue());
            _levels[tile] = levels;
            _order.Enqueue(tile);
        }
        return levels;
    }
}

/// <summary>
/// Hashes of perfect nodes read from the hash tiles of one tree size. Nodes between tile levels are
/// recomputed from the tile's hashes; with a <see cref="FullTileCache"/>, full tiles are read and
/// hashed once for all proofs.
/// </summary>
public sealed class TileHashes
{
    private readonly Dictionary<TileAddress, byte[]> _tiles = [];
    private readonly Dictionary<TileAddress, byte[][]> _full = [];
    private readonly Dictionary<MerkleNode, byte[]> _nodes = [];

    private TileHashes(long size) => Size = size;

    /// <summary>The tree size the tiles are read for.</summary>
    public long Size { get; }

    /// <summary>Reads the tiles that hold <paramref name="nodes"/> in the tree of <paramref name="size"/> leaves,
    /// taking full tiles from <paramref name="cache"/> when it has them and keeping those it reads.</summary>
    public static async ValueTask<Result<TileHashes>> ReadAsync(ITileReader reader, long size, IEnumerable<MerkleNode> nodes, CancellationToken cancellationToken, FullTileCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(nodes);
        var hashes = new TileHashes(size);
        var wanted = nodes.Select(node => TileMath.Locate(node, size, out _, out _)).Distinct().ToList();
        foreach (var tile in wanted)
        {
            if (cache is not null && !tile.IsPartial && cache.TryGet(tile, out var levels))
            {
                hashes._full[tile] = levels;
                continue;
            }
            var read = await ReadTileAsync(reader, tile, cancellationToken).ConfigureAwait(false);
            if (!read.IsOk) return Result<TileHashes>.Fail(read.Error);
            if (cache is not null && !tile.IsPartial) hashes._full[tile] = cache.Add(tile, read.Value);
            else hashes._tiles[tile] = read.Value;
        }
        return hashes;
    }

    /// <summary>Reads one hash tile and checks its length, keeping only the requested width of a longer answer.</summary>
    public static async ValueTask<Result<byte[]>> ReadTileAsync(ITileReader reader, TileAddress tile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (tile.Kind != TileKind.Hash) throw new ArgumentException("Not a hash tile.", nameof(tile));
        var read = await reader.ReadAsync(tile, cancellationToken).ConfigureAwait(false);
        if (!read.IsOk) return read;
        var expected = tile.Width * MerkleHash.Size;
        var data = read.Value;
        if (data.Length == expected) return data;
        if (data.Length > expected && data.Length % MerkleHash.Size == 0 && data.Length <= TileAddress.FullWidth * MerkleHash.Size && tile.IsPartial)
            return data[..expected];
        return Result<byte[]>.Fail(ProtocolErrorCode.InvalidLength, $"{tile.Path} is {data.Length} bytes, expected {expected}.");
    }

    /// <summary>The hash of a perfect node of the tree; the node's tile must have been read.</summary>
    public byte[] Node(MerkleNode node)
    {
        if (_nodes.TryGetValue(node, out var cached)) return cached;
        var tile = TileMath.Locate(node, Size, out var offset, out var count);
        if (_full.TryGetValue(tile, out var levels))
        {
            var height = node.Level % TileAddress.Height;
            return levels[height].AsSpan((offset >> height) * MerkleHash.Size, MerkleHash.Size).ToArray();
        }
        if (!_tiles.TryGetValue(tile, out var data)) throw new InvalidOperationException($"Tile {tile.Path} was not read.");
        var hash = MerkleHash.PerfectRoot(data.AsSpan(offset * MerkleHash.Size, count * MerkleHash.Size));
        _nodes[node] = hash;
        return hash;
    }
}

/// <summary>Inclusion and consistency proofs computed from a log's tiles, as tlog-tiles clients do. A
/// <see cref="FullTileCache"/> shared between proofs saves reading and hashing full tiles again.</summary>
public static class TileProofs
{
    /// <summary>The inclusion proof of leaf <paramref name="index"/> in the tree of <paramref name="size"/> leaves.</summary>
    public static async ValueTask<Result<byte[][]>> InclusionAsync(ITileReader reader, long index, long size, CancellationToken cancellationToken, FullTileCache? cache = null)
    {
        if (index < 0 || index >= size) return Result<byte[][]>.Fail(ProtocolErrorCode.InvalidProof, $"Leaf {index} is not in a tree of {size} leaves.");
        return await AssembleAsync(reader, MerkleProofs.InclusionPlan(index, size), size, cache, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The consistency proof from the tree of <paramref name="size1"/> leaves to the tree of <paramref name="size2"/>.</summary>
    public static async ValueTask<Result<byte[][]>> ConsistencyAsync(ITileReader reader, long size1, long size2, CancellationToken cancellationToken, FullTileCache? cache = null)
    {
        if (size1 <= 0 || size2 < size1) return Result<byte[][]>.Fail(ProtocolErrorCode.InvalidProof, $"There is no consistency proof from size {size1} to {size2}.");
        return await AssembleAsync(reader, MerkleProofs.ConsistencyPlan(size1, size2), size2, cache, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The leaf hash at <paramref name="index"/>, from the level-0 tile of the tree of <paramref name="size"/> leaves.</summary>
    public static async ValueTask<Result<byte[]>> LeafHashAsync(ITileReader reader, long index, long size, CancellationToken cancellationToken)
    {
        if (index < 0 || index >= size) return Result<byte[]>.Fail(ProtocolErrorCode.InvalidProof, $"Leaf {index} is not in a tree of {size} leaves.");
        var leaf = new MerkleNode(0, index);
        var hashes = await TileHashes.ReadAsync(reader, size, [leaf], cancellationToken).ConfigureAwait(false);
        return hashes.IsOk ? hashes.Value.Node(leaf) : Result<byte[]>.Fail(hashes.Error);
    }

    /// <summary>The entry at <paramref name="index"/>, from its entry bundle in the tree of <paramref name="size"/> leaves.</summary>
    public static async ValueTask<Result<byte[]>> EntryAsync(ITileReader reader, long index, long size, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (index < 0 || index >= size) return Result<byte[]>.Fail(ProtocolErrorCode.InvalidProof, $"Entry {index} is not in a tree of {size} leaves.");
        var bundle = TileMath.EntryBundleAt(index / TileAddress.FullWidth, size)!.Value;
        var read = await reader.ReadAsync(bundle, cancellationToken).ConfigureAwait(false);
        if (!read.IsOk) return read;
        var entries = EntryBundle.Decode(read.Value);
        if (!entries.IsOk) return Result<byte[]>.Fail(entries.Error);
        var position = (int)(index % TileAddress.FullWidth);
        return position < entries.Value.Count
            ? entries.Value[position]
            : Result<byte[]>.Fail(ProtocolErrorCode.Truncated, $"{bundle.Path} has {entries.Value.Count} entries, not {bundle.Width}.");
    }

    private static async ValueTask<Result<byte[][]>> AssembleAsync(ITileReader reader, ProofPlan plan, long size, FullTileCache? cache, CancellationToken cancellationToken)
    {
        var hashes = await TileHashes.ReadAsync(reader, size, plan.Nodes, cancellationToken, cache).ConfigureAwait(false);
        return hashes.IsOk ? plan.Assemble(hashes.Value.Node) : Result<byte[][]>.Fail(hashes.Error);
    }
}
