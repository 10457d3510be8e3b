using System.Globalization;
using System.Text;

namespace Parley.Protocol.Ledger;

/// <summary>
/// A C2SP tlog-checkpoint: the text of a signed note with the log's origin, its size in decimal and
/// its RFC 6962 root in base64, one per line, then optional (non-empty) extension lines.
/// </summary>
public sealed class Checkpoint
{
    private readonly byte[] _root;
    private readonly string[] _extensions;

    private Checkpoint(string origin, long size, byte[] root, string[] extensions)
    {
        Origin = origin;
        Size = size;
        _root = root;
        _extensions = extensions;
    }

    /// <summary>The log's identity, e.g. <c>parley.0f3a…/ledger</c>.</summary>
    public string Origin { get; }

    /// <summary>Number of entries in the tree.</summary>
    public long Size { get; }

    /// <summary>The Merkle tree hash of the first <see cref="Size"/> entries.</summary>
    public ReadOnlySpan<byte> Root => _root;

    /// <summary>A copy of <see cref="Root"/>.</summary>
    public byte[] RootHash => (byte[])_root.Clone();

    /// <summary>Extension lines, if any.</summary>
    public IReadOnlyList<string> Extensions => _extensions;

    /// <summary>The note text: origin, size, base64 root and extension lines, each ending in a newline.</summary>
    public string Text
    {
        get
        {
            var text = new StringBuilder()
                .Append(Origin).Append('\n')
                .Append(Size.ToString(CultureInfo.InvariantCulture)).Append('\n')
                .Append(Convert.ToBase64String(_root)).Append('\n');
            foreach (var line in _extensions) text.Append(line).Append('\n');
            return text.ToString();
        }
    }

    /// <summary>A checkpoint; throws for values that cannot be written as one.</summary>
    public static Checkpoint Create(string origin, long size, ReadOnlySpan<byte> root, IEnumerable<string>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (!IsValidLine(origin)) throw new ArgumentException("The origin is one non-empty line.", nameof(origin));
        if (root.Length != MerkleHash.Size) throw new ArgumentException("A root hash is 32 bytes.", nameof(root));
        var lines = extensions?.ToArray() ?? [];
        if (!lines.All(IsValidLine)) throw new ArgumentException("Extension lines are non-empty single lines.", nameof(extensions));
        return new Checkpoint(origin, size, root.ToArray(), lines);
    }

    /// <summary>Parses a checkpoint from a note's text (with its final newline).</summary>
    public static Result<Checkpoint> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (SignedNote.CheckText(text) is { } error) return Result<Checkpoint>.Fail(error);
        var lines = text[..^1].Split('\n');
        if (lines.Length < 3) return Fail("A checkpoint has an origin, a size and a root hash line.");
        if (lines.Any(line => line.Length == 0)) return Fail("Checkpoint lines are not empty.");
        var sizeLine = lines[1];
        if (!sizeLine.All(char.IsAsciiDigit) || (sizeLine.Length > 1 && sizeLine[0] == '0'))
            return Fail("The size is a decimal number without leading zeros.");
        if (!long.TryParse(sizeLine, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            return Result<Checkpoint>.Fail(ProtocolErrorCode.LimitExceeded, "The size exceeds 2^63 - 1.");
        if (!StrictBase64.TryDecode(lines[2], out var root) || root.Length != MerkleHash.Size)
            return Fail("The root hash is the canonical base64 of 32 bytes.");
        return new Checkpoint(lines[0], size, root, lines[3..]);
    }

    /// <summary>True when both checkpoints name the same tree: same origin, size and root.</summary>
    public bool SameTree(Checkpoint other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Origin == other.Origin && Size == other.Size && _root.AsSpan().SequenceEqual(other._root);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Origin} size {Size.ToString(CultureInfo.InvariantCulture)} root {Convert.ToBase64String(_root)}";

    private static bool IsValidLine(string line) => line.Length > 0 && !line.Contains('\n', StringComparison.Ordinal) && SignedNote.CheckText(line + "\n") is null;

    private static Result<Checkpoint> Fail(string message) => Result<Checkpoint>.Fail(ProtocolErrorCode.Malformed, message);
}
