using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Parley.Client.Ledger;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Ledger;
using Parley.Server.Ledger;
using Parley.Server.Storage;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Ledger;

/// <summary>Registered witnesses' cosignatures are kept and served; anything else is refused; registration fails closed.</summary>
public sealed class WitnessAndCosignatureTests
{
    private static async Task<WitnessRegistration> RegisterAsync(TestServer server, string delegation, string name, string verifierKey)
    {
        await using var scope = server.Server.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<WitnessRegistry>().RegisterAsync(delegation, name, verifierKey, actor: null, default);
    }

    private static CosignatureV1Signer Witness(string name) => new(name, SecretKey.Generate(32), TimeProvider.System);

    private static async Task<HttpResponseMessage> PostAsync(TestServer server, string line) =>
        await server.Http.PostAsync("/ledger/cosignatures", new StringContent(line, Encoding.UTF8, "text/plain"));

    private static async Task<string> CheckpointTextAsync(TestServer server) =>
        SignedNote.Parse(await server.Http.GetStringAsync("/ledger/checkpoint")).Value.Text;

    [Fact]
    public async Task A_registered_witness_cosignature_is_kept_and_served_with_the_checkpoint()
    {
        await using var server = await TestServer.StartAsync();
        using var gbr = Witness("gbr.witness.example");
        using var fra = Witness("fra.witness.example");
        var registration = await RegisterAsync(server, "GBR", "GBR witness", gbr.Verifier.VerifierKey);
        Assert.Equal(WitnessRegistrationFailure.None, registration.Failure);
        await RegisterAsync(server, "FRA", "FRA witness", fra.Verifier.VerifierKey);

        // The registration is in the log.
        var integration = await LedgerFixture.IntegratedAsync(server, registration.Record!);
        var client = await LedgerFixture.ClientAsync(server);
        var logged = LedgerEntry.Decode(await client.GetVerifiedEntryAsync(integration.Index)).Value;
        Assert.Equal((LedgerEventType.WitnessRegistered, "GBR"), (logged.Type, logged.Delegation));
        Assert.Equal(gbr.Verifier.VerifierKey, logged.Field("verifier-key"));
        var listed = await server.Http.GetFromJsonAsync("/ledger/witnesses", LedgerJson.Default.IReadOnlyListWitnessView);
        Assert.Equal(["FRA", "GBR"], listed!.Select(w => w.Delegation));

        await LedgerFixture.IntegratedAsync(server, (await LedgerFixture.RecordAsync(server, 1))[0]);
        var text = await CheckpointTextAsync(server);
        foreach (var witness in new[] { gbr, fra })
        {
            using var response = await PostAsync(server, witness.Sign(text).Line);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var accepted = await response.Content.ReadFromJsonAsync(LedgerJson.Default.CosignatureAccepted);
            Assert.Equal(Checkpoint.Parse(text).Value.Size, accepted!.CheckpointSize);
        }

        var keys = await LedgerClient.FetchVerifierKeysAsync(server.Http);
        var verified = new LogVerifier(keys[0].Name, keys, [gbr.Verifier, fra.Verifier], witnessQuorum: 2).Verify(await server.Http.GetStringAsync("/ledger/checkpoint"));
        Assert.True(verified.IsOk, verified.Error?.ToString());
        // A newer cosignature replaces the older one of the same witness.
        using (var again = await PostAsync(server, gbr.Sign(text, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60).Line)) Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(4, SignedNote.Parse(await server.Http.GetStringAsync("/ledger/checkpoint")).Value.Signatures.Count);
    }

