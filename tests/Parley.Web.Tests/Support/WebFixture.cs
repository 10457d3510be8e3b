using System.Globalization;
using Microsoft.Playwright;
using Parley.Client.Api;
using Parley.Client.Flows;
using Parley.Client.Profiles;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;
using Parley.Server.Hosting;

namespace Parley.Web.Tests;

/// <summary>
/// One real server on 127.0.0.1 (fresh data folder, a clock the tests move forward) and one headless
/// Chromium, shared by the web tests. The browser reaches the server as http://localhost:PORT,
/// because browsers refuse WebAuthn on an IP address. Every test opens its own browser contexts and
/// makes its own delegation and people, so no state passes between tests.
/// </summary>
public sealed class WebFixture : IAsyncLifetime
{
    public static readonly CryptoSuite Suite = CryptoSuite.Default;

    private readonly List<TestServer> _servers = [];
    private readonly List<IDisposable> _owned = [];
    private readonly SemaphoreSlim _adminLock = new(1, 1);
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private Person? _admin;
    private int _codes;

    /// <summary>The shared server.</summary>
    public TestServer Server { get; private set; } = null!;

    /// <summary>The shared server's clock.</summary>
    public TestClock Clock => Server.Clock;

    /// <summary>http://localhost:port/ of the shared server.</summary>
    public Uri BaseAddress => Server.BrowserAddress;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync()
    {
        Server = await StartServerAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    /// <summary>Another server with its own data folder and clock, for a test that needs a fresh one (bootstrap).</summary>
    public async Task<TestServer> StartServerAsync()
    {
        var server = await TestServer.StartAsync();
        lock (_servers) _servers.Add(server);
        return server;
    }

    /// <summary>A new browser context and page on <paramref name="server"/> (the shared one by default) that records what went wrong while it was open.</summary>
    public async Task<PageSession> OpenAsync(TestServer? server = null)
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = (server ?? Server).BrowserAddress.ToString() });
        return await PageSession.StartAsync(context);
    }

    /// <summary>
    /// Everyone connects from 127.0.0.1, which the server limits to ten sign-ins and ten enrollment
    /// calls a minute. Tests start on a fresh minute of the server's clock so that the limits are
    /// theirs alone.
    /// </summary>
    public void FreshMinute() => Clock.Advance(TimeSpan.FromSeconds(61));

    /// <summary>A delegation code no other test uses.</summary>
    public string NextDelegationCode()
    {
        var n = Interlocked.Increment(ref _codes);
        return string.Create(CultureInfo.InvariantCulture, $"W{(char)('A' + n / 676 % 26)}{(char)('A' + n / 26 % 26)}{(char)('A' + n % 26)}");
    }

    /// <summary>The host administrator of the shared server (bootstrapped through the SDK once), signed in afresh.</summary>
    public async Task<Person> AdministratorAsync()
    {
        await _adminLock.WaitAsync();
        try
        {
            if (_admin is null)
            {
                _admin = await EnrollAsync(Server, EnrollmentLink.Bootstrap(Server.ApiAddress, Server.BootstrapToken), "admin@host.example", bootstrap: true);
            }
            else
            {
                // Other tests move the clock past idle limits: a fresh session each time.
                var admin = _admin;
                await Unthrottled(Server, () => new SignIn(admin.Client, new MemoryProfileStore(), Suite).SignInAsync(admin.Email, admin.Password, new SecondFactor.Totp(admin.NextCode(Clock)), "test process"));
            }
            return _admin;
        }
        finally
        {
            _adminLock.Release();
        }
    }

    /// <summary>A new delegation with its first security officer (who signed its root), made through the SDK.</summary>
    public async Task<Person> NewDelegationAsync()
    {
        var admin = await AdministratorAsync();
        var code = NextDelegationCode();
        await admin.Client.CreateDelegationAsync(new CreateDelegationRequest(code, $"Delegation {code}", $"{code} nationals"));
        return await InviteAsync(admin, $"so-{Guid.NewGuid():N}@{code.ToLowerInvariant()}.example", Roles.SecurityOfficer | Roles.Member, code);
    }

    /// <summary>A member of <paramref name="officer"/>'s delegation, enrolled through the SDK from the officer's link.</summary>
    public Task<Person> NewMemberAsync(Person officer, Roles roles = Roles.Member, string? name = null) =>
        InviteAsync(officer, $"{name ?? "member"}-{Guid.NewGuid():N}@{officer.Delegation!.ToLowerInvariant()}.example", roles, officer.Delegation!);

    /// <summary>An enrollment link from <paramref name="inviter"/> for <paramref name="email"/>, completed through the SDK.</summary>
    public async Task<Person> InviteAsync(Person inviter, string email, Roles roles, string delegation)
    {
        var created = await new SecurityOfficer(inviter.Client, Suite).CreateEnrollmentAsync(email, roles, delegation);
        return await EnrollAsync(Server, EnrollmentLink.Parse(created.Link).Value, email, bootstrap: false);
    }

    /// <summary>A link for <paramref name="email"/> from <paramref name="inviter"/>, left for the browser to complete.</summary>
    public async Task<string> LinkAsync(Person inviter, string email, Roles roles) =>
        (await new SecurityOfficer(inviter.Client, Suite).CreateEnrollmentAsync(email, roles, inviter.Delegation!)).Link;

    private async Task<Person> EnrollAsync(TestServer server, EnrollmentLink link, string email, bool bootstrap)
    {
        var client = server.NewClient();
        var store = new MemoryProfileStore();
        var enrollment = new Enrollment(client, store, Suite);
        var pending = await Unthrottled(server, () => enrollment.BeginAsync(link, bootstrap ? email : null));
        var password = $"pw-{Guid.NewGuid():N}";
        var step = AuthenticatorApp.Step(server.Clock);
        var enrolled = await Unthrottled(server, () => enrollment.CompleteAsync(pending, password, email.Split('@')[0], AuthenticatorApp.Code(pending.Details.Totp.Secret, server.Clock), "test process"));
        var person = new Person(pending.Details.Email, password, new AuthenticatorApp(pending.Details.Totp.Secret, step), enrolled.RecoveryCodes, pending.Details.Delegation?.Code, client, enrolled) { Store = store };
        lock (_owned) _owned.Add(person);
        return person;
    }

    /// <summary>Runs a call from the test process; when the server's rate limit refuses it, moves the clock past the wait and tries again.</summary>
    public static async Task<T> Unthrottled<T>(TestServer server, Func<Task<T>> action)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await action();
            }
            catch (ParleyApiException e) when (e.Kind == ApiProblemKind.RateLimited && attempt < 5)
            {
                server.Clock.Advance(e.Problem.RetryAfter ?? TimeSpan.FromMinutes(1));
            }
        }
    }

    public async Task DisposeAsync()
    {
        lock (_owned)
        {
            foreach (var owned in _owned) owned.Dispose();
            _owned.Clear();
        }
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
        foreach (var server in _servers) await server.DisposeAsync();
    }
}

