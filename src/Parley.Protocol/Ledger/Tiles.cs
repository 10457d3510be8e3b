using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Parley.Protocol.Ledger;

/// <summary>What a tile holds: Merkle tree hashes, or the log's entries (an entry bundle).</summary>
public enum TileKind
{
    /// <summary>A tile of 32-byte Merkle tree hashes: <c>tile/&lt;L&gt;/&lt;N&gt;[.p/&lt;W&gt;]</c>.</summary>
    Hash,
    /// <summary>An entry bundle: <c>tile/entries/&lt;N&gt;[.p/&lt;W&gt;]</c>.</summary>
    Entries,
}

/// <summary>
/// The address of a C2SP tlog-tiles resource. A hash tile at level <c>L</c> holds up to 256 Merkle tree
/// hashes at tree height <c>8L</c>; tile <c>N</c> holds nodes <c>[256N, 256N + W)</c> of that height.
/// An entry bundle <c>N</c> holds entries <c>[256N, 256N + W)</c>. <c>W</c> is 256 for a full tile and
/// 1 to 255 for a partial one.
/// </summary>
public readonly record struct TileAddress
{
    /// <summary>Tree levels spanned by one tile.</summary>
    public const int Height = 8;

    /// <summary>Hashes (or entries) in a full tile.</summary>
    public const int FullWidth = 256;

    /// <summary>Highest tile level a path may name.</summary>
    public const int MaxLevel = 63;

    private TileAddress(TileKind kind, int level, long index, int width)
    {
        Kind = kind;
        Level = level;
        Index = index;
        Width = width;
    }

    /// <summary>Hash tile or entry bundle.</summary>
    public TileKind Kind { get; }

    /// <summary>Tile level (0 for entry bundles).</summary>
    public int Level { get; }

    /// <summary>Tile index within its level.</summary>
    public long Index { get; }

    /// <summary>Number of hashes or entries, 1 to 256.</summary>
    public int Width { get; }

    /// <summary>True for a tile with fewer than 256 hashes or entries.</summary>
    public bool IsPartial => Width < FullWidth;

    /// <summary>A hash tile.</summary>
    public static TileAddress HashTile(int level, long index, int width = FullWidth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxLevel);
        return new TileAddress(TileKind.Hash, level, CheckIndex(index), CheckWidth(width));
    }

    /// <summary>An entry bundle.</summary>
    public static TileAddress EntryBundle(long index, int width = FullWidth) =>
        new(TileKind.Entries, 0, CheckIndex(index), CheckWidth(width));

    /// <summary>The same tile at full width.</summary>
    public TileAddress Full => new(Kind, Level, Index, FullWidth);

    /// <summary>The path under the log's prefix, e.g. <c>tile/0/x001/x234/067.p/8</c> or <c>tile/entries/000</c>.</summary>
    public string Path
    {
        get
        {
            var path = new StringBuilder("tile/");
            path.Append(Kind == TileKind.Entries ? "entries" : Level.ToString(CultureInfo.InvariantCulture)).Append('/');
            AppendIndex(path, Index);
            if (IsPartial) path.Append(".p/").Append(Width.ToString(CultureInfo.InvariantCulture));
            return path.ToString();
        }
    }

    /// <inheritdoc />
    public override string ToString() => Path;

    /// <summary>Parses a tile path (with or without the leading <c>tile/</c>), refusing every non-canonical spelling.</summary>
    public static Result<TileAddress> ParsePath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length > 200) return Fail("The tile path is too long.");
        var rest = path.StartsWith("tile/", StringComparison.Ordinal) ? path["tile/".Length..] : path;
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0) return Fail("A tile path is <L>/<N> or entries/<N>.");
        var head = rest[..slash];
        rest = rest[(slash + 1)..];

        var width = FullWidth;
        var partial = rest.IndexOf(".p/", StringComparison.Ordinal);
        if (partial >= 0)
        {
            if (!TryParseDecimal(rest[(partial + 3)..], 1, FullWidth - 1, out var w)) return Fail("A partial tile's width is 1 to 255, without leading zeros.");
            width = (int)w;
            rest = rest[..partial];
        }
        if (!TryParseIndex(rest, out var index)) return Fail("A tile index is written in 3-digit groups, all but the last prefixed with 'x' (e.g. x001/x234/067).");

        if (head == "entries") return EntryBundle(index, width);
        if (!TryParseDecimal(head, 0, MaxLevel, out var level)) return Fail("A tile level is 0 to 63, without leading zeros.");
        return HashTile((int)level, index, width);
    }

    private static void AppendIndex(StringBuilder path, long index)
    {
        // Groups from the most significant; every group but the last is prefixed with 'x'.
        var groups = new List<long>();
        do
        {
            groups.Add(index % 1000);
            index /= 1000;
        }
        while (index > 0);
        for (var i = groups.Count - 1; i >= 0; i--)
        {
            if (i > 0) path.Append('x');
            path.Append(groups[i].ToString("D3", CultureInfo.InvariantCulture));
            if (i > 0) path.Append('/');
        }
    }

    private static bool TryParseIndex(string text, out long index)
    {
        index = 0;
        var groups = text.Split('/');
        if (groups.Length > 7) return false;
        for (var i = 0; i < groups.Length; i++)
        {
            var group = groups[i];
            var last = i == groups.Length - 1;
            if (!last)
            {
                if (!group.StartsWith('x')) return false;
                group = group[1..];
                // A leading group of zeros is another spelling of a shorter path.
                if (i == 0 && group == "000") return false;
            }
            if (group.Length != 3 || !group.All(char.IsAsciiDigit)) return false;
            try
            {
                index = checked(index * 1000 + long.Parse(group, NumberStyles.None, CultureInfo.InvariantCulture));
            }
            catch (OverflowException)
            {
                return false;
            }
        }
        return true;
    }

    private static bool TryParseDecimal(string text, long min, long max, out long value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 19 || !text.All(char.IsAsciiDigit) || (text.Length > 1 && text[0] == '0')) return false;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }

    private static long CheckIndex(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return index;
    }

    private static int CheckWidth(int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, FullWidth);
        return width;
    }

    private static Result<TileAddress> Fail(string message) => Result<TileAddress>.Fail(ProtocolErrorCode.Malformed, message);
}

