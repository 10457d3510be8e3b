using System.Text.Json.Nodes;
using Parley.Protocol.Conformance;
using Parley.Protocol.Tests.Conformance;
using static Parley.Protocol.Tests.Robustness.Mutations;

namespace Parley.Protocol.Tests.Robustness;

/// <summary>The Wycheproof runner reads files from outside (a folder given to the CLI, a download in
/// the browser): whatever they hold, it returns a report and never throws.</summary>
public class WycheproofRobustnessTests
{
    [Fact]
    public async Task Random_bytes_give_a_failed_report()
    {
        var random = new Random(31);
        for (var i = 0; i < 50; i++)
        {
            var report = await RunAsync("aes_gcm_test.json", Bytes(random, random.Next(0, 2000)));
            Assert.False(report.AllPassed);
        }
    }

    [Fact]
    public async Task Truncated_and_bit_flipped_files_give_a_report()
    {
        var valid = File.ReadAllBytes(VectorFiles.Wycheproof("hkdf_sha256_test.json"));
        foreach (var input in Of(valid, 60, seed: 32))
            await RunAsync("hkdf_sha256_test.json", input);
    }

    public static TheoryData<string> AllFiles() => new(WycheproofFiles.Classical.Concat(WycheproofFiles.BouncyCastleOnly));

    [Theory]
    [MemberData(nameof(AllFiles))]
    public async Task Fields_replaced_by_values_of_any_type_give_a_report(string file)
    {
        var original = JsonNode.Parse(File.ReadAllText(VectorFiles.Wycheproof(file)))!;
        WycheproofRunnerTests.KeepOnly(original, SmallCases(original));
        var random = new Random(file.Sum(c => c));
        for (var i = 0; i < 40; i++)
        {
            var edited = original.DeepClone();
            var groups = edited["testGroups"]!.AsArray();
            var group = groups[random.Next(groups.Count)]!.AsObject();
            var tests = group["tests"]!.AsArray();
            // Mostly a field of a case, sometimes a field of the group.
            var target = random.Next(4) == 0 ? group : tests[random.Next(tests.Count)]!.AsObject();
            var names = target.Select(p => p.Key).Where(k => k != "tests").ToArray();
            var name = names[random.Next(names.Length)];
            if (random.Next(6) == 0) target.Remove(name);
            else target[name] = RandomValue(random, target[name]);
            var report = await RunAsync(file, System.Text.Encoding.UTF8.GetBytes(edited.ToJsonString()));
            Assert.True(report.Total + report.NotApplicable.Count <= 5, "more cases reported than the file holds");
        }
    }

    // A few cases of each file, avoiding the multi-MiB chunked vectors so the test stays quick.
    private static string[] SmallCases(JsonNode file) =>
        file["testGroups"]!.AsArray()
            .SelectMany(g => g!["tests"]!.AsArray())
            .Where(t => t!["ct"] is not JsonValue ct || ct.ToString().Length < 4000)
            .Select(t => t!["tcId"]!.ToString())
            .Where((_, index) => index % 7 == 0)
            .Take(5)
            .ToArray();

    private static JsonNode? RandomValue(Random random, JsonNode? current) => random.Next(9) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(int.MinValue, int.MaxValue)),
        2 => JsonValue.Create(random.NextDouble() * 1e300),
        3 => JsonValue.Create(random.Next(2) == 0),
        4 => new JsonArray(JsonValue.Create("x"), null),
        5 => new JsonObject { ["kty"] = "EC", ["crv"] = random.Next(2) == 0 ? "P-384" : "P-521", ["x"] = "AA", ["d"] = "__" },
        6 => JsonValue.Create(Convert.ToHexStringLower(Bytes(random, random.Next(0, 200)))),
        7 => JsonValue.Create("zz" + Convert.ToHexStringLower(Bytes(random, 3))),
        // The same value with one byte changed, when it is hex.
        _ => current is JsonValue value && value.TryGetValue<string>(out var text) && text.Length >= 2 && text.Length % 2 == 0 && IsHex(text)
            ? JsonValue.Create(FlipFirstByte(text))
            : JsonValue.Create(""),
    };

    private static bool IsHex(string text) => text.All(Uri.IsHexDigit);

    private static string FlipFirstByte(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        bytes[0] ^= 0x01;
        return Convert.ToHexStringLower(bytes);
    }

    private static async Task<ConformanceReport> RunAsync(string file, byte[] json)
    {
        try
        {
            return await Wycheproof.RunAsync(Backends.Platform, file, new MemoryStream(json));
        }
        catch (Exception e)
        {
            Assert.Fail($"the runner threw {e.GetType().Name} on {Show(json)}: {e.Message}");
            throw;
        }
    }
}
