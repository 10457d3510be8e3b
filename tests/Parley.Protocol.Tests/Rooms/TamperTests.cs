using System.Collections.Immutable;
using Parley.Protocol.Rooms;
using static Parley.Protocol.Tests.Rooms.RoomWorldMessages;

namespace Parley.Protocol.Tests.Rooms;

/// <summary>A changed byte anywhere, or a structure made by the wrong device, is refused with its reason.</summary>
public class TamperTests
{
    private readonly RoomWorld _world = new();

    private async Task<(Member Alice, Member Bob, Member Carol, Epoch Epoch)> RoomAsync()
    {
        var alice = await _world.MemberAsync("ATL");
        var bob = await _world.MemberAsync("ATL");
        var carol = await _world.MemberAsync("BOR");
        var epoch = await _world.StartAsync(RoomWorld.Room("SECRET//REL TO ATL, BOR", "ATL", "BOR"), alice, [alice, bob, carol]);
        return (alice, bob, carol, epoch);
    }

    private static RoomMessage Rebuild(RoomMessage message, byte[]? header = null, byte[]? ciphertext = null, byte[]? signature = null) =>
        RoomMessage.Decode(new RoomMessage(message.Header, header ?? message.HeaderBytes, ciphertext ?? message.Ciphertext, signature ?? message.Signature).Encode()) is { IsOk: true } parsed
            ? parsed.Value
            : null!;

    private static byte[] Flip(byte[] bytes, int bit)
    {
        var copy = (byte[])bytes.Clone();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }

    [Fact]
    public async Task A_flipped_bit_in_any_byte_of_the_header_is_refused_as_tampering_or_malformed()
    {
        var (alice, bob, _, epoch) = await RoomAsync();
        var message = await _world.SendAsync(epoch, alice, "hold at 700 launchers");
        var codes = new List<RoomErrorCode>();

        for (var i = 0; i < message.HeaderBytes.Length; i++)
        {
            var altered = Flip(message.HeaderBytes, i * 8 + i % 8);
            var parsed = RoomMessage.Decode(new RoomMessage(message.Header, altered, message.Ciphertext, message.Signature).Encode());
            if (!parsed.IsOk)
            {
                codes.Add(RoomErrorCode.Malformed);
                continue;
            }
            var received = await _world.ReceiveAsync(epoch, bob, parsed.Value, alice);
            Assert.False(received.IsOk, $"header byte {i} changed and the message was accepted");
            // A changed sender id names someone else before the signature is checked.
            Assert.True(received.Error.Code is RoomErrorCode.Tampered or RoomErrorCode.UnknownSender, $"byte {i}: {received.Error}");
            codes.Add(received.Error.Code);
        }

        Assert.Contains(RoomErrorCode.Tampered, codes);
        Assert.True(codes.Count(c => c == RoomErrorCode.Tampered) > message.HeaderBytes.Length / 2);
        Assert.Equal("hold at 700 launchers", await _world.ReadAsync(epoch, bob, message, alice));
    }

    [Fact]
    public async Task A_flipped_bit_in_any_byte_of_the_ciphertext_or_signature_is_refused_as_tampering()
    {
        var (alice, bob, _, epoch) = await RoomAsync();
        var message = await _world.SendAsync(epoch, alice, "verification by on-site inspection");

        for (var i = 0; i < message.Ciphertext.Length; i++)
            AssertRefused(await _world.ReceiveAsync(epoch, bob, Rebuild(message, ciphertext: Flip(message.Ciphertext, i * 8 + (i * 3) % 8)), alice), RoomErrorCode.Tampered);
        for (var i = 0; i < message.Signature.Length; i += 7)
            AssertRefused(await _world.ReceiveAsync(epoch, bob, Rebuild(message, signature: Flip(message.Signature, i * 8 + 1)), alice), RoomErrorCode.Tampered);
        // A ciphertext from another message under the same header does not pass either.
        var other = await _world.SendAsync(epoch, alice, "verification by national technical means");
        AssertRefused(await _world.ReceiveAsync(epoch, bob, Rebuild(message, ciphertext: other.Ciphertext), alice), RoomErrorCode.Tampered);

        Assert.Equal("verification by on-site inspection", await _world.ReadAsync(epoch, bob, message, alice));
    }

