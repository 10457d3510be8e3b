namespace Parley.Protocol.Ledger;

/// <summary>
/// The growing right edge of a tiled log: at each tile level, the hashes of the partial tile. Appending
/// leaves fills level 0; a tile that reaches 256 hashes is complete, and its root becomes the next hash
/// of the level above. Knows the root at every size and which tiles each batch of appends changed,
/// which is all a sequencer has to write. Not thread-safe: one sequencer owns it.
/// </summary>
public sealed class TiledTree
{
    private readonly List<List<byte[]>> _edges = [];
    private readonly List<(TileAddress Tile, byte[] Data)> _completed = [];
    private readonly HashSet<int> _touched = [];

    private TiledTree(long size) => Size = size;

    /// <summary>Number of leaves.</summary>
    public long Size { get; private set; }

    /// <summary>An empty tree.</summary>
    public static TiledTree Empty() => new(0);

    /// <summary>
    /// Resumes a tree of <paramref name="size"/> leaves from its partial tiles: <paramref name="partialTile"/> is
    /// asked for each <see cref="TileMath.PartialWidth"/>-wide tile of the size and must return its bytes.
    /// </summary>
    public static Result<TiledTree> Resume(long size, Func<TileAddress, byte[]?> partialTile)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentNullException.ThrowIfNull(partialTile);
        var tree = new TiledTree(size);
        for (var level = 0; level < TileMath.Levels(size); level++)
        {
            var edge = new List<byte[]>(TileAddress.FullWidth);
            var width = TileMath.PartialWidth(level, size);
            if (width > 0)
            {
                var tile = TileAddress.HashTile(level, TileMath.FullTiles(level, size), width);
                var data = partialTile(tile);
                if (data is null || data.Length < width * MerkleHash.Size)
                    return Result<TiledTree>.Fail(ProtocolErrorCode.Truncated, $"{tile.Path} is missing or shorter than {width} hashes.");
                for (var i = 0; i < width; i++) edge.Add(data.AsSpan(i * MerkleHash.Size, MerkleHash.Size).ToArray());
            }
            tree._edges.Add(edge);
        }
        return tree;
    }

    /// <summary>Appends one leaf hash.</summary>
    public void Append(ReadOnlySpan<byte> leafHash)
    {
        if (leafHash.Length != MerkleHash.Size) throw new ArgumentException("A leaf hash is 32 bytes.", nameof(leafHash));
        var hash = leafHash.ToArray();
        var position = Size;
        for (var level = 0; ; level++)
        {
            if (_edges.Count == level) _edges.Add(new List<byte[]>(TileAddress.FullWidth));
            var edge = _edges[level];
            edge.Add(hash);
            _touched.Add(level);
            if (edge.Count < TileAddress.FullWidth) break;
            // The tile is complete: it is written once, and its root moves up a level.
            var data = Concat(edge);
            var tileIndex = position >> (TileAddress.Height * (level + 1));
            _completed.Add((TileAddress.HashTile(level, tileIndex), data));
            edge.Clear();
            hash = MerkleHash.PerfectRoot(data);
        }
        Size++;
    }

    /// <summary>The Merkle tree hash of all leaves.</summary>
    public byte[] Root()
    {
        if (Size == 0) return MerkleHash.EmptyRoot();
        // The perfect subtrees of the tree, largest first: the set bits of each level's partial width.
        var subtrees = new List<byte[]>();
        for (var level = _edges.Count - 1; level >= 0; level--)
        {
            var edge = _edges[level];
            var offset = 0;
            for (var bit = TileAddress.Height - 1; bit >= 0; bit--)
            {
                var count = 1 << bit;
                if ((edge.Count & count) == 0) continue;
                subtrees.Add(MerkleHash.PerfectRoot(Concat(edge.GetRange(offset, count))));
                offset += count;
            }
        }
        var root = subtrees[^1];
        for (var i = subtrees.Count - 2; i >= 0; i--) root = MerkleHash.Node(subtrees[i], root);
        return root;
    }

    /// <summary>
    /// The tiles changed since the last call: every tile completed (full, written once) and the current
    /// partial tile of every level that grew. Writing them makes the stored tiles those of <see cref="Size"/>.
    /// </summary>
    public IReadOnlyList<(TileAddress Tile, byte[] Data)> TakeChangedTiles()
    {
        var changed = new List<(TileAddress, byte[])>(_completed);
        foreach (var level in _touched.Order())
        {
            var edge = _edges[level];
            if (edge.Count == 0) continue;
            changed.Add((TileAddress.HashTile(level, TileMath.FullTiles(level, Size), edge.Count), Concat(edge)));
        }
        _completed.Clear();
        _touched.Clear();
        return changed;
    }

    private static byte[] Concat(List<byte[]> hashes)
    {
        var data = new byte[hashes.Count * MerkleHash.Size];
        for (var i = 0; i < hashes.Count; i++) hashes[i].CopyTo(data, i * MerkleHash.Size);
        return data;
    }
}
