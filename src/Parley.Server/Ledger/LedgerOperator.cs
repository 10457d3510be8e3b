using Microsoft.EntityFrameworkCore;
using Parley.Server.Hosting;
using Parley.Server.Storage;

namespace Parley.Server.Ledger;

/// <summary>
/// Operator actions on a server's data folder, for `parley ledger witness add`: they work whether or not
/// the server runs (SQLite serialises the writes) and queue their ledger entries like any feature; the
/// server's sequencer integrates them.
/// </summary>
public static class LedgerOperator
{
    /// <summary>Registers a delegation's witness key in the data folder <paramref name="dataDirectory"/>.</summary>
    /// <exception cref="ServerConfigurationException">The folder is not a Parley data folder of this version.</exception>
    public static async Task<WitnessRegistration> AddWitnessAsync(string dataDirectory, string delegation, string name, string verifierKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataDirectory);
        if (!File.Exists(Path.Combine(dataDirectory, "parley.db")))
            throw new ServerConfigurationException($"{dataDirectory} is not a Parley data folder (no parley.db); start `parley serve --data {dataDirectory}` once first.");
        var data = DataDirectory.Open(dataDirectory);
        var options = new DbContextOptionsBuilder<ParleyDbContext>();
        ParleyDbContext.UseSqlite(options, data);
        try
        {
            await using var db = new ParleyDbContext(options.Options);
            if ((await db.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).Any())
                throw new ServerConfigurationException($"The database in {dataDirectory} is not at this version's schema; start `parley serve --data {dataDirectory}` once first.");
            var writer = new LedgerWriter(db, LedgerHmacKey.LoadOrCreate(data), TimeProvider.System);
            return await new WitnessRegistry(db, writer).RegisterAsync(delegation, name, verifierKey, actor: null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ParleyDbContext.ReleaseConnections(data);
        }
    }
}
