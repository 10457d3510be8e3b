using System.Text;
using Parley.Client.Flows;
using Parley.Client.Profiles;
using Parley.Client.Tests.Support;
using Parley.Protocol.Identity;

namespace Parley.Client.Tests;

/// <summary>The server never receives a private key, the master key or the password: every request
/// body and header of enrollment, device registration and sign-in is searched for them, and so is
/// the server's data folder.</summary>
public sealed class PrivateKeyTests : IAsyncLifetime
{
    private IdentityServer _server = null!;

    public async Task InitializeAsync() => _server = await IdentityServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task No_private_key_master_key_or_password_reaches_the_server()
    {
        using var admin = await _server.BootstrapAdminAsync();
        var officerRecorder = new RecordingHandler();
        var officerStore = new MemoryProfileStore();
        // The officer founds the delegation (signs its root) through the recorder.
        await admin.Client.CreateDelegationAsync(new Protocol.Api.CreateDelegationRequest("ATL", "Atlantis", "Atlantean"));
        using var officer = await _server.InviteAsync(admin, "so@atl.example", Roles.SecurityOfficer | Roles.Member, "ATL", officerStore, officerRecorder);
        var memberRecorder = new RecordingHandler();
        var memberStore = new MemoryProfileStore();
        using var member = await _server.InviteAsync(officer, "member@atl.example", Roles.Member, "ATL", memberStore, memberRecorder);
        await _server.CertifyAsync(officer, member);

        // A second profile signs in and registers its own device.
        var signInRecorder = new RecordingHandler();
        var laptop = new MemoryProfileStore();
        using var signedIn = await new SignIn(_server.NewClient(signInRecorder), laptop, IdentityServer.Suite)
            .SignInAsync(member.Email, member.Password, new SecondFactor.Totp(Authenticator.Code(member.TotpSecret, +1)), "laptop");

        var secrets = new List<(string What, byte[] Bytes)>
        {
            ("officer password", Encoding.UTF8.GetBytes(officer.Password)),
            ("member password", Encoding.UTF8.GetBytes(member.Password)),
            ("officer identity key", officer.Enrolled.Account.Identity.Key.Export()),
            ("member identity key", member.Enrolled.Account.Identity.Key.Export()),
            ("officer master key", officer.Enrolled.Account.Identity.MasterKey.Export()),
            ("member master key", member.Enrolled.Account.Identity.MasterKey.Export()),
        };
        foreach (var (name, account, store) in new[] { ("officer", officer.Enrolled.Account.Identity, (IProfileStore)officerStore), ("member", member.Enrolled.Account.Identity, memberStore), ("laptop", signedIn.Identity, laptop) })
        {
            using var device = await new ProfileUnlock(store, IdentityServer.Suite).OpenDeviceAsync(account);
            secrets.Add(($"{name} device KEM key", device.Kem.Export()));
            secrets.Add(($"{name} device signing key", device.Signing.D.ToArray()));
        }

        var requests = officerRecorder.Requests.Concat(memberRecorder.Requests).Concat(signInRecorder.Requests).ToList();
        Assert.Contains(requests, r => r.Path == "/api/enroll/complete");
        Assert.Contains(requests, r => r.Path == "/api/devices");
        Assert.Contains(requests, r => r.Path == "/api/auth/login");
        foreach (var (path, body) in requests)
            foreach (var (what, bytes) in secrets)
                Assert.False(Contains(body, bytes), $"{what} was sent to {path}");

        // Nor does the server keep them anywhere in its data folder (database, logs, blobs).
        foreach (var file in Directory.EnumerateFiles(_server.DataDirectory, "*", SearchOption.AllDirectories))
        {
            var content = await ReadSharedAsync(file);
            foreach (var (what, bytes) in secrets)
                Assert.False(Contains(content, bytes), $"{what} is stored in {Path.GetRelativePath(_server.DataDirectory, file)}");
        }
    }

    // Raw, base64 (as JSON carries bytes) and hex.
    private static bool Contains(byte[] haystack, byte[] secret) =>
        haystack.AsSpan().IndexOf(secret) >= 0
        || haystack.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Convert.ToBase64String(secret)[..Math.Min(24, Convert.ToBase64String(secret).Length)])) >= 0
        || haystack.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(secret))) >= 0
        || haystack.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Convert.ToHexString(secret))) >= 0;

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
