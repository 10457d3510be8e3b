using Microsoft.Extensions.DependencyInjection;
using Parley.Client.Ledger;
using Parley.Client.Profiles;
using Parley.Client.Tests.Support;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;
using Parley.Server.Ledger;
using Parley.Server.Storage;

namespace Parley.Client.Tests.Ledger;

/// <summary>A profile's everyday use of a real server's ledger: pinning, own actions proven or reported missing, key transparency for senders.</summary>
public sealed class ProfileLedgerTests
{
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static async Task<long> AppendAsync(IdentityServer server, LedgerEventType type, string subject, params LedgerField[] fields)
    {
        await using var scope = server.Server.App.Services.CreateAsyncScope();
        var record = scope.ServiceProvider.GetRequiredService<LedgerWriter>().Record(type, Guid.NewGuid(), "GBR", subject, fields);
        await scope.ServiceProvider.GetRequiredService<ParleyDbContext>().SaveChangesAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        return (await server.Server.App.Services.GetRequiredService<LedgerSequencer>().WaitForIntegrationAsync(record.QueueId, timeout.Token)).Index;
    }

    private static HttpClient Http(IdentityServer server) => new() { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(60) };

    [Fact]
    public async Task Own_actions_are_proven_by_their_entry_and_a_missing_one_is_reported_only_after_the_grace_period()
    {
        await using var server = await IdentityServer.StartAsync();
        using var http = Http(server);
        var profiles = new MemoryProfileStore();
        await profiles.SaveAsync(LocalProfile.For(server.Url));
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var ledger = new ProfileLedger(http, profiles, new MemoryCheckpointStore(), clock);

        // First contact pins the published keys; later syncs keep them.
        var first = await ledger.SyncAsync();
        Assert.True(first.NewlyPinned);
        Assert.Equal((await LedgerClient.FetchVerifierKeysAsync(http)).Select(k => k.VerifierKey), (await profiles.LoadAsync())!.LedgerKeys);

        // An entry about the subject from before the action does not prove it.
        var logged = $"device:{Guid.NewGuid()}";
        var hidden = $"device:{Guid.NewGuid()}";
        var grantSubject = $"room:{Guid.NewGuid()}";
        await AppendAsync(server, LedgerEventType.DeviceRevoked, logged);
        await ledger.SyncAsync();
        await ledger.ExpectAsync(LedgerEventType.DeviceRevoked, logged, null, null, ledger.Baseline);
        await ledger.ExpectAsync(LedgerEventType.DeviceRevoked, hidden, null, null, ledger.Baseline);
        await ledger.ExpectAsync(LedgerEventType.GrantCreated, grantSubject, "grant", "wanted", ledger.Baseline);
        Assert.All((await profiles.LoadAsync())!.LedgerActions!, a => Assert.Null(a.Index));

        // The entries the server writes: the revocation of one device; about the other, only a registration
        // (another type); about the resource, another grant (another field).
        var index = await AppendAsync(server, LedgerEventType.DeviceRevoked, logged);
        await AppendAsync(server, LedgerEventType.DeviceRegistered, hidden);
        await AppendAsync(server, LedgerEventType.GrantCreated, grantSubject, new LedgerField("grant", "another"));

        var second = await ledger.SyncAsync();
        Assert.False(second.NewlyPinned);
        var proven = Assert.Single(second.Proven);
        Assert.Equal((logged, index), (proven.Subject, proven.Index!.Value));
        Assert.Empty(second.Missing);
        Assert.Equal(new[] { hidden, grantSubject }, second.Waiting.Select(a => a.Subject));
        Assert.Equal(index, (await profiles.LoadAsync())!.LedgerActions!.Single(a => a.Subject == logged).Index);

        // Past the grace period, what is still not in the log is reported; the proven action stays proven.
        clock.Now += ProfileLedger.Grace + TimeSpan.FromSeconds(1);
        var third = await ledger.SyncAsync();
        Assert.Empty(third.Proven);
        Assert.Empty(third.Waiting);
        Assert.Equal(new[] { hidden, grantSubject }, third.Missing.Select(a => a.Subject));

        // The entry turning up late still proves the action.
        var late = await AppendAsync(server, LedgerEventType.GrantCreated, grantSubject, new LedgerField("grant", "wanted"));
        var fourth = await ledger.SyncAsync();
        Assert.Equal(late, Assert.Single(fourth.Proven).Index);
        Assert.Equal(hidden, Assert.Single(fourth.Missing).Subject);
    }

