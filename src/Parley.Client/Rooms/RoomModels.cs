using Parley.Client.Verification;
using Parley.Protocol.Rooms;

namespace Parley.Client.Rooms;

/// <summary>Why a message could not be read: the typed reason (no key package for this device, device
/// revoked, label above clearance, tampered, out of order, replayed, wrong room...), its short phrase
/// and the full sentence.</summary>
/// <param name="Code">The reason.</param>
/// <param name="Summary">A short phrase, e.g. "label above clearance".</param>
/// <param name="Detail">What happened, in one sentence.</param>
public sealed record CannotDecrypt(RoomErrorCode Code, string Summary, string Detail)
{
    /// <summary>From a protocol refusal.</summary>
    public static CannotDecrypt From(RoomError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new CannotDecrypt(error.Code, error.Summary, error.Message);
    }

    /// <inheritdoc />
    public override string ToString() => $"cannot decrypt: {Summary} ({Detail})";
}

/// <summary>
/// A room message as this client read it: decrypted (<see cref="Text"/>) or not (<see cref="Error"/>
/// says why). The label, sender and times of an undecrypted message come from its header, which
/// nothing authenticated.
/// </summary>
/// <param name="RoomId">The room.</param>
/// <param name="Sequence">Its place in the room's log.</param>
/// <param name="Epoch">The epoch it was sent in.</param>
/// <param name="Counter">Its step in the sender's chain.</param>
/// <param name="SenderDeviceId">The sending device.</param>
/// <param name="SenderUserId">Its owner, when known.</param>
/// <param name="SenderEmail">The owner's address, when known.</param>
/// <param name="SenderDelegation">The owner's delegation, when known.</param>
/// <param name="Label">The message's portion label as a banner, e.g. <c>SECRET//REL TO ATL, BOR</c>.</param>
/// <param name="PortionMark">The same as a portion mark, e.g. <c>(S//REL TO ATL, BOR)</c>.</param>
/// <param name="SentAt">When the sender says it sent it.</param>
/// <param name="StoredAt">When the server stored it.</param>
/// <param name="Text">The content; null when it could not be read.</param>
/// <param name="Error">Why it could not be read; null when it was.</param>
/// <param name="FromThisDevice">True for a message this device sent (its text is the copy kept when it was sent).</param>
/// <param name="SenderVerification">Whether the sender's identity key was verified by comparing safety numbers.</param>
/// <param name="ExpiresAt">When the room's retention removes it (here and on the server); null when the room keeps messages.</param>
public sealed record RoomMessageView(
    Guid RoomId, long Sequence, long Epoch, long Counter, Guid SenderDeviceId, Guid? SenderUserId, string? SenderEmail, string? SenderDelegation,
    string Label, string PortionMark, DateTimeOffset SentAt, DateTimeOffset StoredAt, string? Text, CannotDecrypt? Error, bool FromThisDevice,
    VerificationState SenderVerification, DateTimeOffset? ExpiresAt)
{
    /// <summary>True when the message was decrypted and passed every check.</summary>
    public bool Decrypted => Text is not null;

    // The text is content: never in a log.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"RoomId = {RoomId}, Sequence = {Sequence}, Epoch = {Epoch}, Counter = {Counter}, Sender = {SenderEmail ?? SenderDeviceId.ToString()}, Label = {PortionMark}, Decrypted = {Decrypted}, Error = {Error?.Summary}");
        return true;
    }
}

/// <summary>What kind of notice a room's log produced.</summary>
public enum RoomNoticeKind
{
    /// <summary>A new epoch started: new keys, for the devices its roster lists.</summary>
    EpochStarted,
    /// <summary>This device got no key for an epoch; <see cref="RoomNotice.Reason"/> says why.</summary>
    NoKeyForEpoch,
    /// <summary>An epoch's roster lists a device this client did not itself admit (not cleared, unknown, revoked...): it was not added unnoticed.</summary>
    UnverifiedDevice,
    /// <summary>A member's device was refused when this client made an epoch; it got no key.</summary>
    DeviceRefused,
    /// <summary>A verified contact's identity key changed.</summary>
    KeyChanged,
    /// <summary>An entry of the log could not be used (malformed, forked, superseded).</summary>
    EntryRefused,
    /// <summary>A member was added.</summary>
    MemberAdded,
    /// <summary>A member was removed or left.</summary>
    MemberRemoved,
    /// <summary>A party withdrew from the room.</summary>
    PartyWithdrawn,
    /// <summary>The room's label changed.</summary>
    LabelChanged,
    /// <summary>The room's retention changed.</summary>
    RetentionChanged,
    /// <summary>Messages reached the end of the retention and were deleted, here too.</summary>
    MessagesExpired,
}

/// <summary>Something about a room the person should see besides its messages.</summary>
/// <param name="RoomId">The room.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Message">One sentence for the person.</param>
/// <param name="Epoch">The epoch concerned, if any.</param>
/// <param name="DeviceId">The device concerned, if any.</param>
/// <param name="UserId">The person concerned, if any.</param>
/// <param name="Reason">The typed reason, for refusals.</param>
/// <param name="Warning">For <see cref="RoomNoticeKind.KeyChanged"/>.</param>
public sealed record RoomNotice(Guid RoomId, RoomNoticeKind Kind, string Message, long? Epoch = null, Guid? DeviceId = null, Guid? UserId = null,
    RoomErrorCode? Reason = null, KeyChangeWarning? Warning = null)
{
    /// <inheritdoc />
    public override string ToString() => Message;
}

/// <summary>What one pass over a room's log brought: new messages in log order, and notices.</summary>
/// <param name="RoomId">The room.</param>
/// <param name="Messages">Messages new since the last pass.</param>
/// <param name="Notices">Epochs, refusals and warnings.</param>
public sealed record RoomUpdate(Guid RoomId, IReadOnlyList<RoomMessageView> Messages, IReadOnlyList<RoomNotice> Notices);

/// <summary>The outcome of sending a message.</summary>
/// <param name="Message">The message as the room will show it.</param>
/// <param name="NewEpoch">The epoch this client started before sending, if it had to.</param>
/// <param name="Refused">Member devices that got no key from this client, with the reason (never silently).</param>
public sealed record SendResult(RoomMessageView Message, long? NewEpoch, IReadOnlyList<RoomNotice> Refused);
