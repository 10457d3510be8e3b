using Microsoft.Extensions.Logging;
using Parley.Client.Api;
using Parley.Client.Flows;
using Parley.Client.Profiles;
using Parley.Client.Rooms;
using Parley.Client.Tests.Support;
using Parley.Protocol.Api;
using Parley.Protocol.Classification;
using Parley.Protocol.Identity;
using Parley.Server.Hosting;
using Parley.Server.Policy.Engine;

namespace Parley.Client.Tests.Rooms;

/// <summary>
/// Two delegations on a real server (127.0.0.1:0, SQLite in a temp folder), made through the SDK's
/// flows: ATL with a head, an analyst and an interpreter cleared only CONFIDENTIAL; BOR with a head
/// and an analyst. Everyone else SECRET. Profiles are files, so tests can look inside them. Tests
/// share the people (enrolling is rate limited), never a room: each test makes its own.
/// The test policy accepts a TOTP second factor for SECRET (the default asks for a security key,
/// which these command-line-style accounts do not have).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RoomsWorld : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly List<IDisposable> _owned = [];

    public RunningServer Server { get; private set; } = null!;
    public Uri Url => Server.Addresses[0];
    public string DataDirectory => _folder.Child("data");
    public string ProfilesDirectory => _folder.Child("profiles");

    public Account AtlOfficer { get; private set; } = null!;
    public Account BorOfficer { get; private set; } = null!;
    public Account AtlHead { get; private set; } = null!;
    public Account AtlAnalyst { get; private set; } = null!;
    public Account AtlInterpreter { get; private set; } = null!;
    public Account BorHead { get; private set; } = null!;
    public Account BorAnalyst { get; private set; } = null!;

    public static PolicySettings TestPolicy { get; } = PolicySettings.Default with
    {
        Assurance = [new AssuranceRequirement(MarkingScheme.Generic.FindLevel("SECRET")!, AssuranceLevels.Aal2, TimeSpan.FromHours(12))],
    };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ProfilesDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Server = await ParleyHost.StartAsync(new ServerOptions
        {
            DataDirectory = DataDirectory,
            Urls = "http://127.0.0.1:0",
            MinimumLogLevel = LogLevel.Warning,
            Policy = TestPolicy,
        }, timeout.Token);

        var admin = await EnrollAsync(NewClient(), "admin", EnrollmentLink.Bootstrap(Url, File.ReadAllText(Path.Combine(DataDirectory, "bootstrap-token")).Trim()), "admin@host.example", null);
        AtlOfficer = await FoundAsync(admin, "ATL");
        BorOfficer = await FoundAsync(admin, "BOR");
        AtlHead = await InviteAsync(AtlOfficer, "head@atl.example", Roles.HeadOfDelegation | Roles.Member, "SECRET");
        AtlAnalyst = await InviteAsync(AtlOfficer, "analyst@atl.example", Roles.Member, "SECRET");
        AtlInterpreter = await InviteAsync(AtlOfficer, "interpreter@atl.example", Roles.Member, "CONFIDENTIAL");
        BorHead = await InviteAsync(BorOfficer, "head@bor.example", Roles.HeadOfDelegation | Roles.Member, "SECRET");
        BorAnalyst = await InviteAsync(BorOfficer, "analyst@bor.example", Roles.Member, "SECRET");
    }

    /// <summary>A client of the person's own session, optionally through handlers that watch or tamper.</summary>
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

    /// <summary>The person's rooms on this device, through <paramref name="handlers"/> when given (same session, same profile).</summary>
    public async Task<RoomsClient> RoomsAsync(Account person, TimeProvider? time = null, params DelegatingHandler[] handlers)
    {
        var client = person.Client;
        if (handlers.Length > 0)
        {
            client = NewClient(handlers);
            client.Session = person.Client.Session;
        }
        return await RoomsClient.OpenAsync(client, person.Store, IdentityServer.Suite, person.Enrolled.Account.Identity, time);
    }

    /// <summary>A room of <paramref name="creator"/> with <paramref name="members"/> added.</summary>
    public async Task<RoomView> RoomAsync(RoomsClient creator, string label, string[] parties, params Account[] members) =>
        await RoomAsync(creator, $"room {Guid.NewGuid():N}", label, parties, null, members);

    public async Task<RoomView> RoomAsync(RoomsClient creator, string name, string label, string[] parties, int? retentionDays, params Account[] members)
    {
        var room = await creator.CreateRoomAsync(name, label, parties, retentionDays);
        foreach (var member in members) room = await creator.AddMemberAsync(room.Id, member.Email);
        return room;
    }

    private async Task<Account> FoundAsync(Account admin, string code)
    {
        await admin.Client.CreateDelegationAsync(new CreateDelegationRequest(code, $"Delegation {code}", $"{code} nationals"));
        return await InviteAsync(admin, $"so@{code.ToLowerInvariant()}.example", Roles.SecurityOfficer | Roles.Member, null, code);
    }

    /// <summary>A new person enrolled by <paramref name="inviter"/> (an officer), cleared at <paramref name="level"/> when given:
    /// for tests that change someone's clearance or devices, which the shared people must keep.</summary>
    public async Task<Account> InviteAsync(Account inviter, string email, Roles roles, string? level, string? delegation = null)
    {
        delegation ??= inviter.Delegation!;
        var created = await new SecurityOfficer(inviter.Client, IdentityServer.Suite).CreateEnrollmentAsync(email, roles, delegation);
        var account = await EnrollAsync(NewClient(), email.Replace('@', '-'), EnrollmentLink.Parse(created.Link).Value, email, delegation);
        if (level is not null) await CertifyAsync(inviter, account, level);
        return account;
    }

    /// <summary>Issues <paramref name="member"/> a new clearance certificate at <paramref name="level"/> (the latest one is the one clients use).</summary>
    public async Task CertifyAsync(Account officer, Account member, string level) =>
        await new SecurityOfficer(officer.Client, IdentityServer.Suite).CertifyAsync(officer.Enrolled.Account.Identity, officer.Delegation!,
            new ClearanceRequest(member.Email, level, [], Roles.None, TimeSpan.FromDays(30), DateTimeOffset.UtcNow.AddDays(30)));

    private async Task<Account> EnrollAsync(ParleyClient client, string profileName, EnrollmentLink link, string email, string? delegation)
    {
        var store = new FileProfileStore(Path.Combine(ProfilesDirectory, profileName));
        var enrollment = new Enrollment(client, store, IdentityServer.Suite);
        var pending = await RateLimits.RetryAsync(() => enrollment.BeginAsync(link, delegation is null ? email : null), TimeSpan.FromSeconds(90));
        var password = IdentityServer.NewPassword();
        var enrolled = await RateLimits.RetryAsync(() => enrollment.CompleteAsync(pending, password, email.Split('@')[0], Authenticator.Code(pending.Details.Totp.Secret), "test device"), TimeSpan.FromSeconds(90));
        var account = new Account(pending.Details.Email, password, pending.Details.Totp.Secret, store, client, enrolled, delegation);
        lock (_owned) _owned.Add(account);
        return account;
    }

    public async Task DisposeAsync()
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

