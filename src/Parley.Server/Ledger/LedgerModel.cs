using Microsoft.EntityFrameworkCore;

namespace Parley.Server.Ledger;

/// <summary>A row of <c>ledger_tiles</c>: the latest version of one hash tile (full, or the partial tile of the current size).</summary>
public sealed class LedgerTileRow
{
    /// <summary>Tile level.</summary>
    public int Level { get; set; }

    /// <summary>Tile index within the level.</summary>
    public long TileIndex { get; set; }

    /// <summary>Concatenated 32-byte hashes (32 × width).</summary>
    public byte[] Data { get; set; } = [];
}

/// <summary>A row of <c>ledger_checkpoints</c>: every checkpoint the log signed, by size.</summary>
public sealed class LedgerCheckpointRow
{
    /// <summary>Tree size.</summary>
    public long Size { get; set; }

    /// <summary>The signed note, as served.</summary>
    public string Note { get; set; } = "";

    /// <summary>When it was signed.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A row of <c>ledger_cosignatures</c>: a registered witness's latest cosignature of one checkpoint.</summary>
public sealed class LedgerCosignatureRow
{
    /// <summary>The cosigned checkpoint's size.</summary>
    public long CheckpointSize { get; set; }

    /// <summary>The witness (<see cref="Witness.Id"/>).</summary>
    public long WitnessId { get; set; }

    /// <summary>The cosignature's own timestamp (POSIX seconds).</summary>
    public long Timestamp { get; set; }

    /// <summary>The signature line, with its newline.</summary>
    public string Line { get; set; } = "";

    /// <summary>When the server received it.</summary>
    public DateTimeOffset ReceivedAt { get; set; }
}

/// <summary>A delegation's registered witness: the key whose cosignatures the server accepts and serves.</summary>
public sealed class Witness
{
    /// <summary>Row id.</summary>
    public long Id { get; set; }

    /// <summary>The delegation whose witness it is.</summary>
    public string Delegation { get; set; } = "";

    /// <summary>A name for people, e.g. "GBR witness".</summary>
    public string Name { get; set; } = "";

    /// <summary>The cosignature/v1 verifier key string.</summary>
    public string VerifierKey { get; set; } = "";

    /// <summary>The key name of its signature lines.</summary>
    public string KeyName { get; set; } = "";

    /// <summary>The key ID of its signature lines.</summary>
    public long KeyId { get; set; }

    /// <summary>When it was registered.</summary>
    public DateTimeOffset RegisteredAt { get; set; }
}

/// <summary>A web client bundle whose hash is already in the ledger.</summary>
public sealed class WebClientBundleRecord
{
    /// <summary>Hex SHA-256 of the bundle manifest.</summary>
    public string Hash { get; set; } = "";

    /// <summary>When it was first served.</summary>
    public DateTimeOffset RecordedAt { get; set; }
}

/// <summary>The ledger's tables in the EF model (the schema and its migrations); the sequencer reaches them through <see cref="ILedgerStorage"/>.</summary>
public static class LedgerModel
{
    /// <summary>Adds the ledger's entities to <paramref name="model"/>.</summary>
    public static void Configure(ModelBuilder model)
    {
        model.Entity<PendingLedgerEntry>(e =>
        {
            e.ToTable("ledger_queue");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedOnAdd();
            e.Property(x => x.Index).HasColumnName("Idx");
            e.HasIndex(x => x.Index).IsUnique().HasFilter("Idx IS NOT NULL").HasDatabaseName("IX_ledger_queue_Idx");
            // The sequencer's work list: the queue order of the entries not yet integrated.
            e.HasIndex(x => x.Id).HasFilter("Idx IS NULL").HasDatabaseName("IX_ledger_queue_pending");
            e.HasIndex(x => x.LeafHash).HasDatabaseName("IX_ledger_queue_LeafHash");
            e.HasIndex(x => x.Subject).HasDatabaseName("IX_ledger_queue_Subject");
        });
        model.Entity<LedgerTileRow>(e =>
        {
            e.ToTable("ledger_tiles");
            e.HasKey(x => new { x.Level, x.TileIndex });
        });
        model.Entity<LedgerCheckpointRow>(e =>
        {
            e.ToTable("ledger_checkpoints");
            e.HasKey(x => x.Size);
            e.Property(x => x.Size).ValueGeneratedNever();
        });
        model.Entity<LedgerCosignatureRow>(e =>
        {
            e.ToTable("ledger_cosignatures");
            e.HasKey(x => new { x.CheckpointSize, x.WitnessId });
            e.HasOne<Witness>().WithMany().HasForeignKey(x => x.WitnessId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<Witness>(e =>
        {
            e.ToTable("witnesses");
            e.HasKey(x => x.Id);
            e.Property(x => x.Delegation).HasMaxLength(8);
            e.Property(x => x.Name).HasMaxLength(100);
            e.HasIndex(x => new { x.KeyName, x.KeyId }).IsUnique();
        });
        model.Entity<WebClientBundleRecord>(e =>
        {
            e.ToTable("web_client_bundles");
            e.HasKey(x => x.Hash);
        });
    }
}
