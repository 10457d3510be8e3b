using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Parley.Web.Tests;

/// <summary>Every page of the client, found from the routes in the source so that a new page cannot
/// escape, carries the classification banner at the top and at the bottom, signed out and signed in.</summary>
[Collection(WebCollection.Name)]
public sealed partial class BannerTests(WebFixture web)
{
    [Fact]
    public async Task Every_page_carries_the_classification_banners_signed_out_and_signed_in()
    {
        var routes = Routes();
        Assert.Contains("/officer", routes);
        Assert.Contains("/policy", routes);
        Assert.Contains("/documents", routes);
        Assert.Contains("/document", routes);

        await using (var visitor = await web.OpenAsync())
        {
            foreach (var route in routes)
            {
                await visitor.GoAsync(route.TrimStart('/'));
                await visitor.ExpectBannersAsync();
            }
        }

        web.FreshMinute();
        var officer = await web.NewDelegationAsync();
        await using var session = await web.OpenAsync();
        await session.SignInWithCodeAsync(officer, web.Clock, $"Security officer · {officer.Delegation}");
        foreach (var route in routes)
        {
            // Inside the running client: a reload would lock the keys and show the unlock page instead.
            await session.Page.EvaluateAsync("path => Blazor.navigateTo(path)", route.TrimStart('/'));
            await Assertions.Expect(session.Page.Locator("main h1")).ToBeVisibleAsync();
            await session.ExpectBannersAsync();
        }
        session.AssertNoUnexpectedProblems();
    }

    private static List<string> Routes()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Parley.slnx"))) dir = dir.Parent;
        if (dir is null) throw new DirectoryNotFoundException($"No Parley.slnx above {AppContext.BaseDirectory}.");
        var pages = Path.Combine(dir.FullName, "src", "Parley.Web", "Pages");
        var routes = Directory.EnumerateFiles(pages, "*.razor", SearchOption.AllDirectories)
            .SelectMany(File.ReadLines)
            .Select(line => PageDirective().Match(line))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(routes.Count >= 10, $"Only {routes.Count} routes found under {pages}.");
        Assert.All(routes, r => Assert.DoesNotContain("{", r, StringComparison.Ordinal));
        return routes;
    }

    [GeneratedRegex("^@page \"([^\"]+)\"")]
    private static partial Regex PageDirective();
}