    [Fact]
    public async Task A_member_who_can_derive_another_members_keys_still_cannot_forge_their_messages()
    {
        var (alice, bob, carol, epoch) = await RoomAsync();
        // Carol holds Alice's chain key (every member derives every chain of the epoch), so she can
        // encrypt as Alice; only Alice's device key signs as Alice.
        var header = new MessageHeader(epoch.Room.Id, 1, epoch[carol].RosterHash, alice.Device.Id, 0, "SECRET//REL TO ATL, BOR", RoomWorld.Now.ToUnixTimeSeconds());
        var forged = await RoomFixtures.ForgeAsync(_world, epoch[carol], alice.Device.Id, header, carol.Device.Signing, "concede everything"u8.ToArray());
        Assert.True(await RoomFixtures.OpensWithChainAsync(_world, epoch[bob], alice.Device.Id, forged), "the forgery should be encrypted correctly");

        AssertRefused(await _world.ReceiveAsync(epoch, bob, forged, alice), RoomErrorCode.Tampered);
        AssertRefused(await _world.ReceiveAsync(epoch, bob, forged, carol), RoomErrorCode.UnknownSender);
        // Signed as herself but encrypted on Alice's chain: it does not decrypt under Carol's.
        var own = await RoomFixtures.ForgeAsync(_world, epoch[carol], alice.Device.Id, header with { SenderDeviceId = carol.Device.Id }, carol.Device.Signing);
        AssertRefused(await _world.ReceiveAsync(epoch, bob, own, carol), RoomErrorCode.Tampered);

        var genuine = await _world.SendAsync(epoch, alice, "genuine");
        Assert.Equal("genuine", await _world.ReadAsync(epoch, bob, genuine, alice));
    }

    [Fact]
    public async Task A_changed_key_package_is_refused_as_tampering_or_malformed()
    {
        var (alice, bob, _, epoch) = await RoomAsync();
        var package = epoch.Created.Packages.Single(p => p.Body.RecipientDeviceId == bob.Device.Id);
        var encoded = package.Encode();
        var random = new Random(6);
        var positions = Enumerable.Range(0, 48).Select(_ => random.Next(encoded.Length * 8)).Append(encoded.Length * 8 - 3);

        foreach (var bit in positions)
        {
            var parsed = DeviceSigned<KeyPackage>.Decode(Flip(encoded, bit));
            if (!parsed.IsOk) continue;
            var opened = await _world.Schedule.OpenKeyPackageAsync(epoch.Room, bob.Device.Local, epoch.Roster, parsed.Value, epoch.Device(alice), null);
            AssertRefused(opened, RoomErrorCode.Tampered);
        }

        // Made by the creator itself but with a changed secret or encapsulation: the keys do not open it.
        var body = package.Body;
        var sealedSecret = body.SealedSecret.ToArray();
        sealedSecret[20] ^= 1;
        var encapsulation = body.Encapsulation.ToArray();
        encapsulation[5] ^= 1;
        foreach (var changed in new[]
        {
            new KeyPackage(body.RoomId, body.Epoch, body.RosterHash, body.SenderDeviceId, body.RecipientDeviceId, body.Encapsulation, [.. sealedSecret]),
            new KeyPackage(body.RoomId, body.Epoch, body.RosterHash, body.SenderDeviceId, body.RecipientDeviceId, [.. encapsulation], body.SealedSecret),
        })
        {
            var resigned = await DeviceSigned<KeyPackage>.SignAsync(_world.Suite.Backend, alice.Device.Signing, changed, default);
            AssertRefused(await _world.Schedule.OpenKeyPackageAsync(epoch.Room, bob.Device.Local, epoch.Roster, resigned, epoch.Device(alice), null), RoomErrorCode.Tampered);
        }
    }

    [Fact]
    public async Task A_key_package_made_by_a_member_other_than_the_creator_or_for_another_device_is_refused()
    {
        var (alice, bob, carol, epoch) = await RoomAsync();
        var forCarol = epoch.Created.Packages.Single(p => p.Body.RecipientDeviceId == carol.Device.Id);
        AssertRefused(await _world.Schedule.OpenKeyPackageAsync(epoch.Room, bob.Device.Local, epoch.Roster, forCarol, epoch.Device(alice), null), RoomErrorCode.NoKeyPackage);

        // Bob makes his own package for Carol, signed by him, claiming to come from Alice.
        var body = forCarol.Body;
        var fromBob = await DeviceSigned<KeyPackage>.SignAsync(_world.Suite.Backend, bob.Device.Signing, body, default);
        AssertRefused(await _world.Schedule.OpenKeyPackageAsync(epoch.Room, carol.Device.Local, epoch.Roster, fromBob, epoch.Device(alice), null), RoomErrorCode.Tampered);
        var namingBob = new KeyPackage(body.RoomId, body.Epoch, body.RosterHash, bob.Device.Id, body.RecipientDeviceId, body.Encapsulation, body.SealedSecret);
        var signedByBob = await DeviceSigned<KeyPackage>.SignAsync(_world.Suite.Backend, bob.Device.Signing, namingBob, default);
        AssertRefused(await _world.Schedule.OpenKeyPackageAsync(epoch.Room, carol.Device.Local, epoch.Roster, signedByBob, epoch.Device(bob), null), RoomErrorCode.UnknownSender);
    }

