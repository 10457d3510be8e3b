using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parley.Client.Ledger;
using Parley.Protocol;
using Parley.Protocol.Crypto;
using Parley.Protocol.Ledger;
using Parley.Server.Hosting;
using Parley.Server.Ledger;
using Parley.Server.Storage;

namespace Parley.Client.Tests.Ledger;

/// <summary>The client's view of a real server's ledger: it follows consistent growth, refuses forks and rollbacks, and remembers.</summary>
public sealed class LedgerClientTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("parley-ledger-client-").FullName;

    private string Child(string name) => Path.Combine(_temp, name);

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static async Task<RunningServer> StartAsync(string data)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return await ParleyHost.StartAsync(new ServerOptions { DataDirectory = data, Urls = "http://127.0.0.1:0", MinimumLogLevel = LogLevel.Warning }, timeout.Token);
    }

    private static async Task<(long Index, byte[] Entry)> AppendAsync(RunningServer server, int count, string subject)
    {
        await using var scope = server.App.Services.CreateAsyncScope();
        var writer = scope.ServiceProvider.GetRequiredService<LedgerWriter>();
        LedgerRecord? last = null;
        for (var i = 0; i < count; i++) last = writer.Record(LedgerEventType.DeviceRegistered, Guid.NewGuid(), "GBR", $"{subject}:{i}", new LedgerField("key", LedgerEntry.HashOf([(byte)i])));
        await scope.ServiceProvider.GetRequiredService<ParleyDbContext>().SaveChangesAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var integration = await server.App.Services.GetRequiredService<LedgerSequencer>().WaitForIntegrationAsync(last!.QueueId, timeout.Token);
        return (integration.Index, last.Entry.Encode());
    }

    private static HttpClient Http(RunningServer server) => new() { BaseAddress = server.Addresses[0], Timeout = TimeSpan.FromSeconds(60) };

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from).Where(f => Path.GetFileName(f) != "ledger.lock"))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    [Fact]
    public async Task A_fork_is_refused_recorded_and_the_server_refused_from_then_on()
    {
        var store = new FileCheckpointStore(Child("client"));
        IReadOnlyList<INoteVerifier> keys;
        await using (var server = await StartAsync(Child("data")))
        {
            await AppendAsync(server, 2, "shared");
            using var http = Http(server);
            keys = await LedgerClient.FetchVerifierKeysAsync(http);
        }
        Copy(Child("data"), Child("fork"));
        await using (var server = await StartAsync(Child("data")))
        {
            var (index, entry) = await AppendAsync(server, 3, "original");
            using var http = Http(server);
            var client = await LedgerClient.CreateAsync(http, keys, store);
            await client.VerifyInclusionAsync(index, entry);
        }
        await using (var server = await StartAsync(Child("fork")))
        {
            await AppendAsync(server, 7, "forked");
            using var http = Http(server);
            var client = await LedgerClient.CreateAsync(http, keys, store);
            var fork = await Assert.ThrowsAsync<LedgerVerificationException>(() => client.UpdateAsync());
            Assert.True(fork.IsFork, fork.Message);
            Assert.NotNull((await store.LoadAsync(client.Origin, default)).ForkEvidence);
            Assert.True((await Assert.ThrowsAsync<LedgerVerificationException>(() => client.UpdateAsync())).IsFork);
        }
        await using (var server = await StartAsync(Child("data")))
        {
            using var http = Http(server);
            var client = await LedgerClient.CreateAsync(http, keys, store);
            Assert.True((await Assert.ThrowsAsync<LedgerVerificationException>(() => client.UpdateAsync())).IsFork);
        }
    }

    [Fact]
    public async Task A_server_restored_to_an_older_state_is_a_rollback()
    {
        var store = new MemoryCheckpointStore();
        await using (var server = await StartAsync(Child("data")))
            await AppendAsync(server, 2, "first");
        Copy(Child("data"), Child("backup"));
        IReadOnlyList<INoteVerifier> keys;
        await using (var server = await StartAsync(Child("data")))
        {
            await AppendAsync(server, 5, "later");
            using var http = Http(server);
            keys = await LedgerClient.FetchVerifierKeysAsync(http);
            await (await LedgerClient.CreateAsync(http, keys, store)).UpdateAsync();
        }
        await using (var server = await StartAsync(Child("backup")))
        {
            using var http = Http(server);
            var client = await LedgerClient.CreateAsync(http, keys, store);
            var rollback = await Assert.ThrowsAsync<LedgerVerificationException>(() => client.UpdateAsync());
            Assert.Equal(ProtocolErrorCode.Rollback, rollback.Error.Code);
        }
    }

    [Fact]
    public async Task Pinned_keys_a_tampered_stored_checkpoint_and_a_witness_quorum_are_enforced()
    {
        await using var server = await StartAsync(Child("data"));
        using var http = Http(server);
        var keys = await LedgerClient.FetchVerifierKeysAsync(http);
        var store = new MemoryCheckpointStore();
        var client = await LedgerClient.CreateAsync(http, keys, store);
        var accepted = await client.UpdateAsync();

        // Another key under the log's name: the served checkpoint is not signed by it.
        using var other = new Ed25519NoteSigner(keys[0].Name, SecretKey.Generate(32));
        var pinnedOther = await LedgerClient.CreateAsync(http, [other.Verifier], new MemoryCheckpointStore());
        Assert.Equal(ProtocolErrorCode.Untrusted, (await Assert.ThrowsAsync<LedgerVerificationException>(() => pinnedOther.UpdateAsync())).Error.Code);

        // A stored checkpoint changed on disk no longer verifies.
        var tampered = new MemoryCheckpointStore();
        await tampered.SaveCheckpointAsync(client.Origin, accepted.Note.Format().Replace(accepted.Checkpoint.Size + "\n", accepted.Checkpoint.Size + 1 + "\n", StringComparison.Ordinal), default);
        await Assert.ThrowsAsync<LedgerVerificationException>(() => LedgerClient.CreateAsync(http, keys, tampered));

        // A client that requires a witness refuses checkpoints without its cosignature, then accepts one with it.
        using var witness = new CosignatureV1Signer("gbr.witness.example", SecretKey.Generate(32), TimeProvider.System);
        await using (var scope = server.App.Services.CreateAsyncScope())
            Assert.Equal(WitnessRegistrationFailure.None, (await scope.ServiceProvider.GetRequiredService<WitnessRegistry>().RegisterAsync("GBR", "GBR witness", witness.Verifier.VerifierKey, null, default)).Failure);
        await AppendAsync(server, 1, "x");
        var strict = await LedgerClient.CreateAsync(http, keys, store, [witness.Verifier], witnessQuorum: 1);
        Assert.Equal(ProtocolErrorCode.Untrusted, (await Assert.ThrowsAsync<LedgerVerificationException>(() => strict.UpdateAsync())).Error.Code);
        var text = SignedNote.Parse(await http.GetStringAsync("ledger/checkpoint")).Value.Text;
        using (var response = await http.PostAsync("ledger/cosignatures", new StringContent(witness.Sign(text).Line))) response.EnsureSuccessStatusCode();
        Assert.Single((await strict.UpdateAsync()).Cosignatures);
    }
}
