using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Parley.Protocol.Crypto;
using Parley.Protocol.Ledger;
using Parley.Server.Hosting;
using Parley.Server.Ledger;
using Parley.Server.Storage;

namespace Parley.Web.Tests;

/// <summary>The ledger explorer verifies the log in the browser, with Parley.Protocol's verifiers, and says so when it does not verify.</summary>
[Collection(WebCollection.Name)]
public sealed class LedgerPageTests(WebFixture web)
{
    private const float StartupTimeoutMs = 120_000;

    [Fact]
    public async Task The_explorer_shows_the_verified_checkpoint_and_entries_and_verifies_the_whole_log()
    {
        // A server of its own: the shared one holds whatever other tests ledgered (their access decisions, say).
        var server = await web.StartServerAsync();
        await using var session = await web.OpenAsync(server);
        await session.Page.GotoAsync("ledger");
        await Assertions.Expect(session.Page.Locator("#ledger-status")).ToHaveTextAsync("Verified", new() { Timeout = StartupTimeoutMs });

        using var http = new HttpClient { BaseAddress = server.ApiAddress };
        var served = Checkpoint.Parse(SignedNote.Parse(await http.GetStringAsync("ledger/checkpoint")).Value.Text).Value;
        await Assertions.Expect(session.Page.Locator("#ledger-size")).ToHaveTextAsync(served.Size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(session.Page.Locator("#ledger-root")).ToHaveTextAsync(Convert.ToBase64String(served.Root));
        await Assertions.Expect(session.Page.Locator("#ledger-signatures")).ToContainTextAsync("Ed25519 verified");
        await Assertions.Expect(session.Page.Locator("#ledger-signatures")).ToContainTextAsync("ML-DSA-87 verified");
        await Assertions.Expect(session.Page.Locator("#ledger-entries .entry-type", new() { HasTextString = "WebClientBundle" })).ToHaveCountAsync(1);

        await session.Page.Locator("#ledger-verify").ClickAsync();
        await Assertions.Expect(session.Page.Locator("#ledger-audit")).ToHaveTextAsync(new Regex("^OK: \\d+ entries recomputed"), new() { Timeout = StartupTimeoutMs });

        // Filters narrow the rows shown.
        await session.Page.Locator("#ledger-filter-type").SelectOptionAsync("AccessDecision");
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(session.Page.Locator("#ledger-entries tbody tr")).ToHaveCountAsync(0);

        Assert.True(session.Problems.Count == 0, string.Join("\n", session.Problems));
        var violations = await session.CspViolationsAsync();
        Assert.True(violations.Length == 0, string.Join("\n", violations));
    }

    [Fact]
    public async Task Witness_cosignatures_are_shown_and_a_tampered_entry_fails_in_the_browser()
    {
        var data = Path.Combine(Path.GetTempPath(), "parley-web-ledger-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var server = await ParleyHost.StartAsync(new ServerOptions { DataDirectory = data, Urls = "http://127.0.0.1:0", MinimumLogLevel = LogLevel.Warning });
            using var witness = new CosignatureV1Signer("gbr.witness.example", SecretKey.Generate(32), TimeProvider.System);
            await using (var scope = server.App.Services.CreateAsyncScope())
            {
                var registration = await scope.ServiceProvider.GetRequiredService<WitnessRegistry>().RegisterAsync("GBR", "GBR witness", witness.Verifier.VerifierKey, null, default);
                var writer = scope.ServiceProvider.GetRequiredService<LedgerWriter>();
                LedgerRecord? last = null;
                for (var i = 0; i < 40; i++) last = writer.Record(LedgerEventType.AccessDecision, Guid.NewGuid(), "GBR", $"document:{i}", new LedgerField("outcome", "permit"));
                await scope.ServiceProvider.GetRequiredService<ParleyDbContext>().SaveChangesAsync();
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
                await server.App.Services.GetRequiredService<LedgerSequencer>().WaitForIntegrationAsync(last!.QueueId, timeout.Token);
            }
            using var http = new HttpClient { BaseAddress = server.Addresses[0] };
            var text = SignedNote.Parse(await http.GetStringAsync("ledger/checkpoint")).Value.Text;
            using (var response = await http.PostAsync("ledger/cosignatures", new StringContent(witness.Sign(text).Line))) response.EnsureSuccessStatusCode();

            var context = await web.Browser.NewContextAsync(new() { BaseURL = server.Addresses[0].ToString() });
            await using var session = await PageSession.StartAsync(context);
            await session.Page.GotoAsync("ledger");
            await Assertions.Expect(session.Page.Locator("#ledger-status")).ToHaveTextAsync("Verified", new() { Timeout = StartupTimeoutMs });
            await Assertions.Expect(session.Page.Locator("#ledger-witnesses tbody tr")).ToContainTextAsync(new Regex("GBR witness\\s*yes, "));
            await session.Page.Locator("#ledger-filter-text").FillAsync("document:17");
            await session.Page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await Assertions.Expect(session.Page.Locator("#ledger-entries tbody tr")).ToHaveCountAsync(1);

            // The server rewrites entry 20: the page's proofs and the full verification both fail.
            await using (var connection = new SqliteConnection($"Data Source={Path.Combine(data, "parley.db")};Pooling=False"))
            {
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = "UPDATE ledger_queue SET Entry = $entry WHERE Idx = 20";
                command.Parameters.AddWithValue("$entry", new LedgerEntry(LedgerEventType.AccessDecision, 1, null, "GBR", "document:forged", []).Encode());
                await command.ExecuteNonQueryAsync();
            }
            await session.Page.ReloadAsync();
            await Assertions.Expect(session.Page.Locator("#ledger-status")).ToHaveTextAsync(new Regex("^FAILED: an entry does not verify"), new() { Timeout = StartupTimeoutMs });
            await session.Page.Locator("#ledger-verify").ClickAsync();
            await Assertions.Expect(session.Page.Locator("#ledger-audit")).ToHaveTextAsync(new Regex("^FAILED at entry 20:"), new() { Timeout = StartupTimeoutMs });
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(data)) Directory.Delete(data, recursive: true);
        }
    }
}