/// <summary>Which tiles make up a tree of a given size, and where a perfect node's hash is found.</summary>
public static class TileMath
{
    /// <summary>Number of full tiles at <paramref name="level"/> in a tree of <paramref name="size"/> leaves.</summary>
    public static long FullTiles(int level, long size) => Shift(size, TileAddress.Height * (level + 1));

    /// <summary>Width of the partial tile at <paramref name="level"/> (0 when there is none): <c>floor(size / 256^level) mod 256</c>.</summary>
    public static int PartialWidth(int level, long size) => (int)(Shift(size, TileAddress.Height * level) & (TileAddress.FullWidth - 1));

    /// <summary>Number of tile levels that hold at least one hash for <paramref name="size"/>.</summary>
    public static int Levels(long size)
    {
        var levels = 0;
        while (Shift(size, TileAddress.Height * levels) > 0) levels++;
        return levels;
    }

    /// <summary>The hash tile at <paramref name="level"/> and <paramref name="index"/> as it is in the tree of
    /// <paramref name="size"/> leaves (full, or partial with its width), or null if that tree has no such tile.</summary>
    public static TileAddress? HashTileAt(int level, long index, long size)
    {
        if (index < FullTiles(level, size)) return TileAddress.HashTile(level, index);
        if (index == FullTiles(level, size) && PartialWidth(level, size) > 0) return TileAddress.HashTile(level, index, PartialWidth(level, size));
        return null;
    }

    /// <summary>The entry bundle <paramref name="index"/> as it is in the tree of <paramref name="size"/> leaves, or null.</summary>
    public static TileAddress? EntryBundleAt(long index, long size) =>
        HashTileAt(0, index, size) is { } tile ? TileAddress.EntryBundle(index, tile.Width) : null;

