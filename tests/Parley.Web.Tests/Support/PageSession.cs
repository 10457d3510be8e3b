using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Parley.Web.Tests;

/// <summary>A page in its own browser context, recording console errors, uncaught exceptions,
/// failed requests and Content-Security-Policy violations.</summary>
public sealed class PageSession : IAsyncDisposable
{
    // Installed before any page script runs; the event also fires for violations that Chromium
    // reports only to the page, and the script is injected by the driver, so CSP does not block it.
    private const string RecordCspViolations = """
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', e =>
            window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`));
        """;

    private readonly IBrowserContext _context;
    private readonly ConcurrentQueue<string> _problems = new();

    private PageSession(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
    }

    public IPage Page { get; }

    /// <summary>Console errors, page errors and failed requests seen so far.</summary>
    public IReadOnlyCollection<string> Problems => _problems;

    public static async Task<PageSession> StartAsync(IBrowserContext context)
    {
        await context.AddInitScriptAsync(RecordCspViolations);
        var page = await context.NewPageAsync();
        var session = new PageSession(context, page);
        page.Console += (_, message) =>
        {
            if (message.Type == "error") session._problems.Enqueue($"console error: {message.Text}");
        };
        page.PageError += (_, error) => session._problems.Enqueue($"page error: {error}");
        page.RequestFailed += (_, request) => session._problems.Enqueue($"request failed: {request.Method} {request.Url}: {request.Failure}");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400) session._problems.Enqueue($"HTTP {response.Status}: {response.Url}");
        };
        return session;
    }

    /// <summary>
    /// What must never happen, whatever the test does: uncaught exceptions, console errors other than
    /// the browser's own line about a refused request (tests provoke refusals on purpose), and requests
    /// that failed below HTTP. Refusals themselves (4xx) are the server answering as it should.
    /// </summary>
    public IReadOnlyList<string> UnexpectedProblems => _problems
        .Where(p => !p.StartsWith("HTTP 4", StringComparison.Ordinal)
            && !(p.StartsWith("console error: Failed to load resource: the server responded with a status of 4", StringComparison.Ordinal)))
        .ToList();

    /// <summary>The browser context, for a second page or the DevTools protocol.</summary>
    public IBrowserContext Context => _context;

    /// <summary>CSP violations the page saw.</summary>
    public Task<string[]> CspViolationsAsync() => Page.EvaluateAsync<string[]>("() => window.__cspViolations");

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
