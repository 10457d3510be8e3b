using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Parley.Web.Tests;

[Collection(WebCollection.Name)]
public sealed class SelfTestPageTests(WebFixture web, ITestOutputHelper output)
{
    // WebAssembly startup and the post-quantum checks in the interpreter take a while on a busy machine.
    private const float StartupTimeoutMs = 120_000;

    [Fact]
    public async Task Self_test_passes_on_the_webcrypto_backend()
    {
        await using var session = await web.OpenAsync();
        await session.Page.GotoAsync("selftest");
        var result = session.Page.Locator("#selftest-result");
        await Assertions.Expect(result).ToHaveTextAsync(new Regex("^(PASS|FAIL)"), new() { Timeout = StartupTimeoutMs });

        var rows = await session.Page.Locator("#selftest-checks tbody tr").AllAsync();
        output.WriteLine($"{"check",-48} {"result",-6} {"ms",10}  detail");
        foreach (var row in rows)
        {
            var cells = await row.Locator("td").AllInnerTextsAsync();
            output.WriteLine($"{cells[0],-48} {cells[1],-6} {cells[2],10}  {cells[3]}");
        }
        output.WriteLine(await result.InnerTextAsync());

        await Assertions.Expect(result).ToHaveTextAsync(new Regex("^PASS "));
        await Assertions.Expect(session.Page.Locator("#selftest-backend")).ToHaveTextAsync("webcrypto");
        Assert.Equal(12, rows.Count);
        Assert.Equal("Chunked encryption round trip (8 MiB)", await rows[^1].Locator(".check-name").InnerTextAsync());
        Assert.True(session.Problems.Count == 0, string.Join("\n", session.Problems));
        var violations = await session.CspViolationsAsync();
        Assert.True(violations.Length == 0, string.Join("\n", violations));
    }

    [Fact]
    public async Task The_mib_parameter_sizes_the_timed_round_trip()
    {
        await using var session = await web.OpenAsync();
        await session.Page.GotoAsync("selftest?mib=2");
        await Assertions.Expect(session.Page.Locator("#selftest-result")).ToHaveTextAsync(new Regex("^PASS "), new() { Timeout = StartupTimeoutMs });
        await Assertions.Expect(session.Page.Locator("#selftest-checks .check-name").Last).ToHaveTextAsync("Chunked encryption round trip (2 MiB)");
    }
}
