using System.Buffers;
using System.Security.Cryptography;

namespace Parley.Protocol.Ledger;

/// <summary>
/// The RFC 6962 / RFC 9162 §2.1.1 hashes of the ledger's Merkle tree, SHA-256 with domain separation:
/// a leaf is <c>SHA-256(0x00 || entry)</c>, an interior node <c>SHA-256(0x01 || left || right)</c>, and
/// the empty tree <c>SHA-256("")</c>.
/// </summary>
public static class MerkleHash
{
    /// <summary>Size of every hash in the tree.</summary>
    public const int Size = 32;

    private const byte LeafPrefix = 0x00;
    private const byte NodePrefix = 0x01;

    /// <summary>The root of the empty tree, <c>SHA-256("")</c>.</summary>
    public static byte[] EmptyRoot() => SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>The leaf hash of an entry.</summary>
    public static byte[] Leaf(ReadOnlySpan<byte> entry)
    {
        var result = new byte[Size];
        Leaf(entry, result);
        return result;
    }

    /// <summary>Writes the leaf hash of <paramref name="entry"/> to <paramref name="destination"/> (32 bytes).</summary>
    public static void Leaf(ReadOnlySpan<byte> entry, Span<byte> destination)
    {
        if (destination.Length < Size) throw new ArgumentException("The destination holds fewer than 32 bytes.", nameof(destination));
        var buffer = ArrayPool<byte>.Shared.Rent(entry.Length + 1);
        try
        {
            buffer[0] = LeafPrefix;
            entry.CopyTo(buffer.AsSpan(1));
            SHA256.HashData(buffer.AsSpan(0, entry.Length + 1), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The hash of an interior node with children <paramref name="left"/> and <paramref name="right"/>.</summary>
    public static byte[] Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var result = new byte[Size];
        Node(left, right, result);
        return result;
    }

    /// <summary>Writes the hash of an interior node to <paramref name="destination"/>; it may overlap either child.</summary>
    public static void Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        if (left.Length != Size || right.Length != Size) throw new ArgumentException("Child hashes are 32 bytes.");
        if (destination.Length < Size) throw new ArgumentException("The destination holds fewer than 32 bytes.", nameof(destination));
        Span<byte> input = stackalloc byte[1 + 2 * Size];
        input[0] = NodePrefix;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + Size)..]);
        SHA256.HashData(input, destination);
    }

    /// <summary>The root of a perfect subtree whose <paramref name="hashes"/> (a power of two of them,
    /// concatenated) are the nodes at its bottom level.</summary>
    public static byte[] PerfectRoot(ReadOnlySpan<byte> hashes)
    {
        var count = hashes.Length / Size;
        if (count == 0 || hashes.Length % Size != 0 || (count & (count - 1)) != 0)
            throw new ArgumentException("A perfect subtree has a power of two of 32-byte hashes.", nameof(hashes));
        if (count == 1) return hashes.ToArray();
        // Hash pairs in place, level by level, in one scratch buffer.
        var scratch = hashes.ToArray();
        for (var width = count; width > 1; width /= 2)
        {
            for (var i = 0; i < width / 2; i++)
                Node(scratch.AsSpan(2 * i * Size, Size), scratch.AsSpan((2 * i + 1) * Size, Size), scratch.AsSpan(i * Size, Size));
        }
        return scratch.AsSpan(0, Size).ToArray();
    }
}