    [Fact]
    public async Task A_changed_roster_is_refused_and_a_roster_signed_by_another_member_names_the_wrong_creator()
    {
        var (alice, bob, carol, epoch) = await RoomAsync();
        var package = epoch.Created.Packages.Single(p => p.Body.RecipientDeviceId == bob.Device.Id);
        var encoded = epoch.Roster.Encode();
        var random = new Random(7);

        foreach (var bit in Enumerable.Range(0, 48).Select(_ => random.Next(encoded.Length * 8)))
        {
            var parsed = DeviceSigned<Roster>.Decode(Flip(encoded, bit));
            if (!parsed.IsOk) continue;
            var opened = await _world.Schedule.OpenKeyPackageAsync(epoch.Room, bob.Device.Local, parsed.Value, package, epoch.Device(alice), null);
            Assert.False(opened.IsOk);
            Assert.True(opened.Error.Code is RoomErrorCode.Tampered or RoomErrorCode.UnknownSender, opened.Error.ToString());
        }

        // Carol re-signs Alice's roster after dropping Bob: signed by her, it is not Alice's.
        var body = epoch.Roster.Body;
        var dropped = new Roster(body.RoomId, body.Epoch, body.Label, body.Parties, body.CreatorDeviceId, body.Members.RemoveAll(m => m.DeviceId == bob.Device.Id),
            body.CreatedAt, body.PreviousHash, body.SecretCommitment);
        var signedByCarol = await DeviceSigned<Roster>.SignAsync(_world.Suite.Backend, carol.Device.Signing, dropped, default);
        AssertRefused(await _world.Schedule.OpenKeyPackageAsync(epoch.Room, alice.Device.Local, signedByCarol, package, epoch.Device(alice), null), RoomErrorCode.Tampered);
        AssertRefused(await _world.Schedule.OpenKeyPackageAsync(epoch.Room, alice.Device.Local, signedByCarol, package, epoch.Device(carol), null), RoomErrorCode.UnknownSender);
    }

    [Fact]
    public async Task A_creator_that_gives_members_different_secrets_under_one_roster_is_caught_by_the_commitment()
    {
        var (alice, bob, _, epoch) = await RoomAsync();
        // A second epoch 1 with the same members: its roster differs (commitment), so a package of
        // one does not fit the other.
        var again = await _world.Schedule.CreateEpochAsync(epoch.Room, alice.Device.Local, epoch.Admitted.Values.ToList(), null, RoomWorld.Now);
        Assert.NotEqual(epoch.Roster.Body.SecretCommitment.ToArray(), again.Value.Roster.Body.SecretCommitment.ToArray());
        var otherPackage = again.Value.Packages.Single(p => p.Body.RecipientDeviceId == bob.Device.Id);
        AssertRefused(await _world.Schedule.OpenKeyPackageAsync(epoch.Room, bob.Device.Local, epoch.Roster, otherPackage, epoch.Device(alice), null), RoomErrorCode.ForkedHistory);

        // Alice signs a package of the second secret against the first roster: the commitment disagrees.
        var body = otherPackage.Body;
        var rosterHash = epoch[bob].RosterHash;
        var context = KeyPackage.Context(body.RoomId, 1, rosterHash.AsSpan(), alice.Device.Id, bob.Device.Id);
        using var secret = (await _world.Suite.Kem.DecapsulateAsync(bob.Device.Kem, body.Encapsulation.AsMemory())).Value;
        using var oldKey = await _world.Suite.Keys.DeriveAsync(secret, Parley.Protocol.Crypto.Labels.RoomKeyPackage, body.Context());
        using var epochSecret = Parley.Protocol.Crypto.SecretKey.Import((await _world.Suite.Boxes.OpenAsync(oldKey, body.SealedSecret.AsMemory(), body.Context())).Value);
        using var newKey = await _world.Suite.Keys.DeriveAsync(secret, Parley.Protocol.Crypto.Labels.RoomKeyPackage, context);
        var resealed = await _world.Suite.Boxes.SealAsync(newKey, epochSecret.Export(), context);
        var mismatched = new KeyPackage(body.RoomId, 1, rosterHash, alice.Device.Id, bob.Device.Id, body.Encapsulation, [.. resealed]);
        var signed = await DeviceSigned<KeyPackage>.SignAsync(_world.Suite.Backend, alice.Device.Signing, mismatched, default);
        var refused = await _world.Schedule.OpenKeyPackageAsync(epoch.Room, bob.Device.Local, epoch.Roster, signed, epoch.Device(alice), null);
        AssertRefused(refused, RoomErrorCode.Tampered);
        Assert.Contains("commits to", refused.Error!.Message);
    }