    /// <summary>Every hash tile of the tree of <paramref name="size"/> leaves, level by level.</summary>
    public static IEnumerable<TileAddress> HashTiles(long size)
    {
        for (var level = 0; level < Levels(size); level++)
        {
            for (var index = 0L; index < FullTiles(level, size); index++) yield return TileAddress.HashTile(level, index);
            if (PartialWidth(level, size) is > 0 and var width) yield return TileAddress.HashTile(level, FullTiles(level, size), width);
        }
    }

    /// <summary>Every entry bundle of the tree of <paramref name="size"/> leaves.</summary>
    public static IEnumerable<TileAddress> EntryBundles(long size)
    {
        for (var index = 0L; index < FullTiles(0, size); index++) yield return TileAddress.EntryBundle(index);
        if (PartialWidth(0, size) is > 0 and var width) yield return TileAddress.EntryBundle(FullTiles(0, size), width);
    }

    /// <summary>
    /// Where the hash of a perfect node is found in the tree of <paramref name="size"/> leaves: the tile, and
    /// the run of <paramref name="count"/> hashes from <paramref name="offset"/> whose perfect root it is
    /// (one hash when the node's height is a multiple of 8).
    /// </summary>
    public static TileAddress Locate(MerkleNode node, long size, out int offset, out int count)
    {
        if (node.Level < 0 || node.Level >= 64 || node.Index < 0 || node.End > size || node.End <= 0)
            throw new ArgumentException($"Node {node} is not a perfect node of a tree of {size} leaves.", nameof(node));
        var level = node.Level / TileAddress.Height;
        var height = node.Level % TileAddress.Height;
        var first = node.Index << height;
        offset = (int)(first & (TileAddress.FullWidth - 1));
        count = 1 << height;
        return HashTileAt(level, first >> TileAddress.Height, size)
            ?? throw new ArgumentException($"Node {node} is not stored in a tree of {size} leaves.", nameof(node));
    }

    // C# masks shift counts to 6 bits; a shift past the word must give 0.
    private static long Shift(long value, int bits) => bits >= 64 ? 0 : value >> bits;
}

/// <summary>Entry bundles: up to 256 entries, each prefixed with its length as a big-endian uint16.</summary>
public static class EntryBundle
{
    /// <summary>Largest entry a bundle can hold.</summary>
    public const int MaxEntrySize = ushort.MaxValue;

    /// <summary>Encodes <paramref name="entries"/> (at most 256, each at most 65,535 bytes).</summary>
    public static byte[] Encode(IReadOnlyList<byte[]> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count > TileAddress.FullWidth) throw new ArgumentException("A bundle holds at most 256 entries.", nameof(entries));
        var output = new byte[entries.Sum(e => 2 + e.Length)];
        var position = 0;
        foreach (var entry in entries)
        {
            if (entry.Length > MaxEntrySize) throw new ArgumentException("An entry is at most 65,535 bytes.", nameof(entries));
            BinaryPrimitives.WriteUInt16BigEndian(output.AsSpan(position), (ushort)entry.Length);
            entry.CopyTo(output.AsSpan(position + 2));
            position += 2 + entry.Length;
        }
        return output;
    }

    /// <summary>Decodes a bundle into its entries; a typed error for a truncated bundle or more than 256 entries.</summary>
    public static Result<IReadOnlyList<byte[]>> Decode(ReadOnlySpan<byte> bundle)
    {
        var entries = new List<byte[]>();
        while (!bundle.IsEmpty)
        {
            if (entries.Count == TileAddress.FullWidth)
                return Result<IReadOnlyList<byte[]>>.Fail(ProtocolErrorCode.LimitExceeded, "An entry bundle holds at most 256 entries.");
            if (bundle.Length < 2)
                return Result<IReadOnlyList<byte[]>>.Fail(ProtocolErrorCode.Truncated, $"Entry {entries.Count} of the bundle has a truncated length prefix.");
            var length = BinaryPrimitives.ReadUInt16BigEndian(bundle);
            if (bundle.Length < 2 + length)
                return Result<IReadOnlyList<byte[]>>.Fail(ProtocolErrorCode.Truncated, $"Entry {entries.Count} of the bundle is truncated.");
            entries.Add(bundle.Slice(2, length).ToArray());
            bundle = bundle[(2 + length)..];
        }
        return entries;
    }
}
