using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Parley.Server.Storage;

/// <summary>The server's relational state. Features add their entities through their own configuration.</summary>
public sealed class ParleyDbContext(DbContextOptions<ParleyDbContext> options) : DbContext(options)
{
    /// <summary>One row: this installation.</summary>
    public DbSet<ServerInstance> Instance => Set<ServerInstance>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ServerInstance>(e =>
        {
            e.ToTable("server_instance");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
        });
        Ledger.LedgerModel.Configure(modelBuilder);
        Identity.Model.IdentityModel.Configure(modelBuilder);
        Policy.Model.PolicyModel.Configure(modelBuilder);
        Rooms.Model.RoomsModel.Configure(modelBuilder);
        Documents.Model.DocumentsModel.Configure(modelBuilder);
    }

    /// <summary>SQLite options for a data folder: full fsync on commit (writes that acknowledge are durable), foreign keys.
    /// The journal mode is set once by <see cref="UseWriteAheadLogAsync"/>, because it is stored in the file.</summary>
    public static void UseSqlite(DbContextOptionsBuilder builder, DataDirectory data) =>
        builder.UseSqlite(ConnectionString(data), sqlite => sqlite.MigrationsAssembly(typeof(ParleyDbContext).Assembly.GetName().Name))
            .AddInterceptors(new SqlitePragmas());

    /// <summary>Closes the idle pooled connections to the data folder's database.</summary>
    public static void ReleaseConnections(DataDirectory data)
    {
        using var connection = new SqliteConnection(ConnectionString(data));
        SqliteConnection.ClearPool(connection);
    }

    private static string ConnectionString(DataDirectory data) => $"Data Source={data.DatabasePath};Pooling=True";

    private const string ConnectionPragmas = "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;";

    /// <summary>Opens a plain ADO.NET connection to the data folder's database, for storage that does not go
    /// through EF Core (the ledger's hot path). A connection that writes gets the context's per-connection
    /// settings (full fsync on commit); a read-only one skips them, since reads in WAL mode neither sync nor
    /// wait for writers.</summary>
    public static async Task<SqliteConnection> OpenConnectionAsync(DataDirectory data, CancellationToken cancellationToken, bool forWriting = true)
    {
        var connection = new SqliteConnection(ConnectionString(data));
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (!forWriting) return connection;
            await using var command = connection.CreateCommand();
            command.CommandText = ConnectionPragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Switches the database file to write-ahead logging, which lasts for the file's life.</summary>
    /// <exception cref="InvalidOperationException">SQLite kept another journal mode (e.g. the file system cannot share memory).</exception>
    public async Task UseWriteAheadLogAsync(CancellationToken cancellationToken)
    {
        var connection = Database.GetDbConnection();
        await Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL;";
            var mode = (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"SQLite refused write-ahead logging for {connection.DataSource} (journal mode '{mode}').");
        }
        finally
        {
            await Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    // Per-connection settings only. They must not write: EF Core also opens read-only connections
    // (to test whether the database exists), where "PRAGMA journal_mode=WAL" on a new file fails
    // with "attempt to write a readonly database".
    private sealed class SqlitePragmas : DbConnectionInterceptor
    {
        private const string Pragmas = ConnectionPragmas;

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>The installation: an identifier made at first start.</summary>
public sealed class ServerInstance
{
    /// <summary>Always 1.</summary>
    public int Id { get; set; } = 1;

    /// <summary>Random identifier of this installation.</summary>
    public Guid InstanceId { get; set; }

    /// <summary>When the data folder was initialised.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the context without a running server.</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<ParleyDbContext>
{
    public ParleyDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<ParleyDbContext>();
        ParleyDbContext.UseSqlite(builder, DataDirectory.Open(Path.Combine(Path.GetTempPath(), "parley-design-time")));
        return new ParleyDbContext(builder.Options);
    }
}
