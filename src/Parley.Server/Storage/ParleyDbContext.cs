using System.Data.Common;
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
        modelBuilder.Entity<Ledger.PendingLedgerEntry>(e =>
        {
            e.ToTable("ledger_queue");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedOnAdd();
        });
    }

    /// <summary>SQLite options for a data folder: WAL, full fsync on commit (writes that acknowledge are durable), foreign keys.</summary>
    public static void UseSqlite(DbContextOptionsBuilder builder, DataDirectory data) =>
        builder.UseSqlite($"Data Source={data.DatabasePath};Pooling=True", sqlite => sqlite.MigrationsAssembly(typeof(ParleyDbContext).Assembly.GetName().Name))
            .AddInterceptors(new SqlitePragmas());

    private sealed class SqlitePragmas : DbConnectionInterceptor
    {
        private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;";

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
