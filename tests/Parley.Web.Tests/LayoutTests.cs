using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Parley.Web.Tests;

[Collection(WebCollection.Name)]
public sealed class LayoutTests(WebFixture web)
{
    private const float StartupTimeoutMs = 120_000;

    [Theory]
    [InlineData("")]
    [InlineData("selftest")]
    [InlineData("ledger")]
    [InlineData("documents")]
    public async Task Every_screen_has_an_unclassified_banner_at_top_and_bottom(string path)
    {
        await using var session = await web.OpenAsync();
        await session.Page.GotoAsync(path);
        var banners = session.Page.Locator(".classification-banner");
        await Assertions.Expect(banners).ToHaveCountAsync(2, new() { Timeout = StartupTimeoutMs });

        foreach (var position in new[] { "top", "bottom" })
        {
            var banner = session.Page.Locator($".classification-banner--{position}");
            await Assertions.Expect(banner).ToHaveTextAsync("UNCLASSIFIED");
            await Assertions.Expect(banner).ToHaveClassAsync(new Regex(@"\bclassification-unclassified\b"));
            await Assertions.Expect(banner).ToBeVisibleAsync();
        }
        // The banners stay on the edges of the viewport however far the screen is scrolled.
        var viewport = session.Page.ViewportSize!;
        foreach (var scroll in new[] { "0", "document.body.scrollHeight / 2", "document.body.scrollHeight" })
        {
            await session.Page.EvaluateAsync($"() => window.scrollTo(0, {scroll})");
            var top = await session.Page.Locator(".classification-banner--top").BoundingBoxAsync();
            var bottom = await session.Page.Locator(".classification-banner--bottom").BoundingBoxAsync();
            Assert.True(Math.Abs(top!.Y) < 1, $"top banner at y={top.Y} after scrolling to {scroll}");
            Assert.True(Math.Abs(bottom!.Y + bottom.Height - viewport.Height) < 1, $"bottom banner ends at y={bottom.Y + bottom.Height} of {viewport.Height} after scrolling to {scroll}");
        }
        // The level is carried by colour as well as by text.
        var background = await session.Page.Locator(".classification-banner--top").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        Assert.Equal("rgb(0, 122, 51)", background);
    }

    [Fact]
    public async Task Loading_the_client_raises_no_console_error_and_no_policy_violation()
    {
        await using var session = await web.OpenAsync();
        var response = await session.Page.GotoAsync("");
        await Assertions.Expect(session.Page.Locator(".classification-banner--top")).ToBeVisibleAsync(new() { Timeout = StartupTimeoutMs });
        await session.Page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Self-test" }).ClickAsync();
        await Assertions.Expect(session.Page.Locator("#selftest-result")).ToHaveTextAsync(new Regex("^(PASS|FAIL)"), new() { Timeout = StartupTimeoutMs });

        Assert.True(session.Problems.Count == 0, string.Join("\n", session.Problems));
        var violations = await session.CspViolationsAsync();
        Assert.True(violations.Length == 0, string.Join("\n", violations));
        // The import map is allowed by its hash; inline scripts in general are not.
        var policy = (await response!.AllHeadersAsync())["content-security-policy"];
        var scriptSources = Regex.Match(policy, "script-src ([^;]*)").Groups[1].Value;
        Assert.Matches(@"'sha256-[A-Za-z0-9+/]{43}='", scriptSources);
        Assert.DoesNotContain("unsafe-inline", scriptSources);
        Assert.DoesNotContain("'unsafe-eval'", scriptSources);
    }

    [Fact]
    public async Task An_injected_inline_script_is_blocked_and_reported()
    {
        await using var session = await web.OpenAsync();
        await session.Page.GotoAsync("");
        await Assertions.Expect(session.Page.Locator(".classification-banner--top")).ToBeVisibleAsync(new() { Timeout = StartupTimeoutMs });

        await session.Page.EvaluateAsync("""
            () => {
                const script = document.createElement('script');
                script.textContent = 'window.__injected = true;';
                document.head.append(script);
            }
            """);

        Assert.False(await session.Page.EvaluateAsync<bool>("() => window.__injected === true"));
        await Assertions.Expect(session.Page.Locator("body")).ToBeVisibleAsync();
        var violations = await session.CspViolationsAsync();
        Assert.Contains(violations, v => v.StartsWith("script-src-elem blocked inline", StringComparison.Ordinal));
    }
}
