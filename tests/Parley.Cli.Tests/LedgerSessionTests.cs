using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Parley.Protocol.Ledger;

namespace Parley.Cli.Tests;

/// <summary>
/// The ledger in everyday CLI use: a profile pins the log at first contact, every signed-in command
/// moves the persisted checkpoint forward, a forked or rolled-back server is refused (exit 1, and a fork
/// for good), and <c>parley ledger mine</c> shows the profile's own actions proven in the log.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class LedgerSessionTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("parley-ledger-session-").FullName;

    private string Child(string name) => Path.Combine(_temp, name);

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static Dictionary<string, string> Password(string password) => new() { ["PARLEY_PASSWORD"] = password };

    [GeneratedRegex(@"^TOTP secret: (?<secret>[A-Z2-7]+)\s*$")]
    private static partial Regex TotpSecretLine();

    [GeneratedRegex(@"^Enter the 6-digit code")]
    private static partial Regex PromptLine();

    // Runs an enrolling command and answers its TOTP prompt; returns the TOTP secret and what it printed.
    private static async Task<(string Secret, string Stdout)> EnrollAsync(string password, params string[] args)
    {
        await using var parley = ParleyProcess.Start(Password(password), args);
        var secret = (await parley.WaitForOutputAsync(TotpSecretLine(), ParleyProcess.DefaultTimeout)).Groups["secret"].Value;
        await parley.WaitForOutputAsync(PromptLine(), ParleyProcess.DefaultTimeout);
        await Authenticator.AwayFromStepEndAsync();
        await parley.WriteLineAsync(Authenticator.Code(secret));
        var exit = await parley.WaitForExitAsync(ParleyProcess.DefaultTimeout);
        Assert.True(exit == ExitCodes.Success, $"exit {exit}\n{parley.StandardOutput}\n{parley.StandardError}");
        return (secret, parley.StandardOutput);
    }

    private static async Task<string> OkAsync(Dictionary<string, string>? environment, params string[] args)
    {
        var (exit, stdout, stderr) = await ParleyProcess.RunAsync(environment, null, args);
        Assert.True(exit == ExitCodes.Success, $"parley {string.Join(' ', args)}: exit {exit}\n{stdout}\n{stderr}");
        return stdout;
    }

    private static string Bootstrap(string data) => File.ReadAllText(Path.Combine(data, "bootstrap-token")).Trim();

    private string NewProfile(string name)
    {
        Directory.CreateDirectory(Child("profiles"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return Path.Combine(Child("profiles"), name);
    }

    // The size of the checkpoint the profile keeps (its single log's file under ledger/).
    private static long PersistedSize(string profile)
    {
        var file = Assert.Single(Directory.GetFiles(Path.Combine(profile, "ledger"), "*.checkpoint"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var checkpoint = Checkpoint.Parse(SignedNote.Parse(File.ReadAllText(file)).Value.Text);
        Assert.True(checkpoint.IsOk, checkpoint.IsOk ? "" : checkpoint.Error.Message);
        return checkpoint.Value.Size;
    }

    // Moving the profile to another address of "the same" server: a second machine answering for its name.
    private static void PointProfileAt(string profile, string url)
    {
        var path = Path.Combine(profile, "profile.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        json["server"] = url;
        File.WriteAllText(path, json.ToJsonString());
    }

    private static void CopyData(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "ledger.lock"))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }

    private async Task<string> AdminAsync(LedgerHost host, string profile)
    {
        var (_, stdout) = await EnrollAsync("admin-password", "admin", "init", "--server", host.Url, "--token", Bootstrap(host.Data), "--email", "admin@host.example", "--profile", profile);
        return stdout;
    }

    [Fact]
    public async Task The_log_is_pinned_at_first_contact_and_the_persisted_checkpoint_advances_across_commands()
    {
        var admin = NewProfile("admin");
        await using var host = await LedgerHost.StartAsync(Child("data"));
        var enrolled = await AdminAsync(host, admin);
        Assert.Contains("Pinned the ledger keys of", enrolled);
        using (var profile = JsonDocument.Parse(File.ReadAllText(Path.Combine(admin, "profile.json"))))
        {
            var keys = profile.RootElement.GetProperty("ledgerKeys").EnumerateArray().Select(k => k.GetString()!).ToList();
            using var http = new HttpClient();
            Assert.Equal((await http.GetStringAsync(host.Url + "ledger/verifier-key")).Split('\n', StringSplitOptions.RemoveEmptyEntries), keys);
        }

        var first = PersistedSize(admin);
        // The log grows between commands (the commands' own access decisions, and these events, integrated before
        // the next command starts): each command proves the larger log consistent with the kept one and keeps it.
        await host.AppendAsync(1, "between");
        await OkAsync(null, "delegation", "list", "--json", "--profile", admin);
        var second = PersistedSize(admin);
        await host.AppendAsync(1, "between");
        await OkAsync(null, "whoami", "--json", "--profile", admin);
        var third = PersistedSize(admin);
        Assert.True(first < second && second < third, $"{first}, {second}, {third}");

        // A server that signs with another key under the pinned name is refused.
        var path = Path.Combine(admin, "profile.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        var pinned = json["ledgerKeys"]!.AsArray();
        using var otherKey = new Ed25519NoteSigner(pinned[0]!.GetValue<string>().Split('+')[0], Parley.Protocol.Crypto.SecretKey.Generate(32));
        pinned[0] = otherKey.Verifier.VerifierKey;
        File.WriteAllText(path, json.ToJsonString());
        var (exit, _, stderr) = await ParleyProcess.RunAsync("whoami", "--profile", admin);
        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains("the server's ledger is refused", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task A_forked_server_is_refused_with_exit_1_and_from_then_on()
    {
        var admin = NewProfile("admin");
        string url;
        await using (var host = await LedgerHost.StartAsync(Child("data")))
            await AdminAsync(host, admin);
        CopyData(Child("data"), Child("fork"));

        // The real server goes on; the profile follows it past the point where the copy was taken.
        await using (var host = await LedgerHost.StartAsync(Child("data")))
        {
            PointProfileAt(admin, host.Url);
            await OkAsync(null, "delegation", "list", "--profile", admin);
            await OkAsync(null, "delegation", "list", "--profile", admin);
        }
        var accepted = PersistedSize(admin);

        // The copy grows another history, larger than what the profile accepted: same keys, same name, another log.
        await using (var fork = await LedgerHost.StartAsync(Child("fork")))
        {
            Assert.True(await fork.AppendAsync((int)accepted + 5, "forked") > accepted);
            url = fork.Url;
            PointProfileAt(admin, url);
            var (exit, stdout, stderr) = await ParleyProcess.RunAsync("delegation", "list", "--json", "--profile", admin);
            Assert.Equal(ExitCodes.Failure, exit);
            Assert.Equal("", stdout);
            Assert.Contains("the server's ledger is refused", stderr);
            Assert.Contains("evidence is kept in", stderr);
            Assert.DoesNotContain("   at ", stderr);
            Assert.Single(Directory.GetFiles(Path.Combine(admin, "ledger"), "*.FORK"));
            Assert.Equal(accepted, PersistedSize(admin));

            (exit, _, stderr) = await ParleyProcess.RunAsync("whoami", "--profile", admin);
            Assert.Equal(ExitCodes.Failure, exit);
            Assert.Contains("forked before", stderr);
        }

        // Back on the real server, the profile still refuses: the evidence stands until someone deals with it.
        await using (var host = await LedgerHost.StartAsync(Child("data")))
        {
            PointProfileAt(admin, host.Url);
            var (exit, _, stderr) = await ParleyProcess.RunAsync("whoami", "--profile", admin);
            Assert.Equal(ExitCodes.Failure, exit);
            Assert.Contains("forked before", stderr);
            // Signing in again does not get round it either.
            (exit, _, stderr) = await ParleyProcess.RunAsync(Password("admin-password"), null, "login", "--server", host.Url, "--user", "admin@host.example", "--otp", "000000", "--profile", admin);
            Assert.Equal(ExitCodes.Failure, exit);
            Assert.Contains("forked before", stderr);
        }
    }

    [Fact]
    public async Task A_server_restored_to_an_older_state_is_refused_as_a_rollback()
    {
        var admin = NewProfile("admin");
        await using (var host = await LedgerHost.StartAsync(Child("data")))
            await AdminAsync(host, admin);
        CopyData(Child("data"), Child("backup"));
        await using (var host = await LedgerHost.StartAsync(Child("data")))
        {
            PointProfileAt(admin, host.Url);
            await OkAsync(null, "delegation", "list", "--profile", admin);
            await OkAsync(null, "delegation", "list", "--profile", admin);
        }
        var accepted = PersistedSize(admin);
        await using (var backup = await LedgerHost.StartAsync(Child("backup")))
        {
            PointProfileAt(admin, backup.Url);
            var (exit, _, stderr) = await ParleyProcess.RunAsync("whoami", "--profile", admin);
            Assert.Equal(ExitCodes.Failure, exit);
            Assert.Contains("the server's ledger is refused", stderr);
            Assert.Contains("went back from size", stderr);
            Assert.Equal(accepted, PersistedSize(admin));
        }
    }

    [Fact]
    public async Task Own_actions_are_proven_included_and_ledger_mine_shows_their_index()
    {
        var admin = NewProfile("admin");
        var officer = NewProfile("so");
        var laptop = NewProfile("so-laptop");
        await using var host = await LedgerHost.StartAsync(Child("data"));
        await AdminAsync(host, admin);
        await OkAsync(null, "delegation", "create", "ATL", "--name", "Atlantis", "--nationality", "Atlantean", "--profile", admin);
        string link;
        using (var created = JsonDocument.Parse(await OkAsync(null, "so", "enroll", "so@atl.example", "--role", "security-officer", "--role", "member", "--delegation", "ATL", "--json", "--profile", admin)))
            link = created.RootElement.GetProperty("link").GetString()!;
        var (secret, _) = await EnrollAsync("officer-password", "enroll", link, "--profile", officer);
        await Authenticator.AwayFromStepEndAsync();
        await OkAsync(Password("officer-password"), "login", "--server", host.Url, "--user", "so@atl.example", "--otp", Authenticator.Code(secret, +1), "--profile", laptop);
        string laptopDevice;
        using (var who = JsonDocument.Parse(await OkAsync(null, "whoami", "--json", "--profile", laptop)))
            laptopDevice = who.RootElement.GetProperty("deviceId").GetString()!;
        await OkAsync(Password("officer-password"), "device", "revoke", laptopDevice, "--reason", "lost", "--profile", officer);

        // The admin's own actions: the delegation and the enrollment link.
        var adminActions = await MineAsync(admin, 2);
        Assert.Contains(adminActions, a => a.Type == nameof(LedgerEventType.DelegationCreated) && a.Subject == "delegation:ATL");
        Assert.Contains(adminActions, a => a.Type == nameof(LedgerEventType.EnrollmentCreated));

        // The officer's: its device's registration at enrollment and the revocation of the laptop's.
        var officerActions = await MineAsync(officer, 2);
        var revoked = Assert.Single(officerActions, a => a.Type == nameof(LedgerEventType.DeviceRevoked));
        Assert.Equal($"device:{laptopDevice}", revoked.Subject);
        Assert.Single(officerActions, a => a.Type == nameof(LedgerEventType.DeviceRegistered));

        // The index is the real one: the entry there is the revocation.
        using var http = new HttpClient { BaseAddress = new Uri(host.Url) };
        var keys = await Parley.Client.Ledger.LedgerClient.FetchVerifierKeysAsync(http);
        var client = await Parley.Client.Ledger.LedgerClient.CreateAsync(http, keys, new Parley.Client.Ledger.MemoryCheckpointStore());
        var entry = LedgerEntry.Decode(await client.GetVerifiedEntryAsync(revoked.Index!.Value)).Value;
        Assert.Equal(LedgerEventType.DeviceRevoked, entry.Type);
        Assert.Equal($"device:{laptopDevice}", entry.Subject);

        // The text form lists the same.
        var text = await OkAsync(null, "ledger", "mine", "--profile", officer);
        Assert.Contains($"entry {revoked.Index}", text);
    }

    private sealed record MineAction(string Type, string Subject, long? Index, string State);

    // 'parley ledger mine --json' until the expected number of actions are proven: the sequencer integrates
    // entries shortly after the action answers, and an action not integrated yet is rightly still pending.
    private static async Task<IReadOnlyList<MineAction>> MineAsync(string profile, int proven)
    {
        List<MineAction> actions = [];
        for (var attempt = 0; attempt < 40; attempt++)
        {
            var (exit, stdout, stderr) = await ParleyProcess.RunAsync("ledger", "mine", "--json", "--profile", profile);
            Assert.True(exit == ExitCodes.Success, $"exit {exit}\n{stdout}\n{stderr}");
            using var json = JsonDocument.Parse(stdout);
            actions = json.RootElement.GetProperty("actions").EnumerateArray().Select(a => new MineAction(
                a.GetProperty("type").GetString()!, a.GetProperty("subject").GetString()!,
                a.GetProperty("index").ValueKind == JsonValueKind.Number ? a.GetProperty("index").GetInt64() : null, a.GetProperty("state").GetString()!)).ToList();
            Assert.All(actions, a => Assert.Equal(a.Index is null ? "pending" : "proven", a.State));
            if (actions.Count(a => a.Index is not null) >= proven) return actions;
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
        throw new Xunit.Sdk.XunitException($"{profile}: only {actions.Count(a => a.Index is not null)} of {proven} actions proven: {string.Join(", ", actions)}");
    }
}
