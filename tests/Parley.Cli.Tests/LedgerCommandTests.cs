using System.Text.Json;
using System.Text.RegularExpressions;
using Parley.Client.Ledger;
using Parley.Protocol.Ledger;

namespace Parley.Cli.Tests;

/// <summary><c>parley witness</c> and <c>parley ledger</c> as child processes against a real server.</summary>
public sealed partial class LedgerCommandTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("parley-ledger-cli-").FullName;

    private string Path_(string name) => Path.Combine(_temp, name);

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [GeneratedRegex(@"^Witness key: (?<vkey>\S+)$", RegexOptions.Multiline)]
    private static partial Regex WitnessKeyLine();

    private async Task<string> WitnessKeyAsync(string name, string server)
    {
        // The first run creates the key; the server does not know it yet, so the round fails (exit 1) but the key is printed.
        var (exit, stdout, stderr) = await ParleyProcess.RunAsync("witness", "--server", server, "--state", Path_(name + "-state"), "--key", Path_(name + ".key"), "--name", name + ".witness.example", "--once");
        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains("not registered", stderr, StringComparison.Ordinal);
        return WitnessKeyLine().Match(stdout).Groups["vkey"].Value;
    }

    private async Task RegisterAsync(string data, string delegation, string vkey)
    {
        var (exit, stdout, stderr) = await ParleyProcess.RunAsync("ledger", "witness", "add", "--data", data, "--delegation", delegation, "--name", delegation + " witness", "--key", vkey);
        Assert.True(exit == ExitCodes.Success, stderr);
        Assert.Contains("queued", stdout, StringComparison.Ordinal);
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> WitnessOnceAsync(string name, string server) =>
        ParleyProcess.RunAsync("witness", "--server", server, "--state", Path_(name + "-state"), "--key", Path_(name + ".key"), "--once");

    [Fact]
    public async Task A_witness_creates_a_private_key_cosigns_once_registered_and_verify_checks_its_cosignature()
    {
        await using var host = await LedgerHost.StartAsync(Path_("data"));
        var vkey = await WitnessKeyAsync("gbr", host.Url);
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("Key privacy rests on Unix file modes here.");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path_("gbr.key")));
        Assert.StartsWith("PRIVATE+KEY+gbr.witness.example+", File.ReadAllText(Path_("gbr.key")), StringComparison.Ordinal);
        Assert.Equal(NoteKeyType.CosignatureV1, NoteKeys.ParseVerifierKey(vkey).Value.Type);

        await RegisterAsync(host.Data, "GBR", vkey);
        var size = await host.AppendAsync(3, "before");
        var (exit, stdout, stderr) = await WitnessOnceAsync("gbr", host.Url);
        Assert.True(exit == ExitCodes.Success, stderr);
        Assert.Contains($"at size {size}", stdout, StringComparison.Ordinal);

        var verify = await ParleyProcess.RunAsync("ledger", "verify", "--server", host.Url, "--witness", vkey, "--json");
        Assert.True(verify.ExitCode == ExitCodes.Success, verify.Stdout + verify.Stderr);
        using var report = JsonDocument.Parse(verify.Stdout);
        Assert.True(report.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(size, report.RootElement.GetProperty("size").GetInt64());
        Assert.Equal("gbr.witness.example", report.RootElement.GetProperty("cosignatures")[0].GetProperty("witness").GetString());

        // A witness the checkpoint does not carry, or a log key that did not sign it: verification fails.
        using var stranger = new CosignatureV1Signer("stranger.example", Parley.Protocol.Crypto.SecretKey.Generate(32), TimeProvider.System);
        Assert.Equal(ExitCodes.Failure, (await ParleyProcess.RunAsync("ledger", "verify", "--server", host.Url, "--witness", stranger.Verifier.VerifierKey)).ExitCode);
        using var otherLog = new Ed25519NoteSigner(NoteKeys.ParseVerifierKey(report.RootElement.GetProperty("logKeys")[0].GetString()!).Value.Name, Parley.Protocol.Crypto.SecretKey.Generate(32));
        Assert.Equal(ExitCodes.Failure, (await ParleyProcess.RunAsync("ledger", "verify", "--server", host.Url, "--log-key", otherLog.Verifier.VerifierKey)).ExitCode);
        Assert.Equal(ExitCodes.Usage, (await ParleyProcess.RunAsync("ledger", "verify", "--server", host.Url, "--witness", "garbage")).ExitCode);
        Assert.Equal(ExitCodes.Usage, (await ParleyProcess.RunAsync("ledger", "verify")).ExitCode);
    }

    [Fact]
    public async Task A_running_witness_follows_the_log_round_after_round_and_stops_cleanly_on_sigterm()
    {
        await using var host = await LedgerHost.StartAsync(Path_("data"));
        await RegisterAsync(host.Data, "GBR", await WitnessKeyAsync("gbr", host.Url));
        var first = await host.AppendAsync(2, "first");
        await using var witness = ParleyProcess.Start("witness", "--server", host.Url, "--state", Path_("gbr-state"), "--key", Path_("gbr.key"), "--interval", "1");
        await witness.WaitForOutputAsync(new Regex($"Cosigned .* at size {first}\\.$"), ParleyProcess.DefaultTimeout);
        var second = await host.AppendAsync(300, "second");
        await witness.WaitForOutputAsync(new Regex($"Cosigned .* at size {second}\\.$"), ParleyProcess.DefaultTimeout);
        witness.Terminate();
        Assert.Equal(ExitCodes.Success, await witness.WaitForExitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task A_server_in_another_process_does_not_sequence_the_same_data_folder()
    {
        await using var serve = ParleyProcess.Start("serve", "--data", Path_("data"), "--urls", "http://127.0.0.1:0", "--log-format", "text");
        await serve.WaitForOutputAsync(new Regex("^Listening on "), ParleyProcess.DefaultTimeout);
        await using var second = await LedgerHost.StartAsync(Path_("data"));
        var sequencer = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Parley.Server.Ledger.LedgerSequencer>(second.Server.App.Services);
        for (var i = 0; i < 600 && !sequencer.Halted; i++) await Task.Delay(100);
        Assert.True(sequencer.Halted, "two processes sequenced one ledger");
        // The lock keeps out sequencers, not readers.
        Assert.Empty(await File.ReadAllBytesAsync(Path.Combine(Path_("data"), "ledger.lock")));
        // Entries queued through the second server are integrated by the first.
        Assert.True(await second.AppendAsync(1, "through the second") > 0);
    }

    public static TheoryData<string, long> Tampering() => new()
    {
        { "modify", 300 },
        { "insert", 300 },
        { "delete", 300 },
        { "reorder", 300 },
        { "modify", 0 },
        { "delete", 599 },
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task Verify_names_the_first_bad_index_of_a_tampered_log_on_the_server_and_in_an_export(string tampering, long index)
    {
        await using var host = await LedgerHost.StartAsync(Path_("data"));
        await host.AppendAsync(600, "entry");
        var before = await ParleyProcess.RunAsync("ledger", "verify", "--server", host.Url, "--json");
        Assert.True(before.ExitCode == ExitCodes.Success, before.Stdout);
        var size = JsonDocument.Parse(before.Stdout).RootElement.GetProperty("size").GetInt64();
        var first = index;
        var other = LedgerEntryBytes("inserted");
        switch (tampering)
        {
            case "modify":
                await host.ExecuteAsync($"UPDATE ledger_queue SET Entry = $entry WHERE Idx = {index}", ("$entry", other));
                break;
            case "insert":
                await host.ExecuteAsync($"UPDATE ledger_queue SET Idx = -Idx - 1 WHERE Idx >= {index}; UPDATE ledger_queue SET Idx = -Idx WHERE Idx < 0; INSERT INTO ledger_queue (Entry, Idx) VALUES ($entry, {index});", ("$entry", other));
                break;
            case "delete":
                await host.ExecuteAsync($"DELETE FROM ledger_queue WHERE Idx = {index}; UPDATE ledger_queue SET Idx = -Idx WHERE Idx > {index}; UPDATE ledger_queue SET Idx = -Idx - 1 WHERE Idx < 0;");
                break;
            case "reorder":
                await host.ExecuteAsync($"UPDATE ledger_queue SET Idx = -1 WHERE Idx = {index}; UPDATE ledger_queue SET Idx = {index} WHERE Idx = {index + 200}; UPDATE ledger_queue SET Idx = {index + 200} WHERE Idx = -1;");
                break;
        }

        var online = await ParleyProcess.RunAsync("ledger", "verify", "--server", host.Url, "--json");
        Assert.Equal(ExitCodes.Failure, online.ExitCode);
        using (var report = JsonDocument.Parse(online.Stdout))
        {
            Assert.False(report.RootElement.GetProperty("ok").GetBoolean());
            Assert.Equal(first, report.RootElement.GetProperty("firstBadIndex").GetInt64());
            Assert.Equal(size, report.RootElement.GetProperty("size").GetInt64());
        }

        var export = await ParleyProcess.RunAsync("ledger", "export", Path_("export"), "--server", host.Url);
        Assert.True(export.ExitCode == ExitCodes.Success, export.Stderr);
        var offline = await ParleyProcess.RunAsync("ledger", "verify", Path_("export"));
        Assert.Equal(ExitCodes.Failure, offline.ExitCode);
        Assert.Contains($"first bad index: {first}", offline.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_intact_export_verifies_offline_with_pinned_keys()
    {
        await using var host = await LedgerHost.StartAsync(Path_("data"));
        await host.AppendAsync(300, "entry");
        Assert.Equal(ExitCodes.Success, (await ParleyProcess.RunAsync("ledger", "export", Path_("export"), "--server", host.Url)).ExitCode);
        Assert.True(File.Exists(Path_("export/tile/0/000")));
        Assert.True(File.Exists(Path_("export/tile/entries/000")));
        var keys = File.ReadAllLines(Path_("export/verifier-key")).Where(l => l.Length > 0).ToArray();
        var (exit, stdout, _) = await ParleyProcess.RunAsync("ledger", "verify", Path_("export"), "--log-key", keys[0], "--log-key", keys[1]);
        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("log keys pinned", stdout, StringComparison.Ordinal);
        // A changed byte in a stored tile is found too.
        var tile = File.ReadAllBytes(Path_("export/tile/0/000"));
        tile[33] ^= 1;
        File.WriteAllBytes(Path_("export/tile/0/000"), tile);
        Assert.Contains("first bad index: 1", (await ParleyProcess.RunAsync("ledger", "verify", Path_("export"))).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_witnesses_shown_inconsistent_checkpoints_both_refuse_and_raise_the_alarm()
    {
        // The real server, with the same keys, shows a fork: the data folder is copied, then the two copies grow apart.
        var original = Path_("data");
        var fork = Path_("fork");
        string w1, w2;
        await using (var host = await LedgerHost.StartAsync(original))
        {
            w1 = await WitnessKeyAsync("w1", host.Url);
            w2 = await WitnessKeyAsync("w2", host.Url);
            await RegisterAsync(original, "GBR", w1);
            await RegisterAsync(original, "FRA", w2);
            await host.AppendAsync(3, "shared");
        }
        CopyFolder(original, fork);

        await using (var host = await LedgerHost.StartAsync(original))
        {
            await host.AppendAsync(5, "original");
            foreach (var witness in new[] { "w1", "w2" })
            {
                var (exit, _, stderr) = await WitnessOnceAsync(witness, host.Url);
                Assert.True(exit == ExitCodes.Success, stderr);
            }
        }
        await using (var host = await LedgerHost.StartAsync(fork))
        {
            await host.AppendAsync(9, "forked");
            foreach (var witness in new[] { "w1", "w2" })
            {
                var (exit, _, stderr) = await WitnessOnceAsync(witness, host.Url);
                Assert.Equal(ExitCodes.Failure, exit);
                Assert.Contains("ALARM", stderr, StringComparison.Ordinal);
                Assert.True(File.Exists(Path.Combine(Path_(witness + "-state"), LedgerWitness.AlarmFile)));
                var evidence = File.ReadAllText(Path.Combine(Path_(witness + "-state"), LedgerWitness.AlarmFile));
                Assert.Contains("Last cosigned checkpoint:", evidence, StringComparison.Ordinal);
                Assert.Contains("Checkpoint served now:", evidence, StringComparison.Ordinal);
            }
            // The forked checkpoint carries no cosignature, and the witnesses keep refusing.
            Assert.Equal(2, SignedNote.Parse(await new HttpClient().GetStringAsync(host.Url + "ledger/checkpoint")).Value.Signatures.Count);
            var again = await WitnessOnceAsync("w1", host.Url);
            Assert.Equal(ExitCodes.Failure, again.ExitCode);
            Assert.Contains("alarm is standing", again.Stderr, StringComparison.Ordinal);
        }
        // Even shown the original log again, a witness with a standing alarm cosigns nothing.
        await using (var host = await LedgerHost.StartAsync(original))
        {
            var (exit, _, stderr) = await WitnessOnceAsync("w2", host.Url);
            Assert.Equal(ExitCodes.Failure, exit);
            Assert.Contains("alarm is standing", stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_witness_refuses_a_same_size_fork_too()
    {
        var original = Path_("data");
        var fork = Path_("fork");
        string w1;
        await using (var host = await LedgerHost.StartAsync(original))
        {
            w1 = await WitnessKeyAsync("w1", host.Url);
            await RegisterAsync(original, "GBR", w1);
            await host.AppendAsync(1, "shared");
        }
        CopyFolder(original, fork);
        long size;
        await using (var host = await LedgerHost.StartAsync(original))
        {
            size = await host.AppendAsync(4, "original");
            Assert.Equal(ExitCodes.Success, (await WitnessOnceAsync("w1", host.Url)).ExitCode);
        }
        await using (var host = await LedgerHost.StartAsync(fork))
        {
            Assert.Equal(size, await host.AppendAsync(4, "forked"));
            var (exit, _, stderr) = await WitnessOnceAsync("w1", host.Url);
            Assert.Equal(ExitCodes.Failure, exit);
            Assert.Contains($"two different trees of size {size}", stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Witness_registration_fails_closed_when_its_ledger_entry_cannot_be_queued()
    {
        await using var host = await LedgerHost.StartAsync(Path_("data"));
        using var witness = new CosignatureV1Signer("w.example", Parley.Protocol.Crypto.SecretKey.Generate(32), TimeProvider.System);
        await host.ExecuteAsync("CREATE TRIGGER ledger_down BEFORE INSERT ON ledger_queue BEGIN SELECT RAISE(ABORT, 'ledger unavailable'); END;");
        var (exit, _, stderr) = await ParleyProcess.RunAsync("ledger", "witness", "add", "--data", host.Data, "--delegation", "GBR", "--name", "GBR witness", "--key", witness.Verifier.VerifierKey);
        Assert.Equal(ExitCodes.Failure, exit);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.Equal(0L, await host.CountAsync("SELECT count(*) FROM witnesses"));

        await host.ExecuteAsync("DROP TRIGGER ledger_down;");
        Assert.Equal(ExitCodes.Success, (await ParleyProcess.RunAsync("ledger", "witness", "add", "--data", host.Data, "--delegation", "GBR", "--name", "GBR witness", "--key", witness.Verifier.VerifierKey)).ExitCode);
        Assert.Equal(ExitCodes.Failure, (await ParleyProcess.RunAsync("ledger", "witness", "add", "--data", host.Data, "--delegation", "FRA", "--name", "FRA witness", "--key", witness.Verifier.VerifierKey)).ExitCode);
        Assert.Equal(ExitCodes.Usage, (await ParleyProcess.RunAsync("ledger", "witness", "add", "--data", host.Data, "--delegation", "gbr", "--name", "x", "--key", witness.Verifier.VerifierKey)).ExitCode);
        Assert.Equal(ExitCodes.Usage, (await ParleyProcess.RunAsync("ledger", "witness", "add", "--data", Path_("nowhere"), "--delegation", "GBR", "--name", "x", "--key", witness.Verifier.VerifierKey)).ExitCode);
        Assert.False(Directory.Exists(Path_("nowhere")));
        Assert.Equal(1L, await host.CountAsync("SELECT count(*) FROM witnesses"));
    }

    private static byte[] LedgerEntryBytes(string subject) =>
        new LedgerEntry(LedgerEventType.AccessDecision, 1, null, "GBR", subject, [new LedgerField("outcome", "deny")]).Encode();

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            if (Path.GetFileName(file) == "ledger.lock") continue;
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        Directory.CreateDirectory(Path.Combine(to, "blobs"));
    }
}
