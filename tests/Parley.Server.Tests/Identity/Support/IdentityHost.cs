using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Parley.Server.Hosting;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Identity.Support;

/// <summary>A real server on 127.0.0.1 with its own data folder and a clock the test moves.</summary>
public sealed class IdentityHost : IAsyncDisposable
{
    private readonly TempFolder _folder;

    private IdentityHost(TempFolder folder, string dataDirectory, FakeTimeProvider clock, RunningServer server)
    {
        _folder = folder;
        DataDirectory = dataDirectory;
        Clock = clock;
        Server = server;
        BaseAddress = server.Addresses[0];
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public FakeTimeProvider Clock { get; }

    public RunningServer Server { get; }

    public string DataDirectory { get; }

    public Uri BaseAddress { get; }

    /// <summary>A client connecting from 127.0.0.1.</summary>
    public HttpClient Http { get; }

    /// <summary>Starts a server; <paramref name="policyJson"/>, when given, is written as the data folder's policy.json first.</summary>
    public static async Task<IdentityHost> StartAsync(string? policyJson = null)
    {
        var folder = new TempFolder();
        try
        {
            // Whole seconds at the start of a TOTP step keep step arithmetic in tests simple.
            var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30 * 30);
            var clock = new FakeTimeProvider(start);
            var data = folder.Child("data");
            if (policyJson is not null)
            {
                Directory.CreateDirectory(data);
                await File.WriteAllTextAsync(Path.Combine(data, "policy.json"), policyJson);
            }
            var options = TestServer.Options(data) with { Time = clock, MinimumLogLevel = LogLevel.Warning };
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var server = await ParleyHost.StartAsync(options, timeout.Token);
            return new IdentityHost(folder, data, clock, server);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary>A client whose connections come from <paramref name="localAddress"/> (any 127.x.y.z is this machine).</summary>
    public HttpClient ClientFrom(string localAddress)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(localAddress), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Runs SQL on the server's database (a separate, unpooled connection).</summary>
    public async Task<object?> SqlAsync(string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(DataDirectory, "parley.db"), Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    public async Task<long> CountAsync(string sql) => Convert.ToInt64(await SqlAsync(sql), System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        _folder.Dispose();
    }
}

/// <summary>One server per test class, with its host administrator made once; each test makes its own delegation.</summary>
public class IdentityHostFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private IdentityHost? _host;
    private TestAccount? _admin;
    private int _codes;

    public IdentityHost Host => _host ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>The host administrator, freshly signed in (other tests move the clock past idle limits).</summary>
    public async Task<TestAccount> AdministratorAsync(ClientDriver client)
    {
        await _lock.WaitAsync();
        try
        {
            if (_admin is null) _admin = await client.BootstrapAdministratorAsync();
            else await client.LoginAsync(_admin);
            return _admin;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>A delegation code no other test of the class uses.</summary>
    public string NextCode(char prefix)
    {
        var n = Interlocked.Increment(ref _codes);
        return $"{prefix}{(char)('A' + n / 26 % 26)}{(char)('A' + n % 26)}";
    }

    /// <summary>The data folder's policy.json for this fixture's server, or null for the defaults.</summary>
    protected virtual string? PolicyJson => null;

    public async Task InitializeAsync() => _host = await IdentityHost.StartAsync(PolicyJson);

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
    }
}
