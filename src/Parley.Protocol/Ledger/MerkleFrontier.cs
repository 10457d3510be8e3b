namespace Parley.Protocol.Ledger;

/// <summary>
/// The right edge of a growing Merkle tree: the roots of its perfect subtrees, largest first (one per
/// set bit of the size). Enough to append leaves and compute the root in O(log n) memory, which is
/// how a whole log is recomputed from its entries without holding them.
/// </summary>
public sealed class MerkleFrontier
{
    private readonly List<byte[]> _roots = [];

    /// <summary>Number of leaves appended.</summary>
    public long Size { get; private set; }

    /// <summary>Appends a leaf hash.</summary>
    public void Append(ReadOnlySpan<byte> leafHash)
    {
        if (leafHash.Length != MerkleHash.Size) throw new ArgumentException("A leaf hash is 32 bytes.", nameof(leafHash));
        var hash = leafHash.ToArray();
        // Like a binary counter: every trailing one bit of the size is a subtree of the new one's height to merge with.
        for (var size = Size; (size & 1) == 1; size >>= 1)
        {
            MerkleHash.Node(_roots[^1], hash, hash);
            _roots.RemoveAt(_roots.Count - 1);
        }
        _roots.Add(hash);
        Size++;
    }

    /// <summary>The Merkle tree hash of the leaves appended so far (RFC 9162 §2.1.1).</summary>
    public byte[] Root()
    {
        if (Size == 0) return MerkleHash.EmptyRoot();
        var hash = (byte[])_roots[^1].Clone();
        for (var i = _roots.Count - 2; i >= 0; i--) MerkleHash.Node(_roots[i], hash, hash);
        return hash;
    }
}
