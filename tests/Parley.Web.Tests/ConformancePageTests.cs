using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Parley.Web.Tests;

/// <summary>
/// The /selftest page's "Conformance vectors" section: Wycheproof files picked by the user run in
/// Chromium on the WebCrypto backend, through Parley.Protocol's runner.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class ConformancePageTests(WebFixture web, ITestOutputHelper output)
{
    private const float StartupTimeoutMs = 120_000;
    // About 3,300 cases, most of them P-384 operations, on a shared machine.
    private const float RunTimeoutMs = 600_000;

    // Every file of the suite whose cases run on the page's backend (the post-quantum and Ed25519
    // files run on BouncyCastle whatever the backend, so they prove nothing about WebCrypto).
    private static readonly string[] ClassicalFiles =
    [
        "aes_gcm_test.json",
        "hkdf_sha256_test.json",
        "hkdf_sha384_test.json",
        "hkdf_sha512_test.json",
        "ecdh_secp384r1_test.json",
        "ecdh_secp384r1_webcrypto_test.json",
        "ecdsa_secp384r1_sha384_test.json",
        "ecdsa_secp384r1_sha384_p1363_test.json",
        "c2sp_chunked_encryption_aes_256_gcm_test.json",
    ];

    [Fact]
    public async Task Every_classical_vector_file_passes_on_webcrypto()
    {
        await using var session = await OpenSelfTestAsync();
        var result = session.Page.Locator("#conformance-result");
        await Assertions.Expect(result).ToHaveTextAsync("No files chosen.");

        await session.Page.SetInputFilesAsync("#conformance-files", ClassicalFiles.Select(VectorFiles.Wycheproof));
        await Assertions.Expect(result).ToHaveTextAsync(new Regex("^(PASS|FAIL)"), new() { Timeout = RunTimeoutMs });
        var rows = await RowsAsync(session.Page);
        foreach (var row in rows)
            output.WriteLine($"{row.File,-48} {row.Backend,-10} {row.Passed,10} n/a {row.NotApplicable,3} {row.Milliseconds,8} ms  {row.Failures}");
        output.WriteLine(await result.InnerTextAsync());

        var expectedCases = ClassicalFiles.Sum(CaseCount);
        await Assertions.Expect(result).ToHaveTextAsync($"PASS {ClassicalFiles.Length} files, {expectedCases} cases on webcrypto");
        Assert.Equal(ClassicalFiles, rows.Select(r => r.File));
        foreach (var (file, row) in ClassicalFiles.Zip(rows))
        {
            var cases = CaseCount(file);
            Assert.Equal($"{cases}/{cases}", row.Passed);
            Assert.Equal("webcrypto", row.Backend);
            Assert.Equal("0", row.NotApplicable);
            Assert.Equal("", row.Failures);
        }
        Assert.True(session.Problems.Count == 0, string.Join("\n", session.Problems));
    }

    [Fact]
    public async Task A_vector_whose_expected_result_was_flipped_fails_and_is_named()
    {
        var folder = Directory.CreateTempSubdirectory("parley-conformance-");
        try
        {
            // tcId 1 of HKDF-SHA-256 is valid; declared invalid, the backend's (correct) answer must fail it.
            var tampered = JsonNode.Parse(File.ReadAllText(VectorFiles.Wycheproof("hkdf_sha256_test.json")))!;
            var first = tampered["testGroups"]![0]!["tests"]![0]!;
            Assert.Equal(1, first["tcId"]!.GetValue<int>());
            Assert.Equal("valid", first["result"]!.GetValue<string>());
            first["result"] = "invalid";
            var tamperedPath = Path.Combine(folder.FullName, "hkdf_sha256_test.json");
            File.WriteAllText(tamperedPath, tampered.ToJsonString());
            var unknownPath = Path.Combine(folder.FullName, "rsa_oaep_test.json");
            File.WriteAllText(unknownPath, "{}");

            await using var session = await OpenSelfTestAsync();
            var result = session.Page.Locator("#conformance-result");
            await session.Page.SetInputFilesAsync("#conformance-files", [VectorFiles.Wycheproof("hkdf_sha384_test.json"), tamperedPath, unknownPath]);
            await Assertions.Expect(result).ToHaveTextAsync(new Regex("^(PASS|FAIL)"), new() { Timeout = RunTimeoutMs });
            output.WriteLine(await result.InnerTextAsync());

            await Assertions.Expect(result).ToHaveTextAsync(new Regex(@"^FAIL hkdf_sha256_test\.json: tcId 1 .*expected invalid: rejected; got accepted, okm [0-9a-f]+$"));
            var rows = (await RowsAsync(session.Page)).ToDictionary(r => r.File);
            Assert.Equal($"{CaseCount("hkdf_sha384_test.json")}/{CaseCount("hkdf_sha384_test.json")}", rows["hkdf_sha384_test.json"].Passed);
            Assert.Equal("", rows["hkdf_sha384_test.json"].Failures);
            // Only the flipped case fails: the rest of the copy still passes.
            var hkdf256 = CaseCount("hkdf_sha256_test.json");
            Assert.Equal($"{hkdf256 - 1}/{hkdf256}", rows["hkdf_sha256_test.json"].Passed);
            Assert.StartsWith("tcId 1 ", rows["hkdf_sha256_test.json"].Failures);
            Assert.Contains("not a vector file this runner understands", rows["rsa_oaep_test.json"].Failures);
            Assert.Equal(2, await session.Page.Locator("#conformance-table tbody tr.check-failed").CountAsync());

            // A new pick replaces the previous results.
            await session.Page.SetInputFilesAsync("#conformance-files", VectorFiles.Wycheproof("hkdf_sha256_test.json"));
            await Assertions.Expect(result).ToHaveTextAsync($"PASS 1 file, {hkdf256} cases on webcrypto", new() { Timeout = RunTimeoutMs });
            Assert.Single(await RowsAsync(session.Page));
            Assert.True(session.Problems.Count == 0, string.Join("\n", session.Problems));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private async Task<PageSession> OpenSelfTestAsync()
    {
        var session = await web.OpenAsync();
        // A small round trip, and the vectors only once it is done, so the two do not share the thread.
        await session.Page.GotoAsync("selftest?mib=1");
        await Assertions.Expect(session.Page.Locator("#selftest-result")).ToHaveTextAsync(new Regex("^PASS "), new() { Timeout = StartupTimeoutMs });
        return session;
    }

    private sealed record Row(string File, string Backend, string Passed, string NotApplicable, string Milliseconds, string Failures);

    private static async Task<List<Row>> RowsAsync(IPage page)
    {
        var rows = new List<Row>();
        foreach (var row in await page.Locator("#conformance-table tbody tr").AllAsync())
        {
            var cells = await row.Locator("td").AllInnerTextsAsync();
            rows.Add(new Row(cells[0], cells[1], cells[2], cells[3], cells[4], cells[5].Trim()));
        }
        return rows;
    }

    /// <summary>The cases the file holds, counted independently of the runner.</summary>
    private static int CaseCount(string file)
    {
        var json = JsonNode.Parse(File.ReadAllText(VectorFiles.Wycheproof(file)))!;
        return json["testGroups"]!.AsArray().Sum(group => group!["tests"]!.AsArray().Count);
    }
}
