using Microsoft.Playwright;
using Parley.Server.Hosting;

namespace Parley.Web.Tests;

/// <summary>One real server on 127.0.0.1 (fresh data folder) and one headless Chromium, shared by the
/// web tests. Every test opens its own browser context, so no state passes between tests.</summary>
public sealed class WebFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "parley-web-tests-" + Guid.NewGuid().ToString("N"));
    private RunningServer? _server;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>http://127.0.0.1:port/</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync()
    {
        _server = await ParleyHost.StartAsync(new ServerOptions
        {
            DataDirectory = _dataDirectory,
            Urls = "http://127.0.0.1:0",
            LogFormat = LogFormat.Text,
            MinimumLogLevel = LogLevel.Warning,
        });
        BaseAddress = _server.Addresses.Single();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    /// <summary>A new browser context and page that records what went wrong while it was open.</summary>
    public async Task<PageSession> OpenAsync()
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = BaseAddress.ToString() });
        return await PageSession.StartAsync(context);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
        if (Directory.Exists(_dataDirectory)) Directory.Delete(_dataDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class WebCollection : ICollectionFixture<WebFixture>
{
    public const string Name = "web";
}
