using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Protocol.Rooms;
using Parley.Server.Rooms.Model;

namespace Parley.Server.Rooms;

/// <summary>The problem details of rooms that a client acts on: each names what to do next.</summary>
public static class RoomProblems
{
    /// <summary>A publish that does not extend the current epoch (compare-and-set lost): fetch the winner, open it, re-evaluate.</summary>
    public static ProblemHttpResult EpochConflict(RoomRecord room, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Epoch conflict", detail: detail, type: "urn:parley:problem:epoch-conflict",
            extensions: CurrentEpoch(room));

    /// <summary>A message for an epoch that is no longer the current one: catch up with the log and encrypt again.</summary>
    public static ProblemHttpResult EpochSuperseded(RoomRecord room, long epoch) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Epoch superseded",
            detail: $"Epoch {epoch} is over: the room is at epoch {room.Epoch}. Read the log up to its roster, then encrypt the message again.",
            type: "urn:parley:problem:epoch-superseded", extensions: CurrentEpoch(room));

    /// <summary>The room needs a new epoch before it takes another message.</summary>
    public static ProblemHttpResult RekeyRequired(RoomRecord room, IReadOnlyList<RotationReason> reasons)
    {
        var extensions = CurrentEpoch(room);
        extensions["reasons"] = reasons.Select(r => r.ToString()).ToList();
        return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Rekey required",
            detail: $"The room needs a new epoch before the next message ({Describe(reasons)}): make one for the current members' devices, publish it, then send.",
            type: "urn:parley:problem:rekey-required", extensions: extensions);
    }

    /// <summary>A message whose sender chain step was already posted.</summary>
    public static ProblemHttpResult Replayed(long epoch, Guid device, long counter) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Replayed",
            detail: $"Device {device} already posted message {counter} of epoch {epoch}.", type: "urn:parley:problem:replayed");

    /// <summary>Another server node changed the room at the same moment; nothing was stored.</summary>
    public static ProblemHttpResult Concurrent() =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
            detail: "The room changed while this request was handled; nothing was stored. Try again.", type: "urn:parley:problem:conflict");

    public static string Describe(IEnumerable<RotationReason> reasons) => string.Join(", ", reasons.Select(r => r switch
    {
        RotationReason.NoEpoch => "the room has no epoch yet",
        RotationReason.MemberRemoved => "a member was removed or no longer qualifies",
        RotationReason.DeviceRevoked => "a device of the epoch was revoked",
        RotationReason.LabelChanged => "the label changed",
        RotationReason.PartiesChanged => "the parties changed",
        RotationReason.MemberAdded => "a member was added",
        RotationReason.CertificateChanged => "a device's certificate changed",
        RotationReason.MessageLimit => $"the epoch carried {EpochPolicy.Default.MaxMessages} messages",
        RotationReason.AgeLimit => $"the epoch is {EpochPolicy.Default.MaxAge.TotalHours:0} hours old",
        _ => r.ToString(),
    }));

    private static Dictionary<string, object?> CurrentEpoch(RoomRecord room) => new()
    {
        ["epoch"] = room.Epoch,
        ["rosterHash"] = room.RosterHash is null ? null : Convert.ToBase64String(room.RosterHash),
        ["sequence"] = room.EpochSequence,
    };
}
