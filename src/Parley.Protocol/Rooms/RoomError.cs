using System.Diagnostics.CodeAnalysis;
using Parley.Protocol.Classification;

namespace Parley.Protocol.Rooms;

/// <summary>Why a room operation was refused: a reason a UI and the CLI can show as it is
/// ("cannot decrypt: label above clearance"), never just "unable to decrypt".</summary>
public enum RoomErrorCode
{
    /// <summary>The bytes do not follow the format.</summary>
    Malformed = 1,
    /// <summary>A signature or an authentication tag did not verify: some byte was changed, or the
    /// structure was made with other keys.</summary>
    Tampered,
    /// <summary>The structure belongs to another room, or a device was admitted for another room.</summary>
    WrongRoom,
    /// <summary>This device holds no key for the message's epoch: it has no key package, or the
    /// package is addressed to another device.</summary>
    NoKeyPackage,
    /// <summary>The device, or its owner's clearance, was revoked.</summary>
    DeviceRevoked,
    /// <summary>The clearance does not satisfy the room's label (level, compartments or releasability).</summary>
    LabelAboveClearance,
    /// <summary>The device's delegation is not a party to the room.</summary>
    NotAParty,
    /// <summary>The device's certificate chain does not verify (unknown, forged or expired).</summary>
    Untrusted,
    /// <summary>The sender is not in the epoch's roster, or is not the device that made the epoch.</summary>
    UnknownSender,
    /// <summary>The message's counter was passed over before it arrived: it came after a later message from the same sender.</summary>
    OutOfOrder,
    /// <summary>A message with this counter from this sender was already accepted.</summary>
    Replayed,
    /// <summary>The counter skips more messages than a receiver will step over.</summary>
    CounterGapTooLarge,
    /// <summary>A newer epoch has started (or is known): this epoch takes no more messages.</summary>
    EpochSuperseded,
    /// <summary>The roster does not extend the roster this device knows, or the message names another roster for the same epoch.</summary>
    ForkedHistory,
    /// <summary>The roster's label or parties differ from the room's.</summary>
    RosterMismatch,
    /// <summary>The message's label is not dominated by the room's label (a write-up beyond the room).</summary>
    LabelAboveRoom,
    /// <summary>The message was sent by this device, whose keys for it were deleted when it was sent.</summary>
    SentByThisDevice,
    /// <summary>The devices given for a new epoch do not form a valid roster (creator missing, duplicates, too many).</summary>
    InvalidRoster,
    /// <summary>The message is larger than a room message may be.</summary>
    MessageTooLarge,
}

/// <summary>A refused room operation: a typed reason and one sentence for a person. Never carries
/// secret material or plaintext.</summary>
/// <param name="Code">The reason.</param>
/// <param name="Message">What happened, for the person who sees it.</param>
public sealed record RoomError(RoomErrorCode Code, string Message)
{
    /// <summary>For <see cref="RoomErrorCode.LabelAboveClearance"/>: each condition of the label that failed.</summary>
    public IReadOnlyList<ClearanceFailure> ClearanceFailures { get; init; } = [];

    /// <summary>A short phrase for the reason, e.g. "label above clearance", for lists and the CLI.</summary>
    public string Summary => Describe(Code);

    /// <summary>The short phrase for a reason.</summary>
    public static string Describe(RoomErrorCode code) => code switch
    {
        RoomErrorCode.Malformed => "malformed",
        RoomErrorCode.Tampered => "tampered",
        RoomErrorCode.WrongRoom => "wrong room",
        RoomErrorCode.NoKeyPackage => "no key package for this device",
        RoomErrorCode.DeviceRevoked => "device revoked",
        RoomErrorCode.LabelAboveClearance => "label above clearance",
        RoomErrorCode.NotAParty => "delegation not a party",
        RoomErrorCode.Untrusted => "untrusted device",
        RoomErrorCode.UnknownSender => "unknown sender",
        RoomErrorCode.OutOfOrder => "out of order",
        RoomErrorCode.Replayed => "replayed",
        RoomErrorCode.CounterGapTooLarge => "too many messages missing",
        RoomErrorCode.EpochSuperseded => "epoch superseded",
        RoomErrorCode.ForkedHistory => "forked history",
        RoomErrorCode.RosterMismatch => "roster does not match the room",
        RoomErrorCode.LabelAboveRoom => "label above the room's",
        RoomErrorCode.SentByThisDevice => "sent by this device",
        RoomErrorCode.InvalidRoster => "invalid roster",
        RoomErrorCode.MessageTooLarge => "message too large",
        _ => code.ToString(),
    };

    /// <summary>A parse failure of untrusted bytes, as a room error.</summary>
    public static RoomError FromParse(ProtocolError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new RoomError(RoomErrorCode.Malformed, error.Message);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Summary}: {Message}";
}

/// <summary>Either a value or a <see cref="RoomError"/>. Room operations return this instead of throwing.</summary>
public readonly struct RoomResult<T>
{
    private readonly T? _value;

    private RoomResult(T? value, RoomError? error)
    {
        _value = value;
        Error = error;
    }

    /// <summary>The error, or null on success.</summary>
    public RoomError? Error { get; }

    /// <summary>True when the result holds a value.</summary>
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsOk => Error is null;

    /// <summary>The value; throws <see cref="InvalidOperationException"/> naming the error if there is none.</summary>
    public T Value => Error is null ? _value! : throw new InvalidOperationException($"The room operation failed: {Error}");

    /// <summary>Gets the value if there is one.</summary>
    public bool TryGetValue([MaybeNullWhen(false)] out T value, [NotNullWhen(false)] out RoomError? error)
    {
        value = _value;
        error = Error;
        return Error is null;
    }

    /// <summary>A failed result.</summary>
    public static RoomResult<T> Fail(RoomErrorCode code, string message) => new(default, new RoomError(code, message));

    /// <summary>Implicit success.</summary>
    public static implicit operator RoomResult<T>(T value) => new(value, null);

    /// <summary>Implicit failure.</summary>
    public static implicit operator RoomResult<T>(RoomError error) => new(default, error ?? throw new ArgumentNullException(nameof(error)));

    /// <inheritdoc />
    public override string ToString() => IsOk ? $"Ok({typeof(T).Name})" : $"Fail({Error})";
}
