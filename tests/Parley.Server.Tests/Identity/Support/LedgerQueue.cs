using Microsoft.Data.Sqlite;
using Parley.Protocol.Ledger;

namespace Parley.Server.Tests.Identity.Support;

/// <summary>Reads the server's pending ledger entries straight from its database.</summary>
public static class LedgerQueue
{
    public static async Task<List<LedgerEntry>> ReadAsync(IdentityHost host)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(host.DataDirectory, "parley.db"), Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Entry FROM ledger_queue ORDER BY Id";
        var entries = new List<LedgerEntry>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            entries.Add(LedgerEntry.Decode((byte[])reader[0]).Value);
        return entries;
    }
}
