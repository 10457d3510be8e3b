using System.Text.Json;
using System.Text.RegularExpressions;

namespace Parley.Cli.Tests;

/// <summary>
/// The identity commands as real <c>parley</c> processes against a real server: bootstrap, delegations,
/// enrollment links, enrollment with TOTP, sign-in with codes from this test and from oathtool,
/// whoami, devices, clearances, revocations, denial with exit code 3, sign-out.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class IdentityCommandTests : IAsyncLifetime
{
    private CliServer _server = null!;

    public async Task InitializeAsync() => _server = await CliServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static readonly Dictionary<string, string> NoEnvironment = [];

    private static Dictionary<string, string> Password(string password) => new() { ["PARLEY_PASSWORD"] = password };

    private sealed record Enrolled(string Secret, IReadOnlyList<string> RecoveryCodes, string Stdout);

    // Runs an enrolling command, answers its TOTP prompt with the code of the step shifted by codeStep.
    private static async Task<Enrolled> EnrollAsync(string password, int codeStep, params string[] args)
    {
        await using var parley = ParleyProcess.Start(Password(password), args);
        var secret = (await parley.WaitForOutputAsync(TotpSecretLine(), ParleyProcess.DefaultTimeout)).Groups["secret"].Value;
        await parley.WaitForOutputAsync(PromptLine(), ParleyProcess.DefaultTimeout);
        await Authenticator.AwayFromStepEndAsync();
        await parley.WriteLineAsync(Authenticator.Code(secret, codeStep));
        var exit = await parley.WaitForExitAsync(ParleyProcess.DefaultTimeout);
        Assert.True(exit == ExitCodes.Success, $"exit {exit}\n{parley.StandardOutput}\n{parley.StandardError}");
        var codes = RecoveryCodeLine().Matches(parley.StandardOutput).Select(m => m.Groups["code"].Value).ToList();
        Assert.Equal(10, codes.Count);
        return new Enrolled(secret, codes, parley.StandardOutput);
    }

    private static async Task<string> OkAsync(Dictionary<string, string>? environment, params string[] args)
    {
        var (exit, stdout, stderr) = await ParleyProcess.RunAsync(environment, null, args);
        Assert.True(exit == ExitCodes.Success, $"parley {string.Join(' ', args)}: exit {exit}\n{stdout}\n{stderr}");
        return stdout;
    }

    private static string LinkFrom(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("link").GetString()!;
    }

    [Fact]
    public async Task From_bootstrap_to_revocation_through_the_parley_command()
    {
        var admin = _server.Profile("admin");
        var officer = _server.Profile("so");
        var member = _server.Profile("member");

        // Host administrator from the bootstrap token; the token is single use.
        var adminEnrollment = await EnrollAsync("admin-password", 0, "admin", "init", "--server", _server.Url, "--token", _server.BootstrapToken, "--email", "admin@host.example", "--profile", admin);
        Assert.Contains("otpauth://totp/", adminEnrollment.Stdout);
        Assert.Contains("█", adminEnrollment.Stdout);
        Assert.Contains("host-administrator", adminEnrollment.Stdout);
        Assert.False(File.Exists(Path.Combine(_server.DataDirectory, "bootstrap-token")), "the bootstrap token survived its use");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(admin, "profile.json")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(admin));

        await OkAsync(null, "delegation", "create", "ATL", "--name", "Atlantis", "--nationality", "Atlantean", "--profile", admin);
        var officerLink = LinkFrom(await OkAsync(null, "so", "enroll", "so@atl.example", "--role", "security-officer", "--role", "member", "--delegation", "ATL", "--json", "--profile", admin));
        Assert.DoesNotContain("root=", officerLink);
        var officerEnrollment = await EnrollAsync("officer-password", 0, "enroll", officerLink, "--name", "Atlantis SO", "--profile", officer);
        Assert.Contains("first security officer of ATL", officerEnrollment.Stdout);

        var delegations = await OkAsync(null, "delegation", "list", "--json", "--profile", admin);
        using (var json = JsonDocument.Parse(delegations))
            Assert.Matches("^[0-9a-f]{64}$", json.RootElement[0].GetProperty("rootFingerprint").GetString());

        // The member's link pins the root the officer just founded; the member enrolls with the previous step's code.
        var memberLink = LinkFrom(await OkAsync(null, "so", "enroll", "member@atl.example", "--role", "member", "--json", "--profile", officer));
        Assert.Contains("root=", memberLink);
        var memberEnrollment = await EnrollAsync("member-password", -1, "enroll", memberLink, "--profile", member);
        Assert.Contains("matches your link", memberEnrollment.Stdout);

        // A second profile signs in with oathtool's code (the current step), a third with the next step's code from this test.
        var laptop = _server.Profile("member-laptop");
        var login = await OkAsync(Password("member-password"), "login", "--server", _server.Url, "--user", "member@atl.example", "--otp", await Authenticator.OathtoolAsync(memberEnrollment.Secret), "--profile", laptop);
        Assert.Contains("Signed in as member@atl.example", login);
        var phone = _server.Profile("member-phone");
        await OkAsync(Password("member-password"), "login", "--server", _server.Url, "--user", "member@atl.example", "--otp", Authenticator.Code(memberEnrollment.Secret, +1), "--profile", phone);

        string laptopDevice;
        using (var whoami = JsonDocument.Parse(await OkAsync(null, "whoami", "--json", "--profile", laptop)))
        {
            var root = whoami.RootElement;
            Assert.Equal("member@atl.example", root.GetProperty("email").GetString());
            Assert.Equal("ATL", root.GetProperty("delegation").GetString());
            Assert.Equal("AAL2", root.GetProperty("aal").GetString());
            Assert.Equal(["member"], root.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
            laptopDevice = root.GetProperty("deviceId").GetString()!;
        }

        // Three devices: enrollment, laptop, phone. The laptop revokes the phone's.
        string phoneDevice;
        using (var devices = JsonDocument.Parse(await OkAsync(null, "device", "list", "--json", "--profile", laptop)))
        {
            var list = devices.RootElement.EnumerateArray().ToList();
            Assert.Equal(3, list.Count);
            Assert.True(list.Single(d => d.GetProperty("id").GetString() == laptopDevice).GetProperty("thisDevice").GetBoolean());
            using var phoneWho = JsonDocument.Parse(await OkAsync(null, "whoami", "--json", "--profile", phone));
            phoneDevice = phoneWho.RootElement.GetProperty("deviceId").GetString()!;
        }
        var revoked = await OkAsync(Password("member-password"), "device", "revoke", phoneDevice, "--reason", "phone lost", "--profile", laptop);
        Assert.Contains($"Revoked device {phoneDevice}", revoked);
        using (var devices = JsonDocument.Parse(await OkAsync(null, "device", "list", "--json", "--profile", laptop)))
            Assert.Equal(JsonValueKind.String, devices.RootElement.EnumerateArray().Single(d => d.GetProperty("id").GetString() == phoneDevice).GetProperty("revokedAt").ValueKind);

        // The officer certifies the member, sees it, revokes it and the laptop device.
        var certified = await OkAsync(Password("officer-password"), "so", "certify", "member@atl.example", "--level", "SECRET", "--compartment", "ALPHA", "--valid-days", "30", "--training-until", "2099-01-31", "--profile", officer);
        Assert.Contains("SECRET//ALPHA", certified);
        string serial;
        using (var members = JsonDocument.Parse(await OkAsync(null, "so", "members", "--json", "--profile", officer)))
        {
            var entry = members.RootElement.EnumerateArray().Single(m => m.GetProperty("email").GetString() == "member@atl.example");
            Assert.Equal("SECRET", entry.GetProperty("level").GetString());
            Assert.Equal(["ALPHA"], entry.GetProperty("compartments").EnumerateArray().Select(c => c.GetString()));
            Assert.Equal(2, entry.GetProperty("activeDevices").GetInt32());
            serial = entry.GetProperty("clearanceSerial").GetString()!;
        }
        using (var verified = JsonDocument.Parse(await OkAsync(null, "directory", "verify", "member@atl.example", "--json", "--profile", laptop)))
        {
            Assert.True(verified.RootElement.GetProperty("trusted").GetBoolean());
            Assert.Equal("SECRET", verified.RootElement.GetProperty("clearance").GetProperty("level").GetString());
            Assert.Equal(2, verified.RootElement.GetProperty("devices").GetArrayLength());
        }
        await OkAsync(Password("officer-password"), "so", "revoke", "clearance", serial, "--reason", "left the delegation", "--profile", officer);
        var (untrustedExit, untrusted, _) = await ParleyProcess.RunAsync("directory", "verify", "member@atl.example", "--json", "--profile", officer);
        Assert.Equal(ExitCodes.Failure, untrustedExit);
        using (var refused = JsonDocument.Parse(untrusted))
        {
            Assert.False(refused.RootElement.GetProperty("trusted").GetBoolean());
            var refusal = refused.RootElement.GetProperty("refusals").EnumerateArray().Single();
            Assert.Equal("Revoked", refusal.GetProperty("code").GetString());
            Assert.Contains("left the delegation", refusal.GetProperty("reason").GetString());
        }
        await OkAsync(Password("officer-password"), "so", "revoke", "device", laptopDevice, "--reason", "left the delegation", "--profile", officer);
        using (var members = JsonDocument.Parse(await OkAsync(null, "so", "members", "--json", "--profile", officer)))
        {
            var entry = members.RootElement.EnumerateArray().Single(m => m.GetProperty("email").GetString() == "member@atl.example");
            Assert.True(entry.GetProperty("clearanceRevoked").GetBoolean() || entry.GetProperty("clearanceSerial").ValueKind == JsonValueKind.Null);
            Assert.Equal(1, entry.GetProperty("activeDevices").GetInt32());
        }
        using (var signIns = JsonDocument.Parse(await OkAsync(null, "so", "sign-ins", "--json", "--profile", officer)))
            Assert.Contains(signIns.RootElement.EnumerateArray(), a => a.GetProperty("email").GetString() == "member@atl.example" && a.GetProperty("outcome").GetString() == "succeeded");

        // A wrong password for signing is a clear failure, not a crash.
        var (wrongExit, _, wrongErr) = await ParleyProcess.RunAsync(Password("not-it"), null, "so", "revoke", "device", laptopDevice, "--reason", "x", "--profile", officer);
        Assert.Equal(ExitCodes.Failure, wrongExit);
        Assert.Contains("password does not open", wrongErr);

        // A profile holds one account's keys: another account is sent to another profile.
        var (otherExit, _, otherErr) = await ParleyProcess.RunAsync(Password("officer-password"), null, "login", "--server", _server.Url, "--user", "so@atl.example", "--otp", "123456", "--profile", laptop);
        Assert.Equal(ExitCodes.Usage, otherExit);
        Assert.Contains("belongs to member@atl.example", otherErr);
        var (enrollOverExit, _, enrollOverErr) = await ParleyProcess.RunAsync(Password("x"), null, "enroll", memberLink, "--profile", laptop);
        Assert.Equal(ExitCodes.Usage, enrollOverExit);
        Assert.Contains("another --profile", enrollOverErr);

        // Sign out: the token is gone and the profile no longer acts.
        await OkAsync(null, "logout", "--profile", laptop);
        var (afterExit, _, afterErr) = await ParleyProcess.RunAsync("whoami", "--profile", laptop);
        Assert.Equal(ExitCodes.Usage, afterExit);
        Assert.Contains("signed out", afterErr);

        // A recovery code stands in for the authenticator, once.
        var tablet = _server.Profile("member-tablet");
        var recovered = await OkAsync(Password("member-password"), "login", "--server", _server.Url, "--user", "member@atl.example", "--recovery-code", memberEnrollment.RecoveryCodes[0], "--profile", tablet);
        Assert.Contains("9 left", recovered);
        var (againExit, _, againErr) = await ParleyProcess.RunAsync(Password("member-password"), null, "login", "--server", _server.Url, "--user", "member@atl.example", "--recovery-code", memberEnrollment.RecoveryCodes[0], "--profile", _server.Profile("member-other"));
        Assert.Equal(ExitCodes.Failure, againExit);
        Assert.Contains("wrong", againErr);
    }

    [Fact]
    public async Task A_denied_command_exits_3_with_the_servers_reason()
    {
        var admin = _server.Profile("admin");
        var officer = _server.Profile("so");
        await EnrollAsync("admin-password", 0, "admin", "init", "--server", _server.Url, "--token", _server.BootstrapToken, "--email", "admin@host.example", "--profile", admin);
        await OkAsync(null, "delegation", "create", "BOR", "--name", "Borduria", "--nationality", "Bordurian", "--profile", admin);
        var link = LinkFrom(await OkAsync(null, "so", "enroll", "so@bor.example", "--role", "security-officer", "--delegation", "BOR", "--json", "--profile", admin));
        await EnrollAsync("officer-password", 0, "enroll", link, "--profile", officer);

        // Only the host administrator creates delegations.
        var (exit, stdout, stderr) = await ParleyProcess.RunAsync("delegation", "create", "ZZZ", "--name", "Z", "--nationality", "Z", "--profile", officer);
        Assert.Equal(ExitCodes.Denied, exit);
        Assert.StartsWith("parley: denied: ", stderr);
        Assert.Contains("role", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.DoesNotContain("--verbose", stderr);
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task Signing_in_without_a_password_or_with_a_bad_link_is_a_usage_error()
    {
        var (exit, _, stderr) = await ParleyProcess.RunAsync("login", "--server", _server.Url, "--user", "x@y.example", "--otp", "123456", "--profile", _server.Profile("p"));
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("PARLEY_PASSWORD", stderr);

        var (linkExit, _, linkErr) = await ParleyProcess.RunAsync(Password("x"), null, "enroll", "http://127.0.0.1:1/enroll", "--profile", _server.Profile("p"));
        Assert.Equal(ExitCodes.Usage, linkExit);
        Assert.Contains("token", linkErr);

        var (wrongExit, _, wrongErr) = await ParleyProcess.RunAsync(Password("wrong"), null, "login", "--server", _server.Url, "--user", "nobody@y.example", "--otp", "123456", "--profile", _server.Profile("p"));
        Assert.Equal(ExitCodes.Failure, wrongExit);
        Assert.Contains("wrong", wrongErr);
        Assert.DoesNotContain("   at ", wrongErr);
    }

    [Fact]
    public async Task The_password_can_come_from_stdin()
    {
        var admin = _server.Profile("admin");
        await using var parley = ParleyProcess.Start(NoEnvironment, "admin", "init", "--server", _server.Url, "--token", _server.BootstrapToken, "--email", "admin@host.example", "--password-stdin", "--profile", admin);
        await parley.WriteLineAsync("piped-password");
        var secret = (await parley.WaitForOutputAsync(TotpSecretLine(), ParleyProcess.DefaultTimeout)).Groups["secret"].Value;
        await Authenticator.AwayFromStepEndAsync();
        await parley.WriteLineAsync(Authenticator.Code(secret));
        Assert.Equal(ExitCodes.Success, await parley.WaitForExitAsync(ParleyProcess.DefaultTimeout));

        // The same password, piped again, signs in (next step's code: the current one is spent).
        var (exit, stdout, stderr) = await ParleyProcess.RunAsync(NoEnvironment, "piped-password", "login", "--server", _server.Url, "--user", "admin@host.example", "--otp", Authenticator.Code(secret, +1), "--password-stdin", "--profile", _server.Profile("again"));
        Assert.True(exit == ExitCodes.Success, $"{stdout}\n{stderr}");
    }

    [GeneratedRegex(@"^TOTP secret: (?<secret>[A-Z2-7]+)\s*$")]
    private static partial Regex TotpSecretLine();

    [GeneratedRegex(@"^Enter the 6-digit code")]
    private static partial Regex PromptLine();

    [GeneratedRegex(@"(?m)^  (?<code>[A-Z0-9]{4}(-[A-Z0-9]{4}){3})\s*$")]
    private static partial Regex RecoveryCodeLine();
}
