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
/// Hashes of perfect nodes read from the hash tiles of one tree size. Nodes between tile levels are
/// recomputed from the tile's hashes and cached, so a proof touching a tile costs at most one pass
/// over it.
/// </summary>
public sealed class TileHashes
{
    private readonly Dictionary<TileAddress, byte[]> _tiles = [];
    private readonly Dictionary<MerkleNode, byte[]> _nodes = [];

    private TileHashes(long size) => Size = size;

    /// <summary>The tree size the tiles are read for.</summary>
    public long Size { get; }

    /// <summary>Reads the tiles that hold <paramref name="nodes"/> in the tree of <paramref name="size"/> leaves.</summary>
    public static async ValueTask<Result<TileHashes>> ReadAsync(ITileReader reader, long size, IEnumerable<MerkleNode> nodes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(nodes);
        var hashes = new TileHashes(size);
        var wanted = nodes.Select(node => TileMath.Locate(node, size, out _, out _)).Distinct().ToList();
        foreach (var tile in wanted)
        {
            var read = await ReadTileAsync(reader, tile, cancellationToken).ConfigureAwait(false);
            if (!read.IsOk) return Result<TileHashes>.Fail(read.Error);
            hashes._tiles[tile] = read.Value;
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
        if (!_tiles.TryGetValue(tile, out var data)) throw new InvalidOperationException($"Tile {tile.Path} was not read.");
        var hash = MerkleHash.PerfectRoot(data.AsSpan(offset * MerkleHash.Size, count * MerkleHash.Size));
        _nodes[node] = hash;
        return hash;
    }
}

/// <summary>Inclusion and consistency proofs computed from a log's tiles, as tlog-tiles clients do.</summary>
public static class TileProofs
{
    /// <summary>The inclusion proof of leaf <paramref name="index"/> in the tree of <paramref name="size"/> leaves.</summary>
    public static async ValueTask<Result<byte[][]>> InclusionAsync(ITileReader reader, long index, long size, CancellationToken cancellationToken)
    {
        if (index < 0 || index >= size) return Result<byte[][]>.Fail(ProtocolErrorCode.InvalidProof, $"Leaf {index} is not in a tree of {size} leaves.");
        return await AssembleAsync(reader, MerkleProofs.InclusionPlan(index, size), size, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The consistency proof from the tree of <paramref name="size1"/> leaves to the tree of <paramref name="size2"/>.</summary>
    public static async ValueTask<Result<byte[][]>> ConsistencyAsync(ITileReader reader, long size1, long size2, CancellationToken cancellationToken)
    {
        if (size1 <= 0 || size2 < size1) return Result<byte[][]>.Fail(ProtocolErrorCode.InvalidProof, $"There is no consistency proof from size {size1} to {size2}.");
        return await AssembleAsync(reader, MerkleProofs.ConsistencyPlan(size1, size2), size2, cancellationToken).ConfigureAwait(false);
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

    private static async ValueTask<Result<byte[][]>> AssembleAsync(ITileReader reader, ProofPlan plan, long size, CancellationToken cancellationToken)
    {
        var hashes = await TileHashes.ReadAsync(reader, size, plan.Nodes, cancellationToken).ConfigureAwait(false);
        return hashes.IsOk ? plan.Assemble(hashes.Value.Node) : Result<byte[][]>.Fail(hashes.Error);
    }
}