    [Fact]
    public async Task A_roster_for_another_label_or_from_another_room_is_refused()
    {
        var (alice, bob, _, epoch) = await RoomAsync();
        var package = epoch.Created.Packages.Single(p => p.Body.RecipientDeviceId == bob.Device.Id);
        // Bob's client believes the room is TOP SECRET; the roster says SECRET.
        var believed = RoomWorld.Room(epoch.Room.Id, "TOP SECRET//REL TO ATL, BOR", "ATL", "BOR");
        var refused = await _world.Schedule.OpenKeyPackageAsync(believed, bob.Device.Local, epoch.Roster, package, epoch.Device(alice), null);
        AssertRefused(refused, RoomErrorCode.RosterMismatch);

        var elsewhere = RoomWorld.Room("SECRET//REL TO ATL, BOR", "ATL", "BOR");
        AssertRefused(await _world.Schedule.OpenKeyPackageAsync(elsewhere, bob.Device.Local, epoch.Roster, package, epoch.Device(alice), null), RoomErrorCode.WrongRoom);
    }

    [Fact]
    public async Task A_forked_history_is_detected_from_rosters_and_from_messages()
    {
        var (alice, bob, carol, epoch) = await RoomAsync();
        var room = epoch.Room;
        // The server shows Carol another epoch 1 made by Alice (a split view), then an epoch 2 on top of it.
        var fork = await _world.Schedule.CreateEpochAsync(room, alice.Device.Local, epoch.Admitted.Values.ToList(), null, RoomWorld.Now);
        var forkSecond = await _world.Schedule.CreateEpochAsync(room, alice.Device.Local, epoch.Admitted.Values.ToList(), fork.Value.Roster, RoomWorld.Now);
        var forBob = forkSecond.Value.Packages.Single(p => p.Body.RecipientDeviceId == bob.Device.Id);

        AssertRefused(await _world.Schedule.OpenKeyPackageAsync(room, bob.Device.Local, forkSecond.Value.Roster, forBob, epoch.Device(alice), epoch.Roster), RoomErrorCode.ForkedHistory);
        // And an epoch not later than the one held is stale.
        var genuineSecond = await _world.Schedule.CreateEpochAsync(room, alice.Device.Local, epoch.Admitted.Values.ToList(), epoch.Roster, RoomWorld.Now);
        var bobFirst = epoch.Created.Packages.Single(p => p.Body.RecipientDeviceId == bob.Device.Id);
        AssertRefused(await _world.Schedule.OpenKeyPackageAsync(room, bob.Device.Local, epoch.Roster, bobFirst, epoch.Device(alice), genuineSecond.Value.Roster), RoomErrorCode.EpochSuperseded);
        var bobSecond = genuineSecond.Value.Packages.Single(p => p.Body.RecipientDeviceId == bob.Device.Id);
        Assert.True((await _world.Schedule.OpenKeyPackageAsync(room, bob.Device.Local, genuineSecond.Value.Roster, bobSecond, epoch.Device(alice), epoch.Roster)).IsOk);

        // A message sent under the forked epoch 1 names a roster Bob does not hold.
        var forked = await _world.Schedule.EncryptAsync(fork.Value.State, alice.Device.Local, room.Label, "split"u8.ToArray(), RoomWorld.Now);
        AssertRefused(await _world.ReceiveAsync(epoch, bob, forked.Value, alice), RoomErrorCode.ForkedHistory);
        Assert.NotNull(carol);
    }
}
