using Parley.Protocol.Ledger;

namespace Parley.Protocol.Tests.Ledger;

/// <summary>A log kept in memory the way the server keeps it (latest version of each tile, entries by index),
/// served as tlog-tiles through <see cref="ITileReader"/>; tests tamper with it directly.</summary>
internal sealed class MemoryLog : ITileReader
{
    private readonly TiledTree _tree = TiledTree.Empty();

    public Dictionary<(int Level, long Index), byte[]> Tiles { get; } = [];

    public List<byte[]> Entries { get; } = [];

    public long Size => _tree.Size;

    public byte[] Root() => _tree.Root();

    public static MemoryLog WithEntries(int count)
    {
        var log = new MemoryLog();
        for (var i = 0; i < count; i++) log.Append(System.Text.Encoding.UTF8.GetBytes($"entry {i}"));
        return log;
    }

    public void Append(byte[] entry)
    {
        Entries.Add(entry);
        _tree.Append(MerkleHash.Leaf(entry));
        foreach (var (tile, data) in _tree.TakeChangedTiles()) Tiles[(tile.Level, tile.Index)] = data;
    }

    public int Reads { get; private set; }

    public ValueTask<Result<byte[]>> ReadAsync(TileAddress tile, CancellationToken cancellationToken)
    {
        Reads++;
        if (tile.Kind == TileKind.Entries)
        {
            var start = (int)(tile.Index * TileAddress.FullWidth);
            if (start >= Entries.Count) return ValueTask.FromResult(Result<byte[]>.Fail(ProtocolErrorCode.Truncated, "no such bundle"));
            var entries = Entries.Skip(start).Take(tile.Width).ToList();
            return ValueTask.FromResult(Result<byte[]>.Ok(EntryBundle.Encode(entries)));
        }
        if (!Tiles.TryGetValue((tile.Level, tile.Index), out var data) || data.Length < tile.Width * MerkleHash.Size)
            return ValueTask.FromResult(Result<byte[]>.Fail(ProtocolErrorCode.Truncated, $"no tile {tile.Path}"));
        return ValueTask.FromResult(Result<byte[]>.Ok(data[..(tile.Width * MerkleHash.Size)]));
    }
}
