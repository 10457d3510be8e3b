using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Parley.Cli.Tests;

/// <summary><c>parley selftest --vectors DIR</c> as a real process, on the shared Wycheproof files and
/// on corrupted copies of them.</summary>
public sealed class SelfTestVectorsTests : IDisposable
{
    // Every file of the shared folder on two backends: some 7,500 cases, most of them P-384.
    private static readonly TimeSpan VectorRunTimeout = TimeSpan.FromMinutes(10);

    private static readonly Lazy<string> Vectors = new(LocateVectors);

    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("parley-cli-vectors-");

    public void Dispose() => _scratch.Delete(recursive: true);

    [Fact]
    public async Task Every_shared_vector_file_passes_on_every_native_backend()
    {
        var (exit, stdout, stderr) = await RunAsync("selftest", "--json", "--mib", "1", "--vectors", Vectors.Value);
        Assert.True(exit == ExitCodes.Success, $"exit {exit}\n{stdout}\n{stderr}");
        using var json = JsonDocument.Parse(stdout);
        Assert.True(json.RootElement.GetProperty("passed").GetBoolean());
        Assert.Equal(12, json.RootElement.GetProperty("checks").GetArrayLength());
        var runs = json.RootElement.GetProperty("vectors").EnumerateArray().ToList();
        Assert.Empty(json.RootElement.GetProperty("ignoredFiles").EnumerateArray());

        var files = Directory.GetFiles(Vectors.Value, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(files, runs.Select(r => r.GetProperty("file").GetString()).Distinct().Order(StringComparer.Ordinal));
        foreach (var file in files)
        {
            var backends = runs.Where(r => r.GetProperty("file").GetString() == file).Select(r => r.GetProperty("backend").GetString()!).ToList();
            // The classical files run on both native backends; the rest on BouncyCastle, which says so.
            if (backends.Count == 1) Assert.StartsWith("bouncycastle (the only ", backends[0]);
            else Assert.Equal(["platform", "bouncycastle"], backends);
        }
        Assert.Equal(9, runs.Count(r => r.GetProperty("backend").GetString() == "platform"));
        foreach (var run in runs)
        {
            var file = run.GetProperty("file").GetString()!;
            var total = run.GetProperty("total").GetInt32();
            var notApplicable = run.GetProperty("notApplicable").GetInt32();
            Assert.True(run.GetProperty("passed").GetInt32() == total, $"{file} on {run.GetProperty("backend")}: {run}");
            Assert.Equal(CaseCount(Path.Combine(Vectors.Value, file)), total + notApplicable);
            Assert.Empty(run.GetProperty("failures").EnumerateArray());
        }
    }

    [Fact]
    public async Task Corrupted_vector_files_fail_with_the_case_named_and_exit_1()
    {
        // A valid HKDF case whose expected output lost a bit: every backend must now disagree with it.
        var hkdf = JsonNode.Parse(File.ReadAllText(Path.Combine(Vectors.Value, "hkdf_sha384_test.json")))!;
        var first = hkdf["testGroups"]![0]!["tests"]![0]!;
        Assert.Equal("valid", first["result"]!.GetValue<string>());
        var okm = Convert.FromHexString(first["okm"]!.GetValue<string>());
        okm[0] ^= 1;
        first["okm"] = Convert.ToHexStringLower(okm);
        File.WriteAllText(Path.Combine(_scratch.FullName, "hkdf_sha384_test.json"), hkdf.ToJsonString());
        // A file cut short, and an intact one beside them.
        var aes = File.ReadAllText(Path.Combine(Vectors.Value, "aes_gcm_test.json"));
        File.WriteAllText(Path.Combine(_scratch.FullName, "aes_gcm_test.json"), aes[..(aes.Length / 2)]);
        File.Copy(Path.Combine(Vectors.Value, "hkdf_sha256_test.json"), Path.Combine(_scratch.FullName, "hkdf_sha256_test.json"));
        File.WriteAllText(Path.Combine(_scratch.FullName, "notes.json"), "{}");

        var (exit, stdout, stderr) = await RunAsync("selftest", "--json", "--mib", "1", "--vectors", _scratch.FullName);
        Assert.True(exit == ExitCodes.Failure, $"exit {exit}\n{stdout}\n{stderr}");
        using var json = JsonDocument.Parse(stdout);
        Assert.False(json.RootElement.GetProperty("passed").GetBoolean());
        // The self-test itself still passed: the failure is the vectors'.
        Assert.All(json.RootElement.GetProperty("checks").EnumerateArray(), c => Assert.True(c.GetProperty("passed").GetBoolean()));
        Assert.Equal(["notes.json"], json.RootElement.GetProperty("ignoredFiles").EnumerateArray().Select(f => f.GetString()));
        var runs = json.RootElement.GetProperty("vectors").EnumerateArray().ToList();
        Assert.Equal(6, runs.Count);
        foreach (var backend in new[] { "platform", "bouncycastle" })
        {
            var edited = runs.Single(r => r.GetProperty("file").GetString() == "hkdf_sha384_test.json" && r.GetProperty("backend").GetString() == backend);
            var failure = Assert.Single(edited.GetProperty("failures").EnumerateArray());
            Assert.Equal("1", failure.GetProperty("testCaseId").GetString());
            Assert.StartsWith("okm ", failure.GetProperty("expected").GetString());
            Assert.Equal(edited.GetProperty("total").GetInt32() - 1, edited.GetProperty("passed").GetInt32());

            var truncated = runs.Single(r => r.GetProperty("file").GetString() == "aes_gcm_test.json" && r.GetProperty("backend").GetString() == backend);
            Assert.Equal(0, truncated.GetProperty("total").GetInt32());
            var problem = Assert.Single(truncated.GetProperty("failures").EnumerateArray());
            Assert.Equal("(file)", problem.GetProperty("testCaseId").GetString());
            Assert.StartsWith("not JSON", problem.GetProperty("actual").GetString());

            var intact = runs.Single(r => r.GetProperty("file").GetString() == "hkdf_sha256_test.json" && r.GetProperty("backend").GetString() == backend);
            Assert.Empty(intact.GetProperty("failures").EnumerateArray());
        }

        // The table names the first failure and exits 1 as well.
        var (tableExit, table, _) = await RunAsync("selftest", "--mib", "1", "--vectors", _scratch.FullName);
        Assert.Equal(ExitCodes.Failure, tableExit);
        Assert.Matches(@"(?m)^PASS 12 checks on \S+ in \d+ ms\s*$", table);
        Assert.Matches(new Regex(@"(?m)^FAIL aes_gcm_test\.json on platform: tcId \(file\): expected a JSON document; got not JSON"), table);
        Assert.Contains("Ignored notes.json", table);
    }

    [Fact]
    public async Task A_folder_without_vector_files_is_a_usage_error()
    {
        File.WriteAllText(Path.Combine(_scratch.FullName, "notes.json"), "{}");
        var (exit, _, stderr) = await ParleyProcess.RunAsync("selftest", "--vectors", _scratch.FullName);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("holds none of the vector files", stderr);

        var (missingExit, _, missingError) = await ParleyProcess.RunAsync("selftest", "--vectors", Path.Combine(_scratch.FullName, "absent"));
        Assert.Equal(ExitCodes.Usage, missingExit);
        Assert.False(string.IsNullOrWhiteSpace(missingError));
        Assert.DoesNotContain("   at ", missingError);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        await using var parley = ParleyProcess.Start(args);
        var exit = await parley.WaitForExitAsync(VectorRunTimeout);
        return (exit, parley.StandardOutput, parley.StandardError);
    }

    /// <summary>The cases a file holds, counted independently of the runner.</summary>
    private static int CaseCount(string path)
    {
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        return json["testGroups"]!.AsArray().Sum(group => group!["tests"]!.AsArray().Count);
    }

    // ../shared/vectors/wycheproof beside the folder holding Parley.slnx; missing vectors fail, never skip.
    private static string LocateVectors()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Parley.slnx"))) continue;
            var vectors = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "vectors", "wycheproof"));
            if (!Directory.Exists(vectors))
                throw new DirectoryNotFoundException($"Test vectors not found at {vectors} (expected ../shared/vectors/wycheproof beside the repository root {dir.FullName}).");
            return vectors;
        }
        throw new DirectoryNotFoundException($"No Parley.slnx above {AppContext.BaseDirectory}: cannot locate the repository root and its ../shared/vectors.");
    }
}
