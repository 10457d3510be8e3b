using Parley.Protocol.Crypto;
using Parley.Protocol.Rooms;
using static Parley.Protocol.Tests.Rooms.RoomWorldMessages;

namespace Parley.Protocol.Tests.Rooms;

public class RoomExchangeTests
{
    private readonly RoomWorld _world = new();

    [Fact]
    public async Task Two_delegations_and_four_users_exchange_messages_and_every_other_member_decrypts_each()
    {
        var alice = await _world.MemberAsync("ATL");
        var bob = await _world.MemberAsync("ATL");
        var carol = await _world.MemberAsync("BOR");
        var dave = await _world.MemberAsync("BOR");
        var room = RoomWorld.Room("SECRET//ALPHA//REL TO ATL, BOR", "ATL", "BOR");
        Member[] everyone = [alice, bob, carol, dave];
        var epoch = await _world.StartAsync(room, alice, everyone);

        Assert.Equal(3, epoch.Created.Packages.Count);
        Assert.Equal(everyone.Select(m => m.Device.Id).Order(), epoch.Roster.Body.Members.Select(m => m.DeviceId).Order());
        foreach (var sender in everyone)
        {
            for (var i = 0; i < 2; i++)
            {
                var text = $"proposal {i} from {sender}";
                var message = await _world.SendAsync(epoch, sender, text, "CONFIDENTIAL//REL TO ATL, BOR");
                Assert.Equal(i, message.Header.Counter);
                foreach (var reader in everyone.Where(m => m != sender))
                {
                    var received = await _world.ReceiveAsync(epoch, reader, message, sender);
                    Assert.True(received.IsOk, received.Error?.ToString());
                    Assert.Equal(text, System.Text.Encoding.UTF8.GetString(received.Value.Plaintext));
                    Assert.Equal("CONFIDENTIAL//REL TO ATL, BOR", received.Value.Label.ToBanner());
                    Assert.Equal(sender.Device.Id, received.Value.Sender.DeviceId);
                    Assert.Equal(sender.Delegation, received.Value.Sender.Delegation);
                }
                AssertRefused(await _world.ReceiveAsync(epoch, sender, message, sender), RoomErrorCode.SentByThisDevice);
            }
        }
        Assert.All(everyone, m => Assert.Equal(8, epoch[m].MessagesSeen));
    }

    [Fact]
    public async Task Devices_on_different_backends_read_each_other()
    {
        var alice = await _world.MemberAsync("ATL");
        var carol = await _world.MemberAsync("BOR");
        var room = RoomWorld.Room("SECRET", "ATL", "BOR");
        var managed = new SenderChainSchedule(Backends.Suite("bouncycastle"));
        var members = new[] { await _world.AdmittedAsync(room, alice), await _world.AdmittedAsync(room, carol) };

        // Alice's client runs the platform backend, Carol's the fully managed one (as a browser runs another).
        var created = await _world.Schedule.CreateEpochAsync(room, alice.Device.Local, members, null, RoomWorld.Now);
        var carolState = await managed.OpenKeyPackageAsync(room, carol.Device.Local, created.Value.Roster, created.Value.Packages.Single(), members[0], null);
        Assert.True(carolState.IsOk, carolState.Error?.ToString());
        var toCarol = await _world.Schedule.EncryptAsync(created.Value.State, alice.Device.Local, room.Label, "platform to managed"u8.ToArray(), RoomWorld.Now);
        var toAlice = await managed.EncryptAsync(carolState.Value, carol.Device.Local, room.Label, "managed to platform"u8.ToArray(), RoomWorld.Now);

        Assert.Equal("platform to managed"u8.ToArray(), (await managed.DecryptAsync(carolState.Value, toCarol.Value, members[0])).Value.Plaintext);
        Assert.Equal("managed to platform"u8.ToArray(), (await _world.Schedule.DecryptAsync(created.Value.State, toAlice.Value, members[1])).Value.Plaintext);
    }

