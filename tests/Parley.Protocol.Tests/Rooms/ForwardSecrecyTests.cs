using Parley.Protocol.Crypto;
using Parley.Protocol.Rooms;
using static Parley.Protocol.Tests.Rooms.RoomWorldMessages;

namespace Parley.Protocol.Tests.Rooms;

/// <summary>Once a message is read (or sent), its key is gone: nothing the device keeps afterwards opens it.</summary>
public class ForwardSecrecyTests
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
    public async Task A_snapshot_taken_after_a_message_is_read_cannot_read_it_and_one_taken_before_can()
    {
        var (alice, carol, epoch) = await RoomAsync();
        var message = await _world.SendAsync(epoch, alice, "the fallback position");
        var before = (await epoch[carol].ExportAsync());

        Assert.Equal("the fallback position", await _world.ReadAsync(epoch, carol, message, alice));
        var after = (await epoch[carol].ExportAsync());

        var earlier = (await EpochState.ImportAsync(_world.Suite.Backend, before, RoomWorld.Scheme)).Value;
        var later = (await EpochState.ImportAsync(_world.Suite.Backend, after, RoomWorld.Scheme)).Value;
        Assert.True((await _world.Schedule.DecryptAsync(earlier, message, epoch.Device(alice))).IsOk);
        AssertRefused(await _world.Schedule.DecryptAsync(later, message, epoch.Device(alice)), RoomErrorCode.Replayed);
        // Not even the raw keys of the later snapshot open it, the chain stepped forward or not.
        Assert.False(await RoomFixtures.OpensWithChainAsync(_world, later, alice.Device.Id, message));
        using var messageKey = await MessageKeyAsync(before, alice, message.Header.Counter);
        Assert.True(await RoomFixtures.OpensAsync(_world, messageKey, message));
        Assert.Equal(-1, after.AsSpan().IndexOf(messageKey.Export().AsSpan(0, 32)));
    }

    [Fact]
    public async Task Keys_used_or_passed_over_are_zeroed_in_the_receiver_and_the_sender()
    {
        var (alice, carol, epoch) = await RoomAsync();
        var receiving = epoch[carol].Chain(alice.Device.Id)!;
        var sending = epoch[alice].Chain(alice.Device.Id)!;
        var firstReceiveKey = receiving.Key!;
        var firstSendKey = sending.Key!;

        var m0 = await _world.SendAsync(epoch, alice, "m0");
        Assert.Throws<ObjectDisposedException>(() => firstSendKey.Export());
        Assert.Equal(1, epoch[alice].NextCounter);
        var m1 = await _world.SendAsync(epoch, alice, "m1");
        var m2 = await _world.SendAsync(epoch, alice, "m2");

        Assert.Equal("m0", await _world.ReadAsync(epoch, carol, m0, alice));
        Assert.Throws<ObjectDisposedException>(() => firstReceiveKey.Export());
        Assert.Equal("m2", await _world.ReadAsync(epoch, carol, m2, alice));
        // m1's key was passed over and discarded, not kept for later.
        Assert.Equal(3, receiving.Next);
        Assert.Equal([1L], receiving.Skipped);
        Assert.False(await RoomFixtures.OpensWithChainAsync(_world, epoch[carol], alice.Device.Id, m1));
        AssertRefused(await _world.ReceiveAsync(epoch, carol, m1, alice), RoomErrorCode.OutOfOrder);
    }

    [Fact]
    public async Task A_refused_message_leaves_the_chain_where_it_was()
    {
        var (alice, carol, epoch) = await RoomAsync();
        var m0 = await _world.SendAsync(epoch, alice, "m0");
        var m1 = await _world.SendAsync(epoch, alice, "m1");
        var before = (await epoch[carol].ExportAsync());
        var tampered = m1.Ciphertext.ToArray();
        tampered[0] ^= 1;
        // Re-signed by Alice's key so that only the authentication tag fails.
        var signature = await _world.Suite.Backend.P384SignAsync(alice.Device.Signing, DeviceSignature.Input("parley/room-message", m1.HeaderBytes, tampered));
        var broken = RoomMessage.Decode(new RoomMessage(m1.Header, m1.HeaderBytes, tampered, signature).Encode()).Value;

        AssertRefused(await _world.ReceiveAsync(epoch, carol, broken, alice), RoomErrorCode.Tampered);
        Assert.Equal(before, (await epoch[carol].ExportAsync()));
        Assert.Equal("m0", await _world.ReadAsync(epoch, carol, m0, alice));
        Assert.Equal("m1", await _world.ReadAsync(epoch, carol, m1, alice));
    }

    [Fact]
    public async Task An_epoch_state_survives_export_and_import_and_a_closed_one_keeps_no_keys()
    {
        var (alice, carol, epoch) = await RoomAsync();
        var m0 = await _world.SendAsync(epoch, alice, "m0");
        var copy = await RoomFixtures.CopyAsync(_world, epoch[carol]);
        Assert.Equal((await epoch[carol].ExportAsync()), (await copy.ExportAsync()));
        Assert.Equal(epoch[carol].RosterHash.ToArray(), copy.RosterHash.ToArray());
        Assert.Equal(epoch[carol].Label, copy.Label);
        Assert.Equal("m0", System.Text.Encoding.UTF8.GetString((await _world.Schedule.DecryptAsync(copy, m0, epoch.Device(alice))).Value.Plaintext));

        var reply = await _world.Schedule.EncryptAsync(copy, carol.Device.Local, epoch.Room.Label, "reply"u8.ToArray(), RoomWorld.Now);
        Assert.Equal("reply", await _world.ReadAsync(epoch, alice, reply.Value, carol));

        copy.Close();
        Assert.True(copy.IsClosed);
        var closed = (await copy.ExportAsync());
        Assert.True(closed.Length < 1024 + epoch.Roster.Encode().Length);
        var reopened = await RoomFixtures.CopyAsync(_world, copy);
        Assert.True(reopened.IsClosed);
        AssertRefused(await _world.Schedule.DecryptAsync(reopened, m0, epoch.Device(alice)), RoomErrorCode.EpochSuperseded);
        Assert.EndsWith("private)", epoch[carol].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Closing_while_an_operation_holds_the_state_zeroes_the_keys_when_it_ends()
    {
        var (alice, carol, epoch) = await RoomAsync();
        var state = epoch[carol];
        var key = state.Chain(alice.Device.Id)!.Key!;
        await state.EnterAsync(default);
        state.Close();
        Assert.True(state.IsClosed);
        Assert.Equal(32, key.Export().Length);
        state.Exit();
        Assert.Throws<ObjectDisposedException>(() => key.Export());
        var m0 = await _world.SendAsync(epoch, alice, "m0");
        AssertRefused(await _world.ReceiveAsync(epoch, carol, m0, alice), RoomErrorCode.EpochSuperseded);
    }

    // The message key of a counter, recomputed from a chain key copied out of an exported state.
    private async Task<SecretKey> MessageKeyAsync(byte[] snapshot, Member sender, long counter)
    {
        var state = (await EpochState.ImportAsync(_world.Suite.Backend, snapshot, RoomWorld.Scheme)).Value;
        var key = state.Chain(sender.Device.Id)!.Key!;
        return await _world.Suite.Keys.DeriveAsync(key, Labels.RoomMessageKey, RoomFixtures.Counter(counter), 44);
    }
}
