using Parley.Protocol.Ledger;

namespace Parley.Protocol.Tests.Ledger;

public class TiledTreeTests
{
    [Fact]
    public void Roots_match_the_definition_at_every_size_across_tile_boundaries()
    {
        var leaves = MerkleTreeFixture.LeafHashes(600);
        var tree = TiledTree.Empty();
        var frontier = new MerkleFrontier();
        Assert.Equal(MerkleHash.EmptyRoot(), tree.Root());
        Assert.Equal(MerkleHash.EmptyRoot(), frontier.Root());
        for (var size = 1; size <= leaves.Length; size++)
        {
            tree.Append(leaves[size - 1]);
            frontier.Append(leaves[size - 1]);
            if (size <= 300 || size % 17 == 0 || size is 511 or 512 or 513)
            {
                var expected = MerkleTreeFixture.Root(leaves, size);
                Assert.Equal(expected, tree.Root());
                Assert.Equal(expected, frontier.Root());
            }
        }
    }

    [Fact]
    public void A_tree_of_70000_has_the_tiles_the_specification_lists()
    {
        // tlog-tiles: 273 full level-0 tiles, a partial level-0 tile of width 112, one full level-1 tile,
        // a partial level-1 tile of width 17 and a partial level-2 tile of width 1.
        var log = MemoryLog.WithEntries(70_000);
        var tiles = TileMath.HashTiles(70_000).ToList();
        Assert.Equal(273, tiles.Count(t => t.Level == 0 && !t.IsPartial));
        Assert.Equal([112], tiles.Where(t => t.Level == 0 && t.IsPartial).Select(t => t.Width));
        Assert.Equal(1, tiles.Count(t => t.Level == 1 && !t.IsPartial));
        Assert.Equal([17], tiles.Where(t => t.Level == 1 && t.IsPartial).Select(t => t.Width));
        Assert.Equal([1], tiles.Where(t => t.Level == 2).Select(t => t.Width));
        Assert.Equal(3, TileMath.Levels(70_000));
        foreach (var tile in tiles) Assert.True(log.Tiles[(tile.Level, tile.Index)].Length >= tile.Width * 32, tile.Path);
        // A tree of 256: one full level-0 tile and a level-1 tile of width 1.
        Assert.Equal(["tile/0/000", "tile/1/000.p/1"], TileMath.HashTiles(256).Select(t => t.Path));
    }

    [Fact]
    public void Upper_tiles_hold_the_roots_of_the_full_tiles_below()
    {
        var log = MemoryLog.WithEntries(256 * 3 + 5);
        var level0 = log.Tiles[(0, 1)];
        Assert.Equal(MerkleHash.PerfectRoot(level0), log.Tiles[(1, 0)].AsSpan(32, 32).ToArray());
        Assert.Equal(3 * 32, log.Tiles[(1, 0)].Length);
        Assert.Equal(5 * 32, log.Tiles[(0, 3)].Length);
    }

    [Fact]
    public void A_resumed_tree_continues_exactly_where_the_first_stopped()
    {
        var leaves = MerkleTreeFixture.LeafHashes(1000);
        var first = new MemoryLog();
        for (var i = 0; i < 700; i++) first.Append(BitConverter.GetBytes(i));
        var resumed = TiledTree.Resume(700, tile => first.Tiles.GetValueOrDefault((tile.Level, tile.Index))).Value;
        Assert.Equal(first.Root(), resumed.Root());
        for (var i = 700; i < 1000; i++)
        {
            resumed.Append(leaves[i]);
            first.Append(BitConverter.GetBytes(i));
        }
        Assert.Equal(first.Root(), resumed.Root());
        Assert.Equal(MerkleTreeFixture.Root(leaves, 1000), resumed.Root());
    }

    [Fact]
    public void Resuming_without_the_partial_tiles_is_a_typed_error()
    {
        var resumed = TiledTree.Resume(700, _ => null);
        Assert.Equal(ProtocolErrorCode.Truncated, resumed.Error?.Code);
        var shortTile = TiledTree.Resume(700, _ => new byte[32]);
        Assert.Equal(ProtocolErrorCode.Truncated, shortTile.Error?.Code);
    }

    [Fact]
    public void Changed_tiles_are_the_completed_tiles_and_the_grown_partial_ones()
    {
        var tree = TiledTree.Empty();
        for (var i = 0; i < 10; i++) tree.Append(MerkleHash.Leaf([(byte)i]));
        Assert.Equal(["tile/0/000.p/10"], tree.TakeChangedTiles().Select(c => c.Tile.Path));
        Assert.Empty(tree.TakeChangedTiles());
        for (var i = 10; i < 260; i++) tree.Append(MerkleHash.Leaf([(byte)i]));
        Assert.Equal(["tile/0/000", "tile/0/001.p/4", "tile/1/000.p/1"], tree.TakeChangedTiles().Select(c => c.Tile.Path));
    }
}
