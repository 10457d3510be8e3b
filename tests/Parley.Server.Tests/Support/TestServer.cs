using Microsoft.Extensions.Logging;
using Parley.Server.Hosting;

namespace Parley.Server.Tests.Support;

/// <summary>A private temporary folder (0700), deleted with everything in it on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Path = Directory.CreateTempSubdirectory("parley-server-tests-").FullName;

    public string Path { get; }

    /// <summary>A path inside the folder that does not exist yet.</summary>
    public string Child(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}

/// <summary>A real server on 127.0.0.1 with a fresh data folder, and an HTTP client for it.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly TempFolder? _owned;

    private TestServer(RunningServer server, string dataDirectory, TempFolder? owned)
    {
        Server = server;
        DataDirectory = dataDirectory;
        _owned = owned;
        Http = new HttpClient { BaseAddress = server.Addresses[0], Timeout = TimeSpan.FromSeconds(60) };
    }

    public RunningServer Server { get; }

    public string DataDirectory { get; }

    public HttpClient Http { get; }

    /// <summary>Starts a server on a new data folder of its own.</summary>
    public static async Task<TestServer> StartAsync()
    {
        var folder = new TempFolder();
        try
        {
            return await StartAsync(folder.Child("data"), folder);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary>Starts a server on <paramref name="dataDirectory"/>, which the caller owns.</summary>
    public static Task<TestServer> StartAsync(string dataDirectory) => StartAsync(dataDirectory, null);

    public static ServerOptions Options(string dataDirectory, string urls = "http://127.0.0.1:0") => new()
    {
        DataDirectory = dataDirectory,
        Urls = urls,
        MinimumLogLevel = LogLevel.Warning,
    };

    private static async Task<TestServer> StartAsync(string dataDirectory, TempFolder? owned)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var server = await ParleyHost.StartAsync(Options(dataDirectory), timeout.Token);
        return new TestServer(server, dataDirectory, owned);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        _owned?.Dispose();
    }
}

/// <summary>One server for all tests of a class (they only read), on its own data folder.</summary>
public sealed class SharedServer : IAsyncLifetime
{
    private TestServer? _server;

    public TestServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public HttpClient Http => Server.Http;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

/// <summary>The repository checkout these tests were built from.</summary>
public static class Repository
{
    /// <summary>The folder holding Parley.slnx, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Parley.slnx"))) return folder.FullName;
        throw new InvalidOperationException($"No Parley.slnx above {AppContext.BaseDirectory}; the tests must run from a build inside the repository.");
    }
}
