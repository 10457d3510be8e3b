using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parley.Protocol.Api;
using Parley.Server.Identity.Enrollment;
using Parley.Server.Ledger;
using Parley.Server.Storage;
using Parley.Server.Tests.Identity.Support;

namespace Parley.Server.Tests.Identity;

/// <summary>The one-time bootstrap token that creates the host administrator.</summary>
public sealed class BootstrapTests : IAsyncLifetime
{
    private IdentityHost _host = null!;
    private ClientDriver _client = null!;

    private string TokenPath => Path.Combine(_host.DataDirectory, "bootstrap-token");

    public async Task InitializeAsync()
    {
        _host = await IdentityHost.StartAsync();
        _client = new ClientDriver(_host);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_fresh_data_folder_gets_a_private_token_file_whose_hash_only_is_stored()
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("The token file's privacy rests on Unix file modes here.");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(TokenPath));
        var token = (await File.ReadAllTextAsync(TokenPath)).Trim();
        Assert.Matches("^[A-Za-z0-9_-]{43}$", token);
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        Assert.Equal(1, await _host.CountAsync($"SELECT count(*) FROM enrollments WHERE CreatedBy IS NULL AND UsedAt IS NULL AND hex(TokenHash) = '{hash}'"));
        Assert.Equal(0, await _host.CountAsync($"SELECT count(*) FROM enrollments WHERE instr(CAST(TokenHash AS TEXT), '{token}') > 0"));
    }

    [Fact]
    public async Task The_log_names_the_file_and_never_the_token_and_a_lost_file_means_a_new_token()
    {
        var old = (await File.ReadAllTextAsync(TokenPath)).Trim();
        File.Delete(TokenPath);
        var logger = new CapturingLogger();
        await using (var scope = _host.Server.App.Services.CreateAsyncScope())
        {
            var bootstrap = new BootstrapToken(scope.ServiceProvider.GetRequiredService<DataDirectory>(), logger);
            await bootstrap.EnsureAsync(scope.ServiceProvider.GetRequiredService<ParleyDbContext>(), scope.ServiceProvider.GetRequiredService<LedgerWriter>(), _host.Clock, CancellationToken.None);
        }
        var token = (await File.ReadAllTextAsync(TokenPath)).Trim();
        Assert.NotEqual(old, token);
        var logged = Assert.Single(logger.Messages);
        Assert.Contains(TokenPath, logged);
        Assert.DoesNotContain(token, logged);
        // The lost token is dead.
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/enroll/begin", new EnrollBeginRequest(old, "admin@venue.example")), HttpStatusCode.Gone);
    }

    [Fact]
    public async Task The_token_needs_an_email_creates_the_host_administrator_once_and_then_disappears()
    {
        var token = (await File.ReadAllTextAsync(TokenPath)).Trim();
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/enroll/begin", new EnrollBeginRequest(token)), HttpStatusCode.BadRequest);
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/enroll/begin", new EnrollBeginRequest(token, "not an email")), HttpStatusCode.BadRequest);
        var admin = await _client.BootstrapAdministratorAsync("Chief@Venue.example");
        Assert.Equal(["host-administrator"], admin.Roles);
        Assert.Null(admin.Delegation);
        Assert.False(File.Exists(TokenPath));
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/enroll/begin", new EnrollBeginRequest(token, "second@venue.example")), HttpStatusCode.Gone);
        Assert.Contains(await LedgerQueue.ReadAsync(_host), e => e.Type == Parley.Protocol.Ledger.LedgerEventType.BootstrapCompleted && e.Actor == admin.UserId);

        // Once a host administrator exists, no start makes a new token.
        await using (var scope = _host.Server.App.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<BootstrapToken>().EnsureAsync(
                scope.ServiceProvider.GetRequiredService<ParleyDbContext>(), scope.ServiceProvider.GetRequiredService<LedgerWriter>(), _host.Clock, CancellationToken.None);
        Assert.False(File.Exists(TokenPath));
        var whoami = await ClientDriver.ReadAsync<SessionView>(await _client.GetAsync("/api/auth/session", admin.Token));
        Assert.Equal("Chief@Venue.example", whoami.User.Email);
    }

    private sealed class CapturingLogger : ILogger<BootstrapToken>
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }
}
