using System.Text.Json.Nodes;
using Parley.Protocol.Conformance;

namespace Parley.Protocol.Tests.Conformance;

/// <summary>The runner itself: it must notice a wrong answer, a lying vector and a broken file, and
/// report them instead of throwing. A runner that cannot fail would prove nothing.</summary>
public class WycheproofRunnerTests
{
    [Fact]
    public async Task A_valid_case_with_a_different_expected_ciphertext_is_reported()
    {
        var report = await RunEditedAsync("aes_gcm_test.json", file => FlipHex(Case(file, "91"), "ct"));
        Assert.Equal(["91"], report.Failures.Select(f => f.TestCaseId));
        Assert.False(report.AllPassed);
    }

    [Fact]
    public async Task An_invalid_signature_claimed_valid_is_reported()
    {
        var report = await RunEditedAsync("ecdsa_secp384r1_sha384_p1363_test.json", file =>
        {
            KeepOnly(file, "1", "2");
            Case(file, "1")["msg"] = "00";
        });
        Assert.Equal(["1"], report.Failures.Select(f => f.TestCaseId));
    }

    [Fact]
    public async Task A_forged_invalid_case_claimed_valid_is_reported()
    {
        // tcId 772 is a point off the curve; a runner that believed the vector would be fooled.
        var report = await RunEditedAsync("ecdh_secp384r1_webcrypto_test.json", file =>
        {
            KeepOnly(file, "1", "772");
            Case(file, "772")["result"] = "valid";
        });
        var failure = Assert.Single(report.Failures);
        Assert.Equal("772", failure.TestCaseId);
        Assert.Contains("rejected", failure.Actual);
    }

    [Fact]
    public async Task A_wrong_ml_dsa_signature_is_reported()
    {
        var report = await RunEditedAsync("mldsa_87_sign_seed_test.json", file =>
        {
            KeepOnly(file, "1", "2");
            FlipHex(Case(file, "1"), "sig");
        });
        Assert.Equal(["1"], report.Failures.Select(f => f.TestCaseId));
    }

    [Fact]
    public async Task A_wrong_ml_kem_shared_secret_is_reported()
    {
        var report = await RunEditedAsync("mlkem_1024_encaps_test.json", file => FlipHex(Case(file, "18"), "K"));
        Assert.Equal(["18"], report.Failures.Select(f => f.TestCaseId));
    }

    [Fact]
    public async Task A_wrong_plaintext_hash_of_a_chunked_message_is_reported()
    {
        var report = await RunEditedAsync("c2sp_chunked_encryption_aes_256_gcm_test.json", file =>
        {
            KeepOnly(file, "2", "3");
            FlipHex(Case(file, "3"), "msgSha512");
        });
        Assert.Equal(["3"], report.Failures.Select(f => f.TestCaseId));
    }

    [Fact]
    public async Task A_partial_plaintext_longer_than_the_decryptor_released_is_reported()
    {
        // tcId 12: one valid full chunk, then a corrupted final chunk. Claiming a longer valid prefix
        // must be caught by the exact-prefix check.
        var report = await RunEditedAsync("c2sp_chunked_encryption_aes_256_gcm_test.json", file =>
        {
            KeepOnly(file, "12", "13");
            Case(file, "12")["msgLength"] = 16385;
        });
        var failure = Assert.Single(report.Failures);
        Assert.Equal("12", failure.TestCaseId);
        Assert.Contains("16384 bytes", failure.Actual);
    }

    [Fact]
    public async Task A_chunked_ciphertext_that_is_not_zlib_is_a_malformed_case()
    {
        var report = await RunEditedAsync("c2sp_chunked_encryption_aes_256_gcm_test.json", file =>
        {
            KeepOnly(file, "1", "2");
            Case(file, "2")["ct"] = "00112233";
        });
        var failure = Assert.Single(report.Failures);
        Assert.Equal("2", failure.TestCaseId);
        Assert.Equal("a well-formed test case", failure.Expected);
    }

    [Fact]
    public async Task A_case_missing_a_field_is_reported_and_the_others_still_run()
    {
        var report = await RunEditedAsync("hkdf_sha256_test.json", file => Case(file, "1").AsObject().Remove("okm"));
        Assert.Equal(["1"], report.Failures.Select(f => f.TestCaseId));
        Assert.Equal(85, report.Passed);
        Assert.Equal(86, report.Total);
    }

