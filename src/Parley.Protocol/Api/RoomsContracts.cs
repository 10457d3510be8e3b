using Parley.Protocol.Rooms;

namespace Parley.Protocol.Api;

// The HTTP and hub contract of negotiation rooms (docs/API.md, "Rooms"). The server stores and
// relays rosters, key packages and messages as the canonical bytes of docs/PROTOCOL.md §12; it
// never sees an epoch secret or a plaintext. Labels travel as canonical banners.

/// <summary>Creates a room; the caller becomes its first member, so their delegation must be a party.</summary>
/// <param name="Name">1 to 100 characters, unique on the server (case-insensitive).</param>
/// <param name="Label">The room's label (system high), banner form.</param>
/// <param name="Parties">The delegations taking part: 1 to 32 codes, each within the label's releasability.</param>
/// <param name="RetentionDays">How long messages are kept, 1 to 3650 days; 90 when absent.</param>
public sealed record CreateRoomRequest(string Name, string Label, IReadOnlyList<string> Parties, int? RetentionDays = null);

/// <summary>A current member of a room.</summary>
public sealed record RoomMemberView(Guid UserId, string Email, string DisplayName, string Delegation, DateTimeOffset AddedAt, Guid AddedBy);

/// <summary>A room's current epoch as the server ordered it.</summary>
/// <param name="Epoch">Its number.</param>
/// <param name="RosterHash">SHA-256 of its roster's payload: what the next roster must name as previous.</param>
/// <param name="Sequence">The log sequence number of its roster.</param>
/// <param name="CreatorDeviceId">The device that made it.</param>
/// <param name="StartedAt">When the server accepted it (the 24-hour limit counts from here).</param>
/// <param name="Messages">Messages accepted in it so far (the 100-message limit counts these).</param>
public sealed record RoomEpochView(long Epoch, byte[] RosterHash, long Sequence, Guid CreatorDeviceId, DateTimeOffset StartedAt, int Messages);

/// <summary>A room: what it is, who is in it, its current epoch and whether a new one is required before the next message.</summary>
/// <param name="Id">The room's id.</param>
/// <param name="Name">Its name, unique on the server.</param>
/// <param name="Label">Its label (system high), banner form.</param>
/// <param name="Parties">The delegations taking part, in ordinal order.</param>
/// <param name="CreatedBy">The user who created it.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="RetentionDays">How long its messages are kept.</param>
/// <param name="Members">Its current members.</param>
/// <param name="Epoch">Its current epoch; null before the first.</param>
/// <param name="RekeyRequired">Why the server will refuse messages until a new epoch is published; empty when none is required.</param>
/// <param name="LastSequence">The sequence number of the room's latest log entry.</param>
public sealed record RoomView(Guid Id, string Name, string Label, IReadOnlyList<string> Parties, Guid CreatedBy, DateTimeOffset CreatedAt, int RetentionDays,
    IReadOnlyList<RoomMemberView> Members, RoomEpochView? Epoch, IReadOnlyList<RotationReason> RekeyRequired, long LastSequence);

/// <summary>One of the caller's rooms, as listed.</summary>
public sealed record RoomSummary(Guid Id, string Name, string Label, IReadOnlyList<string> Parties, int Members, long Epoch, long LastSequence, int RetentionDays, DateTimeOffset CreatedAt);

/// <summary>A new epoch: the signed roster (<c>device_signed</c> of a roster) and one signed key package per roster member other than its creator.</summary>
public sealed record PublishEpochRequest(byte[] Roster, IReadOnlyList<byte[]> KeyPackages);

/// <summary>A message: the canonical <c>parley/room-message</c> bytes.</summary>
public sealed record PostMessageRequest(byte[] Message);

/// <summary>Changes a room's label (banner form); a new epoch is then required.</summary>
public sealed record ChangeRoomLabelRequest(string Label);

/// <summary>Changes how long a room keeps its messages, 1 to 3650 days.</summary>
public sealed record ChangeRoomRetentionRequest(int RetentionDays);

