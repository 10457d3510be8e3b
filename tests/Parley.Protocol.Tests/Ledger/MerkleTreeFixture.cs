using Parley.Protocol.Ledger;

namespace Parley.Protocol.Tests.Ledger;

/// <summary>A reference Merkle tree computed the slow, obvious way (RFC 9162 §2.1.1 recursion), to check the fast code against.</summary>
internal static class MerkleTreeFixture
{
    /// <summary>The leaves of the RFC 6962 test tree that transparency-dev/merkle's vectors are built on.</summary>
    public static readonly byte[][] Rfc6962Leaves =
    [
        [],
        [0x00],
        [0x10],
        [0x20, 0x21],
        [0x30, 0x31],
        [0x40, 0x41, 0x42, 0x43],
        [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        [0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f],
    ];

    /// <summary>MTH(D[start:end]) by the definition.</summary>
    public static byte[] RangeHash(IReadOnlyList<byte[]> leafHashes, long start, long end)
    {
        var n = end - start;
        if (n == 0) return MerkleHash.EmptyRoot();
        if (n == 1) return leafHashes[(int)start];
        var k = 1L;
        while (k * 2 < n) k *= 2;
        return MerkleHash.Node(RangeHash(leafHashes, start, start + k), RangeHash(leafHashes, start + k, end));
    }

    public static byte[] Root(IReadOnlyList<byte[]> leafHashes, long size) => RangeHash(leafHashes, 0, size);

    public static byte[] NodeHash(IReadOnlyList<byte[]> leafHashes, MerkleNode node) => RangeHash(leafHashes, node.Start, node.End);

    /// <summary>Leaf hashes of <paramref name="count"/> distinct synthetic entries.</summary>
    public static byte[][] LeafHashes(int count) =>
        Enumerable.Range(0, count).Select(i => MerkleHash.Leaf(BitConverter.GetBytes(i))).ToArray();
}
