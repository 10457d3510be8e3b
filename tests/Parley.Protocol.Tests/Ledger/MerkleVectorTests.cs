using System.Text.Json;
using Parley.Protocol.Ledger;

namespace Parley.Protocol.Tests.Ledger;

/// <summary>
/// Every RFC 6962 inclusion and consistency vector of transparency-dev/merkle (shared/vectors/merkle):
/// happy paths verify, every broken variant (wantErr) is refused. Parley's API takes signed 64-bit
/// sizes, so uint64 values of 2^63 and above reach it as negatives, which it must refuse too.
/// </summary>
public class MerkleVectorTests
{
    public static TheoryData<string> InclusionCases() => Cases("inclusion");

    public static TheoryData<string> ConsistencyCases() => Cases("consistency");

    [Theory]
    [MemberData(nameof(InclusionCases))]
    public void Inclusion_vector(string file)
    {
        using var json = Load(file);
        var root = json.RootElement;
        var index = unchecked((long)root.GetProperty("leafIdx").GetUInt64());
        var size = unchecked((long)root.GetProperty("treeSize").GetUInt64());
        var error = MerkleProofs.VerifyInclusion(index, size, Bytes(root, "leafHash"), Proof(root), Bytes(root, "root"));
        AssertOutcome(root, error);
    }

    [Theory]
    [MemberData(nameof(ConsistencyCases))]
    public void Consistency_vector(string file)
    {
        using var json = Load(file);
        var root = json.RootElement;
        var size1 = unchecked((long)root.GetProperty("size1").GetUInt64());
        var size2 = unchecked((long)root.GetProperty("size2").GetUInt64());
        var error = MerkleProofs.VerifyConsistency(size1, size2, Proof(root), Bytes(root, "root1"), Bytes(root, "root2"));
        AssertOutcome(root, error);
    }

    [Fact]
    public void The_vector_folders_hold_the_expected_cases()
    {
        // 98 files each at commit 417fb0c of transparency-dev/merkle; a shrunken folder must not pass quietly.
        Assert.Equal(98, CaseFiles("inclusion").Count);
        Assert.Equal(98, CaseFiles("consistency").Count);
        Assert.Equal(6, CaseFiles("inclusion").Count(IsHappy));
        Assert.Equal(6, CaseFiles("consistency").Count(IsHappy));
    }

    [Fact]
    public void Plans_regenerate_every_happy_path_proof_from_the_tree_they_came_from()
    {
        // The vectors' leaves are the RFC 6962 test inputs; rebuilding that tree and generating the
        // proofs must give the vectors' proofs byte for byte.
        var leaves = MerkleTreeFixture.Rfc6962Leaves.Select(l => MerkleHash.Leaf(l)).ToArray();
        var checkedProofs = 0;
        foreach (var file in CaseFiles("inclusion").Where(f => f.EndsWith("happy-path.json", StringComparison.Ordinal)))
        {
            using var json = Load(file);
            var root = json.RootElement;
            var index = root.GetProperty("leafIdx").GetInt64();
            var size = root.GetProperty("treeSize").GetInt64();
            if (size > leaves.Length) continue;
            var proof = MerkleProofs.InclusionPlan(index, size).Assemble(n => MerkleTreeFixture.NodeHash(leaves, n));
            Assert.Equal(Proof(root).Select(Convert.ToHexString), proof.Select(Convert.ToHexString));
            Assert.Equal(Convert.ToHexString(Bytes(root, "root")), Convert.ToHexString(MerkleTreeFixture.Root(leaves, size)));
            checkedProofs++;
        }
        foreach (var file in CaseFiles("consistency").Where(f => f.EndsWith("happy-path.json", StringComparison.Ordinal)))
        {
            using var json = Load(file);
            var root = json.RootElement;
            var size1 = root.GetProperty("size1").GetInt64();
            var size2 = root.GetProperty("size2").GetInt64();
            if (size2 > leaves.Length || size1 == 0) continue;
            var proof = MerkleProofs.ConsistencyPlan(size1, size2).Assemble(n => MerkleTreeFixture.NodeHash(leaves, n));
            Assert.Equal(Proof(root).Select(Convert.ToHexString), proof.Select(Convert.ToHexString));
            checkedProofs++;
        }
        Assert.True(checkedProofs >= 8, $"only {checkedProofs} happy paths were regenerated");
    }

    private static bool IsHappy(string file)
    {
        using var json = Load(file);
        return !json.RootElement.GetProperty("wantErr").GetBoolean();
    }

    internal static void AssertOutcome(JsonElement root, ProtocolError? error)
    {
        var wantError = root.GetProperty("wantErr").GetBoolean();
        var description = root.GetProperty("desc").GetString();
        if (wantError) Assert.True(error is not null, $"'{description}' must be refused");
        else Assert.True(error is null, $"'{description}' must verify: {error}");
    }

    internal static TheoryData<string> Cases(string folder) => new(CaseFiles(folder));

    internal static List<string> CaseFiles(string folder)
    {
        var root = Path.Combine(VectorFiles.Directory, "merkle", folder);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"Merkle vectors missing at {root}.");
        return Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(Path.Combine(VectorFiles.Directory, "merkle"), file))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    internal static JsonDocument Load(string relative) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(VectorFiles.Directory, "merkle", relative)));

    internal static byte[] Bytes(JsonElement root, string name) => Convert.FromBase64String(root.GetProperty(name).GetString() ?? "");

    internal static byte[][] Proof(JsonElement root) =>
        root.GetProperty("proof").ValueKind == JsonValueKind.Null
            ? []
            : root.GetProperty("proof").EnumerateArray().Select(e => Convert.FromBase64String(e.GetString() ?? "")).ToArray();
}
