using Parley.Protocol.Ledger;

namespace Parley.Protocol.Tests.Ledger;

public class MerkleProofTests
{
    private static readonly byte[][] Leaves = MerkleTreeFixture.LeafHashes(130);

    [Fact]
    public void Every_inclusion_proof_of_small_trees_verifies_and_no_tampered_one_does()
    {
        for (var size = 1; size <= 70; size++)
        {
            var root = MerkleTreeFixture.Root(Leaves, size);
            for (var index = 0; index < size; index++)
            {
                var proof = MerkleProofs.InclusionPlan(index, size).Assemble(n => MerkleTreeFixture.NodeHash(Leaves, n));
                Assert.Null(MerkleProofs.VerifyInclusion(index, size, Leaves[index], proof, root));
                Assert.NotNull(MerkleProofs.VerifyInclusion(index, size, Leaves[(index + 1) % 130], proof, root));
                if (size > 1) Assert.NotNull(MerkleProofs.VerifyInclusion((index + 1) % size, size, Leaves[index], proof, root));
                if (proof.Length > 0)
                {
                    var tampered = proof.Select(p => (byte[])p.Clone()).ToArray();
                    tampered[^1][0] ^= 1;
                    Assert.Equal(ProtocolErrorCode.InvalidProof, MerkleProofs.VerifyInclusion(index, size, Leaves[index], tampered, root)?.Code);
                    Assert.NotNull(MerkleProofs.VerifyInclusion(index, size, Leaves[index], proof[..^1], root));
                }
                Assert.NotNull(MerkleProofs.VerifyInclusion(index, size, Leaves[index], [.. proof, Leaves[0]], root));
            }
        }
    }

    [Fact]
    public void Every_consistency_proof_of_small_trees_verifies_and_no_tampered_one_does()
    {
        for (var size2 = 1; size2 <= 70; size2++)
        {
            var root2 = MerkleTreeFixture.Root(Leaves, size2);
            for (var size1 = 1; size1 <= size2; size1++)
            {
                var root1 = MerkleTreeFixture.Root(Leaves, size1);
                var proof = MerkleProofs.ConsistencyPlan(size1, size2).Assemble(n => MerkleTreeFixture.NodeHash(Leaves, n));
                Assert.Null(MerkleProofs.VerifyConsistency(size1, size2, proof, root1, root2));
                if (size1 == size2) continue;
                Assert.NotNull(MerkleProofs.VerifyConsistency(size1, size2, proof, root2, root1));
                Assert.NotNull(MerkleProofs.VerifyConsistency(size1, size2, proof, MerkleTreeFixture.Root(Leaves, size1 - 1 == 0 ? 2 : size1 - 1), root2));
                for (var i = 0; i < proof.Length; i++)
                {
                    var tampered = proof.Select(p => (byte[])p.Clone()).ToArray();
                    tampered[i][31] ^= 0x80;
                    Assert.NotNull(MerkleProofs.VerifyConsistency(size1, size2, tampered, root1, root2));
                }
            }
        }
    }

    [Fact]
    public async Task Proofs_from_tiles_match_proofs_from_the_definition_in_a_tree_of_70000()
    {
        var log = MemoryLog.WithEntries(70_000);
        var root = log.Root();
        var random = new Random(6962);
        for (var i = 0; i < 40; i++)
        {
            var index = random.NextInt64(70_000);
            var proof = (await TileProofs.InclusionAsync(log, index, 70_000, default)).Value;
            Assert.Null(MerkleProofs.VerifyInclusion(index, 70_000, MerkleHash.Leaf(log.Entries[(int)index]), proof, root));
            var leaf = (await TileProofs.LeafHashAsync(log, index, 70_000, default)).Value;
            Assert.Equal(MerkleHash.Leaf(log.Entries[(int)index]), leaf);
        }
        foreach (var size1 in new long[] { 1, 255, 256, 257, 65_535, 65_536, 65_537, 69_999 })
        {
            var old = new MemoryLog();
            foreach (var entry in log.Entries.Take((int)size1)) old.Append(entry);
            var proof = (await TileProofs.ConsistencyAsync(log, size1, 70_000, default)).Value;
            Assert.Null(MerkleProofs.VerifyConsistency(size1, 70_000, proof, old.Root(), root));
        }
    }

    [Fact]
    public async Task A_full_tile_cache_gives_the_same_proofs_and_reads_each_full_tile_once()
    {
        var log = MemoryLog.WithEntries(70_000);
        var cache = new FullTileCache(capacity: 8);
        var random = new Random(9162);
        for (var i = 0; i < 200; i++)
        {
            var index = random.NextInt64(70_000);
            var cached = (await TileProofs.InclusionAsync(log, index, 70_000, default, cache)).Value;
            var plain = (await TileProofs.InclusionAsync(log, index, 70_000, default)).Value;
            Assert.Equal(plain.Select(Convert.ToHexString), cached.Select(Convert.ToHexString));
        }
        var consistency = (await TileProofs.ConsistencyAsync(log, 1000, 70_000, default, cache)).Value;
        Assert.Equal((await TileProofs.ConsistencyAsync(log, 1000, 70_000, default)).Value.Select(Convert.ToHexString), consistency.Select(Convert.ToHexString));

        // The level-1 tile is full and cached: a second proof of the same leaf reads only tiles not cached.
        var before = log.Reads;
        await TileProofs.InclusionAsync(log, 300, 70_000, default, cache);
        var first = log.Reads - before;
        before = log.Reads;
        await TileProofs.InclusionAsync(log, 300, 70_000, default, cache);
        Assert.True(log.Reads - before < first, $"{log.Reads - before} reads the second time, {first} the first");
    }

    [Fact]
    public async Task A_tile_of_the_wrong_length_is_a_typed_error()
    {
        var log = MemoryLog.WithEntries(300);
        log.Tiles[(0, 0)] = log.Tiles[(0, 0)][..100];
        var proof = (await TileProofs.InclusionAsync(log, 3, 300, default));
        Assert.False(proof.IsOk);
        var missing = (await TileProofs.InclusionAsync(MemoryLog.WithEntries(0), 0, 5, default));
        Assert.False(missing.IsOk);
        Assert.Equal(ProtocolErrorCode.InvalidProof, (await TileProofs.InclusionAsync(log, 300, 300, default)).Error?.Code);
    }

    [Fact]
    public void Range_nodes_cover_aligned_ranges_largest_first()
    {
        Assert.Equal([new MerkleNode(2, 1), new MerkleNode(0, 8)], MerkleProofs.RangeNodes(4, 9));
        Assert.Equal([new MerkleNode(3, 0)], MerkleProofs.RangeNodes(0, 8));
        Assert.Throws<ArgumentException>(() => MerkleProofs.RangeNodes(3, 9));
    }
}
