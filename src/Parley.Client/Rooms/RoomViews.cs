using Parley.Client.Verification;
using Parley.Protocol.Api;
using Parley.Protocol.Rooms;

namespace Parley.Client.Rooms;

/// <summary>One device of a member, as this client judges it for the room.</summary>
/// <param name="DeviceId">The device.</param>
/// <param name="Name">Its name in its certificate, when known.</param>
/// <param name="Admitted">True when this client would give it the room's keys.</param>
/// <param name="Refusal">Why not, when it would not.</param>
/// <param name="Reason">The refusal in a sentence.</param>
public sealed record MemberDevice(Guid DeviceId, string? Name, bool Admitted, RoomErrorCode? Refusal, string? Reason);

/// <summary>A member with what this client verified about them: each device's admission and whether
/// their identity key was verified by comparing safety numbers.</summary>
/// <param name="Member">The member.</param>
/// <param name="Verification">Verified, unverified, key changed (loud), or this account.</param>
/// <param name="Warning">When a verified key changed.</param>
/// <param name="Devices">Their devices and this client's verdict on each.</param>
public sealed record MemberStatus(RoomMemberView Member, VerificationState Verification, KeyChangeWarning? Warning, IReadOnlyList<MemberDevice> Devices);

/// <summary>A room operation this client refused or could not complete, with its typed reason.</summary>
public sealed class RoomOperationException(RoomError error) : Exception(error?.ToString())
{
    /// <summary>The reason.</summary>
    public RoomError Error { get; } = error ?? throw new ArgumentNullException(nameof(error));
}
