using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Parley.Server.Identity.Model;

namespace Parley.Server.Rooms.Model;

/// <summary>Tables, keys and indexes of rooms.</summary>
public static class RoomsModel
{
    // Unix milliseconds: SQLite compares and orders them as numbers (retention compares times).
    private static readonly ValueConverter<DateTimeOffset, long> Instant =
        new(v => v.ToUnixTimeMilliseconds(), v => DateTimeOffset.FromUnixTimeMilliseconds(v));
    private static readonly ValueConverter<DateTimeOffset?, long?> OptionalInstant =
        new(v => v.HasValue ? v.Value.ToUnixTimeMilliseconds() : null, v => v.HasValue ? DateTimeOffset.FromUnixTimeMilliseconds(v.Value) : null);

    public static void Configure(ModelBuilder model)
    {
        model.Entity<RoomRecord>(e =>
        {
            e.ToTable("rooms");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => x.NormalizedName).IsUnique();
            e.Property(x => x.NormalizedName).UseCollation("NOCASE");
            e.Property(x => x.Version).IsConcurrencyToken();
            e.HasOne<UserAccount>().WithMany().HasForeignKey(x => x.CreatedBy).OnDelete(DeleteBehavior.Restrict);
        });
        model.Entity<RoomMemberRecord>(e =>
        {
            e.ToTable("room_members");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.RoomId, x.UserId });
            e.HasIndex(x => x.UserId);
            e.HasOne<RoomRecord>().WithMany().HasForeignKey(x => x.RoomId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<UserAccount>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Restrict);
        });
        model.Entity<RoomEntryRecord>(e =>
        {
            e.ToTable("room_entries");
            e.HasKey(x => new { x.RoomId, x.Sequence });
            // One message per sender chain step and epoch: the same message posted twice is a replay. NULLs (other kinds) never collide.
            e.HasIndex(x => new { x.RoomId, x.Epoch, x.DeviceId, x.Counter }).IsUnique();
            e.HasIndex(x => new { x.Kind, x.At });
            e.HasOne<RoomRecord>().WithMany().HasForeignKey(x => x.RoomId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<RoomKeyPackageRecord>(e =>
        {
            e.ToTable("room_key_packages");
            e.HasKey(x => new { x.RoomId, x.Sequence, x.RecipientDeviceId });
            e.HasOne<RoomEntryRecord>().WithMany().HasForeignKey(x => new { x.RoomId, x.Sequence }).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<RoomRosterDeviceRecord>(e =>
        {
            e.ToTable("room_roster_devices");
            e.HasKey(x => new { x.RoomId, x.DeviceId });
            e.HasIndex(x => x.DeviceId);
            e.HasOne<RoomRecord>().WithMany().HasForeignKey(x => x.RoomId).OnDelete(DeleteBehavior.Cascade);
        });

        foreach (var type in new[] { typeof(RoomRecord), typeof(RoomMemberRecord), typeof(RoomEntryRecord) })
        {
            foreach (var property in model.Model.FindEntityType(type)!.GetProperties())
            {
                if (property.ClrType == typeof(DateTimeOffset)) property.SetValueConverter(Instant);
                else if (property.ClrType == typeof(DateTimeOffset?)) property.SetValueConverter(OptionalInstant);
            }
        }
    }
}
