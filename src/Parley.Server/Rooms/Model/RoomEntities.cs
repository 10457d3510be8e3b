using Parley.Protocol.Api;

namespace Parley.Server.Rooms.Model;

// Persistence shapes of rooms. They never leave the server: endpoints bind Parley.Protocol.Api
// records and map to and from these. Nothing here is plaintext content: rosters, key packages and
// messages are stored as the ciphertext and signed bytes clients made.

/// <summary>Why the server requires a new epoch before it takes another message, beyond the counts and times it checks as it goes.</summary>
[Flags]
public enum RekeyFlags
{
    None = 0,
    MemberAdded = 1,
    MemberRemoved = 2,
    LabelChanged = 4,
    PartiesChanged = 8,
}

/// <summary>A room, with the state of its log: the last sequence number and the current epoch with its counters.</summary>
public sealed class RoomRecord
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    /// <summary>Trimmed, lower-cased: the unique key.</summary>
    public string NormalizedName { get; set; } = "";
    /// <summary>Canonical banner.</summary>
    public string Label { get; set; } = "";
    /// <summary>Delegation codes in ordinal order, separated by single spaces.</summary>
    public string Parties { get; set; } = "";
    public Guid CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public int RetentionDays { get; set; }

    /// <summary>The sequence number of the latest log entry.</summary>
    public long LastSequence { get; set; }
    /// <summary>The current epoch; 0 before the first.</summary>
    public long Epoch { get; set; }
    /// <summary>Hash of the current epoch's roster payload; null before the first epoch.</summary>
    public byte[]? RosterHash { get; set; }
    public long EpochSequence { get; set; }
    public Guid? EpochCreatorDevice { get; set; }
    /// <summary>When the server accepted the current epoch: the age limit counts from the server's clock, not the roster's.</summary>
    public DateTimeOffset? EpochStartedAt { get; set; }
    public int MessagesInEpoch { get; set; }
    public RekeyFlags Rekey { get; set; }

    /// <summary>Changes with every write, so that two writers (two server nodes) cannot both extend the log from the same state.</summary>
    public long Version { get; set; }

    public IReadOnlyList<string> PartyList() => Parties.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>A period of membership of a user in a room: from being added until being removed.</summary>
public sealed class RoomMemberRecord
{
    public long Id { get; set; }
    public Guid RoomId { get; set; }
    public Guid UserId { get; set; }
    public string DelegationCode { get; set; } = "";
    public DateTimeOffset AddedAt { get; set; }
    public Guid AddedBy { get; set; }
    /// <summary>The log entry that added the member: the member reads the log from here on.</summary>
    public long FromSequence { get; set; }
    public DateTimeOffset? RemovedAt { get; set; }
    public Guid? RemovedBy { get; set; }
    /// <summary><c>removed</c>, <c>left</c> or <c>party-withdrawn</c>.</summary>
    public string? RemovalReason { get; set; }
}

/// <summary>One entry of a room's log. Which columns are set depends on <see cref="Kind"/>.</summary>
public sealed class RoomEntryRecord
{
    public Guid RoomId { get; set; }
    public long Sequence { get; set; }
    public RoomEntryKind Kind { get; set; }
    public DateTimeOffset At { get; set; }
    public Guid? ActorUserId { get; set; }
    /// <summary>Epoch: the roster's creator; message: the sender.</summary>
    public Guid? DeviceId { get; set; }
    public long? Epoch { get; set; }
    /// <summary>Epoch: the signed roster; message: the message, as the client sent them.</summary>
    public byte[]? Payload { get; set; }
    /// <summary>Epoch: SHA-256 of the roster payload.</summary>
    public byte[]? RosterHash { get; set; }
    /// <summary>Message: the sender chain's counter (unique per epoch and sender: a replay is refused).</summary>
    public long? Counter { get; set; }
    /// <summary>Message: its portion label; label change: the new label.</summary>
    public string? Label { get; set; }
    /// <summary>Message: ciphertext length.</summary>
    public int? Size { get; set; }
    /// <summary>Message: the time its header claims (the sender's clock).</summary>
    public long? SentAt { get; set; }
    public Guid? SubjectUserId { get; set; }
    public string? Party { get; set; }
    public int? RetentionDays { get; set; }
    public long? ExpiredThrough { get; set; }
    public string? Reason { get; set; }
}

/// <summary>A key package of an epoch, delivered only to its recipient device.</summary>
public sealed class RoomKeyPackageRecord
{
    public Guid RoomId { get; set; }
    /// <summary>The sequence number of the epoch entry.</summary>
    public long Sequence { get; set; }
    public Guid RecipientDeviceId { get; set; }
    public byte[] Package { get; set; } = [];
}

/// <summary>A device of the room's current roster (the server checks senders and revocations against these).</summary>
public sealed class RoomRosterDeviceRecord
{
    public Guid RoomId { get; set; }
    public Guid DeviceId { get; set; }
    public Guid UserId { get; set; }
}