/// <summary>What a room's log entry is. The numbers are stored; never renumber.</summary>
public enum RoomEntryKind
{
    /// <summary>A new epoch: its signed roster, and for the reader only its own key package.</summary>
    Epoch = 1,
    /// <summary>A message: its canonical bytes and the metadata the server can see.</summary>
    Message = 2,
    /// <summary>A member was added (<see cref="RoomEntry.Subject"/>).</summary>
    MemberAdded = 3,
    /// <summary>A member was removed or left (<see cref="RoomEntry.Subject"/>, <see cref="RoomEntry.Reason"/>).</summary>
    MemberRemoved = 4,
    /// <summary>A party withdrew (<see cref="RoomEntry.Party"/>); its members' removals follow.</summary>
    PartyWithdrawn = 5,
    /// <summary>The room's label changed (<see cref="RoomEntry.Label"/>).</summary>
    LabelChanged = 6,
    /// <summary>The room's retention changed (<see cref="RoomEntry.RetentionDays"/>).</summary>
    RetentionChanged = 7,
    /// <summary>Messages up to <see cref="RoomEntry.ExpiredThrough"/> reached the end of the retention and were deleted: delete local copies too.</summary>
    Expired = 8,
}

/// <summary>
/// One entry of a room's log, in the server's total order (<see cref="Sequence"/>). Which fields are
/// set depends on <see cref="Kind"/>; the rest are null.
/// </summary>
/// <param name="RoomId">The room.</param>
/// <param name="Sequence">Position in the room's log, from 1, without gaps except where messages expired.</param>
/// <param name="Kind">What happened.</param>
/// <param name="At">When the server accepted it (server clock).</param>
/// <param name="Actor">The user who did it (sender, epoch maker, manager); null for the server's own entries (expiry).</param>
/// <param name="Epoch">Epoch and message entries: the epoch number.</param>
/// <param name="Device">Epoch entries: the roster's creator; message entries: the sending device.</param>
/// <param name="Roster">Epoch entries: the signed roster bytes.</param>
/// <param name="KeyPackage">Epoch entries: the signed key package for the reading device, if the roster gave it one.</param>
/// <param name="Message">Message entries: the message bytes.</param>
/// <param name="Label">Message entries: the message's portion label (from its header); label changes: the new label.</param>
/// <param name="Size">Message entries: the ciphertext's length in bytes.</param>
/// <param name="Subject">Member entries: the member.</param>
/// <param name="Party">Party withdrawals: the delegation.</param>
/// <param name="RetentionDays">Retention changes: the new retention.</param>
/// <param name="ExpiredThrough">Expiry entries: every message with a sequence up to this one is gone.</param>
/// <param name="Reason">Member removals: <c>removed</c>, <c>left</c> or <c>party-withdrawn</c>.</param>
public sealed record RoomEntry(Guid RoomId, long Sequence, RoomEntryKind Kind, DateTimeOffset At, Guid? Actor,
    long? Epoch = null, Guid? Device = null, byte[]? Roster = null, byte[]? KeyPackage = null, byte[]? Message = null, string? Label = null, int? Size = null,
    Guid? Subject = null, string? Party = null, int? RetentionDays = null, long? ExpiredThrough = null, string? Reason = null);

/// <summary>A page of a room's log after the sequence number asked for.</summary>
/// <param name="RoomId">The room.</param>
/// <param name="Entries">The entries, in log order.</param>
/// <param name="LastSequence">The room's latest sequence number now.</param>
/// <param name="More">True when entries after the last one returned remain: ask again after it.</param>
public sealed record RoomLogView(Guid RoomId, IReadOnlyList<RoomEntry> Entries, long LastSequence, bool More);

/// <summary>What the server answers when it accepts an epoch or a message.</summary>
public sealed record RoomEntryReceipt(Guid RoomId, long Sequence, RoomEntryKind Kind, long Epoch, DateTimeOffset At);

/// <summary>Hub event <c>Removed</c>: this connection no longer receives the room (the user was removed, left, or their party withdrew).</summary>
public sealed record RoomRemoval(Guid RoomId, string Reason);

/// <summary>Names of the rooms hub (<c>/hubs/rooms</c>): its path, the events it sends and the methods it answers.</summary>
public static class RoomsHubProtocol
{
    /// <summary>The hub's path.</summary>
    public const string Path = "/hubs/rooms";

    /// <summary>Event with one <see cref="RoomEntry"/> of a room the connection receives, in log order; an epoch carries only the receiving device's key package.</summary>
    public const string Entry = "Entry";

    /// <summary>Event with a <see cref="RoomSummary"/>: the user was added to a room and the connection now receives it.</summary>
    public const string Added = "Added";

    /// <summary>Event with a <see cref="RoomRemoval"/>: the connection no longer receives the room.</summary>
    public const string Removed = "Removed";

    /// <summary>Method: the ids of the rooms this connection receives. It answers only after the connection has joined its rooms.</summary>
    public const string Joined = "Joined";
}
