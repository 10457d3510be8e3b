using Parley.Protocol.Rooms;

namespace Parley.Protocol.Tests.Rooms;

public class EpochPolicyTests
{
    private static readonly DateTimeOffset Created = RoomWorld.Now;
    private readonly RoomDefinition _room = RoomWorld.Room("SECRET//REL TO ATL, BOR", "ATL", "BOR");
    private readonly RosterMember _alice = Member("ATL");
    private readonly RosterMember _bob = Member("ATL");
    private readonly RosterMember _carol = Member("BOR");

    private static RosterMember Member(string delegation) =>
        new(Guid.NewGuid(), Guid.NewGuid(), delegation, [.. System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)]);

    private Roster Current(RoomDefinition? room = null) => new(_room.Id, 4, (room ?? _room).Label.ToCanonicalString(), [.. (room ?? _room).Parties], _alice.DeviceId,
        [.. new[] { _alice, _bob, _carol }.OrderBy(m => m.DeviceId, DeviceOrder.Comparer)], Created.ToUnixTimeSeconds(), [.. new byte[32]], [.. new byte[32]]);

    private RotationDecision Evaluate(IEnumerable<RosterMember>? members = null, long messages = 10, RoomDefinition? room = null, IEnumerable<Guid>? revoked = null, TimeSpan? age = null) =>
        EpochPolicy.Default.Evaluate(Current(), messages, room ?? _room, members ?? [_alice, _bob, _carol], revoked ?? [], Created + (age ?? TimeSpan.FromHours(1)));

    [Fact]
    public void A_room_without_an_epoch_needs_one()
    {
        var decision = EpochPolicy.Default.Evaluate(null, 0, _room, [_alice], [], Created);
        Assert.True(decision.Required);
        Assert.Equal([RotationReason.NoEpoch], decision.Reasons);
    }

    [Fact]
    public void Nothing_changed_within_the_limits_keeps_the_epoch()
    {
        var decision = Evaluate(messages: 99, age: TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        Assert.False(decision.Required);
        Assert.Empty(decision.Reasons);
        Assert.Equal("epoch current", decision.ToString());
    }

    [Fact]
    public void The_hundredth_message_and_the_twenty_fourth_hour_each_require_a_new_epoch()
    {
        Assert.Equal([RotationReason.MessageLimit], Evaluate(messages: 100).Reasons);
        Assert.Equal([RotationReason.AgeLimit], Evaluate(age: TimeSpan.FromHours(24)).Reasons);
        Assert.Equal([RotationReason.MessageLimit], new EpochPolicy(5, TimeSpan.FromDays(7)).Evaluate(Current(), 5, _room, [_alice, _bob, _carol], [], Created).Reasons);
    }

    [Fact]
    public void A_removed_member_and_a_revoked_device_each_require_a_new_epoch()
    {
        Assert.Equal([RotationReason.MemberRemoved], Evaluate(members: [_alice, _carol]).Reasons);
        Assert.Equal([RotationReason.DeviceRevoked], Evaluate(members: [_alice, _carol], revoked: [_bob.DeviceId]).Reasons);
    }

    [Fact]
    public void A_new_device_and_a_changed_certificate_each_require_a_new_epoch()
    {
        Assert.Equal([RotationReason.MemberAdded], Evaluate(members: [_alice, _bob, _carol, Member("BOR")]).Reasons);
        var rekeyed = _bob with { CertificateHash = [.. new byte[32]] };
        Assert.Equal([RotationReason.CertificateChanged], Evaluate(members: [_alice, rekeyed, _carol]).Reasons);
    }

    [Fact]
    public void A_label_change_and_a_withdrawn_party_each_require_a_new_epoch()
    {
        var raised = RoomWorld.Room(_room.Id, "TOP SECRET//REL TO ATL, BOR", "ATL", "BOR");
        Assert.Equal([RotationReason.LabelChanged], Evaluate(room: raised).Reasons);
        var atlOnly = RoomWorld.Room(_room.Id, "SECRET//REL TO ATL, BOR", "ATL");
        Assert.Equal([RotationReason.MemberRemoved, RotationReason.PartiesChanged], Evaluate(room: atlOnly, members: [_alice, _bob]).Reasons);
    }

    [Fact]
    public void Every_reason_is_reported_in_a_fixed_order()
    {
        var raised = RoomWorld.Room(_room.Id, "TOP SECRET//REL TO ATL, BOR", "ATL", "BOR");
        var decision = Evaluate(members: [_alice, Member("ATL")], revoked: [_bob.DeviceId], room: raised, messages: 150, age: TimeSpan.FromDays(2));
        Assert.Equal([RotationReason.MemberRemoved, RotationReason.DeviceRevoked, RotationReason.LabelChanged, RotationReason.MemberAdded, RotationReason.MessageLimit, RotationReason.AgeLimit], decision.Reasons);
        Assert.StartsWith("new epoch: MemberRemoved, DeviceRevoked", decision.ToString());
    }

    [Fact]
    public void A_roster_of_another_room_is_a_programming_error()
    {
        Assert.Throws<ArgumentException>(() => EpochPolicy.Default.Evaluate(Current(), 0, RoomWorld.Room("SECRET", "ATL"), [], [], Created));
    }
}
