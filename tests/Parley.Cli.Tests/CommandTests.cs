using System.Text.Json;

namespace Parley.Cli.Tests;

/// <summary>The commands that do not start a server, run as a real <c>parley</c> process.</summary>
public sealed class CommandTests
{
    [Fact]
    public async Task Selftest_json_passes_with_twelve_checks()
    {
        var (exit, stdout, stderr) = await ParleyProcess.RunAsync("selftest", "--json", "--mib", "1");
        Assert.True(exit == ExitCodes.Success, $"exit {exit}\n{stdout}\n{stderr}");
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.True(root.GetProperty("passed").GetBoolean());
        Assert.Equal("PARLEY-PQ1", root.GetProperty("suite").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("backend").GetString()));
        Assert.True(root.GetProperty("totalMilliseconds").GetDouble() > 0);
        var checks = root.GetProperty("checks").EnumerateArray().ToList();
        Assert.Equal(12, checks.Count);
        foreach (var check in checks)
        {
            var name = check.GetProperty("name").GetString();
            Assert.False(string.IsNullOrEmpty(name));
            Assert.True(check.GetProperty("passed").GetBoolean(), name);
            Assert.True(check.GetProperty("milliseconds").GetDouble() >= 0, name);
            Assert.Equal(JsonValueKind.String, check.GetProperty("detail").ValueKind);
        }
        Assert.Contains(checks, c => c.GetProperty("name").GetString()!.Contains("(1 MiB)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Selftest_prints_a_table_and_a_pass_line()
    {
        var (exit, stdout, _) = await ParleyProcess.RunAsync("selftest", "--mib", "1");
        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("ML-KEM-1024 known answer", stdout);
        Assert.Contains("Check", stdout);
        Assert.Matches(@"(?m)^PASS 12 checks on \S+ in \d+ ms\s*$", stdout);
        Assert.DoesNotContain("FAIL", stdout);
    }

    [Fact]
    public async Task Version_names_the_build()
    {
        var (exit, stdout, _) = await ParleyProcess.RunAsync("version");
        Assert.Equal(ExitCodes.Success, exit);
        Assert.Matches(@"^parley \d+\.\d+\.\d+.*PARLEY-PQ1", stdout);

        var (jsonExit, jsonOut, _) = await ParleyProcess.RunAsync("version", "--json");
        Assert.Equal(ExitCodes.Success, jsonExit);
        using var json = JsonDocument.Parse(jsonOut);
        Assert.Matches(@"^\d+\.\d+\.\d+", json.RootElement.GetProperty("version").GetString());
        Assert.Equal("PARLEY-PQ1", json.RootElement.GetProperty("suite").GetString());
        Assert.StartsWith(".NET", json.RootElement.GetProperty("runtime").GetString());
    }

    public static TheoryData<string> Commands()
    {
        // Every command of the real tree, so a new noun is covered without editing this test.
        var data = new TheoryData<string> { "" };
        foreach (var command in ParleyCommandLine.Build().Subcommands) data.Add(command.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_works_for_every_command(string command)
    {
        var args = command.Length == 0 ? new[] { "--help" } : [command, "--help"];
        var (exit, stdout, stderr) = await ParleyProcess.RunAsync(args);
        Assert.True(exit == ExitCodes.Success, $"exit {exit}\n{stderr}");
        Assert.Contains("Usage:", stdout);
        Assert.Contains(command.Length == 0 ? "parley [command]" : $"parley {command}", stdout);
        Assert.Empty(stderr);
    }

    [Theory]
    [InlineData("selftest", "--bogus")]
    [InlineData("frobnicate")]
    [InlineData("selftest", "--mib", "0")]
    [InlineData("selftest", "--mib", "many")]
    [InlineData("serve")]
    [InlineData("serve", "--data", "ignored", "--log-format", "xml")]
    [InlineData("serve", "--data", "ignored", "--tls-cert", "/etc/hostname")]
    [InlineData("demo", "--urls", "http://127.0.0.1:0")]
    [InlineData("witness", "--server", "ftp://127.0.0.1/", "--state", "s", "--key", "k")]
    [InlineData("witness", "--server", "http://127.0.0.1:1/")]
    [InlineData("witness", "--server", "http://127.0.0.1:1/", "--state", "s", "--key", "k", "--interval", "0")]
    [InlineData("ledger", "verify")]
    [InlineData("ledger", "verify", "exported", "--server", "http://127.0.0.1:1/")]
    [InlineData("ledger", "verify", "--server", "http://127.0.0.1:1/?x=1")]
    [InlineData("ledger", "export", "--server", "http://127.0.0.1:1/")]
    [InlineData("ledger", "witness", "add", "--data", "d", "--delegation", "GBR")]
    public async Task Usage_errors_exit_2_with_a_message_and_no_stack_trace(params string[] args)
    {
        var (exit, _, stderr) = await ParleyProcess.RunAsync(args);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.False(string.IsNullOrWhiteSpace(stderr), "no error message");
        Assert.DoesNotContain("   at ", stderr);
        Assert.DoesNotContain("Exception", stderr);
    }

    [Fact]
    public async Task Bare_parley_shows_the_commands_and_exits_2()
    {
        var (exit, stdout, _) = await ParleyProcess.RunAsync();
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("serve", stdout);
        Assert.Contains("selftest", stdout);
    }

    [Fact]
    public void Exit_codes_keep_their_documented_values()
    {
        Assert.Equal(0, ExitCodes.Success);
        Assert.Equal(1, ExitCodes.Failure);
        Assert.Equal(2, ExitCodes.Usage);
        Assert.Equal(3, ExitCodes.Denied);
    }
}
