using System.Reflection;
using Parley.Protocol.Classification;
using Parley.Protocol.Identity;
using Parley.Protocol.Rooms;
using static Parley.Protocol.Tests.Rooms.RoomWorldMessages;

namespace Parley.Protocol.Tests.Rooms;

/// <summary>No key package goes to a device that is not verified and cleared for the room.</summary>
public class AdmissionTests
{
    private readonly RoomWorld _world = new();

    [Fact]
    public async Task A_device_cleared_below_the_room_level_is_refused_with_its_level()
    {
        var low = await _world.MemberAsync("ATL", level: "CONFIDENTIAL");
        var refused = await _world.AdmitAsync(RoomWorld.Room("SECRET//ALPHA", "ATL"), low);

        AssertRefused(refused, RoomErrorCode.LabelAboveClearance);
        var failure = Assert.Single(refused.Error!.ClearanceFailures);
        Assert.Equal(ClearanceFailureKind.LevelTooLow, failure.Kind);
        Assert.Contains("Cleared to CONFIDENTIAL; SECRET is needed.", refused.Error.Message);
    }

    [Fact]
    public async Task A_device_not_read_into_a_compartment_of_the_room_is_refused()
    {
        var member = await _world.MemberAsync("ATL", compartments: ["ALPHA"]);
        var refused = await _world.AdmitAsync(RoomWorld.Room("SECRET//ALPHA/BRAVO", "ATL"), member);

        AssertRefused(refused, RoomErrorCode.LabelAboveClearance);
        Assert.Equal(ClearanceFailureKind.MissingCompartments, Assert.Single(refused.Error!.ClearanceFailures).Kind);
        Assert.Contains("BRAVO", refused.Error.Message);
    }

    [Fact]
    public async Task A_device_of_a_delegation_outside_the_releasability_is_refused()
    {
        await _world.DelegationAsync("ATL");
        var foreign = await _world.MemberAsync("BOR", level: "TOP SECRET");
        var refused = await _world.AdmitAsync(RoomWorld.Room("SECRET//ATL EYES ONLY", "ATL"), foreign);

        AssertRefused(refused, RoomErrorCode.LabelAboveClearance);
        Assert.Equal(ClearanceFailureKind.NotReleasable, Assert.Single(refused.Error!.ClearanceFailures).Kind);
    }

    [Fact]
    public async Task A_device_of_a_delegation_within_the_releasability_that_is_not_a_party_is_refused()
    {
        var outsider = await _world.MemberAsync("CRD");
        var refused = await _world.AdmitAsync(RoomWorld.Room("SECRET//REL TO ATL, BOR, CRD", "ATL", "BOR"), outsider);

        AssertRefused(refused, RoomErrorCode.NotAParty);
        Assert.Contains("CRD", refused.Error!.Message);
    }

    [Fact]
    public async Task A_revoked_device_and_a_device_whose_owner_lost_the_clearance_are_refused_as_revoked()
    {
        var room = RoomWorld.Room("SECRET", "ATL");
        var lost = await _world.MemberAsync("ATL");
        var demoted = await _world.MemberAsync("ATL");
        await _world.AdmittedAsync(room, lost);

        await _world.RevokeDeviceAsync(lost, lost.Device);
        await _world.RevokeClearanceAsync(demoted);

        AssertRefused(await _world.AdmitAsync(room, lost), RoomErrorCode.DeviceRevoked);
        AssertRefused(await _world.AdmitAsync(room, demoted), RoomErrorCode.DeviceRevoked);
        var explained = MissingKey.Explain(await _world.AdmitAsync(room, lost), lost.Device.Id, 3, null);
        Assert.Equal(RoomErrorCode.DeviceRevoked, explained.Code);
    }

    [Fact]
    public async Task A_device_certificate_not_signed_by_its_owner_is_refused_as_untrusted()
    {
        var member = await _world.MemberAsync("ATL");
        var impostor = await _world.MemberAsync("ATL");
        var planted = await member.AddDeviceAsync(_world.Suite, signer: impostor.Person.Key);

        var refused = await _world.AdmitAsync(RoomWorld.Room("SECRET", "ATL"), member, planted);

        AssertRefused(refused, RoomErrorCode.Untrusted);
    }

    [Fact]
    public async Task A_device_of_a_user_unknown_to_the_delegation_is_refused_as_untrusted()
    {
        var atl = await _world.DelegationAsync("ATL");
        var stranger = await _world.MemberAsync("ROGUE");
        // The server claims the stranger is of ATL: the clearance does not chain to ATL's root.
        var refused = await _world.Admission.AdmitAsync(RoomWorld.Room("SECRET", "ATL"), _world.Trust("ATL"), stranger.Person.UserId, stranger.Person.Key.PublicKey,
            stranger.Clearance, stranger.Device.Certificate, RoomWorld.Now);

        AssertRefused(refused, RoomErrorCode.Untrusted);
        Assert.NotNull(atl);
    }

