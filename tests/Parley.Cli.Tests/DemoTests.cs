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

            await RoomsThroughTheCliAsync(users, firstRun);
            await DocumentThroughTheCliAsync(users, manifest.RootElement.GetProperty("document"), firstRun);

            parley.Terminate();
            Assert.Equal(ExitCodes.Success, await parley.WaitForExitAsync(StopTimeout));
        }

        // Again on the seeded folder: same accounts, nothing reseeded.
        var before = await File.ReadAllTextAsync(Path.Combine(Data, "demo.json"));
        await using (var again = ParleyProcess.Start("demo", "--data", Data, "--urls", "http://127.0.0.1:0"))
        {
            await again.WaitForOutputAsync(RunningLine(), SeedTimeout);
            Assert.Contains("Demo accounts: already seeded", again.StandardOutput);
            Assert.Contains("Demo rooms: already seeded", again.StandardOutput);
            Assert.Contains("Demo documents: already seeded", again.StandardOutput);
            again.Terminate();
            Assert.Equal(ExitCodes.Success, await again.WaitForExitAsync(StopTimeout));
        }
        Assert.Equal(before, await File.ReadAllTextAsync(Path.Combine(Data, "demo.json")));
    }

    // The seeded rooms, seen with `parley room` and `parley read`/`send` from the seeded profiles.
    private static async Task RoomsThroughTheCliAsync(List<JsonElement> users, string firstRun)
    {
        Assert.Contains("Demo rooms: Treaty talks (CONFIDENTIAL//REL TO ATL, BOR), ATL caucus", firstRun);
        JsonElement User(string email) => users.Single(u => u.GetProperty("email").GetString() == email);
        Dictionary<string, string> Password(JsonElement user) => new() { ["PARLEY_PASSWORD"] = user.GetProperty("password").GetString()! };
        string Profile(JsonElement user) => user.GetProperty("profile").GetString()!;
        var atlHead = User("head@atl.example");
        var borHead = User("head@bor.example");
        var interpreter = User("interpreter@atl.example");

        // room list --json: each room's id, name and label.
        var (listExit, list, listErr) = await ParleyProcess.RunAsync("room", "list", "--json", "--profile", Profile(atlHead));
        Assert.True(listExit == ExitCodes.Success, listErr);
        using (var rooms = JsonDocument.Parse(list))
        {
            var byName = rooms.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!, r => r.GetProperty("label").GetString());
            Assert.Equal("CONFIDENTIAL//REL TO ATL, BOR", byName["Treaty talks"]);
            Assert.Equal("CONFIDENTIAL//REL TO ATL", byName["ATL caucus"]);
            Assert.Equal("SECRET//REL TO ATL", byName["ATL technical cell"]);
            Assert.All(rooms.RootElement.EnumerateArray(), r => Assert.True(Guid.TryParse(r.GetProperty("id").GetString(), out _)));
        }

        // BOR's head reads the negotiation: ATL's messages decrypted on their device, their own from the copy they kept.
        var (readExit, read, readErr) = await ParleyProcess.RunAsync(Password(borHead), null, "read", "Treaty talks", "--json", "--profile", Profile(borHead));
        Assert.True(readExit == ExitCodes.Success, readErr);
        using (var log = JsonDocument.Parse(read))
        {
            var messages = log.RootElement.GetProperty("messages").EnumerateArray().ToList();
            Assert.Equal(4, messages.Count);
            Assert.All(messages, m => Assert.True(m.GetProperty("decrypted").GetBoolean()));
            Assert.Contains("on-site inspections", messages[0].GetProperty("text").GetString());
            Assert.Equal("head@atl.example", messages[0].GetProperty("sender").GetString());
            Assert.Equal("(C//REL TO ATL, BOR)", messages[0].GetProperty("portionMark").GetString());
            Assert.True(messages[1].GetProperty("fromThisDevice").GetBoolean());
        }

        // They answer; ATL's head reads the answer.
        var (sendExit, _, sendErr) = await ParleyProcess.RunAsync(Password(borHead), null, "send", "Treaty talks", "We propose to meet again on Thursday.", "--profile", Profile(borHead));
        Assert.True(sendExit == ExitCodes.Success, sendErr);
        var (againExit, again, againErr) = await ParleyProcess.RunAsync(Password(atlHead), null, "read", "Treaty talks", "--profile", Profile(atlHead));
        Assert.True(againExit == ExitCodes.Success, againErr);
        Assert.Contains("We propose to meet again on Thursday.", again);
        Assert.Contains("CONFIDENTIAL//REL TO ATL, BOR", again);

        // A portion below the room's label is a write-down: denied (exit 3) with the policy's reason.
        var (lowExit, _, lowErr) = await ParleyProcess.RunAsync(Password(atlHead), null, "send", "Treaty talks", "x", "--label", "RESTRICTED//REL TO ATL, BOR", "--profile", Profile(atlHead));
        Assert.Equal(ExitCodes.Denied, lowExit);
        Assert.Contains("write-down", lowErr);
        Assert.DoesNotContain("   at ", lowErr);

        // The interpreter is cleared CONFIDENTIAL: not a member of the SECRET cell, and cannot be added, with the reason.
        var (addExit, _, addErr) = await ParleyProcess.RunAsync("room", "add", "ATL technical cell", "interpreter@atl.example", "--profile", Profile(atlHead));
        Assert.NotEqual(ExitCodes.Success, addExit);
        Assert.Contains("Cleared to CONFIDENTIAL; SECRET is needed.", addErr);
        var (cellExit, _, cellErr) = await ParleyProcess.RunAsync(Password(interpreter), null, "read", "ATL technical cell", "--profile", Profile(interpreter));
        Assert.NotEqual(ExitCodes.Success, cellExit);
        Assert.Contains("ATL technical cell", cellErr);

        // Usage errors exit 2 and change nothing.
        var (missingExit, _, _) = await ParleyProcess.RunAsync("room", "create", "No label", "--party", "ATL", "--profile", Profile(atlHead));
        Assert.Equal(ExitCodes.Usage, missingExit);
        var (badLabelExit, _, badLabelErr) = await ParleyProcess.RunAsync("room", "create", "Bad label", "--label", "CONFIDENTAL", "--party", "ATL", "--profile", Profile(atlHead));
        Assert.Equal(ExitCodes.Usage, badLabelExit);
        Assert.Contains("CONFIDENTIAL", badLabelErr);
        var (noTextExit, _, _) = await ParleyProcess.RunAsync(Password(atlHead), null, "send", "Treaty talks", "--profile", Profile(atlHead));
        Assert.Equal(ExitCodes.Usage, noTextExit);
        var (unknownExit, _, unknownErr) = await ParleyProcess.RunAsync(Password(atlHead), null, "read", "No such room", "--profile", Profile(atlHead));
        Assert.NotEqual(ExitCodes.Success, unknownExit);
        Assert.Contains("No such room", unknownErr);
        var (afterExit, after, _) = await ParleyProcess.RunAsync("room", "list", "--json", "--profile", Profile(atlHead));
        Assert.Equal(ExitCodes.Success, afterExit);
        using var unchanged = JsonDocument.Parse(after);
        Assert.Equal(3, unchanged.RootElement.GetArrayLength());
    }

    // The draft treaty: listed with two versions, version 2 initialled ad referendum by ATL's head, and the words that changed.
    private static async Task DocumentThroughTheCliAsync(List<JsonElement> users, JsonElement seeded, string firstRun)
    {
        var id = seeded.GetProperty("id").GetGuid();
        Assert.Equal(2, seeded.GetProperty("versions").GetInt32());
        Assert.Equal("head@atl.example", seeded.GetProperty("initialledBy").GetString());
        Assert.Contains($"Demo documents: 'Draft treaty on verified reductions' in Treaty talks ({id}): 2 versions", firstRun);
        Assert.Contains($"parley doc diff {id} 1 2", firstRun);
        var borHead = users.Single(u => u.GetProperty("email").GetString() == "head@bor.example");
        var profile = borHead.GetProperty("profile").GetString()!;
        var password = new Dictionary<string, string> { ["PARLEY_PASSWORD"] = borHead.GetProperty("password").GetString()! };

        var (listExit, list, listErr) = await ParleyProcess.RunAsync("doc", "list", "Treaty talks", "--json", "--profile", profile);
        Assert.True(listExit == ExitCodes.Success, listErr);
        using (var documents = JsonDocument.Parse(list))
        {
            var treaty = Assert.Single(documents.RootElement.EnumerateArray());
            Assert.Equal(id, treaty.GetProperty("id").GetGuid());
            Assert.Equal(2, treaty.GetProperty("version").GetInt32());
            Assert.Equal("CONFIDENTIAL//REL TO ATL, BOR", treaty.GetProperty("label").GetString());
            Assert.Equal(1, treaty.GetProperty("endorsements").GetInt32());
        }

        var (showExit, show, showErr) = await ParleyProcess.RunAsync(password, null, "doc", "show", id.ToString(), "--json", "--profile", profile);
        Assert.True(showExit == ExitCodes.Success, showErr);
        using (var status = JsonDocument.Parse(show))
        {
            var versions = status.RootElement.GetProperty("versions").EnumerateArray().ToList();
            Assert.Equal(2, versions.Count);
            Assert.All(versions, v => Assert.True(v.GetProperty("verified").GetBoolean()));
            var initial = Assert.Single(status.RootElement.GetProperty("endorsements").EnumerateArray());
            Assert.Equal("initial", initial.GetProperty("kind").GetString());
            Assert.Equal(2, initial.GetProperty("version").GetInt32());
            Assert.Equal("ATL", initial.GetProperty("delegation").GetString());
            Assert.True(initial.GetProperty("valid").GetBoolean(), initial.GetProperty("rejected").GetString());
            Assert.Equal(JsonValueKind.Null, status.RootElement.GetProperty("agreedVersion").ValueKind);
        }

        var (diffExit, diff, diffErr) = await ParleyProcess.RunAsync(password, null, "doc", "diff", id.ToString(), "1", "2", "--profile", profile);
        Assert.True(diffExit == ExitCodes.Success, diffErr);
        Assert.Contains("[-seven-]{+ten+}", diff);
    }

    [GeneratedRegex(@"^Parley is running at (?<url>http://127\.0\.0\.1:\d+/)\s+\(Ctrl\+C to stop\)$")]
    private static partial Regex RunningLine();
}
