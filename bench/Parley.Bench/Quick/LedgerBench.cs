using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parley.Protocol.Crypto;
using Parley.Protocol.Ledger;
using Parley.Server.Hosting;
using Parley.Server.Ledger;
using Parley.Server.Storage;

namespace Parley.Bench.Quick;

/// <summary>
/// <c>ledger</c>: the ledger on the embedded default (SQLite in a temporary data folder, a real server
/// in this process). Durable appends per second (the sequencer draining a full queue, each batch
/// committed with synchronous=FULL with its tiles and signed checkpoint), then with producers committing
/// as features do; inclusion proofs at the final size from the stored tiles and from tiles in memory;
/// checkpoint latency (a single queued entry until it is in a durable signed checkpoint) and signing time.
/// </summary>
public static class LedgerBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var entries = 1_000_000;
        var producers = 4;
        var perCommit = 100;
        string? directory = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            var value = i + 1 < args.Length ? args[++i] : throw new UsageException($"{name} needs a value.");
            switch (name)
            {
                case "--entries": entries = Positive(name, value); break;
                case "--producers": producers = Positive(name, value); break;
                case "--per-commit": perCommit = Positive(name, value); break;
                case "--dir": directory = value; break;
                default: throw new UsageException($"Unknown option {name}.");
            }
        }

        var root = directory is null
            ? Directory.CreateTempSubdirectory("parley-bench-ledger-")
            : Directory.CreateDirectory(Path.Combine(directory, $"parley-bench-ledger-{Guid.NewGuid():N}"));
        try
        {
            Console.WriteLine($"ledger: {entries:N0} entries, {Environment.ProcessorCount} cores, {Measure.Load()}, data in {root.FullName}");
            var data = Path.Combine(root.FullName, "data");
            await (await StartAsync(data)).DisposeAsync();

            // 1. A full queue: what the sequencer sustains, every batch durable before the next.
            var start = await CountAsync(data, "SELECT max(Size) FROM ledger_checkpoints");
            await FillQueueAsync(data, entries);
            await using (var server = await StartAsync(data))
            {
                var (count, seconds) = await WatchIntegrationAsync(server, start, start + entries);
                Console.WriteLine($"  durable appends, full queue:        {count / seconds,12:N0} entries/s ({count:N0} in {seconds:F2} s, {await CountAsync(data, "SELECT count(*) FROM ledger_checkpoints"):N0} checkpoints so far)");

                // 2. Producers committing ledger entries in transactions, as features do, while the sequencer runs.
                var produced = Math.Min(entries, 200_000);
                var before = await CountAsync(data, "SELECT max(Size) FROM ledger_checkpoints");
                var clock = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, producers).Select(p => ProduceAsync(server, produced / producers, perCommit, p)));
                var committed = clock.Elapsed.TotalSeconds;
                var target = before + produced / producers * producers;
                await WaitForSizeAsync(server, target);
                clock.Stop();
                Console.WriteLine($"  durable appends, {producers} producers × {perCommit}/commit: {(target - before) / clock.Elapsed.TotalSeconds,6:N0} entries/s end to end ({target - before:N0} in {clock.Elapsed.TotalSeconds:F2} s; commits took {committed:F2} s)");

                // 3. Inclusion proofs at the final size, from the tiles in SQLite, as a server would build them.
                var storage = server.App.Services.GetRequiredService<SqliteLedgerStorage>();
                var size = (await storage.ReadLatestCheckpointAsync(default))!.Size;
                var checkpoint = (await storage.ReadLatestCheckpointAsync(default))!.Checkpoint;
                var stored = new StoredTiles(storage);
                await ProveAsync("inclusion proof from SQLite tiles", stored, checkpoint, 2000);
            }

            // 4. The same proofs from tiles in memory (what a client does once it has the tiles), and verification alone.
            await InMemoryProofsAsync(Math.Max(entries, 1));

            // 5. Checkpoint latency: one entry, queued on an idle log, until it is in a durable signed checkpoint.
            await using (var server = await StartAsync(data))
            {
                var samples = new List<double>();
                for (var i = 0; i < 60; i++)
                {
                    var clock = Stopwatch.StartNew();
                    await ProduceAsync(server, 1, 1, 1000 + i, wait: true);
                    samples.Add(clock.Elapsed.TotalMilliseconds);
                    await Task.Delay(20);
                }
                samples.Sort();
                Console.WriteLine($"  checkpoint latency (commit → integrated): median {samples[samples.Count / 2]:F1} ms, p95 {samples[(int)(samples.Count * 0.95)]:F1} ms, max {samples[^1]:F1} ms");
            }
            SigningTime();
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            root.Delete(recursive: true);
        }
    }

    private static async Task<RunningServer> StartAsync(string data) =>
        await ParleyHost.StartAsync(new ServerOptions { DataDirectory = data, Urls = "http://127.0.0.1:0", MinimumLogLevel = LogLevel.Warning });

    // The features' side of the queue, written straight to SQLite so that filling it does not count.
    private static async Task FillQueueAsync(string data, int entries)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(data, "parley.db")};Pooling=False");
        await connection.OpenAsync();
        const int chunk = 50_000;
        for (var done = 0; done < entries; done += chunk)
        {
            await using var transaction = connection.BeginTransaction();
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO ledger_queue (Entry, LeafHash) VALUES ($entry, $hash)";
            var entry = insert.Parameters.Add("$entry", SqliteType.Blob);
            var hash = insert.Parameters.Add("$hash", SqliteType.Blob);
            for (var i = done; i < Math.Min(entries, done + chunk); i++)
            {
                var bytes = Entry(i).Encode();
                entry.Value = bytes;
                hash.Value = MerkleHash.Leaf(bytes);
                await insert.ExecuteNonQueryAsync();
            }
            await transaction.CommitAsync();
        }
    }

    private static LedgerEntry Entry(int i) => new(LedgerEventType.AccessDecision, 1_795_000_000_000 + i, Guid.NewGuid(), "GBR",
        $"document:{i % 977}", [new LedgerField("outcome", i % 3 == 0 ? "deny" : "permit"), new LedgerField("rules", "label,need-to-know")]);

    private static async Task ProduceAsync(RunningServer server, int entries, int perCommit, int producer, bool wait = false)
    {
        LedgerRecord? last = null;
        for (var done = 0; done < entries; done += perCommit)
        {
            await using var scope = server.App.Services.CreateAsyncScope();
            var writer = scope.ServiceProvider.GetRequiredService<LedgerWriter>();
            for (var i = done; i < Math.Min(entries, done + perCommit); i++)
                last = writer.Record(LedgerEventType.AccessDecision, Guid.NewGuid(), "GBR", $"producer:{producer}:{i}", new LedgerField("outcome", "permit"));
            await scope.ServiceProvider.GetRequiredService<ParleyDbContext>().SaveChangesAsync();
        }
        if (wait && last is not null) await server.App.Services.GetRequiredService<LedgerSequencer>().WaitForIntegrationAsync(last.QueueId, default);
    }

    private static async Task<(long Count, double Seconds)> WatchIntegrationAsync(RunningServer server, long from, long to)
    {
        // From the first checkpoint past the starting size to the one that covers everything.
        var reader = server.App.Services.GetRequiredService<ILedgerReader>();
        long first;
        while ((first = (await reader.ReadLatestCheckpointAsync(default))!.Size) <= from) await Task.Delay(2);
        var clock = Stopwatch.StartNew();
        await WaitForSizeAsync(server, to);
        return (to - first, clock.Elapsed.TotalSeconds);
    }

    private static async Task WaitForSizeAsync(RunningServer server, long size)
    {
        var reader = server.App.Services.GetRequiredService<ILedgerReader>();
        while ((await reader.ReadLatestCheckpointAsync(default))!.Size < size) await Task.Delay(2);
    }

    private static async Task ProveAsync(string label, ITileReader tiles, Checkpoint checkpoint, int proofs)
    {
        var random = new Random(1);
        var indices = Enumerable.Range(0, proofs).Select(_ => random.NextInt64(checkpoint.Size)).ToArray();
        // Leaf hashes first: a verifier has the entry, not the proof's tiles.
        var leaves = new byte[proofs][];
        for (var i = 0; i < proofs; i++) leaves[i] = (await TileProofs.LeafHashAsync(tiles, indices[i], checkpoint.Size, default)).Value;
        // One cache for the run, as a client keeps one: full tiles above the leaves are read and hashed once.
        var cache = new FullTileCache();
        var cpu = Measure.UserCpuTime();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < proofs; i++)
        {
            var proof = (await TileProofs.InclusionAsync(tiles, indices[i], checkpoint.Size, default, cache)).Value;
            if (MerkleProofs.VerifyInclusion(indices[i], checkpoint.Size, leaves[i], proof, checkpoint.Root) is { } error) throw new InvalidOperationException(error.Message);
        }
        var cpuMicroseconds = (Measure.UserCpuTime() - cpu).TotalMicroseconds / proofs;
        Console.WriteLine($"  {label + " + verify",-46} {clock.Elapsed.TotalMicroseconds / proofs,8:F1} µs per proof by wall clock, {cpuMicroseconds,7:F1} µs by CPU, at size {checkpoint.Size:N0} ({proofs} random leaves)");
    }

    private static async Task InMemoryProofsAsync(int size)
    {
        var tree = TiledTree.Empty();
        var tiles = new Dictionary<(int, long), byte[]>();
        for (var i = 0; i < size; i++)
        {
            tree.Append(MerkleHash.Leaf(BitConverter.GetBytes(i)));
            if ((i & 0xffff) == 0xffff || i == size - 1)
                foreach (var (tile, bytes) in tree.TakeChangedTiles()) tiles[(tile.Level, tile.Index)] = bytes;
        }
        var checkpoint = Checkpoint.Create("bench/ledger", size, tree.Root());
        await ProveAsync("inclusion proof from tiles in memory", new MemoryTiles(tiles), checkpoint, 20_000);

        var random = new Random(2);
        var index = random.NextInt64(size);
        var proof = (await TileProofs.InclusionAsync(new MemoryTiles(tiles), index, size, default)).Value;
        var leaf = MerkleHash.Leaf(BitConverter.GetBytes((int)index));
        var cpu = Measure.UserCpuTime();
        var clock = Stopwatch.StartNew();
        const int rounds = 100_000;
        for (var i = 0; i < rounds; i++) MerkleProofs.VerifyInclusion(index, size, leaf, proof, checkpoint.Root);
        Console.WriteLine($"  {"inclusion proof verification alone",-46} {clock.Elapsed.TotalMicroseconds / rounds,8:F1} µs by wall clock, {(Measure.UserCpuTime() - cpu).TotalMicroseconds / rounds,7:F1} µs by CPU ({proof.Length} hashes)");
    }

    private static void SigningTime()
    {
        using var ed = new Ed25519NoteSigner("bench/ledger", SecretKey.Generate(32));
        var pq = new MlDsa87NoteSigner("bench/ledger", SecretKey.Generate(32));
        var text = Checkpoint.Create("bench/ledger", 1_000_000, new byte[32]).Text;
        foreach (var (name, signer) in new (string, INoteSigner)[] { ("Ed25519", ed), ("ML-DSA-87", pq) })
        {
            signer.Sign(text);
            var clock = Stopwatch.StartNew();
            const int rounds = 200;
            for (var i = 0; i < rounds; i++) signer.Sign(text);
            Console.WriteLine($"  checkpoint signature {name,-10}                {clock.Elapsed.TotalMilliseconds / rounds,8:F3} ms");
        }
    }

    private static async Task<long> CountAsync(string data, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(data, "parley.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new UsageException($"{name} takes a positive whole number, not '{value}'.");

    private sealed class StoredTiles(SqliteLedgerStorage storage) : ITileReader
    {
        public async ValueTask<Parley.Protocol.Result<byte[]>> ReadAsync(TileAddress tile, CancellationToken cancellationToken)
        {
            var data = await storage.ReadTileAsync(tile.Level, tile.Index, cancellationToken);
            return data is null ? Parley.Protocol.Result<byte[]>.Fail(Parley.Protocol.ProtocolErrorCode.Truncated, "missing") : data[..(tile.Width * MerkleHash.Size)];
        }
    }

    private sealed class MemoryTiles(Dictionary<(int, long), byte[]> tiles) : ITileReader
    {
        public ValueTask<Parley.Protocol.Result<byte[]>> ReadAsync(TileAddress tile, CancellationToken cancellationToken) =>
            ValueTask.FromResult(tiles.TryGetValue((tile.Level, tile.Index), out var data)
                ? Parley.Protocol.Result<byte[]>.Ok(data[..(tile.Width * MerkleHash.Size)])
                : Parley.Protocol.Result<byte[]>.Fail(Parley.Protocol.ProtocolErrorCode.Truncated, "missing"));
    }
}
