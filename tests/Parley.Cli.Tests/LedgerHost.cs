using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parley.Protocol.Ledger;
using Parley.Server.Hosting;
using Parley.Server.Ledger;
using Parley.Server.Storage;

namespace Parley.Cli.Tests;

/// <summary>A real server on 127.0.0.1 and a data folder the test owns, with helpers to queue events and edit its database.</summary>
internal sealed class LedgerHost : IAsyncDisposable
{
    private LedgerHost(RunningServer server, string data)
    {
        Server = server;
        Data = data;
        Url = server.Addresses[0].ToString();
    }

    public RunningServer Server { get; }

    public string Data { get; }

    public string Url { get; }

    public static async Task<LedgerHost> StartAsync(string data)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var server = await ParleyHost.StartAsync(new ServerOptions { DataDirectory = data, Urls = "http://127.0.0.1:0", MinimumLogLevel = LogLevel.Warning }, timeout.Token);
        return new LedgerHost(server, data);
    }

    /// <summary>Queues <paramref name="count"/> events and waits until the last is in a signed checkpoint; returns the tree size.</summary>
    public async Task<long> AppendAsync(int count, string subject)
    {
        await using var scope = Server.App.Services.CreateAsyncScope();
        var writer = scope.ServiceProvider.GetRequiredService<LedgerWriter>();
        LedgerRecord? last = null;
        for (var i = 0; i < count; i++) last = writer.Record(LedgerEventType.AccessDecision, null, "GBR", $"{subject}:{i}", new LedgerField("outcome", "permit"));
        await scope.ServiceProvider.GetRequiredService<ParleyDbContext>().SaveChangesAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        return (await Server.App.Services.GetRequiredService<LedgerSequencer>().WaitForIntegrationAsync(last!.QueueId, timeout.Token)).TreeSize;
    }

    public async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(Data, "parley.db"), Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout=10000; " + sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<long> CountAsync(string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(Data, "parley.db"), Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
