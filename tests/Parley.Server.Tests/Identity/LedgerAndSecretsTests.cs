using System.Net;
using System.Text;
using Parley.Protocol.Api;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;
using Parley.Server.Tests.Identity.Support;

namespace Parley.Server.Tests.Identity;

/// <summary>Identity actions are ledgered in the same transaction (fail closed), and the data folder never holds a user's secrets.</summary>
public sealed class LedgerAndSecretsTests : IAsyncLifetime
{
    private IdentityHost _host = null!;
    private ClientDriver _client = null!;
    private TestAccount _admin = null!, _officer = null!;
    private const string Code = "LED";

    public async Task InitializeAsync()
    {
        _host = await IdentityHost.StartAsync();
        _client = new ClientDriver(_host);
        _admin = await _client.BootstrapAdministratorAsync();
        (_officer, _) = await _client.DelegationWithOfficerAsync(_admin, Code, "Ledger");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Every_identity_action_is_ledgered_without_personal_values_in_clear()
    {
        var member = await _client.MemberAsync(_officer, Code, "ledgered@x.example");
        var login = await _client.LoginAsync(member);
        await _client.PostAsync("/api/auth/step-up", new StepUpRequest(_client.NextTotp(member)), login.BearerToken);
        var codes = await ClientDriver.ReadAsync<RecoveryCodesResponse>(await _client.PostEmptyAsync("/api/account/recovery-codes", login.BearerToken));
        await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, null, codes.Codes[0], ClientKind.Cli));
        await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, new byte[32], "123456", null, ClientKind.Cli));
        var device = await _client.NewDeviceAsync(member);
        await _client.PostAsync("/api/devices", new RegisterDeviceRequest(device.Certificate), login.BearerToken);
        await _client.PostAsync($"/api/devices/{device.Id}/revoke", new RevokeRequest(await _client.RevocationAsync(member.IdentityKey, RevocationKind.Device, device.Id, Code)), login.BearerToken);
        await _client.LoginAsync(_officer);
        var certificate = await _client.ClearanceAsync(_officer, member, Code, "SECRET", []);
        var clearance = await ClientDriver.ReadAsync<ClearanceView>(await _client.PostAsync($"/api/delegations/{Code}/clearances", new IssueClearanceRequest(certificate), _officer.Token), HttpStatusCode.Created);
        await _client.PostAsync($"/api/delegations/{Code}/clearances/{clearance.Serial}/revoke", new RevokeRequest(await _client.RevocationAsync(_officer.IdentityKey, RevocationKind.Clearance, clearance.Serial, Code)), _officer.Token);
        var link = await _client.InviteAsync(_officer, Code, "withdrawn@x.example", "member");
        await _client.DeleteAsync($"/api/delegations/{Code}/enrollments/{link.Enrollment.Id}", _officer.Token);
        for (var i = 0; i < 5; i++) await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, new byte[32], "123456", null, ClientKind.Cli));
        await _client.PostEmptyAsync("/api/auth/logout", _officer.Token);

        var entries = await LedgerQueue.ReadAsync(_host);
        var expected = new[]
        {
            LedgerEventType.BootstrapCompleted, LedgerEventType.SignInSucceeded, LedgerEventType.SignInFailed, LedgerEventType.AccountLocked,
            LedgerEventType.SignedOut, LedgerEventType.SteppedUp, LedgerEventType.EnrollmentCreated, LedgerEventType.EnrollmentCompleted,
            LedgerEventType.EnrollmentWithdrawn, LedgerEventType.TotpEnrolled, LedgerEventType.RecoveryCodesGenerated, LedgerEventType.RecoveryCodeUsed,
            LedgerEventType.DelegationCreated, LedgerEventType.DelegationRootPublished, LedgerEventType.DeviceRegistered, LedgerEventType.DeviceRevoked,
            LedgerEventType.ClearanceIssued, LedgerEventType.ClearanceRevoked,
        };
        Assert.Empty(expected.Except(entries.Select(e => e.Type)));
        // Identity's events, the access decision behind every request that needed a session, and the
        // hash of the web client the server logged at start.
        Assert.All(entries, e => Assert.True((int)e.Type is >= 1000 and <= 1061 || e.Type is LedgerEventType.AccessDecision or LedgerEventType.WebClientBundle, $"{e.Type}"));
        Assert.Contains(entries, e => e.Type == LedgerEventType.AccessDecision && e.Subject == $"delegation:{Code}" && e.Field("action") == "clearance.manage" && e.Field("decision") == "permit");
        // Times are the server's clock.
        Assert.All(entries, e => Assert.True(e.TimeMilliseconds <= _host.Clock.GetUtcNow().ToUnixTimeMilliseconds()));

        var everything = string.Join("\n", entries.Select(e => $"{e.Subject} {string.Join(" ", e.Fields.Select(f => f.Name + "=" + f.Value))}"));
        foreach (var personal in new[] { member.Email, _officer.Email, "withdrawn@x.example", "127.0.0.1", member.Password, codes.Codes[0] })
            Assert.DoesNotContain(personal, everything, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task When_the_ledger_cannot_be_written_the_action_does_not_happen()
    {
        var member = await _client.MemberAsync(_officer, Code, "failclosed@x.example");
        var device = await _client.NewDeviceAsync(member);
        var certificate = await _client.ClearanceAsync(_officer, member, Code, "SECRET", []);
        await _client.LoginAsync(_admin);
        var before = await SnapshotAsync();

        await _host.SqlAsync("CREATE TRIGGER ledger_down BEFORE INSERT ON ledger_queue BEGIN SELECT RAISE(ABORT, 'ledger unavailable'); END;");
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/delegations", new CreateDelegationRequest("NEW", "New", "Newish"), _admin.Token), HttpStatusCode.InternalServerError);
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, _client.NextTotp(member), null, ClientKind.Cli)), HttpStatusCode.InternalServerError);
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, new byte[32], _client.NextTotp(member), null, ClientKind.Cli)), HttpStatusCode.InternalServerError);
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/devices", new RegisterDeviceRequest(device.Certificate), member.Token), HttpStatusCode.InternalServerError);
        await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/delegations/{Code}/clearances", new IssueClearanceRequest(certificate), _officer.Token), HttpStatusCode.InternalServerError);
        await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/delegations/{Code}/enrollments", new CreateEnrollmentRequest("never@x.example", ["member"], null, null), _officer.Token), HttpStatusCode.InternalServerError);
        Assert.Equal(before, await SnapshotAsync());

        await _host.SqlAsync("DROP TRIGGER ledger_down;");
        Assert.Equal(HttpStatusCode.Created, (await _client.PostAsync("/api/delegations", new CreateDelegationRequest("NEW", "New", "Newish"), _admin.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _client.PostAsync("/api/devices", new RegisterDeviceRequest(device.Certificate), member.Token)).StatusCode);
        Assert.NotEqual(before, await SnapshotAsync());
    }

    [Fact]
    public async Task The_data_folder_holds_no_private_key_password_auth_secret_or_second_factor_in_clear()
    {
        var member = await _client.MemberAsync(_officer, Code, "secrets@x.example");
        var login = await _client.LoginAsync(member);
        var device = await _client.NewDeviceAsync(member);
        Assert.Equal(HttpStatusCode.Created, (await _client.PostAsync("/api/devices", new RegisterDeviceRequest(device.Certificate), login.BearerToken)).StatusCode);
        await _client.LoginAsync(_officer);
        await _client.PostAsync($"/api/delegations/{Code}/clearances", new IssueClearanceRequest(await _client.ClearanceAsync(_officer, member, Code, "SECRET", [])), _officer.Token);

        var identity = member.IdentityKey.Export();
        var kem = device.Kem.Export();
        var needles = new Dictionary<string, byte[]>
        {
            ["identity private key"] = identity,
            ["ML-DSA-87 seed"] = identity[..32],
            ["identity P-384 scalar"] = identity[32..],
            ["device KEM private key"] = kem,
            ["device ML-KEM seed"] = kem[..64],
            ["device P-384 signing scalar"] = device.Signing.D.ToArray(),
            ["master key"] = member.MasterKey,
            ["auth secret"] = member.AuthSecret,
            ["password"] = Encoding.UTF8.GetBytes(member.Password),
            ["TOTP secret"] = member.TotpSecret,
            ["TOTP secret (base32)"] = Encoding.ASCII.GetBytes(member.TotpBase32),
            ["recovery code"] = Encoding.ASCII.GetBytes(member.RecoveryCodes[5]),
            ["session token"] = Encoding.ASCII.GetBytes(login.BearerToken!),
        };
        foreach (var (name, value) in needles.ToList())
        {
            needles[name + " (hex)"] = Encoding.ASCII.GetBytes(Convert.ToHexString(value));
            needles[name + " (hex, lower)"] = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(value));
            needles[name + " (base64)"] = Encoding.ASCII.GetBytes(Convert.ToBase64String(value));
        }
        // The scan must be able to find what is there: the public key and the sealed key are stored.
        var files = Directory.EnumerateFiles(_host.DataDirectory, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => f.EndsWith("parley.db-wal", StringComparison.Ordinal) || f.EndsWith("parley.db", StringComparison.Ordinal));
        var contents = files.Select(f => (File: f, Bytes: File.ReadAllBytes(f))).ToList();
        Assert.Contains(contents, c => c.Bytes.AsSpan().IndexOf(member.SealedIdentityKey) >= 0);
        Assert.Contains(contents, c => c.Bytes.AsSpan().IndexOf(member.IdentityKey.PublicKey.Encode()) >= 0);
        foreach (var (file, bytes) in contents)
            foreach (var (name, needle) in needles)
                Assert.False(bytes.AsSpan().IndexOf(needle) >= 0, $"{Path.GetFileName(file)} contains the {name}");
    }

    private async Task<string> SnapshotAsync()
    {
        var counts = new List<string>();
        foreach (var table in new[] { "delegations", "users", "sessions", "sign_in_attempts", "devices", "clearances", "enrollments", "ledger_queue", "unknown_account_lockouts" })
            counts.Add($"{table}={await _host.CountAsync($"SELECT count(*) FROM {table}")}");
        counts.Add($"failed={await _host.CountAsync("SELECT coalesce(sum(FailedAttempts), 0) FROM users")}");
        counts.Add($"totp={await _host.CountAsync("SELECT coalesce(sum(TotpLastStep), 0) FROM users")}");
        return string.Join(", ", counts);
    }
}
