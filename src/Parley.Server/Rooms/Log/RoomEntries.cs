using Parley.Protocol.Api;
using Parley.Server.Rooms.Model;
using Parley.Server.Storage;

namespace Parley.Server.Rooms.Log;

/// <summary>Appends to a room's log: the next sequence number, stamped with the server's clock.</summary>
public static class RoomEntries
{
    /// <summary>Adds the next entry of <paramref name="room"/> to the context (written by the caller's SaveChanges, with the room's new state).</summary>
    public static RoomEntryRecord Append(ParleyDbContext db, RoomRecord room, RoomEntryKind kind, DateTimeOffset at, Guid? actor)
    {
        room.LastSequence++;
        room.Version++;
        var entry = new RoomEntryRecord { RoomId = room.Id, Sequence = room.LastSequence, Kind = kind, At = at, ActorUserId = actor };
        db.Add(entry);
        return entry;
    }

    /// <summary>The entry as a reader gets it; <paramref name="keyPackage"/> is the reader device's own, if any.</summary>
    public static RoomEntry View(RoomEntryRecord e, byte[]? keyPackage = null) => new(
        e.RoomId, e.Sequence, e.Kind, e.At, e.ActorUserId,
        Epoch: e.Epoch, Device: e.DeviceId,
        Roster: e.Kind == RoomEntryKind.Epoch ? e.Payload : null,
        KeyPackage: e.Kind == RoomEntryKind.Epoch ? keyPackage : null,
        Message: e.Kind == RoomEntryKind.Message ? e.Payload : null,
        Label: e.Label, Size: e.Size, Subject: e.SubjectUserId, Party: e.Party, RetentionDays: e.RetentionDays,
        ExpiredThrough: e.ExpiredThrough, Reason: e.Reason);
}
