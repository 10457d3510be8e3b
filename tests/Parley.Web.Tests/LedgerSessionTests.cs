using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Parley.Client.Ledger;
using Parley.Protocol.Crypto;
using Parley.Protocol.Ledger;
using Parley.Server.Ledger;

namespace Parley.Web.Tests;

/// <summary>
/// The browser profile follows the server's ledger as the CLI's does: it pins the log's keys at its first
/// sign-in, keeps the last verified checkpoint in local storage, proves the officer's own actions included,
/// and refuses the server (a full-page error, no further requests) when the log does not verify.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class LedgerSessionTests(WebFixture web)
{
    private const string ProfileKey = "parley.profile.v1";

    [Fact]
    public async Task Sign_in_pins_the_log_keys_and_keeps_a_checkpoint_and_an_officers_certification_is_proven_with_its_index()
    {
        web.FreshMinute();
        var officer = await web.NewDelegationAsync();
        var member = await web.NewMemberAsync(officer);
        var code = officer.Delegation!;
        await using var session = await web.OpenAsync();
        var page = session.Page;
        await session.SignInWithCodeAsync(officer, web.Clock, $"Security officer · {code}");

        // Pinned at the first sign-in: exactly the keys the server publishes; the checkpoint kept verifies with them.
        using var http = new HttpClient { BaseAddress = web.Server.ApiAddress };
        var keys = await LedgerClient.FetchVerifierKeysAsync(http);
        var profile = await StoredProfileAsync(page);
        Assert.Equal(keys.Select(k => k.VerifierKey), profile.GetProperty("ledgerKeys").EnumerateArray().Select(k => k.GetString()));
        var origin = keys[0].Name;
        var stored = await page.EvaluateAsync<string?>("key => localStorage.getItem(key)", CheckpointKey(origin));
        Assert.NotNull(stored);
        var storedCheckpoint = new LogVerifier(origin, keys).Verify(stored);
        Assert.True(storedCheckpoint.IsOk, storedCheckpoint.IsOk ? "" : storedCheckpoint.Error.Message);
        Assert.True(storedCheckpoint.Value.Checkpoint.Size > 0);

        // An officer's action in the console...
        await page.GetByLabel("Member", new() { Exact = true }).SelectOptionAsync(member.Email);
        await page.GetByLabel("Level").SelectOptionAsync("SECRET");
        await page.GetByLabel("Valid for (days)").FillAsync("90");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign and issue" }).ClickAsync();
        await session.ExpectStatusAsync($"Clearance SECRET issued to {member.Email}");
        var serial = Assert.Single(await officer.Client.ListClearancesAsync(code), c => c.SubjectEmail == member.Email).Serial;

        // ...is listed on the account page, beside the pinned keys and the checkpoint, and proven once the log holds it.
        await session.NavigateAsync("account", "Your account");
        var pinned = page.Locator("#ledger-pinned .ledger-key");
        await Assertions.Expect(pinned).ToHaveCountAsync(2);
        foreach (var key in keys) await Assertions.Expect(page.Locator("#ledger-pinned")).ToContainTextAsync($"{key.Name}+{key.KeyId:x8}");
        await Assertions.Expect(page.Locator("#ledger-pinned")).ToContainTextAsync("Ed25519");
        await Assertions.Expect(page.Locator("#ledger-pinned")).ToContainTextAsync("ML-DSA-87");
        await Assertions.Expect(page.Locator("#ledger-checkpoint")).ToHaveTextAsync(new Regex("^size \\d+$"));
        var row = page.Locator($"#ledger-actions tr[data-type='ClearanceIssued'][data-subject='clearance:{serial}']");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        var state = row.Locator(".ledger-state");
        for (var attempt = 0; !Regex.IsMatch(await state.InnerTextAsync(), "^entry \\d+$"); attempt++)
        {
            // The sequencer integrates in batches: ask the page to check again, as a person would.
            Assert.True(attempt < 60, $"The certification was not proven: {await state.InnerTextAsync()}");
            Assert.Equal("pending", await state.InnerTextAsync());
            await Task.Delay(TimeSpan.FromSeconds(1));
            await page.Locator("#ledger-check").ClickAsync();
            await Assertions.Expect(page.Locator("#ledger-check")).ToBeEnabledAsync();
        }
        var index = long.Parse((await state.InnerTextAsync())["entry ".Length..], CultureInfo.InvariantCulture);

        // The index the page shows is, by the server's own proofs, that very certification.
        var log = await LedgerClient.CreateAsync(http, keys, new MemoryCheckpointStore());
        await log.UpdateAsync();
        var entry = LedgerEntry.Decode(await log.GetVerifiedEntryAsync(index)).Value;
        Assert.Equal(LedgerEventType.ClearanceIssued, entry.Type);
        Assert.Equal($"clearance:{serial}", entry.Subject);
        var recorded = (await StoredProfileAsync(page)).GetProperty("ledgerActions").EnumerateArray()
            .Single(a => a.GetProperty("subject").GetString() == $"clearance:{serial}");
        Assert.Equal(index, recorded.GetProperty("index").GetInt64());
        session.AssertNoUnexpectedProblems();
    }

    [Fact]
    public async Task A_pinned_key_replaced_in_local_storage_makes_the_page_refuse_the_server_and_send_nothing_more()
    {
        web.FreshMinute();
        var officer = await web.NewDelegationAsync();
        var member = await web.NewMemberAsync(officer);
        await using var session = await web.OpenAsync();
        var page = session.Page;
        await session.SignInWithCodeAsync(member, web.Clock, "Your account");

        // Someone swaps the pinned Ed25519 key for another key of the same name (while the app is not running, so
        // no sync of its own writes the profile meanwhile).
        await LeaveAppAsync(page);
        var profile = await StoredProfileAsync(page);
        var pinned = profile.GetProperty("ledgerKeys").EnumerateArray().Select(k => k.GetString()!).ToList();
        var origin = pinned[0].Split('+')[0];
        using var other = new Ed25519NoteSigner(origin, SecretKey.Generate(32));
        await page.EvaluateAsync("""
            ([key, replacement]) => {
                const profile = JSON.parse(localStorage.getItem(key));
                profile.ledgerKeys[0] = replacement;
                localStorage.setItem(key, JSON.stringify(profile));
            }
            """, new[] { ProfileKey, other.Verifier.VerifierKey });
        var swapped = (await StoredProfileAsync(page)).GetProperty("ledgerKeys").EnumerateArray().Select(k => k.GetString()).ToList();
        Assert.Equal(new[] { other.Verifier.VerifierKey, pinned[1] }, swapped);

        var requests = RecordRequests(page);
        await session.GoAsync("account");
        await Assertions.Expect(page.Locator("#ledger-refusal")).ToContainTextAsync("does not verify against the keys pinned in this browser", new() { Timeout = Ui.SlowTimeoutMs });
        await session.ExpectHeadingAsync("This server is refused");

        // Moving about in the app shows the refusal only, and nothing reaches the server's API.
        await page.EvaluateAsync("path => Blazor.navigateTo(path)", "officer");
        await session.ExpectHeadingAsync("This server is refused");
        await Assertions.Expect(page.Locator("#sign-out")).ToHaveCountAsync(0);
        // The checkpoint kept in this browser already fails against the swapped key: not even the ledger is asked.
        Assert.DoesNotContain(requests, r => r.Contains("/api/", StringComparison.Ordinal) || r.Contains("/ledger/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("rollback")]
    [InlineData("fork")]
    public async Task A_server_whose_log_rolls_back_or_forks_from_the_stored_checkpoint_is_refused(string kind)
    {
        web.FreshMinute();
        var officer = await web.NewDelegationAsync();
        var member = await web.NewMemberAsync(officer);
        await using var session = await web.OpenAsync();
        var page = session.Page;
        await session.SignInWithCodeAsync(member, web.Clock, "Your account");

        // A checkpoint signed with the log's own keys (as a second server holding them would), kept as if this
        // browser had verified it: a bigger tree the server then does not have (rollback), or a tree of another
        // history that the server's log cannot extend (fork).
        using var http = new HttpClient { BaseAddress = web.Server.ApiAddress };
        var keys = await LedgerClient.FetchVerifierKeysAsync(http);
        var origin = keys[0].Name;
        var served = new LogVerifier(origin, keys).Verify(await http.GetStringAsync("ledger/checkpoint")).Value.Checkpoint;
        var size = kind == "rollback" ? served.Size + 1000 : served.Size - 1;
        var forged = SignWithServerKeys(origin, Checkpoint.Create(origin, size, RandomNumberGenerator.GetBytes(32)));
        await LeaveAppAsync(page);
        await page.EvaluateAsync("([key, value]) => localStorage.setItem(key, value)", new[] { CheckpointKey(origin), forged });

        var requests = RecordRequests(page);
        await session.GoAsync("");
        var expected = kind == "rollback" ? "ROLLED BACK" : "FORKED";
        await Assertions.Expect(page.Locator("#ledger-refusal")).ToContainTextAsync(expected, new() { Timeout = Ui.SlowTimeoutMs });
        Assert.DoesNotContain(requests, r => r.Contains("/api/", StringComparison.Ordinal));

        var forkKey = CheckpointKey(origin)[..^".checkpoint".Length] + ".fork";
        var evidence = await page.EvaluateAsync<string?>("key => localStorage.getItem(key)", forkKey);
        if (kind == "fork")
        {
            // The evidence is kept: a later visit refuses the server at once, whatever it serves then.
            Assert.NotNull(evidence);
            Assert.Contains(forged.Split('\n')[2], evidence, StringComparison.Ordinal);
            await session.GoAsync("signin");
            await Assertions.Expect(page.Locator("#ledger-refusal")).ToContainTextAsync("forked before", new() { Timeout = Ui.SlowTimeoutMs });
        }
        else
        {
            Assert.Null(evidence);
        }
        Assert.DoesNotContain(requests, r => r.Contains("/api/", StringComparison.Ordinal));
    }

    private string SignWithServerKeys(string origin, Checkpoint checkpoint)
    {
        using var ed25519 = new Ed25519NoteSigner(origin, SecretKey.Import(File.ReadAllBytes(Path.Combine(web.Server.DataDirectory, LedgerIdentity.Ed25519KeyFile))));
        var mlDsa87 = new MlDsa87NoteSigner(origin, SecretKey.Import(File.ReadAllBytes(Path.Combine(web.Server.DataDirectory, LedgerIdentity.MlDsa87KeyFile))));
        return SignedNote.Create(checkpoint.Text, [ed25519.Sign(checkpoint.Text), mlDsa87.Sign(checkpoint.Text)]).Format();
    }

    // A static file of the same origin: local storage is at hand and the app is not running.
    private static async Task LeaveAppAsync(IPage page)
    {
        await page.GotoAsync("favicon.svg");
        Assert.NotNull(await page.EvaluateAsync<string?>("key => localStorage.getItem(key)", ProfileKey));
    }

    private static string CheckpointKey(string origin) => "parley.ledger.v1." + Uri.EscapeDataString(origin) + ".checkpoint";

    private static async Task<JsonElement> StoredProfileAsync(IPage page)
    {
        var json = await page.EvaluateAsync<string?>("key => localStorage.getItem(key)", ProfileKey);
        Assert.NotNull(json);
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    // Every request the page makes from now on, as path and query.
    private static System.Collections.Concurrent.ConcurrentQueue<string> RecordRequests(IPage page)
    {
        var requests = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Request += (_, request) => requests.Enqueue(new Uri(request.Url).AbsolutePath);
        return requests;
    }
}
