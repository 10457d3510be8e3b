using Parley.Protocol.Formats;
using Parley.Protocol.Rooms;
using Parley.Protocol.Tests.Robustness;

namespace Parley.Protocol.Tests.Rooms;

/// <summary>Random, truncated, extended and bit-flipped inputs to every room parser give typed errors,
/// never exceptions; those that still parse are refused by the checks that follow.</summary>
public class RoomParserFuzzTests
{
    private readonly RoomWorld _world = new();

    private async Task<(Member Alice, Member Carol, Epoch Epoch, RoomMessage Message)> RoomAsync()
    {
        var alice = await _world.MemberAsync("ATL");
        var carol = await _world.MemberAsync("BOR");
        var epoch = await _world.StartAsync(RoomWorld.Room("SECRET//REL TO ATL, BOR", "ATL", "BOR"), alice, [alice, carol]);
        var message = await _world.SendAsync(epoch, alice, "fuzz me");
        return (alice, carol, epoch, message);
    }

    [Fact]
    public async Task Mutated_messages_are_typed_errors_or_refused()
    {
        var (alice, carol, epoch, message) = await RoomAsync();
        var parsed = 0;
        foreach (var input in Mutations.Of(message.Encode(), 300, seed: 61))
        {
            var decoded = RoomMessage.Decode(input);
            if (!decoded.IsOk)
            {
                Assert.True(decoded.Error.Code is ProtocolErrorCode.Malformed or ProtocolErrorCode.LimitExceeded, Mutations.Show(input));
                continue;
            }
            parsed++;
            var received = await _world.ReceiveAsync(epoch, carol, decoded.Value, alice);
            Assert.False(received.IsOk, $"accepted a mutated message: {Mutations.Show(input)}");
        }
        Assert.True(parsed > 0, "no mutation parsed, so none reached the checks");
        Assert.Equal("fuzz me", await _world.ReadAsync(epoch, carol, message, alice));
    }

    [Fact]
    public async Task Mutated_headers_are_typed_errors()
    {
        var (_, _, _, message) = await RoomAsync();
        foreach (var input in Mutations.Of(message.HeaderBytes, 400, seed: 62))
        {
            var decoded = Canonical.Decode<MessageHeader>(input);
            if (!decoded.IsOk) Assert.Equal(ProtocolErrorCode.Malformed, decoded.Error.Code);
        }
    }

    [Fact]
    public async Task Mutated_rosters_and_key_packages_are_typed_errors_or_refused()
    {
        var (alice, carol, epoch, _) = await RoomAsync();
        var package = epoch.Created.Packages.Single();
        var parsedRosters = 0;
        foreach (var input in Mutations.Of(epoch.Roster.Encode(), 150, seed: 63))
        {
            var decoded = DeviceSigned<Roster>.Decode(input);
            if (!decoded.IsOk)
            {
                Assert.Equal(ProtocolErrorCode.Malformed, decoded.Error.Code);
                continue;
            }
            parsedRosters++;
            var opened = await _world.Schedule.OpenKeyPackageAsync(epoch.Room, carol.Device.Local, decoded.Value, package, epoch.Device(alice), null);
            Assert.False(opened.IsOk, $"opened with a mutated roster: {Mutations.Show(input)}");
        }
        var parsedPackages = 0;
        foreach (var input in Mutations.Of(package.Encode(), 150, seed: 64))
        {
            var decoded = DeviceSigned<KeyPackage>.Decode(input);
            if (!decoded.IsOk)
            {
                Assert.Equal(ProtocolErrorCode.Malformed, decoded.Error.Code);
                continue;
            }
            parsedPackages++;
            var opened = await _world.Schedule.OpenKeyPackageAsync(epoch.Room, carol.Device.Local, epoch.Roster, decoded.Value, epoch.Device(alice), null);
            Assert.False(opened.IsOk, $"opened a mutated package: {Mutations.Show(input)}");
        }
        Assert.True(parsedRosters > 0 && parsedPackages > 0);
        // A roster where a package is expected, and the other way round.
        Assert.Equal(ProtocolErrorCode.Malformed, DeviceSigned<KeyPackage>.Decode(epoch.Roster.Encode()).Error?.Code);
        Assert.Equal(ProtocolErrorCode.Malformed, DeviceSigned<Roster>.Decode(package.Encode()).Error?.Code);
    }

    [Fact]
    public async Task Mutated_saved_states_are_typed_errors()
    {
        var (_, carol, epoch, _) = await RoomAsync();
        var saved = (await epoch[carol].ExportAsync());
        foreach (var input in Mutations.Of(saved, 300, seed: 65))
        {
            var imported = await EpochState.ImportAsync(_world.Suite.Backend, input, RoomWorld.Scheme);
            if (!imported.IsOk) Assert.Equal(ProtocolErrorCode.Malformed, imported.Error.Code);
            else imported.Value.Dispose();
        }
        Assert.True((await EpochState.ImportAsync(_world.Suite.Backend, saved, RoomWorld.Scheme)).IsOk);
    }

    [Fact]
    public void Structurally_invalid_rosters_do_not_parse()
    {
        var member = new RosterMember(Guid.NewGuid(), Guid.NewGuid(), "ATL", [.. new byte[32]]);
        var other = new RosterMember(Guid.NewGuid(), Guid.NewGuid(), "BOR", [.. new byte[32]]);
        Roster Make(long epoch = 2, string[]? parties = null, RosterMember[]? members = null, Guid? creator = null, int previous = 32, int commitment = 32) =>
            new(Guid.NewGuid(), epoch, "SECRET", [.. parties ?? ["ATL"]], creator ?? member.DeviceId, [.. members ?? [member]], 0, [.. new byte[previous]], [.. new byte[commitment]]);

        Assert.Throws<CanonicalFormatException>(() => Make(epoch: 0, previous: 0));
        Assert.Throws<CanonicalFormatException>(() => Make(epoch: 1));
        Assert.Throws<CanonicalFormatException>(() => Make(epoch: 2, previous: 0));
        Assert.Throws<CanonicalFormatException>(() => Make(parties: ["BOR", "ATL"], members: [member]));
        Assert.Throws<CanonicalFormatException>(() => Make(members: [member, other]));
        Assert.Throws<CanonicalFormatException>(() => Make(members: []));
        Assert.Throws<CanonicalFormatException>(() => Make(creator: Guid.NewGuid()));
        Assert.Throws<CanonicalFormatException>(() => Make(commitment: 16));
        var sorted = new[] { member, member with { DeviceId = Guid.NewGuid() } }.OrderBy(m => m.DeviceId, DeviceOrder.Comparer).ToArray();
        Assert.Throws<CanonicalFormatException>(() => Make(members: [sorted[1], sorted[0]], creator: sorted[0].DeviceId));
        Assert.Throws<CanonicalFormatException>(() => Make(members: [sorted[0], sorted[0]], creator: sorted[0].DeviceId));
        var made = Make(members: sorted, creator: sorted[0].DeviceId);
        Assert.True(sorted.SequenceEqual(made.Members));
        Assert.True(made.Members.SequenceEqual(Canonical.Decode<Roster>(Canonical.Encode(made)).Value.Members));
        Assert.NotEqual(sorted[0], sorted[0] with { CertificateHash = [.. new byte[31], 1] });
    }
}
