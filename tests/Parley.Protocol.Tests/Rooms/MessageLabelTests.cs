using Parley.Protocol.Classification;
using Parley.Protocol.Rooms;
using static Parley.Protocol.Tests.Rooms.RoomWorldMessages;

namespace Parley.Protocol.Tests.Rooms;

/// <summary>The room's label dominates every message in it: no write-up beyond the room.</summary>
public class MessageLabelTests
{
    private readonly RoomWorld _world = new();

    [Theory]
    [InlineData("TOP SECRET//ALPHA//REL TO ATL, BOR")]
    [InlineData("SECRET//ALPHA/BRAVO//REL TO ATL, BOR")]
    // Narrower releasability is higher: the room's BOR members may not read an ATL EYES ONLY portion.
    [InlineData("SECRET//ALPHA//ATL EYES ONLY")]
    [InlineData("UNCLASSIFIED//REL TO BOR")]
    public async Task A_message_labelled_above_the_room_is_refused_at_encryption(string banner)
    {
        var (alice, _, epoch) = await RoomAsync();

        var refused = await _world.Schedule.EncryptAsync(epoch[alice], alice.Device.Local, RoomWorld.Label(banner), "x"u8.ToArray(), RoomWorld.Now);

        AssertRefused(refused, RoomErrorCode.LabelAboveRoom);
        Assert.Contains(banner, refused.Error!.Message);
        Assert.Equal(0, epoch[alice].NextCounter);
    }

    [Theory]
    [InlineData("SECRET//ALPHA//REL TO ATL, BOR")]
    [InlineData("CONFIDENTIAL//REL TO ATL, BOR")]
    // Wider releasability is lower: releasable to more, it may still be said among fewer.
    [InlineData("SECRET//ALPHA//REL TO ATL, BOR, CRD")]
    [InlineData("UNCLASSIFIED")]
    public async Task A_message_labelled_within_the_room_carries_its_label_to_the_reader(string banner)
    {
        var (alice, carol, epoch) = await RoomAsync();

        var message = await _world.SendAsync(epoch, alice, "portion", banner);
        var read = await _world.ReceiveAsync(epoch, carol, message, alice);

        Assert.True(read.IsOk, read.Error?.ToString());
        Assert.Equal(banner, read.Value.Label.ToBanner());
        Assert.Equal(banner, message.Header.Label);
    }

    [Fact]
    public async Task A_label_of_another_scheme_is_refused()
    {
        var (alice, _, epoch) = await RoomAsync();
        var nato = MarkingScheme.Nato.ParseBanner("NATO SECRET").Value;
        AssertRefused(await _world.Schedule.EncryptAsync(epoch[alice], alice.Device.Local, nato, "x"u8.ToArray(), RoomWorld.Now), RoomErrorCode.LabelAboveRoom);
    }

    [Fact]
    public async Task A_receiver_refuses_a_signed_message_whose_label_is_above_the_room_or_unreadable()
    {
        var (alice, carol, epoch) = await RoomAsync();
        // Alice's client is modified to skip the check at encryption.
        var header = new MessageHeader(epoch.Room.Id, 1, epoch[alice].RosterHash, alice.Device.Id, 0, "TOP SECRET//ALPHA//REL TO ATL, BOR", RoomWorld.Now.ToUnixTimeSeconds());
        var above = await RoomFixtures.ForgeAsync(_world, epoch[alice], alice.Device.Id, header, alice.Device.Signing);
        AssertRefused(await _world.ReceiveAsync(epoch, carol, above, alice), RoomErrorCode.LabelAboveRoom);

        var garbled = await RoomFixtures.ForgeAsync(_world, epoch[alice], alice.Device.Id, header with { Label = "SECRT" }, alice.Device.Signing);
        AssertRefused(await _world.ReceiveAsync(epoch, carol, garbled, alice), RoomErrorCode.Malformed);

        var fine = await RoomFixtures.ForgeAsync(_world, epoch[alice], alice.Device.Id, header with { Label = "SECRET//ALPHA//REL TO ATL, BOR" }, alice.Device.Signing);
        Assert.True((await _world.ReceiveAsync(epoch, carol, fine, alice)).IsOk);
    }

    private async Task<(Member Alice, Member Carol, Epoch Epoch)> RoomAsync()
    {
        var alice = await _world.MemberAsync("ATL");
        var carol = await _world.MemberAsync("BOR");
        var epoch = await _world.StartAsync(RoomWorld.Room("SECRET//ALPHA//REL TO ATL, BOR", "ATL", "BOR"), alice, [alice, carol]);
        return (alice, carol, epoch);
    }
}