    [Fact]
    public async Task The_ciphertext_carries_none_of_the_plaintext_and_hides_its_exact_length()
    {
        var alice = await _world.MemberAsync("ATL");
        var carol = await _world.MemberAsync("BOR");
        var epoch = await _world.StartAsync(RoomWorld.Room("SECRET", "ATL", "BOR"), alice, [alice, carol]);
        var text = "ZEBRA-QUOKKA-7731 the parties agree to 1550 deployed warheads";

        var message = await _world.SendAsync(epoch, alice, text);
        var wire = message.Encode();

        Assert.Equal(-1, wire.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes("ZEBRA")));
        Assert.Equal(0, (message.Ciphertext.Length - RoomMessage.TagSize) % RoomMessage.PaddingBlock);
        Assert.Equal(text, await _world.ReadAsync(epoch, carol, message, alice));
        var shorter = await _world.SendAsync(epoch, alice, text[..^3]);
        Assert.Equal(message.Ciphertext.Length, shorter.Ciphertext.Length);
    }

    [Fact]
    public async Task Empty_and_largest_messages_round_trip_and_a_larger_one_is_refused()
    {
        var alice = await _world.MemberAsync("ATL");
        var carol = await _world.MemberAsync("BOR");
        var epoch = await _world.StartAsync(RoomWorld.Room("SECRET", "ATL", "BOR"), alice, [alice, carol]);

        foreach (var size in new[] { 0, 31, 32, RoomMessage.MaxPlaintextSize })
        {
            var content = new byte[size];
            Random.Shared.NextBytes(content);
            var sent = await _world.Schedule.EncryptAsync(epoch[alice], alice.Device.Local, epoch.Room.Label, content, RoomWorld.Now);
            var relayed = RoomMessage.Decode(sent.Value.Encode()).Value;
            var received = await _world.ReceiveAsync(epoch, carol, relayed, alice);
            Assert.True(received.IsOk, received.Error?.ToString());
            Assert.Equal(content, received.Value.Plaintext);
        }
        AssertRefused(await _world.Schedule.EncryptAsync(epoch[alice], alice.Device.Local, epoch.Room.Label, new byte[RoomMessage.MaxPlaintextSize + 1], RoomWorld.Now), RoomErrorCode.MessageTooLarge);
    }

    [Fact]
    public async Task A_removed_member_keeping_every_key_it_had_cannot_decrypt_anything_in_the_next_epoch()
    {
        var alice = await _world.MemberAsync("ATL");
        var bob = await _world.MemberAsync("ATL");
        var carol = await _world.MemberAsync("BOR");
        var dave = await _world.MemberAsync("BOR");
        var room = RoomWorld.Room("SECRET//ALPHA//REL TO ATL, BOR", "ATL", "BOR");
        var first = await _world.StartAsync(room, alice, [alice, bob, carol, dave]);
        var before = await _world.SendAsync(first, carol, "before removal");
        Assert.Equal("before removal", await _world.ReadAsync(first, dave, before, carol));
        var daveFirst = await RoomFixtures.CopyAsync(_world, first[dave]);

        // Dave is removed: the policy wants a new epoch, which carol makes without him.
        var decision = EpochPolicy.Default.Evaluate(first.Roster.Body, 1, room, [first.Device(alice).Member, first.Device(bob).Member, first.Device(carol).Member], [], RoomWorld.Now);
        Assert.Equal([RotationReason.MemberRemoved], decision.Reasons);
        var second = await _world.StartAsync(room, carol, [alice, bob, carol], first);
        foreach (var state in first.States.Values) state.Close();
        var after = await _world.SendAsync(second, alice, "after removal");
        Assert.Equal("after removal", await _world.ReadAsync(second, bob, after, alice));

        // Dave keeps his device keys and a copy of his epoch-1 state taken before it was closed.
        Assert.DoesNotContain(second.Created.Packages, p => p.Body.RecipientDeviceId == dave.Device.Id);
        Assert.Null(second.Roster.Body.Find(dave.Device.Id));
        var daveAdmitted = await _world.AdmittedAsync(room, dave);
        foreach (var package in second.Created.Packages)
        {
            // Through the API: every package is for someone else.
            var opened = await _world.Schedule.OpenKeyPackageAsync(room, dave.Device.Local, second.Roster, package, second.Device(carol), first.Roster);
            AssertRefused(opened, RoomErrorCode.NoKeyPackage);
            // Below the API: his KEM key yields a secret that does not open the sealed epoch secret.
            var secret = (await _world.Suite.Kem.DecapsulateAsync(dave.Device.Kem, package.Body.Encapsulation.AsMemory())).Value;
            using var sealingKey = await _world.Suite.Keys.DeriveAsync(secret, Labels.RoomKeyPackage, package.Body.Context());
            Assert.Equal(ProtocolErrorCode.AuthenticationFailed, (await _world.Suite.Boxes.OpenAsync(sealingKey, package.Body.SealedSecret.AsMemory(), package.Body.Context())).Error?.Code);
        }
        AssertRefused(await _world.Schedule.DecryptAsync(daveFirst, after, second.Device(alice)), RoomErrorCode.NoKeyPackage);
        // Nor do the keys of epoch 1 open it, whichever chain of that epoch one tries.
        foreach (var member in first.Roster.Body.Members)
            Assert.False(await RoomFixtures.OpensWithChainAsync(_world, daveFirst, member.DeviceId, after));
        var diagnosis = MissingKey.Explain(await _world.AdmitAsync(room, dave), dave.Device.Id, after.Header.Epoch, second.Roster.Body);
        Assert.Equal(RoomErrorCode.NoKeyPackage, diagnosis.Code);
        Assert.Contains("not in the roster of epoch 2", diagnosis.Message);

        // And what Dave still sends under epoch 1 is refused by members now in epoch 2.
        var late = await _world.Schedule.EncryptAsync(daveFirst, dave.Device.Local, room.Label, "still here"u8.ToArray(), RoomWorld.Now);
        AssertRefused(await _world.Schedule.DecryptAsync(second[bob], late.Value, daveAdmitted), RoomErrorCode.EpochSuperseded);
        AssertRefused(await _world.Schedule.DecryptAsync(first[bob], late.Value, first.Device(dave)), RoomErrorCode.EpochSuperseded);
    }

    [Fact]
    public async Task A_member_with_two_devices_reads_on_both_and_a_new_device_gets_only_the_next_epoch()
    {
        var alice = await _world.MemberAsync("ATL");
        var carol = await _world.MemberAsync("BOR");
        var room = RoomWorld.Room("SECRET", "ATL", "BOR");
        var first = await _world.StartAsync(room, alice, [alice, carol]);
        var early = await _world.SendAsync(first, carol, "early");
        var phone = await carol.AddDeviceAsync(_world.Suite);

        var phoneAdmitted = await _world.AdmittedAsync(room, carol, phone);
        var decision = EpochPolicy.Default.Evaluate(first.Roster.Body, 1, room, [first.Device(alice).Member, first.Device(carol).Member, phoneAdmitted.Member], [], RoomWorld.Now);
        Assert.Equal([RotationReason.MemberAdded], decision.Reasons);
        var members = new List<RoomDevice> { first.Device(alice), first.Device(carol), phoneAdmitted };
        var second = await _world.Schedule.CreateEpochAsync(room, alice.Device.Local, members, first.Roster, RoomWorld.Now);
        var package = second.Value.Packages.Single(p => p.Body.RecipientDeviceId == phone.Id);
        var phoneState = await _world.Schedule.OpenKeyPackageAsync(room, phone.Local, second.Value.Roster, package, first.Device(alice), null);
        Assert.True(phoneState.IsOk, phoneState.Error?.ToString());

        var message = await _world.Schedule.EncryptAsync(second.Value.State, alice.Device.Local, room.Label, "hello both"u8.ToArray(), RoomWorld.Now);
        var read = await _world.Schedule.DecryptAsync(phoneState.Value, message.Value, first.Device(alice));
        Assert.Equal("hello both"u8.ToArray(), read.Value.Plaintext);
        // What came before it joined stays closed to it.
        AssertRefused(await _world.Schedule.DecryptAsync(phoneState.Value, early, first.Device(carol)), RoomErrorCode.EpochSuperseded);
    }
}
