using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text;
using Parley.Client.Ledger;
using Parley.Protocol;
using Parley.Protocol.Ledger;
using Parley.Server.Hosting;
using Parley.Server.Ledger;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Ledger;

/// <summary>The sequencer and the tlog-tiles endpoints of a real server on SQLite.</summary>
public sealed class LedgerServerTests
{
    [Fact]
    public async Task An_entry_goes_from_the_queue_into_a_signed_checkpoint_and_its_inclusion_proof_verifies()
    {
        await using var server = await TestServer.StartAsync();
        var record = (await LedgerFixture.RecordAsync(server, 1))[0];
        var integration = await LedgerFixture.IntegratedAsync(server, record);
        Assert.True(integration.TreeSize > integration.Index);

        var client = await LedgerFixture.ClientAsync(server);
        var checkpoint = await client.VerifyInclusionAsync(integration.Index, record.Entry.Encode());
        Assert.Equal(2, checkpoint.Note.Signatures.Count);
        Assert.StartsWith("parley.", checkpoint.Checkpoint.Origin, StringComparison.Ordinal);
        Assert.EndsWith("/ledger", checkpoint.Checkpoint.Origin, StringComparison.Ordinal);
        Assert.Equal(record.Entry.Encode(), await client.GetVerifiedEntryAsync(integration.Index));

        // Another entry's bytes at that index do not verify.
        var other = (await LedgerFixture.RecordAsync(server, 1))[0];
        var refused = await Assert.ThrowsAsync<LedgerVerificationException>(() => client.VerifyInclusionAsync(integration.Index, other.Entry.Encode()));
        Assert.Equal(ProtocolErrorCode.InvalidProof, refused.Error.Code);

        using var timeout = new CancellationTokenSource(LedgerFixture.Patience);
        var byHash = await server.Server.App.Services.GetRequiredService<LedgerSequencer>().WaitForIntegrationAsync(other.LeafHash, timeout.Token);
        Assert.Equal(integration.Index + 1, byHash.Index);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => server.Server.App.Services.GetRequiredService<LedgerSequencer>().WaitForIntegrationAsync(long.MaxValue, timeout.Token));
    }

    [Fact]
    public async Task The_checkpoint_and_verifier_keys_are_served_as_text_and_verify()
    {
        await using var server = await TestServer.StartAsync();
        using var response = await server.Http.GetAsync("/ledger/checkpoint");
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        var note = await response.Content.ReadAsStringAsync();
        var keys = (await server.Http.GetStringAsync("/ledger/verifier-key")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, keys.Length);
        var ed = NoteKeys.ParseVerifierKey(keys[0]).Value;
        var pq = NoteKeys.ParseVerifierKey(keys[1]).Value;
        Assert.Equal((NoteKeyType.Ed25519, NoteKeyType.ParleyMlDsa87), (ed.Type, pq.Type));
        var checkpoint = new LogVerifier(ed.Name, [ed, pq]).Verify(note);
        Assert.True(checkpoint.IsOk, checkpoint.Error?.ToString());
        // A standard verifier that knows only the Ed25519 key accepts it too.
        Assert.True(new LogVerifier(ed.Name, [ed]).Verify(note).IsOk);
    }

    [Fact]
    public async Task Tiles_and_bundles_are_served_at_their_specified_paths_with_the_specified_caching()
    {
        await using var server = await TestServer.StartAsync();
        var records = await LedgerFixture.RecordAsync(server, 300);
        await LedgerFixture.IntegratedAsync(server, records[^1]);
        var client = await LedgerFixture.ClientAsync(server);
        var size = (await client.UpdateAsync()).Checkpoint.Size;
        Assert.True(size > 256);

        using var full = await server.Http.GetAsync("/ledger/tile/0/000");
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        Assert.Equal("application/octet-stream", full.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=31536000, immutable", full.Headers.CacheControl?.ToString());
        Assert.Equal(8192, (await full.Content.ReadAsByteArrayAsync()).Length);

        var width = (int)(size - 256);
        using var partial = await server.Http.GetAsync($"/ledger/tile/0/001.p/{width}");
        Assert.Equal("no-cache", partial.Headers.CacheControl?.ToString());
        Assert.Equal(width * 32, (await partial.Content.ReadAsByteArrayAsync()).Length);
        using var shorter = await server.Http.GetAsync("/ledger/tile/0/001.p/1");
        Assert.Equal(32, (await shorter.Content.ReadAsByteArrayAsync()).Length);
        using var level1 = await server.Http.GetAsync("/ledger/tile/1/000.p/1");
        Assert.Equal(32, (await level1.Content.ReadAsByteArrayAsync()).Length);

        using var bundle = await server.Http.GetAsync("/ledger/tile/entries/000");
        Assert.Equal("public, max-age=31536000, immutable", bundle.Headers.CacheControl?.ToString());
        var entries = EntryBundle.Decode(await bundle.Content.ReadAsByteArrayAsync()).Value;
        Assert.Equal(256, entries.Count);
        Assert.All(entries, entry => Assert.True(LedgerEntry.Decode(entry).IsOk));
        using var partialBundle = await server.Http.GetAsync($"/ledger/tile/entries/001.p/{width}");
        Assert.Equal(width, EntryBundle.Decode(await partialBundle.Content.ReadAsByteArrayAsync()).Value.Count);

        foreach (var missing in new[] { "/ledger/tile/0/001", $"/ledger/tile/0/001.p/{width + 1}", "/ledger/tile/entries/001", "/ledger/tile/0/0001", "/ledger/tile/0/x000/001", "/ledger/tile/00/000", "/ledger/tile/1/000", "/ledger/nothing" })
        {
            using var answer = await server.Http.GetAsync(missing);
            Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        }

        // /ledger itself is the web client's explorer, not an API resource.
        using (var explorer = await server.Http.GetAsync("/ledger"))
        {
            Assert.Equal(HttpStatusCode.OK, explorer.StatusCode);
            Assert.Equal("text/html", explorer.Content.Headers.ContentType?.MediaType);
        }

        var audit = await LogAudit.RunAsync(client.Tiles, client.Current!.Checkpoint, entry => LedgerEntry.Decode(entry).Error);
        Assert.True(audit.Ok, audit.Error?.ToString());
        Assert.Equal(size, audit.EntriesChecked);
    }

    [Fact]
    public async Task The_log_continues_across_restarts_and_a_client_follows_it_with_consistency_proofs()
    {
        using var temp = new TempFolder();
        var folder = temp.Child("data");
        var store = new FileCheckpointStore(temp.Child("client"));
        string origin;
        await using (var server = await TestServer.StartAsync(folder))
        {
            await LedgerFixture.IntegratedAsync(server, (await LedgerFixture.RecordAsync(server, 10))[^1]);
            origin = (await (await LedgerFixture.ClientAsync(server, store)).UpdateAsync()).Checkpoint.Origin;
        }
        await using (var server = await TestServer.StartAsync(folder))
        {
            var record = (await LedgerFixture.RecordAsync(server, 270))[^1];
            var integration = await LedgerFixture.IntegratedAsync(server, record);
            var client = await LedgerFixture.ClientAsync(server, store);
            Assert.True(client.Current!.Checkpoint.Size >= 11);
            var next = await client.UpdateAsync();
            Assert.Equal(origin, next.Checkpoint.Origin);
            await client.VerifyInclusionAsync(integration.Index, record.Entry.Encode());
        }
    }

    [Fact]
    public async Task The_signing_keys_are_private_files_and_the_server_refuses_keys_that_did_not_sign_its_log()
    {
        using var temp = new TempFolder();
        var folder = temp.Child("data");
        await using (await TestServer.StartAsync(folder))
        {
        }
        foreach (var file in new[] { LedgerIdentity.Ed25519KeyFile, LedgerIdentity.MlDsa87KeyFile })
        {
            if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("Key privacy rests on Unix file modes here.");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, file)));
            Assert.Equal(32, new FileInfo(Path.Combine(folder, file)).Length);
        }
        File.Delete(Path.Combine(folder, LedgerIdentity.Ed25519KeyFile));
        var refused = await Assert.ThrowsAsync<ServerConfigurationException>(() => TestServer.StartAsync(folder));
        Assert.Contains(LedgerIdentity.Ed25519KeyFile, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_web_client_bundle_hash_is_logged_once()
    {
        using var temp = new TempFolder();
        var folder = temp.Child("data");
        for (var run = 0; run < 2; run++)
        {
            await using var server = await TestServer.StartAsync(folder);
            var bundle = WebClientBundle.Compute(server.Server.App.Services.GetRequiredService<IWebHostEnvironment>().WebRootFileProvider);
            Assert.Contains("  index.html\n", bundle.Manifest, StringComparison.Ordinal);
            Assert.Contains("  _framework/", bundle.Manifest, StringComparison.Ordinal);
            Assert.DoesNotContain(".gz\n", bundle.Manifest, StringComparison.Ordinal);
            if (run == 0)
            {
                // Every hash in the list is the hash of what the server sends for that path.
                foreach (var line in bundle.Manifest.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    var served = await server.Http.GetByteArrayAsync("/" + line[66..]);
                    Assert.Equal(line[..64], Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(served)));
                }
            }

            var client = await LedgerFixture.ClientAsync(server);
            var size = (await client.UpdateAsync()).Checkpoint.Size;
            var logged = new List<LedgerEntry>();
            for (var i = 0L; i < size; i++)
            {
                var entry = LedgerEntry.Decode(await client.GetVerifiedEntryAsync(i)).Value;
                if (entry.Type == LedgerEventType.WebClientBundle) logged.Add(entry);
            }
            var only = Assert.Single(logged);
            Assert.Equal(bundle.Hash, only.Field("sha256"));
        }
    }

    [Fact]
    public async Task A_second_server_on_the_same_data_folder_does_not_sequence()
    {
        using var temp = new TempFolder();
        var folder = temp.Child("data");
        await using var first = await TestServer.StartAsync(folder);
        await using var second = await TestServer.StartAsync(folder);
        var sequencer = second.Server.App.Services.GetRequiredService<LedgerSequencer>();
        for (var i = 0; i < 600 && !sequencer.Halted; i++) await Task.Delay(100);
        Assert.True(sequencer.Halted);
        // The first keeps integrating, including entries queued through the second.
        await LedgerFixture.IntegratedAsync(first, (await LedgerFixture.RecordAsync(second, 1))[0]);
    }

    [Fact]
    public async Task Stored_tiles_that_contradict_the_last_checkpoint_stop_the_sequencer_before_it_signs()
    {
        using var temp = new TempFolder();
        var folder = temp.Child("data");
        await using (var server = await TestServer.StartAsync(folder))
            await LedgerFixture.IntegratedAsync(server, (await LedgerFixture.RecordAsync(server, 5))[^1]);
        await LedgerFixture.ExecuteAsync(folder, "UPDATE ledger_tiles SET Data = zeroblob(length(Data)) WHERE Level = 0 AND TileIndex = 0");
        var before = await LedgerFixture.ScalarAsync<long>(folder, "SELECT max(Size) FROM ledger_checkpoints");
        await using (var server = await TestServer.StartAsync(folder))
        {
            var sequencer = server.Server.App.Services.GetRequiredService<LedgerSequencer>();
            await LedgerFixture.RecordAsync(server, 1);
            for (var i = 0; i < 600 && !sequencer.Halted; i++) await Task.Delay(100);
            Assert.True(sequencer.Halted);
        }
        Assert.Equal(before, await LedgerFixture.ScalarAsync<long>(folder, "SELECT max(Size) FROM ledger_checkpoints"));
        Assert.Equal(1L, await LedgerFixture.ScalarAsync<long>(folder, "SELECT count(*) FROM ledger_queue WHERE Idx IS NULL"));
    }
}
