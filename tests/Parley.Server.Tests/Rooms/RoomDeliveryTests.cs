using Parley.Protocol.Api;
using Parley.Protocol.Rooms;
using Parley.Server.Tests.Identity.Support;
using Parley.Server.Tests.Rooms.Support;

namespace Parley.Server.Tests.Rooms;

/// <summary>Real-time delivery over the rooms hub (SignalR over WebSockets, bearer tokens), against a real server.</summary>
public sealed class RoomDeliveryTests(IdentityHostFixture fixture) : IClassFixture<IdentityHostFixture>
{
    private readonly RoomsWorld _world = new(fixture);

    [Fact]
    public async Task Members_connections_receive_entries_in_log_order_each_with_only_its_own_key_package()
    {
        var a = await _world.PartyAsync('A');
        var b = await _world.PartyAsync('B');
        var alice = await _world.UserAsync(a, "alice");
        var bob = await _world.UserAsync(b, "bob");
        var carol = await _world.UserAsync(b, "carol");
        var room = await _world.CreateRoomAsync(alice, $"CONFIDENTIAL//REL TO {RoomManagementTests.Order(a.Code, b.Code)}", [a.Code, b.Code]);

        await using var toAlice = await HubListener.ConnectAsync(fixture.Host.BaseAddress, alice.Token);
        await using var toBob = await HubListener.ConnectAsync(fixture.Host.BaseAddress, bob.Token);
        await using var toCarol = await HubListener.ConnectAsync(fixture.Host.BaseAddress, carol.Token);
        Assert.Contains(room.Id, await toAlice.JoinedAsync());
        Assert.DoesNotContain(room.Id, await toBob.JoinedAsync());

        // Being added reaches the connection, which from then on receives the room.
        await _world.AddAsync(alice, room.Id, bob);
        await _world.AddAsync(alice, room.Id, carol);
        Assert.Equal(room.Id, (await toBob.NextAsync<RoomSummary>()).Id);
        Assert.Contains(room.Id, await toBob.JoinedAsync());

        var receipt = await _world.RotateAsync(alice, room.Id);
        var bobsEpoch = await toBob.NextEntryAsync(room.Id, RoomEntryKind.Epoch);
        var carolsEpoch = await toCarol.NextEntryAsync(room.Id, RoomEntryKind.Epoch);
        var alicesEpoch = await toAlice.NextEntryAsync(room.Id, RoomEntryKind.Epoch);
        Assert.Equal(receipt.Sequence, bobsEpoch.Sequence);
        Assert.Equal(bob.Device.Id, DeviceSigned<KeyPackage>.Decode(bobsEpoch.KeyPackage!).Value.Body.RecipientDeviceId);
        Assert.Equal(carol.Device.Id, DeviceSigned<KeyPackage>.Decode(carolsEpoch.KeyPackage!).Value.Body.RecipientDeviceId);
        Assert.Null(alicesEpoch.KeyPackage); // she made it
        await _world.ApplyAsync(bob, bobsEpoch);
        Assert.Equal(1, bob.Room(room.Id).CurrentEpoch);

        // Messages arrive in the order the server sequenced them, and decrypt from the push alone.
        var texts = Enumerable.Range(0, 5).Select(i => $"live {i} {Guid.NewGuid():N}").ToList();
        foreach (var text in texts) await _world.SendAsync(alice, room.Id, text);
        var pushed = new List<RoomEntry>();
        for (var i = 0; i < texts.Count; i++) pushed.Add(await toBob.NextEntryAsync(room.Id, RoomEntryKind.Message));
        Assert.Equal(pushed.Select(e => e.Sequence).Order(), pushed.Select(e => e.Sequence));
        Assert.Equal(Enumerable.Range(0, texts.Count).Select(i => pushed[0].Sequence + i), pushed.Select(e => e.Sequence));
        foreach (var entry in pushed) await _world.ApplyAsync(bob, entry);
        Assert.Equal(texts, bob.Room(room.Id).Read);
        Assert.All(pushed, e => Assert.Equal(room.Label, e.Label));

        // Removed, carol's connection is told and receives nothing of the room after that.
        await _world.RemoveAsync(alice, room.Id, carol);
        var removal = await toCarol.NextAsync();
        while (removal is RoomEntry) removal = await toCarol.NextAsync();
        Assert.Equal(room.Id, Assert.IsType<RoomRemoval>(removal).RoomId);
        Assert.DoesNotContain(room.Id, await toCarol.JoinedAsync());
        await _world.RotateAsync(alice, room.Id);
        var after = $"after carol left {Guid.NewGuid():N}";
        var sent = await _world.SendAsync(alice, room.Id, after);
        // Bob, still a member, receives it; by then carol's connection would have had it too.
        while ((await toBob.NextEntryAsync(room.Id)).Sequence < sent.Sequence)
        {
        }
        Assert.DoesNotContain(toCarol.Drain(), item => item is RoomEntry entry && entry.RoomId == room.Id);
    }

    [Fact]
    public async Task A_connection_without_a_session_is_refused()
    {
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => HubListener.ConnectAsync(fixture.Host.BaseAddress, "not-a-token"));
        Assert.Contains("401", refused.Message);
    }
}