    [Fact]
    public async Task Two_identical_actions_need_two_entries()
    {
        await using var server = await IdentityServer.StartAsync();
        using var http = Http(server);
        var profiles = new MemoryProfileStore();
        await profiles.SaveAsync(LocalProfile.For(server.Url));
        var ledger = new ProfileLedger(http, profiles, new MemoryCheckpointStore());
        await ledger.SyncAsync();
        var subject = $"user:{Guid.NewGuid()}";
        await ledger.ExpectAsync(LedgerEventType.AccountSuspended, subject, null, null, ledger.Baseline);
        await ledger.ExpectAsync(LedgerEventType.AccountSuspended, subject, null, null, ledger.Baseline);
        var once = await AppendAsync(server, LedgerEventType.AccountSuspended, subject);
        var sync = await ledger.SyncAsync();
        Assert.Equal(once, Assert.Single(sync.Proven).Index);
        Assert.Single(sync.Waiting);
        var twice = await AppendAsync(server, LedgerEventType.AccountSuspended, subject);
        Assert.Equal(twice, Assert.Single((await ledger.SyncAsync()).Proven).Index);
        Assert.Equal(new[] { once, twice }, (await profiles.LoadAsync())!.LedgerActions!.Select(a => a.Index!.Value).Order());
    }

    [Fact]
    public async Task The_sdk_records_its_logged_actions_and_senders_encrypt_only_to_devices_whose_keys_are_logged()
    {
        await using var server = await IdentityServer.StartAsync();
        var admin = await server.BootstrapAdminAsync();
        var officer = await server.FoundDelegationAsync(admin, "GBR");
        var member = await server.InviteAsync(officer, "member@gbr.example", Roles.Member, "GBR");

        // The officer's client follows the ledger from its profile: its actions are recorded, then proven.
        var ledger = new ProfileLedger(Http(server), officer.Store, new MemoryCheckpointStore());
        officer.Client.Ledger = ledger;
        await ledger.SyncAsync();
        var clearance = await server.CertifyAsync(officer, member);
        var pending = Assert.Single((await officer.Store.LoadAsync())!.LedgerActions!);
        Assert.Equal((LedgerEventType.ClearanceIssued, $"clearance:{clearance.Serial}", (long?)null), (pending.Type, pending.Subject, pending.Index));
        LedgerSyncResult sync;
        var attempts = 0;
        do sync = await ledger.SyncAsync();
        while (sync.Proven.Count == 0 && ++attempts < 40 && await Delay());
        Assert.Equal($"clearance:{clearance.Serial}", Assert.Single(sync.Proven).Subject);

        // Key transparency: the member's device, as its certificate names it, is in the log.
        var certificate = Signed<DeviceCertificate>.Decode(member.Device.Certificate).Value.Body;
        var index = await officer.Client.EnsureDeviceLoggedAsync(certificate);
        var entry = LedgerEntry.Decode(await ledger.Log!.GetVerifiedEntryAsync(index)).Value;
        Assert.Equal((LedgerEventType.DeviceRegistered, $"device:{certificate.DeviceId}"), (entry.Type, entry.Subject));
        Assert.Equal(index, await officer.Client.EnsureDeviceLoggedAsync(certificate));

        // The same device id with another key (a server swapping keys) is refused, even after the genuine one was cached.
        var swapped = certificate with { KemPublicKey = Signed<DeviceCertificate>.Decode(officer.Device.Certificate).Value.Body.KemPublicKey };
        await Assert.ThrowsAsync<LedgerVerificationException>(() => officer.Client.EnsureDeviceLoggedAsync(swapped));
        // A device the log never saw is refused.
        await Assert.ThrowsAsync<LedgerVerificationException>(() => officer.Client.EnsureDeviceLoggedAsync(certificate with { DeviceId = Guid.NewGuid() }));
        // A client that follows no ledger cannot vouch for any device.
        await Assert.ThrowsAsync<InvalidOperationException>(() => member.Client.EnsureDeviceLoggedAsync(certificate));
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(TimeSpan.FromMilliseconds(250));
        return true;
    }
}