    [Fact]
    public async Task A_cosignature_of_a_recent_checkpoint_is_kept_with_that_checkpoint()
    {
        await using var server = await TestServer.StartAsync();
        using var witness = Witness("late.witness.example");
        await RegisterAsync(server, "GBR", "GBR witness", witness.Verifier.VerifierKey);
        await LedgerFixture.IntegratedAsync(server, (await LedgerFixture.RecordAsync(server, 1))[0]);
        var old = Checkpoint.Parse(await CheckpointTextAsync(server)).Value;
        await LedgerFixture.IntegratedAsync(server, (await LedgerFixture.RecordAsync(server, 1))[0]);
        using (var response = await PostAsync(server, witness.Sign(old.Text).Line)) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var atOld = SignedNote.Parse(await server.Http.GetStringAsync($"/ledger/checkpoints/{old.Size}")).Value;
        Assert.Equal(3, atOld.Signatures.Count);
        Assert.Equal(2, SignedNote.Parse(await server.Http.GetStringAsync("/ledger/checkpoint")).Value.Signatures.Count);
        using var missing = await server.Http.GetAsync("/ledger/checkpoints/99999");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Cosignatures_from_unregistered_keys_and_bad_cosignatures_are_refused()
    {
        await using var server = await TestServer.StartAsync();
        using var registered = Witness("gbr.witness.example");
        using var stranger = Witness("stranger.example");
        await RegisterAsync(server, "GBR", "GBR witness", registered.Verifier.VerifierKey);
        var text = await CheckpointTextAsync(server);

        async Task Refused(string body, HttpStatusCode status)
        {
            using var response = await PostAsync(server, body);
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        await Refused(stranger.Sign(text).Line, HttpStatusCode.Forbidden);
        // Same name as the registered key, other key: another key ID, so unregistered.
        using var impostor = Witness("gbr.witness.example");
        await Refused(impostor.Sign(text).Line, HttpStatusCode.Forbidden);
        // The registered key over another text, or with a forged key ID: does not verify.
        await Refused(registered.Sign(text.Replace("\n", "\nx", StringComparison.Ordinal)[..^1] + "\n").Line, HttpStatusCode.UnprocessableEntity);
        await Refused(new NoteSignature(registered.Name, registered.KeyId, impostor.Sign(text).Signature).Line, HttpStatusCode.UnprocessableEntity);
        await Refused(registered.Sign(text, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3600).Line, HttpStatusCode.UnprocessableEntity);
        await Refused("not a signature line", HttpStatusCode.BadRequest);
        await Refused(registered.Sign(text).Line + registered.Sign(text).Line, HttpStatusCode.BadRequest);
        await Refused(new NoteSignature(registered.Name, registered.KeyId, new byte[10]).Line, HttpStatusCode.BadRequest);
        await Refused(new string('a', 9000), HttpStatusCode.BadRequest);
        Assert.Equal(2, SignedNote.Parse(await server.Http.GetStringAsync("/ledger/checkpoint")).Value.Signatures.Count);
    }

    [Fact]
    public async Task Registration_refuses_bad_values_and_duplicates()
    {
        await using var server = await TestServer.StartAsync();
        using var witness = Witness("w.example");
        Assert.Equal(WitnessRegistrationFailure.Invalid, (await RegisterAsync(server, "gbr", "GBR witness", witness.Verifier.VerifierKey)).Failure);
        Assert.Equal(WitnessRegistrationFailure.Invalid, (await RegisterAsync(server, "GBR", "", witness.Verifier.VerifierKey)).Failure);
        Assert.Equal(WitnessRegistrationFailure.Invalid, (await RegisterAsync(server, "GBR", "GBR witness", "w.example+00000000+AAAA")).Failure);
        using var ed = new Ed25519NoteSigner("w.example", SecretKey.Generate(32));
        Assert.Equal(WitnessRegistrationFailure.Invalid, (await RegisterAsync(server, "GBR", "GBR witness", ed.Verifier.VerifierKey)).Failure);
        Assert.Equal(WitnessRegistrationFailure.None, (await RegisterAsync(server, "GBR", "GBR witness", witness.Verifier.VerifierKey)).Failure);
        Assert.Equal(WitnessRegistrationFailure.Duplicate, (await RegisterAsync(server, "FRA", "FRA witness", witness.Verifier.VerifierKey)).Failure);
        Assert.Equal(1L, await LedgerFixture.ScalarAsync<long>(server.DataDirectory, "SELECT count(*) FROM witnesses"));
    }

    [Fact]
    public async Task A_registration_whose_ledger_entry_cannot_be_queued_does_not_happen()
    {
        await using var server = await TestServer.StartAsync();
        await LedgerFixture.ExecuteAsync(server.DataDirectory, "CREATE TRIGGER ledger_down BEFORE INSERT ON ledger_queue BEGIN SELECT RAISE(ABORT, 'ledger unavailable'); END;");
        using var witness = Witness("w.example");
        await Assert.ThrowsAsync<DbUpdateException>(() => RegisterAsync(server, "GBR", "GBR witness", witness.Verifier.VerifierKey));
        Assert.Equal(0L, await LedgerFixture.ScalarAsync<long>(server.DataDirectory, "SELECT count(*) FROM witnesses"));

        // The ledger back: the same registration goes through, with its entry.
        await LedgerFixture.ExecuteAsync(server.DataDirectory, "DROP TRIGGER ledger_down;");
        var registration = await RegisterAsync(server, "GBR", "GBR witness", witness.Verifier.VerifierKey);
        Assert.Equal(WitnessRegistrationFailure.None, registration.Failure);
        await LedgerFixture.IntegratedAsync(server, registration.Record!);
    }

    [Fact]
    public async Task An_event_too_large_for_the_log_stops_the_change_it_records()
    {
        await using var server = await TestServer.StartAsync();
        await using var scope = server.Server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDbContext>();
        var writer = scope.ServiceProvider.GetRequiredService<LedgerWriter>();
        var fields = Enumerable.Range(0, 64).Select(i => new LedgerField($"f{i}", new string('x', 1024))).ToArray();
        Assert.Throws<LedgerEntryTooLargeException>(() => writer.Record(LedgerEventType.AccessDecision, null, "GBR", "big", fields));
        Assert.Empty(db.ChangeTracker.Entries<PendingLedgerEntry>());
    }

    [Fact]
    public async Task An_acknowledged_entry_is_on_disk_with_its_tiles_and_checkpoint()
    {
        await using var server = await TestServer.StartAsync();
        var record = (await LedgerFixture.RecordAsync(server, 1))[0];
        var integration = await LedgerFixture.IntegratedAsync(server, record);
        // A fresh connection (not the server's) sees the index, the tile with the leaf hash and the checkpoint.
        Assert.Equal(integration.Index, await LedgerFixture.ScalarAsync<long>(server.DataDirectory, $"SELECT Idx FROM ledger_queue WHERE Id = {record.QueueId}"));
        Assert.Equal(1L, await LedgerFixture.ScalarAsync<long>(server.DataDirectory, $"SELECT count(*) FROM ledger_checkpoints WHERE Size = {integration.TreeSize}"));
        var tile = await LedgerFixture.ScalarAsync<string>(server.DataDirectory, $"SELECT hex(substr(Data, {integration.Index % 256 * 32 + 1}, 32)) FROM ledger_tiles WHERE Level = 0 AND TileIndex = {integration.Index / 256}");
        Assert.Equal(Convert.ToHexString(record.LeafHash), tile);
    }
}
