using System.Diagnostics;
using System.Numerics;

namespace Parley.Protocol.Ledger;

/// <summary>
/// A perfect subtree of the log: the node at height <paramref name="Level"/> (0 for a leaf) whose
/// leaves are <c>[Index * 2^Level, (Index + 1) * 2^Level)</c>. Only perfect nodes are stored (in
/// tiles); the hashes of ragged right edges are computed from them.
/// </summary>
/// <param name="Level">Height above the leaves, 0 to 63.</param>
/// <param name="Index">Position among the nodes of that level, from 0.</param>
public readonly record struct MerkleNode(int Level, long Index)
{
    /// <summary>Index of the first leaf under the node.</summary>
    public long Start => Index << Level;

    /// <summary>Index after the last leaf under the node.</summary>
    public long End => (Index + 1) << Level;
}

/// <summary>
/// What a proof is made of before any hash is known: each element is the Merkle tree hash of a
/// range of leaves, given as the perfect nodes that cover it (largest first). Lets a client collect
/// every tile it needs, fetch them, then <see cref="Assemble"/> the proof.
/// </summary>
public sealed class ProofPlan
{
    private readonly MerkleNode[][] _elements;

    internal ProofPlan(List<MerkleNode[]> elements) => _elements = [.. elements];

    /// <summary>The proof's elements, in proof order; each is its covering perfect nodes, largest first.</summary>
    public IReadOnlyList<IReadOnlyList<MerkleNode>> Elements => _elements;

    /// <summary>Every distinct node the proof needs.</summary>
    public IReadOnlyCollection<MerkleNode> Nodes => _elements.SelectMany(e => e).ToHashSet();

    /// <summary>Builds the proof from the hashes of <see cref="Nodes"/>.</summary>
    public byte[][] Assemble(Func<MerkleNode, byte[]> nodeHash)
    {
        ArgumentNullException.ThrowIfNull(nodeHash);
        var proof = new byte[_elements.Length][];
        for (var i = 0; i < _elements.Length; i++)
        {
            var nodes = _elements[i];
            // MTH of a range split at its largest power of two is H(left perfect part, rest): a right fold.
            var hash = Checked(nodeHash(nodes[^1]));
            for (var j = nodes.Length - 2; j >= 0; j--) hash = MerkleHash.Node(Checked(nodeHash(nodes[j])), hash);
            proof[i] = hash;
        }
        return proof;
    }

    private static byte[] Checked(byte[] hash) =>
        hash is { Length: MerkleHash.Size } ? hash : throw new ArgumentException("A node hash is 32 bytes.");
}

