using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Parley.Cli.Tests;

/// <summary>
/// <c>parley demo</c> as a real process: it seeds ATL and BOR through the real flows, writes
/// demo.json (0600), serves the web client, and a seeded user signs in with the CLI from the values
/// in demo.json and an external authenticator; a second run on the same folder does not reseed.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class DemoTests : IDisposable
{
    // Seeding enrolls nine people from one address, which the server rate-limits like any other.
    private static readonly TimeSpan SeedTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private readonly string _temp = Directory.CreateTempSubdirectory("parley-cli-demo-").FullName;

    private string Data => Path.Combine(_temp, "data");

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Demo_seeds_two_delegations_writes_demo_json_and_a_seeded_user_signs_in_with_the_cli()
    {
        string firstRun;
        await using (var parley = ParleyProcess.Start("demo", "--data", Data, "--urls", "http://127.0.0.1:0"))
        {
            var running = await parley.WaitForOutputAsync(RunningLine(), SeedTimeout);
            var address = new Uri(running.Groups["url"].Value);
            firstRun = parley.StandardOutput;
            Assert.Contains("Server health: ok", firstRun);
            Assert.Contains("Demo accounts: seeded ATL and BOR", firstRun);

            var path = Path.Combine(Data, "demo.json");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(path));
            var users = manifest.RootElement.GetProperty("users").EnumerateArray().ToList();
            Assert.Equal(9, users.Count);
            foreach (var code in new[] { "ATL", "BOR" })
            {
                var delegation = users.Where(u => u.GetProperty("delegation").GetString() == code).ToList();
                Assert.Equal(4, delegation.Count);
                Assert.Single(delegation, u => u.GetProperty("role").GetString() == "security-officer");
                Assert.Single(delegation, u => u.GetProperty("role").GetString() == "head-of-delegation");
                var members = delegation.Where(u => u.GetProperty("role").GetString() == "member").Select(u => u.GetProperty("clearance").GetString()).Order().ToList();
                Assert.Equal(["CONFIDENTIAL", "SECRET//ALPHA"], members);
            }
            foreach (var user in users)
            {
                Assert.Matches("^[A-Z2-7]{16,}$", user.GetProperty("totpSecret").GetString());
                Assert.True(user.GetProperty("password").GetString()!.Length >= 16);
                // The table prints the same values.
                Assert.Contains(user.GetProperty("email").GetString()!, firstRun);
                Assert.Contains(user.GetProperty("password").GetString()!, firstRun);
                Assert.Contains(user.GetProperty("totpSecret").GetString()!, firstRun);
            }
            Assert.Equal(users.Count, users.Select(u => u.GetProperty("password").GetString()).Distinct().Count());

            using (var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) })
            using (var index = await http.GetAsync("/"))
            {
                Assert.Equal(HttpStatusCode.OK, index.StatusCode);
                Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
            }

            // A newcomer signs in as the ATL analyst with the values from demo.json and oathtool.
            var analyst = users.Single(u => u.GetProperty("delegation").GetString() == "ATL" && u.GetProperty("clearance").GetString() == "SECRET//ALPHA");
            var profile = Path.Combine(_temp, "newcomer");
            var environment = new Dictionary<string, string> { ["PARLEY_PASSWORD"] = analyst.GetProperty("password").GetString()! };
            var (exit, stdout, stderr) = await ParleyProcess.RunAsync(environment, null, "login", "--server", address.ToString(), "--user", analyst.GetProperty("email").GetString()!,
                "--otp", await Authenticator.OathtoolAsync(analyst.GetProperty("totpSecret").GetString()!), "--profile", profile);
            Assert.True(exit == ExitCodes.Success, $"{stdout}\n{stderr}");
            var (whoExit, who, whoErr) = await ParleyProcess.RunAsync("whoami", "--json", "--profile", profile);
            Assert.True(whoExit == ExitCodes.Success, whoErr);
            using (var json = JsonDocument.Parse(who))
            {
                Assert.Equal(analyst.GetProperty("email").GetString(), json.RootElement.GetProperty("email").GetString());
                Assert.Equal("ATL", json.RootElement.GetProperty("delegation").GetString());
            }

            parley.Terminate();
            Assert.Equal(ExitCodes.Success, await parley.WaitForExitAsync(StopTimeout));
        }

        // Again on the seeded folder: same accounts, nothing reseeded.
        var before = await File.ReadAllTextAsync(Path.Combine(Data, "demo.json"));
        await using (var again = ParleyProcess.Start("demo", "--data", Data, "--urls", "http://127.0.0.1:0"))
        {
            await again.WaitForOutputAsync(RunningLine(), SeedTimeout);
            Assert.Contains("Demo accounts: already seeded", again.StandardOutput);
            again.Terminate();
            Assert.Equal(ExitCodes.Success, await again.WaitForExitAsync(StopTimeout));
        }
        Assert.Equal(before, await File.ReadAllTextAsync(Path.Combine(Data, "demo.json")));
    }

    [GeneratedRegex(@"^Parley is running at (?<url>http://127\.0\.0\.1:\d+/)\s+\(Ctrl\+C to stop\)$")]
    private static partial Regex RunningLine();
}
