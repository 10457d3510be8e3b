using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Rooms;
using Parley.Server.Identity.Model;
using Parley.Server.Rooms.Model;
using Parley.Server.Storage;

namespace Parley.Server.Rooms.Log;

/// <summary>
/// Whether a room needs a new epoch before it takes another message, as far as the server can tell:
/// the changes it recorded (a member added or removed, the label or the parties changed), a device of
/// the current roster revoked or a member's clearance revoked since the epoch began, and the limits of
/// <see cref="EpochPolicy.Default"/> (100 messages, 24 hours by the server's clock). Reasons come in
/// <see cref="RotationReason"/> order, as the clients' own <see cref="EpochPolicy"/> reports them.
/// </summary>
public sealed class Rotation(ParleyDbContext db)
{
    public static EpochPolicy Limits => EpochPolicy.Default;

    public async Task<IReadOnlyList<RotationReason>> ReasonsAsync(RoomRecord room, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (room.Epoch == 0) return [RotationReason.NoEpoch];
        var reasons = new SortedSet<RotationReason>();
        if (room.Rekey.HasFlag(RekeyFlags.MemberRemoved)) reasons.Add(RotationReason.MemberRemoved);
        if (room.Rekey.HasFlag(RekeyFlags.LabelChanged)) reasons.Add(RotationReason.LabelChanged);
        if (room.Rekey.HasFlag(RekeyFlags.PartiesChanged)) reasons.Add(RotationReason.PartiesChanged);
        if (room.Rekey.HasFlag(RekeyFlags.MemberAdded)) reasons.Add(RotationReason.MemberAdded);

        var roster = db.Set<RoomRosterDeviceRecord>().Where(d => d.RoomId == room.Id);
        if (await db.Set<DeviceRecord>().AnyAsync(d => roster.Any(r => r.DeviceId == d.Id) && d.RevokedAt != null, cancellationToken))
            reasons.Add(RotationReason.DeviceRevoked);
        var started = room.EpochStartedAt ?? room.CreatedAt;
        if (await db.Set<ClearanceRecord>().AnyAsync(c => roster.Any(r => r.UserId == c.SubjectUserId) && c.RevokedAt != null && c.RevokedAt >= started, cancellationToken))
            reasons.Add(RotationReason.MemberRemoved);

        if (room.MessagesInEpoch >= Limits.MaxMessages) reasons.Add(RotationReason.MessageLimit);
        if (now - started >= Limits.MaxAge) reasons.Add(RotationReason.AgeLimit);
        return [.. reasons];
    }
}