/// <summary>
/// RFC 9162 §2.1.3 inclusion and §2.1.4 consistency proofs: what they are made of (plans, from the
/// recursive definitions PATH and SUBPROOF) and how a client verifies them (the iterative algorithms
/// of §2.1.3.2 and §2.1.4.2). Verification returns null when the proof holds, or a typed error.
/// </summary>
public static class MerkleProofs
{
    /// <summary>The plan of the inclusion proof of leaf <paramref name="index"/> in the tree of <paramref name="size"/> leaves.</summary>
    public static ProofPlan InclusionPlan(long index, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);
        var elements = new List<MerkleNode[]>();
        Path(index, 0, size, elements);
        return new ProofPlan(elements);
    }

    /// <summary>The plan of the consistency proof between the trees of <paramref name="size1"/> and
    /// <paramref name="size2"/> leaves (0 &lt; size1 ≤ size2; equal sizes have an empty proof).</summary>
    public static ProofPlan ConsistencyPlan(long size1, long size2)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size1);
        ArgumentOutOfRangeException.ThrowIfLessThan(size2, size1);
        var elements = new List<MerkleNode[]>();
        SubProof(size1, 0, size2, true, elements);
        return new ProofPlan(elements);
    }

    /// <summary>The perfect nodes covering leaves <c>[start, end)</c>, largest first, when <paramref name="start"/>
    /// is aligned as the ranges of RFC 9162 proofs are (a multiple of the largest power of two not above the length).</summary>
    public static MerkleNode[] RangeNodes(long start, long end)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(end, start);
        var nodes = new List<MerkleNode>();
        while (start < end)
        {
            var level = 63 - BitOperations.LeadingZeroCount((ulong)(end - start));
            if (start % (1L << level) != 0) throw new ArgumentException($"[{start}, {end}) is not an aligned range.");
            nodes.Add(new MerkleNode(level, start >> level));
            start += 1L << level;
        }
        return [.. nodes];
    }

    /// <summary>Checks that <paramref name="proof"/> proves leaf <paramref name="leafHash"/> at
    /// <paramref name="index"/> in the tree of <paramref name="size"/> leaves with root <paramref name="root"/>.</summary>
    /// <returns>Null when the proof verifies; otherwise why not.</returns>
    public static ProtocolError? VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        var computed = RootFromInclusion(index, size, leafHash, proof);
        if (!computed.IsOk) return computed.Error;
        return computed.Value.AsSpan().SequenceEqual(root) ? null : Invalid("The inclusion proof leads to another root.");
    }

    /// <summary>The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or why the proof is malformed.</summary>
    public static Result<byte[]> RootFromInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (index < 0 || size <= 0 || index >= size) return Invalid($"Leaf {index} is not in a tree of {size} leaves.");
        if (leafHash.Length != MerkleHash.Size) return Malformed("A leaf hash is 32 bytes.");
        if (HasMalformedElement(proof)) return Malformed("A proof element is not 32 bytes.");

        var fn = index;
        var sn = size - 1;
        var r = leafHash.ToArray();
        foreach (var p in proof)
        {
            if (sn == 0) return Invalid("The inclusion proof is too long.");
            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHash.Node(p, r, r);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                MerkleHash.Node(r, p, r);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 ? r : Invalid("The inclusion proof is too short.");
    }

    /// <summary>Checks that <paramref name="proof"/> shows the tree of <paramref name="size1"/> leaves and root
    /// <paramref name="root1"/> to be a prefix of the tree of <paramref name="size2"/> leaves and root <paramref name="root2"/>
    /// (RFC 9162 §2.1.4.2). A proof from the empty tree proves nothing and is refused.</summary>
    /// <returns>Null when the proof verifies; otherwise why not.</returns>
    public static ProtocolError? VerifyConsistency(long size1, long size2, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root1, ReadOnlySpan<byte> root2)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (size1 < 0 || size2 < 0) return Invalid("Tree sizes are not negative.");
        if (size2 < size1) return Invalid($"The second tree ({size2} leaves) is smaller than the first ({size1}).");
        if (size1 == 0) return Invalid("A consistency proof from the empty tree is meaningless.");
        if (size1 == size2)
        {
            if (proof.Count != 0) return Invalid("Trees of the same size have an empty consistency proof.");
            return root1.SequenceEqual(root2) ? null : Invalid("Trees of the same size have different roots.");
        }
        if (proof.Count == 0) return Invalid("The consistency proof is empty.");
        if (root1.Length != MerkleHash.Size || root2.Length != MerkleHash.Size) return Malformed("A root hash is 32 bytes.");
        if (HasMalformedElement(proof)) return Malformed("A proof element is not 32 bytes.");

        // When the first tree is a perfect subtree of the second, its root is the proof's implicit first element.
        IReadOnlyList<byte[]> path = BitOperations.IsPow2(size1) ? [root1.ToArray(), .. proof] : proof;
        var fn = size1 - 1;
        var sn = size2 - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        var fr = (byte[])path[0].Clone();
        var sr = (byte[])path[0].Clone();
        for (var i = 1; i < path.Count; i++)
        {
            var c = path[i];
            if (sn == 0) return Invalid("The consistency proof is too long.");
            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHash.Node(c, fr, fr);
                MerkleHash.Node(c, sr, sr);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                MerkleHash.Node(sr, c, sr);
            }
            fn >>= 1;
            sn >>= 1;
        }
        if (sn != 0) return Invalid("The consistency proof is too short.");
        if (!fr.AsSpan().SequenceEqual(root1)) return Invalid("The consistency proof does not lead to the first root.");
        if (!sr.AsSpan().SequenceEqual(root2)) return Invalid("The consistency proof does not lead to the second root.");
        return null;
    }

    // RFC 9162 §2.1.3.1 PATH(m, D[lo:hi]), deepest sibling first.
    private static void Path(long m, long lo, long hi, List<MerkleNode[]> output)
    {
        if (hi - lo == 1) return;
        var k = LargestPowerOfTwoBelow(hi - lo);
        if (m < lo + k)
        {
            Path(m, lo, lo + k, output);
            output.Add(RangeNodes(lo + k, hi));
        }
        else
        {
            Path(m, lo + k, hi, output);
            output.Add(RangeNodes(lo, lo + k));
        }
    }

    // RFC 9162 §2.1.4.1 SUBPROOF(m, D[lo:hi], b), with m the absolute size of the first tree.
    private static void SubProof(long m, long lo, long hi, bool complete, List<MerkleNode[]> output)
    {
        Debug.Assert(lo < m && m <= hi);
        if (m == hi)
        {
            if (!complete) output.Add(RangeNodes(lo, hi));
            return;
        }
        var k = LargestPowerOfTwoBelow(hi - lo);
        if (m - lo <= k)
        {
            SubProof(m, lo, lo + k, complete, output);
            output.Add(RangeNodes(lo + k, hi));
        }
        else
        {
            SubProof(m, lo + k, hi, false, output);
            output.Add(RangeNodes(lo, lo + k));
        }
    }

    private static long LargestPowerOfTwoBelow(long n) => 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));

    private static bool HasMalformedElement(IReadOnlyList<byte[]> proof) => proof.Any(p => p is not { Length: MerkleHash.Size });

    private static ProtocolError Invalid(string message) => new(ProtocolErrorCode.InvalidProof, message);

    private static ProtocolError Malformed(string message) => new(ProtocolErrorCode.Malformed, message);
}
