using Parley.Protocol.Rooms;

namespace Parley.Protocol.Tests.Rooms;

/// <summary>An epoch's document key (PROTOCOL §12.5, §14.3): one key per epoch that every device of it derives, kept after the epoch closes.</summary>
public class RoomDocumentKeyTests
{
    private readonly RoomWorld _world = new();

    [Fact]
    public async Task Every_device_of_an_epoch_derives_the_same_key_and_the_next_epoch_another()
    {
        var alice = await _world.MemberAsync("ATL");
        var carol = await _world.MemberAsync("BOR");
        var room = RoomWorld.Room("SECRET", "ATL", "BOR");
        var first = await _world.StartAsync(room, alice, [alice, carol]);
        using var aliceKey = first[alice].DocumentKey();
        using var carolKey = first[carol].DocumentKey();
        Assert.Equal(aliceKey.Key.Export(), carolKey.Key.Export());
        Assert.Equal((room.Id, 1L), (aliceKey.RoomId, aliceKey.Epoch));
        Assert.Equal(room.Label, aliceKey.Label);

        var second = await _world.StartAsync(room, carol, [alice, carol], first);
        using var next = second[alice].DocumentKey();
        Assert.Equal(2, next.Epoch);
        Assert.NotEqual(aliceKey.Key.Export(), next.Key.Export());
    }

    [Fact]
    public async Task The_key_outlives_closing_and_saving_the_epoch_but_not_disposing_it()
    {
        var alice = await _world.MemberAsync("ATL");
        var carol = await _world.MemberAsync("BOR");
        var epoch = await _world.StartAsync(RoomWorld.Room("SECRET", "ATL", "BOR"), alice, [alice, carol]);
        using var before = epoch[carol].DocumentKey();

        epoch[carol].Close();
        using var afterClose = epoch[carol].DocumentKey();
        Assert.Equal(before.Key.Export(), afterClose.Key.Export());

        var saved = await epoch[carol].ExportAsync();
        using var restored = (await EpochState.ImportAsync(_world.Suite.Backend, saved, RoomWorld.Scheme)).Value;
        Assert.True(restored.IsClosed);
        using var afterImport = restored.DocumentKey();
        Assert.Equal(before.Key.Export(), afterImport.Key.Export());

        // The copy handed out is the caller's: disposing it leaves the state's key intact.
        afterClose.Dispose();
        using var again = restored.DocumentKey();
        Assert.Equal(before.Key.Export(), again.Key.Export());

        restored.Dispose();
        Assert.Throws<ObjectDisposedException>(() => restored.DocumentKey());
    }

    [Fact]
    public async Task A_saved_state_without_its_document_key_is_refused()
    {
        var alice = await _world.MemberAsync("ATL");
        var epoch = await _world.StartAsync(RoomWorld.Room("SECRET", "ATL"), alice, [alice]);
        var saved = await epoch[alice].ExportAsync();
        // Drop the last element (the 34-byte document key) and rewrite the array header from 7 to 6 items.
        var truncated = saved[..^34];
        truncated[0] = 0x86;
        Assert.False((await EpochState.ImportAsync(_world.Suite.Backend, truncated, RoomWorld.Scheme)).IsOk);
        Assert.True((await EpochState.ImportAsync(_world.Suite.Backend, saved, RoomWorld.Scheme)).IsOk);
    }
}
