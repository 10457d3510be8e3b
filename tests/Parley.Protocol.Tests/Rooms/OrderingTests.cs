using Parley.Protocol.Crypto;
using Parley.Protocol.Rooms;
using static Parley.Protocol.Tests.Rooms.RoomWorldMessages;

namespace Parley.Protocol.Tests.Rooms;

/// <summary>Replayed, reordered, cross-room and late messages are refused, and a refusal changes nothing.</summary>
public class OrderingTests
{
    private readonly RoomWorld _world = new();

    private async Task<(Member Alice, Member Carol, Epoch Epoch)> RoomAsync()
    {
        var alice = await _world.MemberAsync("ATL");
        var carol = await _world.MemberAsync("BOR");
        var epoch = await _world.StartAsync(RoomWorld.Room("SECRET", "ATL", "BOR"), alice, [alice, carol]);
        return (alice, carol, epoch);
    }

    [Fact]
    public async Task A_replayed_message_is_refused_and_the_next_one_still_decrypts()
    {
        var (alice, carol, epoch) = await RoomAsync();
        var first = await _world.SendAsync(epoch, alice, "first");
        var second = await _world.SendAsync(epoch, alice, "second");
        Assert.Equal("first", await _world.ReadAsync(epoch, carol, first, alice));

        AssertRefused(await _world.ReceiveAsync(epoch, carol, first, alice), RoomErrorCode.Replayed);
        Assert.Equal("second", await _world.ReadAsync(epoch, carol, second, alice));
        AssertRefused(await _world.ReceiveAsync(epoch, carol, second, alice), RoomErrorCode.Replayed);
        AssertRefused(await _world.ReceiveAsync(epoch, carol, first, alice), RoomErrorCode.Replayed);
    }

    [Fact]
    public async Task A_message_delivered_after_a_later_one_from_the_same_sender_is_refused_as_out_of_order()
    {
        var (alice, carol, epoch) = await RoomAsync();
        var messages = new List<RoomMessage>();
        for (var i = 0; i < 4; i++) messages.Add(await _world.SendAsync(epoch, alice, $"m{i}"));

        Assert.Equal("m0", await _world.ReadAsync(epoch, carol, messages[0], alice));
        Assert.Equal("m2", await _world.ReadAsync(epoch, carol, messages[2], alice));
        var late = await _world.ReceiveAsync(epoch, carol, messages[1], alice);
        AssertRefused(late, RoomErrorCode.OutOfOrder);
        Assert.Contains("arrived after message 2", late.Error!.Message);
        Assert.Equal("m3", await _world.ReadAsync(epoch, carol, messages[3], alice));
        AssertRefused(await _world.ReceiveAsync(epoch, carol, messages[1], alice), RoomErrorCode.OutOfOrder);
        AssertRefused(await _world.ReceiveAsync(epoch, carol, messages[2], alice), RoomErrorCode.Replayed);
    }

    [Fact]
    public async Task Chains_of_different_senders_are_independent()
    {
        var (alice, carol, epoch) = await RoomAsync();
        var bob = await _world.MemberAsync("ATL");
        var three = await _world.StartAsync(epoch.Room, alice, [alice, bob, carol], epoch);
        var fromAlice = await _world.SendAsync(three, alice, "a0");
        var fromCarol = await _world.SendAsync(three, carol, "c0");
        var fromAlice2 = await _world.SendAsync(three, alice, "a1");

        // Server order interleaves senders; each sender's own order is what counts.
        Assert.Equal("a1", await _world.ReadAsync(three, bob, fromAlice2, alice));
        Assert.Equal("c0", await _world.ReadAsync(three, bob, fromCarol, carol));
        AssertRefused(await _world.ReceiveAsync(three, bob, fromAlice, alice), RoomErrorCode.OutOfOrder);
    }

