using Microsoft.Extensions.DependencyInjection;
using Microsoft.Data.Sqlite;
using Parley.Client.Ledger;
using Parley.Protocol.Ledger;
using Parley.Server.Ledger;
using Parley.Server.Storage;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Ledger;

/// <summary>Queues events through the server's own writer, and reads or edits its database directly.</summary>
internal static class LedgerFixture
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Queues <paramref name="count"/> events in one transaction, as a feature would, and returns their records.</summary>
    public static async Task<List<LedgerRecord>> RecordAsync(TestServer server, int count, string subject = "test")
    {
        await using var scope = server.Server.App.Services.CreateAsyncScope();
        var writer = scope.ServiceProvider.GetRequiredService<LedgerWriter>();
        var records = new List<LedgerRecord>();
        for (var i = 0; i < count; i++)
            records.Add(writer.Record(LedgerEventType.AccessDecision, Guid.NewGuid(), "GBR", $"{subject}:{i}", new LedgerField("outcome", "permit")));
        await scope.ServiceProvider.GetRequiredService<ParleyDbContext>().SaveChangesAsync();
        return records;
    }

    /// <summary>Waits until the record is in a signed checkpoint.</summary>
    public static async Task<LedgerIntegration> IntegratedAsync(TestServer server, LedgerRecord record)
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await server.Server.App.Services.GetRequiredService<LedgerSequencer>().WaitForIntegrationAsync(record.QueueId, timeout.Token);
    }

    /// <summary>A client that pins the keys the server publishes, with its state in memory.</summary>
    public static async Task<LedgerClient> ClientAsync(TestServer server, ICheckpointStore? store = null, IReadOnlyList<INoteVerifier>? witnesses = null, int quorum = 0) =>
        await LedgerClient.CreateAsync(server.Http, await LedgerClient.FetchVerifierKeysAsync(server.Http), store ?? new MemoryCheckpointStore(), witnesses, quorum);

    public static async Task<SqliteConnection> OpenAsync(string dataDirectory)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "parley.db"), Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout=10000;";
        await pragma.ExecuteNonQueryAsync();
        return connection;
    }

    public static async Task<T> ScalarAsync<T>(string dataDirectory, string sql)
    {
        await using var connection = await OpenAsync(dataDirectory);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task ExecuteAsync(string dataDirectory, string sql)
    {
        await using var connection = await OpenAsync(dataDirectory);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
