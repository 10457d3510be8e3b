using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Parley.Server.Identity.Model;

namespace Parley.Server.Policy.Model;

/// <summary>A course completion recorded by a security officer. The newest completion decides a member's training.</summary>
public sealed class TrainingRecord
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string DelegationCode { get; set; } = "";
    public string Course { get; set; } = "";
    /// <summary>Midnight UTC of the day the course was completed.</summary>
    public DateTimeOffset CompletedOn { get; set; }
    /// <summary>The last instant the training counts (23:59:59 UTC of its last day).</summary>
    public DateTimeOffset ValidUntil { get; set; }
    public Guid RecordedBy { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
}

/// <summary>Need-to-know for one user on one resource (<c>kind:id</c>), between two instants, unless revoked.</summary>
public sealed class AccessGrant
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    /// <summary>The grantee's delegation, whose officers manage the grant.</summary>
    public string DelegationCode { get; set; } = "";
    public string Resource { get; set; } = "";
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public string? Reason { get; set; }
    public Guid GrantedBy { get; set; }
    public DateTimeOffset GrantedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public Guid? RevokedBy { get; set; }
}

/// <summary>An officer's authorisation to write a resource's content at a lower label until it expires.</summary>
public sealed class DowngradeRecord
{
    public Guid Id { get; set; }
    public string Resource { get; set; } = "";
    public string FromLabel { get; set; } = "";
    public string ToLabel { get; set; } = "";
    /// <summary>Lower-case hex SHA-256 of the one item covered, or null for any item.</summary>
    public string? ItemHash { get; set; }
    /// <summary>Why, as the officer wrote it (the ledger holds only its hash).</summary>
    public string Justification { get; set; } = "";
    public string DelegationCode { get; set; } = "";
    public Guid AuthorizedBy { get; set; }
    public DateTimeOffset AuthorizedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>Tables, keys and indexes of the policy.</summary>
public static class PolicyModel
{
    private static readonly ValueConverter<DateTimeOffset, long> Instant =
        new(v => v.ToUnixTimeMilliseconds(), v => DateTimeOffset.FromUnixTimeMilliseconds(v));
    private static readonly ValueConverter<DateTimeOffset?, long?> OptionalInstant =
        new(v => v.HasValue ? v.Value.ToUnixTimeMilliseconds() : null, v => v.HasValue ? DateTimeOffset.FromUnixTimeMilliseconds(v.Value) : null);

    public static void Configure(ModelBuilder model)
    {
        model.Entity<TrainingRecord>(e =>
        {
            e.ToTable("training_records");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => x.UserId);
            e.HasIndex(x => x.DelegationCode);
            e.HasOne<UserAccount>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Restrict);
        });
        model.Entity<AccessGrant>(e =>
        {
            e.ToTable("access_grants");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => new { x.UserId, x.Resource });
            e.HasIndex(x => x.DelegationCode);
            e.HasOne<UserAccount>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Restrict);
        });
        model.Entity<DowngradeRecord>(e =>
        {
            e.ToTable("downgrades");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => x.Resource);
            e.HasIndex(x => x.DelegationCode);
        });

        foreach (var type in new[] { typeof(TrainingRecord), typeof(AccessGrant), typeof(DowngradeRecord) })
        {
            foreach (var property in model.Model.FindEntityType(type)!.GetProperties())
            {
                if (property.ClrType == typeof(DateTimeOffset)) property.SetValueConverter(Instant);
                else if (property.ClrType == typeof(DateTimeOffset?)) property.SetValueConverter(OptionalInstant);
            }
        }
    }
}