/// <summary>A Parley server for the web tests: its own data folder and clock, bound to 127.0.0.1.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly List<HttpClient> _clients = [];

    private TestServer(string dataDirectory, TestClock clock, RunningServer server)
    {
        DataDirectory = dataDirectory;
        Clock = clock;
        Running = server;
        ApiAddress = server.Addresses.Single();
        BrowserAddress = new UriBuilder(ApiAddress) { Host = "localhost" }.Uri;
    }

    public string DataDirectory { get; }

    public TestClock Clock { get; }

    public RunningServer Running { get; }

    /// <summary>http://127.0.0.1:port/, for the SDK in the test process.</summary>
    public Uri ApiAddress { get; }

    /// <summary>http://localhost:port/, the same server as the browser reaches it (WebAuthn needs a host name).</summary>
    public Uri BrowserAddress { get; }

    /// <summary>The one-time token the server wrote on its first start.</summary>
    public string BootstrapToken => File.ReadAllText(Path.Combine(DataDirectory, "bootstrap-token")).Trim();

    public static async Task<TestServer> StartAsync()
    {
        var data = Path.Combine(Path.GetTempPath(), "parley-web-tests-" + Guid.NewGuid().ToString("N"));
        var clock = new TestClock();
        var server = await ParleyHost.StartAsync(new ServerOptions
        {
            DataDirectory = data,
            Urls = "http://127.0.0.1:0",
            LogFormat = LogFormat.Text,
            MinimumLogLevel = LogLevel.Warning,
            Time = clock,
        });
        return new TestServer(data, clock, server);
    }

    /// <summary>An SDK client of its own (its own session) from the test process.</summary>
    public ParleyClient NewClient()
    {
        var http = new HttpClient { BaseAddress = ApiAddress, Timeout = TimeSpan.FromSeconds(60) };
        lock (_clients) _clients.Add(http);
        return new ParleyClient(http);
    }

    public async ValueTask DisposeAsync()
    {
        lock (_clients)
        {
            foreach (var client in _clients) client.Dispose();
        }
        await Running.DisposeAsync();
        if (Directory.Exists(DataDirectory)) Directory.Delete(DataDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class WebCollection : ICollectionFixture<WebFixture>
{
    public const string Name = "web";
}
