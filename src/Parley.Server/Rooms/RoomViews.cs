using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Server.Identity.Model;
using Parley.Server.Rooms.Log;
using Parley.Server.Rooms.Model;
using Parley.Server.Storage;

namespace Parley.Server.Rooms;

/// <summary>Rooms as the API shows them.</summary>
public sealed class RoomViews(ParleyDbContext db, Rotation rotation, TimeProvider time)
{
    public async Task<RoomView> ViewAsync(RoomRecord room, CancellationToken cancellationToken)
    {
        var members = await (from m in db.Set<RoomMemberRecord>().AsNoTracking()
                             join u in db.Set<UserAccount>().AsNoTracking() on m.UserId equals u.Id
                             where m.RoomId == room.Id && m.RemovedAt == null
                             select new { m, u }).ToListAsync(cancellationToken);
        var reasons = await rotation.ReasonsAsync(room, time.GetUtcNow(), cancellationToken);
        return new RoomView(room.Id, room.Name, room.Label, room.PartyList(), room.CreatedBy, room.CreatedAt, room.RetentionDays,
            members.OrderBy(x => x.m.Id).Select(x => new RoomMemberView(x.u.Id, x.u.Email, x.u.DisplayName, x.m.DelegationCode, x.m.AddedAt, x.m.AddedBy)).ToList(),
            Epoch(room), reasons, room.LastSequence);
    }

    public async Task<IReadOnlyList<RoomView>> ViewsAsync(IEnumerable<RoomRecord> rooms, CancellationToken cancellationToken)
    {
        var views = new List<RoomView>();
        foreach (var room in rooms) views.Add(await ViewAsync(room, cancellationToken));
        return views;
    }

    public static RoomSummary Summary(RoomRecord room, int members) =>
        new(room.Id, room.Name, room.Label, room.PartyList(), members, room.Epoch, room.LastSequence, room.RetentionDays, room.CreatedAt);

    private static RoomEpochView? Epoch(RoomRecord room) => room.Epoch == 0 || room.RosterHash is null
        ? null
        : new RoomEpochView(room.Epoch, room.RosterHash, room.EpochSequence, room.EpochCreatorDevice ?? Guid.Empty, room.EpochStartedAt ?? room.CreatedAt, room.MessagesInEpoch);
}