    [Fact]
    public async Task A_message_from_another_room_is_refused_even_from_a_member_of_both()
    {
        var (alice, carol, epoch) = await RoomAsync();
        var otherRoom = await _world.StartAsync(RoomWorld.Room("SECRET", "ATL", "BOR"), alice, [alice, carol]);
        var elsewhere = await _world.SendAsync(otherRoom, alice, "for the other room");

        AssertRefused(await _world.Schedule.DecryptAsync(epoch[carol], elsewhere, epoch.Device(alice)), RoomErrorCode.WrongRoom);
        AssertRefused(await _world.Schedule.DecryptAsync(epoch[carol], elsewhere, otherRoom.Device(alice)), RoomErrorCode.WrongRoom);
        Assert.Equal("for the other room", await _world.ReadAsync(otherRoom, carol, elsewhere, alice));
        var here = await _world.SendAsync(epoch, alice, "here");
        Assert.Equal("here", await _world.ReadAsync(epoch, carol, here, alice));
    }

    [Fact]
    public async Task A_counter_far_ahead_is_refused_and_a_moderate_gap_is_stepped_over()
    {
        var (alice, carol, epoch) = await RoomAsync();
        var skipped = await _world.SendAsync(epoch, alice, "withheld by the server");
        var after = await _world.SendAsync(epoch, alice, "after the gap");
        Assert.Equal("after the gap", await _world.ReadAsync(epoch, carol, after, alice));
        AssertRefused(await _world.ReceiveAsync(epoch, carol, skipped, alice), RoomErrorCode.OutOfOrder);

        // Jump Alice's own chain far ahead (a misbehaving sender): receivers refuse to step that far.
        epoch[alice].Chain(alice.Device.Id)!.Advance(5000, SecretKey.Generate(32));
        var far = await _world.SendAsync(epoch, alice, "far");
        Assert.Equal(5001, far.Header.Counter);
        AssertRefused(await _world.ReceiveAsync(epoch, carol, far, alice), RoomErrorCode.CounterGapTooLarge);
    }

    [Fact]
    public async Task A_closed_epoch_refuses_messages_both_ways_and_a_later_epoch_says_there_is_no_key_yet()
    {
        var (alice, carol, epoch) = await RoomAsync();
        var pending = await _world.SendAsync(epoch, alice, "sent before the rotation");
        var second = await _world.StartAsync(epoch.Room, carol, [alice, carol], epoch);
        var newer = await _world.SendAsync(second, carol, "epoch two");

        AssertRefused(await _world.ReceiveAsync(epoch, alice, newer, carol), RoomErrorCode.NoKeyPackage);
        epoch[carol].Close();
        epoch[carol].Close();
        AssertRefused(await _world.ReceiveAsync(epoch, carol, pending, alice), RoomErrorCode.EpochSuperseded);
        epoch[alice].Close();
        AssertRefused(await _world.Schedule.EncryptAsync(epoch[alice], alice.Device.Local, epoch.Room.Label, "x"u8.ToArray(), RoomWorld.Now), RoomErrorCode.EpochSuperseded);
        AssertRefused(await _world.Schedule.DecryptAsync(second[carol], pending, second.Device(alice)), RoomErrorCode.EpochSuperseded);
        Assert.Equal("epoch two", await _world.ReadAsync(second, alice, newer, carol));
    }

    [Fact]
    public async Task A_signed_message_from_a_device_outside_the_roster_is_refused_as_an_unknown_sender()
    {
        var (alice, carol, epoch) = await RoomAsync();
        var eve = await _world.MemberAsync("ATL");
        var eveAdmitted = await _world.AdmittedAsync(epoch.Room, eve);
        // Eve is admissible to the room but not in this epoch; she signs a message naming the epoch.
        var header = new MessageHeader(epoch.Room.Id, 1, epoch[carol].RosterHash, eve.Device.Id, 0, "SECRET", RoomWorld.Now.ToUnixTimeSeconds());
        var headerBytes = Parley.Protocol.Formats.Canonical.Encode(header);
        var ciphertext = new byte[48];
        var signature = await _world.Suite.Backend.P384SignAsync(eve.Device.Signing, DeviceSignature.Input("parley/room-message", headerBytes, ciphertext));
        var message = RoomMessage.Decode(new RoomMessage(header, headerBytes, ciphertext, signature).Encode()).Value;

        AssertRefused(await _world.Schedule.DecryptAsync(epoch[carol], message, eveAdmitted), RoomErrorCode.UnknownSender);
        Assert.NotNull(alice);
    }
}