[CollectionDefinition(Name)]
public sealed class RoomsCollection : ICollectionFixture<RoomsWorld>
{
    public const string Name = "rooms";
}

/// <summary>Collects what a live connection delivers, and waits for a message by its text.</summary>
public sealed class Inbox
{
    private readonly List<RoomUpdate> _updates = [];
    private readonly List<(Func<RoomMessageView, bool> Match, TaskCompletionSource<RoomMessageView> Found)> _waiters = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<RoomMessageView> Messages
    {
        get { lock (_gate) return _updates.SelectMany(u => u.Messages).ToList(); }
    }

    public IReadOnlyList<RoomNotice> Notices
    {
        get { lock (_gate) return _updates.SelectMany(u => u.Notices).ToList(); }
    }

    public Task OnUpdate(RoomUpdate update)
    {
        lock (_gate)
        {
            _updates.Add(update);
            foreach (var message in update.Messages)
            {
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (!_waiters[i].Match(message)) continue;
                    _waiters[i].Found.TrySetResult(message);
                    _waiters.RemoveAt(i);
                }
            }
        }
        return Task.CompletedTask;
    }

    public async Task<RoomMessageView> WaitForAsync(string text, TimeSpan? timeout = null)
    {
        var found = new TaskCompletionSource<RoomMessageView>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var existing = _updates.SelectMany(u => u.Messages).FirstOrDefault(m => m.Text == text);
            if (existing is not null) return existing;
            _waiters.Add((m => m.Text == text, found));
        }
        try
        {
            return await found.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"'{text}' did not arrive. Received: {string.Join(" | ", Messages.Select(m => m.Text ?? m.Error?.ToString()))}; notices: {string.Join(" | ", Notices)}");
        }
    }
}
