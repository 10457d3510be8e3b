using Parley.Protocol.Ledger;

namespace Parley.Protocol.Tests.Ledger;

public class TilePathTests
{
    [Theory]
    [InlineData(0, 0L, 256, "tile/0/000")]
    [InlineData(0, 5L, 256, "tile/0/005")]
    [InlineData(1, 1000L, 256, "tile/1/x001/000")]
    [InlineData(0, 1234067L, 256, "tile/0/x001/x234/067")]
    [InlineData(2, 1234067L, 8, "tile/2/x001/x234/067.p/8")]
    [InlineData(63, 999L, 255, "tile/63/999.p/255")]
    [InlineData(0, 9223372036854775807L, 1, "tile/0/x009/x223/x372/x036/x854/x775/807.p/1")]
    public void Hash_tile_paths_follow_the_specification(int level, long index, int width, string path)
    {
        var tile = TileAddress.HashTile(level, index, width);
        Assert.Equal(path, tile.Path);
        Assert.Equal(tile, TileAddress.ParsePath(path).Value);
        Assert.Equal(tile, TileAddress.ParsePath(path["tile/".Length..]).Value);
    }

    [Theory]
    [InlineData(0L, 256, "tile/entries/000")]
    [InlineData(1234067L, 256, "tile/entries/x001/x234/067")]
    [InlineData(272L, 112, "tile/entries/272.p/112")]
    public void Entry_bundle_paths_follow_the_specification(long index, int width, string path)
    {
        var bundle = TileAddress.EntryBundle(index, width);
        Assert.Equal(path, bundle.Path);
        Assert.Equal(bundle, TileAddress.ParsePath(path).Value);
    }

    [Theory]
    [InlineData("tile/00/000")]
    [InlineData("tile/64/000")]
    [InlineData("tile/-1/000")]
    [InlineData("tile/0/00")]
    [InlineData("tile/0/0000")]
    [InlineData("tile/0/x000/005")]
    [InlineData("tile/0/001/234")]
    [InlineData("tile/0/x1/234")]
    [InlineData("tile/0/xx01/234")]
    [InlineData("tile/0/x001/x234")]
    [InlineData("tile/0/000.p/0")]
    [InlineData("tile/0/000.p/256")]
    [InlineData("tile/0/000.p/08")]
    [InlineData("tile/0/000.p/")]
    [InlineData("tile/0/000.p/1/")]
    [InlineData("tile/0/000/")]
    [InlineData("tile/0/+12")]
    [InlineData("tile/0/ 12")]
    [InlineData("tile/0/١٢٣")]
    [InlineData("tile/entries/000.p/256")]
    [InlineData("tile/entry/000")]
    [InlineData("tile/0")]
    [InlineData("tile/")]
    [InlineData("")]
    [InlineData("tile/0/x009/x223/x372/x036/x854/x775/808")]
    [InlineData("tile/0/x999/x999/x999/x999/x999/x999/x999/999")]
    public void Non_canonical_or_malformed_paths_are_refused(string path)
    {
        var parsed = TileAddress.ParsePath(path);
        Assert.False(parsed.IsOk, path);
        Assert.Equal(ProtocolErrorCode.Malformed, parsed.Error.Code);
    }

    [Fact]
    public void Random_paths_never_throw_and_every_accepted_path_is_canonical()
    {
        var random = new Random(1234067);
        const string alphabet = "0123456789x/.ptileentries-";
        for (var i = 0; i < 20_000; i++)
        {
            var chars = new char[random.Next(0, 30)];
            for (var j = 0; j < chars.Length; j++) chars[j] = alphabet[random.Next(alphabet.Length)];
            var path = "tile/" + new string(chars);
            var parsed = TileAddress.ParsePath(path);
            if (parsed.IsOk) Assert.Equal(path, parsed.Value.Path);
        }
    }

    [Fact]
    public void Node_locations_point_into_the_right_tile()
    {
        var tile = TileMath.Locate(new MerkleNode(0, 300), 1000, out var offset, out var count);
        Assert.Equal(("tile/0/001", 44, 1), (tile.Path, offset, count));
        tile = TileMath.Locate(new MerkleNode(3, 35), 1000, out offset, out count);
        Assert.Equal(("tile/0/001", 24, 8), (tile.Path, offset, count));
        tile = TileMath.Locate(new MerkleNode(2, 193), 1000, out offset, out count);
        Assert.Equal(("tile/0/003.p/232", 4, 4), (tile.Path, offset, count));
        tile = TileMath.Locate(new MerkleNode(8, 2), 1000, out offset, out count);
        Assert.Equal(("tile/1/000.p/3", 2, 1), (tile.Path, offset, count));
        Assert.Throws<ArgumentException>(() => TileMath.Locate(new MerkleNode(3, 125), 1000, out _, out _));
    }
}
