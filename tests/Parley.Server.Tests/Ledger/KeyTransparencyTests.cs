using System.Net;
using Parley.Client.Ledger;
using Parley.Protocol;
using Parley.Protocol.Api;
using Parley.Protocol.Ledger;
using Parley.Server.Tests.Identity.Support;

namespace Parley.Server.Tests.Ledger;

/// <summary>Key transparency: a client proves that a device's keys are in the log before it encrypts to the device.</summary>
public sealed class KeyTransparencyTests : IAsyncLifetime
{
    private IdentityHost _host = null!;
    private ClientDriver _client = null!;
    private TestAccount _member = null!;

    public async Task InitializeAsync()
    {
        _host = await IdentityHost.StartAsync();
        _client = new ClientDriver(_host);
        var admin = await _client.BootstrapAdministratorAsync();
        var (officer, _) = await _client.DelegationWithOfficerAsync(admin, "KEY", "Keys");
        _member = await _client.MemberAsync(officer, "KEY", "member@key.example");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_registered_device_is_proven_in_the_log_and_other_keys_are_refused()
    {
        var device = await _client.NewDeviceAsync(_member);
        var login = await _client.LoginAsync(_member);
        using (var registered = await _client.PostAsync("/api/devices", new RegisterDeviceRequest(device.Certificate), login.BearerToken))
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var kem = device.Kem.PublicKey.Encode();
        var signing = device.Signing.Q.ToArray();

        var client = await LedgerClient.CreateAsync(_host.Http, await LedgerClient.FetchVerifierKeysAsync(_host.Http), new MemoryCheckpointStore());
        // The registration reaches a checkpoint shortly after the request: the client waits for it as a caller would.
        long index = -1;
        for (var attempt = 0; attempt < 300 && index < 0; attempt++)
        {
            try
            {
                await client.UpdateAsync();
                index = await client.VerifyDeviceLoggedAsync(device.Id, kem, signing);
            }
            catch (LedgerVerificationException e) when (e.Error.Code == ProtocolErrorCode.Untrusted)
            {
                await Task.Delay(100);
            }
        }
        Assert.True(index >= 0, "the device registration never reached a checkpoint");
        var about = await client.GetVerifiedEntriesAboutAsync($"device:{device.Id}");
        Assert.Equal(LedgerEventType.DeviceRegistered, Assert.Single(about).Entry.Type);

        // A substituted key, or a device the log never saw: the client must not encrypt to it.
        var other = await _client.NewDeviceAsync(_member);
        await Assert.ThrowsAsync<LedgerVerificationException>(() => client.VerifyDeviceLoggedAsync(device.Id, other.Kem.PublicKey.Encode(), signing));
        await Assert.ThrowsAsync<LedgerVerificationException>(() => client.VerifyDeviceLoggedAsync(other.Id, other.Kem.PublicKey.Encode(), other.Signing.Q.ToArray()));

        using var bad = await _host.Http.GetAsync("/ledger/entries");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }
}
