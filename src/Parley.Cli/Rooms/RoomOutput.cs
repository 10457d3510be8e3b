using Parley.Client.Rooms;
using Parley.Client.Verification;
using Parley.Protocol.Api;

namespace Parley.Cli.Rooms;

/// <summary>One room in <c>parley room list --json</c>.</summary>
internal sealed record RoomOutput(Guid Id, string Name, string Label, IReadOnlyList<string> Parties, int Members, long Epoch, int RetentionDays, DateTimeOffset CreatedAt)
{
    public static RoomOutput From(RoomSummary room) => new(room.Id, room.Name, room.Label, room.Parties, room.Members, room.Epoch, room.RetentionDays, room.CreatedAt);

    public static RoomOutput From(RoomView room) => new(room.Id, room.Name, room.Label, room.Parties, room.Members.Count, room.Epoch?.Epoch ?? 0, room.RetentionDays, room.CreatedAt);
}

/// <summary>One device of a member in <c>parley room members --json</c>.</summary>
internal sealed record MemberDeviceOutput(Guid Id, string? Name, bool Admitted, string? Refusal, string? Reason);

/// <summary>One member in <c>parley room members --json</c>.</summary>
internal sealed record RoomMemberOutput(Guid UserId, string Email, string DisplayName, string Delegation, string Verification, string? Warning, IReadOnlyList<MemberDeviceOutput> Devices)
{
    public static RoomMemberOutput From(MemberStatus status) => new(
        status.Member.UserId, status.Member.Email, status.Member.DisplayName, status.Member.Delegation, VerificationText.Of(status.Verification), status.Warning?.Message,
        status.Devices.Select(d => new MemberDeviceOutput(d.DeviceId, d.Name, d.Admitted, d.Refusal is { } r ? Protocol.Rooms.RoomError.Describe(r) : null, d.Reason)).ToList());
}

/// <summary>One message in <c>parley read --json</c>.</summary>
internal sealed record MessageOutput(
    long Sequence, long Epoch, string? Sender, string? Delegation, Guid SenderDevice, string Label, string PortionMark, DateTimeOffset SentAt, DateTimeOffset StoredAt,
    string? Text, bool Decrypted, string? Reason, string? ReasonCode, string? ReasonDetail, bool FromThisDevice, string SenderVerification, DateTimeOffset? ExpiresAt)
{
    public static MessageOutput From(RoomMessageView m) => new(
        m.Sequence, m.Epoch, m.SenderEmail, m.SenderDelegation, m.SenderDeviceId, m.Label, m.PortionMark, m.SentAt, m.StoredAt, m.Text, m.Decrypted,
        m.Error?.Summary, m.Error?.Code.ToString(), m.Error?.Detail, m.FromThisDevice, VerificationText.Of(m.SenderVerification), m.ExpiresAt);
}

/// <summary>One notice in <c>parley read --json</c>.</summary>
internal sealed record NoticeOutput(string Kind, string Message, long? Epoch, Guid? Device, string? Reason)
{
    public static NoticeOutput From(RoomNotice n) => new(n.Kind.ToString(), n.Message, n.Epoch, n.DeviceId, n.Reason?.ToString());
}

/// <summary>The JSON shape of <c>parley read --json</c> (without <c>--follow</c>).</summary>
internal sealed record ReadOutput(Guid RoomId, string Room, string Label, IReadOnlyList<MessageOutput> Messages, IReadOnlyList<NoticeOutput> Notices);

/// <summary>One line of <c>parley read --json --follow</c>: a message or a notice.</summary>
internal sealed record FollowLine(string Type, MessageOutput? Message, NoticeOutput? Notice);

/// <summary>The JSON shape of <c>parley send --json</c>.</summary>
internal sealed record SendOutput(Guid RoomId, long Sequence, long Epoch, long Counter, string Label, long? NewEpoch, IReadOnlyList<NoticeOutput> Refused);

/// <summary>The JSON shape of <c>parley contact verify --json</c>.</summary>
internal sealed record ContactOutput(Guid UserId, string Email, string? Delegation, string SafetyNumber, string QrPayload, string Verification, string? Warning);

internal static class VerificationText
{
    public static string Of(VerificationState state) => state switch
    {
        VerificationState.Verified => "verified",
        VerificationState.KeyChanged => "KEY CHANGED",
        VerificationState.Self => "you",
        _ => "unverified",
    };
}