    [Fact]
    public void A_room_device_can_only_come_from_admission()
    {
        // Nothing outside the protocol can make one: no public or protected constructor, no public
        // factory but RoomAdmission.AdmitAsync. A VerifiedDevice, which any code can construct, is not enough.
        var constructors = typeof(RoomDevice).GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance);
        Assert.All(constructors, c => Assert.True(c.IsAssembly, $"{c} is reachable from outside the protocol"));
        Assert.True(typeof(RoomDevice).IsSealed);
        Assert.DoesNotContain(typeof(RoomDevice).GetMethods(BindingFlags.Public | BindingFlags.Static), m => m.ReturnType == typeof(RoomDevice));
        var create = typeof(IGroupKeySchedule).GetMethod(nameof(IGroupKeySchedule.CreateEpochAsync))!;
        Assert.Equal(typeof(IReadOnlyCollection<RoomDevice>), create.GetParameters().Single(p => p.Name == "members").ParameterType);
        var admit = typeof(RoomAdmission).GetMethod(nameof(RoomAdmission.AdmitAsync))!;
        Assert.DoesNotContain(admit.GetParameters(), p => p.ParameterType == typeof(VerifiedDevice));
    }

    [Fact]
    public async Task An_epoch_refuses_devices_admitted_to_another_room_or_before_the_label_changed()
    {
        var alice = await _world.MemberAsync("ATL", level: "TOP SECRET");
        var bob = await _world.MemberAsync("ATL", level: "TOP SECRET");
        var room = RoomWorld.Room("SECRET", "ATL");
        var other = RoomWorld.Room("SECRET", "ATL");
        var raised = RoomWorld.Room(room.Id, "TOP SECRET", "ATL");

        AssertRefused(await _world.Schedule.CreateEpochAsync(room, alice.Device.Local, [await _world.AdmittedAsync(room, alice), await _world.AdmittedAsync(other, bob)], null, RoomWorld.Now), RoomErrorCode.WrongRoom);
        AssertRefused(await _world.Schedule.CreateEpochAsync(raised, alice.Device.Local, [await _world.AdmittedAsync(raised, alice), await _world.AdmittedAsync(room, bob)], null, RoomWorld.Now), RoomErrorCode.WrongRoom);
        var fine = await _world.Schedule.CreateEpochAsync(raised, alice.Device.Local, [await _world.AdmittedAsync(raised, alice), await _world.AdmittedAsync(raised, bob)], null, RoomWorld.Now);
        Assert.True(fine.IsOk, fine.Error?.ToString());
        Assert.Equal("TOP SECRET", fine.Value.Roster.Body.Label);
    }

    [Fact]
    public async Task An_epoch_must_include_its_creator_once_and_each_device_once()
    {
        var alice = await _world.MemberAsync("ATL");
        var bob = await _world.MemberAsync("ATL");
        var room = RoomWorld.Room("SECRET", "ATL");
        var aliceIn = await _world.AdmittedAsync(room, alice);
        var bobIn = await _world.AdmittedAsync(room, bob);

        AssertRefused(await _world.Schedule.CreateEpochAsync(room, alice.Device.Local, [bobIn], null, RoomWorld.Now), RoomErrorCode.InvalidRoster);
        AssertRefused(await _world.Schedule.CreateEpochAsync(room, alice.Device.Local, [aliceIn, bobIn, bobIn], null, RoomWorld.Now), RoomErrorCode.InvalidRoster);
    }

    [Fact]
    public void A_room_refuses_parties_outside_its_label()
    {
        var label = RoomWorld.Label("SECRET//REL TO ATL, BOR");
        Assert.Equal(ProtocolErrorCode.Malformed, RoomDefinition.Create(Guid.NewGuid(), label, ["ATL", "CRD"]).Error?.Code);
        Assert.Equal(ProtocolErrorCode.Malformed, RoomDefinition.Create(Guid.NewGuid(), label, []).Error?.Code);
        Assert.Equal(ProtocolErrorCode.Malformed, RoomDefinition.Create(Guid.Empty, label, ["ATL"]).Error?.Code);
        Assert.Equal(["ATL", "BOR"], RoomDefinition.Create(Guid.NewGuid(), label, ["BOR", "ATL", "BOR"]).Value.Parties);
    }
}
