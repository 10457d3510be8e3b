using Microsoft.Extensions.Logging;
using Parley.Cli.Commands;
using Parley.Cli.Demo;
using Parley.Client.Api;
using Parley.Client.Documents;
using Parley.Client.Documents.Printing;
using Parley.Client.Flows;
using Parley.Client.Profiles;
using Parley.Client.Rooms;
using Parley.Protocol.Crypto;
using Parley.Server.Hosting;

namespace Parley.Cli.Tests;

/// <summary>
/// One real server for the document commands, seeded once per test class the way <c>parley demo</c>
/// seeds it (ATL and BOR with an officer, a head of delegation and two members each, the rooms and the
/// draft treaty), plus both officers in the joint room so that they can trace its documents. Every
/// sign-in and unlock costs Argon2id, so the people are made once and their profiles reused.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DocFixture : IAsyncLifetime
{
    private static readonly TimeSpan SeedTimeout = TimeSpan.FromMinutes(6);

    private RunningServer? _server;
    private DemoManifest? _manifest;
    private HttpClient? _http;

    public string Folder { get; } = Directory.CreateTempSubdirectory("parley-cli-doc-").FullName;

    public string Data => Path.Combine(Folder, "data");

    public string Url => _server!.Addresses[0].ToString();

    /// <summary>The joint room both delegations are in.</summary>
    public string Room => DemoRooms.Joint;

    /// <summary>The draft treaty the demo seeding left in the joint room.</summary>
    internal DemoDocument DemoDocument => _manifest!.Document!;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(SeedTimeout);
        _server = await ParleyHost.StartAsync(new ServerOptions
        {
            DataDirectory = Data,
            Urls = "http://127.0.0.1:0",
            MinimumLogLevel = LogLevel.Warning,
            Policy = DemoCommand.DemoPolicy(Data),
        }, timeout.Token);
        _http = new HttpClient { BaseAddress = _server.Addresses[0], Timeout = TimeSpan.FromSeconds(60) };
        var manifest = await new DemoSeeder(_server.Addresses[0], _http, Data).SeedAsync(new Progress<string>(), timeout.Token);
        await new DemoRooms(_http).SeedAsync(manifest, timeout.Token);
        manifest = manifest with { Rooms = DemoRooms.Names };
        manifest = manifest with { Document = await new DemoDocuments(_http).SeedAsync(manifest, timeout.Token) };
        _manifest = manifest;
        // The room's creator adds them.
        foreach (var officer in new[] { "so@atl.example", "so@bor.example" })
        {
            var (exit, stdout, stderr) = await RunAsync("head@atl.example", "room", "add", Room, officer);
            if (exit != ExitCodes.Success) throw new InvalidOperationException($"Adding {officer}: {stdout}\n{stderr}");
        }
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }

    private DemoUser User(string email) => _manifest!.Users.Single(u => u.Email == email);

    public string Profile(string email) => User(email).Profile;

    /// <summary>A new empty folder for one test's files.</summary>
    public string NewFolder(string name) => Directory.CreateDirectory(Path.Combine(Folder, "files", $"{name}-{Guid.NewGuid():N}")).FullName;

    /// <summary>Runs <c>parley ARGS --profile P</c> as <paramref name="email"/>, with their password in $PARLEY_PASSWORD.</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string email, params string[] args) =>
        ParleyProcess.RunAsync(new Dictionary<string, string> { ["PARLEY_PASSWORD"] = User(email).Password }, null, [.. args, "--profile", Profile(email)]);

    /// <summary>As <see cref="RunAsync"/>, failing the test unless it exits 0; returns standard output.</summary>
    public async Task<string> OkAsync(string email, params string[] args)
    {
        var (exit, stdout, stderr) = await RunAsync(email, args);
        Assert.True(exit == ExitCodes.Success, $"parley {string.Join(' ', args)} as {email}: exit {exit}\n{stdout}\n{stderr}");
        return stdout;
    }

    /// <summary>Acts as <paramref name="email"/> through the SDK, with their seeded profile and keys, as a client other than the CLI would.</summary>
    internal async Task<T> AsAsync<T>(string email, Func<DocumentsClient, ParleyClient, Task<T>> act)
    {
        var user = User(email);
        var store = new FileProfileStore(user.Profile);
        var profile = await store.LoadAsync();
        var client = new ParleyClient(_http!) { Session = SessionCredentials.Bearer(profile!.SessionToken!) };
        using var identity = await new ProfileUnlock(store, CryptoSuite.Default).UnlockAsync(user.Password);
        await using var rooms = await RoomsClient.OpenAsync(client, store, CryptoSuite.Default, identity);
        return await act(DocumentsClient.Open(rooms, identity), client);
    }

    /// <summary>
    /// Prints a copy for <paramref name="email"/> through the SDK, as <c>parley doc print</c> does, and returns
    /// the copy's marked text (what the PDF shows) and number: what a leaked excerpt would be taken from.
    /// </summary>
    public Task<(string MarkedText, int CopyNumber)> PrintedCopyAsync(string email, Guid documentId) => AsAsync(email, async (documents, _) =>
    {
        var (job, rules, grant) = await documents.PreparePrintAsync(documentId, null);
        using var pdf = new MemoryStream();
        var outcome = await new ControlledPrinter(documents.Rooms.Scheme, rules).PrintAsync(job, pdf);
        Assert.True(outcome.Printed, outcome.Refusal?.Message);
        return (outcome.Copy!.MarkedText, grant.CopyNumber);
    });
}