    [Fact]
    public async Task A_file_for_another_algorithm_is_reported()
    {
        var report = await RunEditedAsync("hkdf_sha256_test.json", file => file["algorithm"] = "HKDF-SHA-384");
        Assert.Equal("(file)", Assert.Single(report.Failures).TestCaseId);
        Assert.False(report.AllPassed);
    }

    [Fact]
    public async Task A_group_for_other_parameters_is_reported()
    {
        var report = await RunEditedAsync("ecdsa_secp384r1_sha384_test.json", file =>
        {
            KeepOnly(file, "1", "2");
            file["testGroups"]![0]!["sha"] = "SHA-256";
        });
        Assert.Contains(report.Failures, f => f.TestCaseId == "(file)" && f.Actual.Contains("SHA-256"));
    }

    [Fact]
    public async Task A_truncated_file_is_reported_through_its_test_count()
    {
        var report = await RunEditedAsync("hkdf_sha256_test.json", file => file["testGroups"]!.AsArray().RemoveAt(0));
        Assert.Contains(report.Failures, f => f.TestCaseId == "(file)" && f.Expected.Contains("numberOfTests"));
    }

    [Fact]
    public async Task A_file_without_cases_does_not_pass()
    {
        var report = await RunTextAsync("hkdf_sha256_test.json", """{"algorithm":"HKDF-SHA-256","testGroups":[]}""");
        Assert.False(report.AllPassed);
        Assert.Equal(0, report.Total);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2,3]")]
    [InlineData("""{"algorithm":"AES-GCM","testGroups":[{"type":"AeadTest","tests":[1,"x",null]}]}""")]
    [InlineData("""{"algorithm":"AES-GCM","testGroups":{}}""")]
    public async Task Garbage_is_a_failed_report_not_an_exception(string json)
    {
        var report = await RunTextAsync("aes_gcm_test.json", json);
        Assert.False(report.AllPassed);
        Assert.NotEmpty(report.Failures);
    }

    [Fact]
    public async Task An_unknown_file_name_is_an_argument_error()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Wycheproof.RunAsync(Backends.Platform, "rsa_test.json", new MemoryStream()));
    }

    [Fact]
    public async Task Cancellation_stops_the_run()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await using var json = File.OpenRead(VectorFiles.Wycheproof("aes_gcm_test.json"));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Wycheproof.RunAsync(Backends.Platform, "aes_gcm_test.json", json, cancelled.Token));
    }

    internal static JsonNode Case(JsonNode file, string id) =>
        file["testGroups"]!.AsArray().SelectMany(g => g!["tests"]!.AsArray()).Single(t => t!["tcId"]!.ToString() == id)!;

    /// <summary>Keeps only the named cases (and fixes the count), so a test runs just what it edits.</summary>
    internal static void KeepOnly(JsonNode file, params string[] ids)
    {
        var kept = 0;
        foreach (var group in file["testGroups"]!.AsArray())
        {
            var tests = group!["tests"]!.AsArray();
            foreach (var test in tests.Where(t => !ids.Contains(t!["tcId"]!.ToString())).ToArray()) tests.Remove(test);
            kept += tests.Count;
        }
        var groups = file["testGroups"]!.AsArray();
        foreach (var empty in groups.Where(g => g!["tests"]!.AsArray().Count == 0).ToArray()) groups.Remove(empty);
        file["numberOfTests"] = kept;
    }

    private static void FlipHex(JsonNode test, string field)
    {
        var bytes = Convert.FromHexString(test[field]!.GetValue<string>());
        bytes[0] ^= 1;
        test[field] = Convert.ToHexStringLower(bytes);
    }

    private static async Task<ConformanceReport> RunEditedAsync(string file, Action<JsonNode> edit)
    {
        var json = JsonNode.Parse(await File.ReadAllTextAsync(VectorFiles.Wycheproof(file)))!;
        edit(json);
        return await RunTextAsync(file, json.ToJsonString());
    }

    private static Task<ConformanceReport> RunTextAsync(string file, string json) =>
        Wycheproof.RunAsync(Backends.Platform, file, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)));
}
