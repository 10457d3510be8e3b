using Microsoft.Extensions.Logging;
using Parley.Client.Api;
using Parley.Client.Flows;
using Parley.Client.Profiles;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;
using Parley.Server.Hosting;

namespace Parley.Client.Tests.Support;

/// <summary>A person the tests made through the real flows, with what they know (password, TOTP secret, recovery codes).</summary>
public sealed class Account(string email, string password, string totpSecret, IProfileStore store, ParleyClient client, EnrolledAccount enrolled, string? delegation) : IDisposable
{
    public string Email { get; } = email;
    public string Password { get; } = password;
    public string TotpSecret { get; } = totpSecret;
    public IProfileStore Store { get; } = store;
    public ParleyClient Client { get; } = client;
    public EnrolledAccount Enrolled { get; } = enrolled;
    public string? Delegation { get; } = delegation;
    public Guid UserId => Enrolled.Account.Session.User.Id;
    public Parley.Client.Profiles.ProfileDevice Device => Enrolled.Account.Device ?? throw new InvalidOperationException($"{Email} has no device.");
    public IReadOnlyList<string> RecoveryCodes => Enrolled.RecoveryCodes;

    public void Dispose() => Enrolled.Dispose();
}

/// <summary>
/// A real server on 127.0.0.1:0 with a fresh data folder, and helpers that build people through
/// the SDK's flows exactly as clients do: bootstrap, delegations, enrollment links, certificates.
/// </summary>
public sealed class IdentityServer : IAsyncDisposable
{
    public static readonly CryptoSuite Suite = CryptoSuite.Default;

    private readonly TempFolder _folder;
    private readonly List<IDisposable> _owned = [];

    private IdentityServer(TempFolder folder, RunningServer server)
    {
        _folder = folder;
        Server = server;
    }

    public RunningServer Server { get; }

    public Uri Url => Server.Addresses[0];

    public string DataDirectory => _folder.Child("data");

    public TempFolder Folder => _folder;

    public static async Task<IdentityServer> StartAsync()
    {
        var folder = new TempFolder();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var server = await ParleyHost.StartAsync(new ServerOptions
            {
                DataDirectory = folder.Child("data"),
                Urls = "http://127.0.0.1:0",
                MinimumLogLevel = LogLevel.Warning,
            }, timeout.Token);
            return new IdentityServer(folder, server);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary>A client of its own (its own session), optionally through handlers that watch or tamper.</summary>
    public ParleyClient NewClient(params DelegatingHandler[] handlers)
    {
        HttpMessageHandler handler = new HttpClientHandler();
        foreach (var wrapper in handlers.Reverse())
        {
            wrapper.InnerHandler = handler;
            handler = wrapper;
        }
        var http = new HttpClient(handler) { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(60) };
        lock (_owned) _owned.Add(http);
        return new ParleyClient(http);
    }

    public string BootstrapToken => File.ReadAllText(Path.Combine(DataDirectory, "bootstrap-token")).Trim();

    public static string NewPassword() => $"pw-{Guid.NewGuid():N}";

    public async Task<Account> BootstrapAdminAsync(string email = "admin@host.example")
    {
        var client = NewClient();
        return await EnrollAsync(client, new MemoryProfileStore(), EnrollmentLink.Bootstrap(Url, BootstrapToken), email, null);
    }

    /// <summary>Creates a delegation and enrolls its first officer, who signs its root.</summary>
    public async Task<Account> FoundDelegationAsync(Account admin, string code, IProfileStore? store = null)
    {
        await admin.Client.CreateDelegationAsync(new CreateDelegationRequest(code, $"Delegation {code}", $"{code} nationals"));
        return await InviteAsync(admin, $"so@{code.ToLowerInvariant()}.example", Roles.SecurityOfficer | Roles.Member, code, store);
    }

    /// <summary>An enrollment link from <paramref name="inviter"/>, completed by the invitee through <paramref name="handlers"/>.</summary>
    public async Task<Account> InviteAsync(Account inviter, string email, Roles roles, string delegation, IProfileStore? store = null, params DelegatingHandler[] handlers)
    {
        var created = await new SecurityOfficer(inviter.Client, Suite).CreateEnrollmentAsync(email, roles, delegation);
        var link = EnrollmentLink.Parse(created.Link).Value;
        return await EnrollAsync(NewClient(handlers), store ?? new MemoryProfileStore(), link, email, delegation);
    }

    public async Task<Account> EnrollAsync(ParleyClient client, IProfileStore store, EnrollmentLink link, string email, string? delegation)
    {
        var enrollment = new Enrollment(client, store, Suite);
        // Everyone enrolls from 127.0.0.1, which the server limits to ten enrollment calls a minute.
        var pending = await RateLimits.RetryAsync(() => enrollment.BeginAsync(link, delegation is null ? email : null), TimeSpan.FromSeconds(30));
        var password = NewPassword();
        var enrolled = await RateLimits.RetryAsync(() => enrollment.CompleteAsync(pending, password, email.Split('@')[0], Authenticator.Code(pending.Details.Totp.Secret), "test device"), TimeSpan.FromSeconds(30));
        var account = new Account(pending.Details.Email, password, pending.Details.Totp.Secret, store, client, enrolled, delegation);
        lock (_owned) _owned.Add(account);
        return account;
    }

    public async Task<ClearanceView> CertifyAsync(Account officer, Account member, string level = "SECRET", string[]? compartments = null, TimeSpan? validFor = null)
    {
        var (_, view) = await new SecurityOfficer(officer.Client, Suite).CertifyAsync(officer.Enrolled.Account.Identity, officer.Delegation!,
            new ClearanceRequest(member.Email, level, compartments ?? [], Roles.None, validFor ?? TimeSpan.FromDays(30), DateTimeOffset.UtcNow.AddDays(30)));
        return view;
    }

    public async ValueTask DisposeAsync()
    {
        lock (_owned)
        {
            foreach (var owned in _owned) owned.Dispose();
            _owned.Clear();
        }
        await Server.DisposeAsync();
        _folder.Dispose();
    }
}
