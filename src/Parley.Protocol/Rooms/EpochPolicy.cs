using System.Collections.Immutable;

namespace Parley.Protocol.Rooms;

/// <summary>Why a room needs a new epoch.</summary>
public enum RotationReason
{
    /// <summary>The room has no epoch yet.</summary>
    NoEpoch = 1,
    /// <summary>A device of the roster is no longer to be a member (its user or party left, or it no longer qualifies).</summary>
    MemberRemoved,
    /// <summary>A device of the roster was revoked.</summary>
    DeviceRevoked,
    /// <summary>The room's label changed.</summary>
    LabelChanged,
    /// <summary>The room's parties changed.</summary>
    PartiesChanged,
    /// <summary>A device is to join: it gets the keys of a new epoch, never of messages sent before it joined.</summary>
    MemberAdded,
    /// <summary>A member device's certificate changed (new keys), so its key package went to old keys.</summary>
    CertificateChanged,
    /// <summary>The epoch has carried its allowance of messages.</summary>
    MessageLimit,
    /// <summary>The epoch has lived its allowance of time.</summary>
    AgeLimit,
}

/// <summary>Whether a new epoch is required, and every reason why, in the order of <see cref="RotationReason"/>.</summary>
/// <param name="Reasons">The reasons; empty when the current epoch may go on.</param>
public sealed record RotationDecision(IReadOnlyList<RotationReason> Reasons)
{
    /// <summary>True when a new epoch must start before the next message.</summary>
    public bool Required => Reasons.Count > 0;

    /// <inheritdoc />
    public override string ToString() => Required ? "new epoch: " + string.Join(", ", Reasons) : "epoch current";
}

/// <summary>
/// When a room's keys must change (DESIGN §5, issue 6): on every removal, device revocation, label
/// change and change of parties; when a device joins (so it cannot read what came before); when a
/// member's certificate changes; and after <see cref="MaxMessages"/> messages or <see cref="MaxAge"/>
/// in one epoch (post-compromise security). Pure: it looks only at its arguments.
/// </summary>
/// <param name="MaxMessages">Messages an epoch may carry, counted over all senders.</param>
/// <param name="MaxAge">How long an epoch may live.</param>
public sealed record EpochPolicy(int MaxMessages, TimeSpan MaxAge)
{
    /// <summary>100 messages or 24 hours.</summary>
    public static EpochPolicy Default { get; } = new(100, TimeSpan.FromHours(24));

    /// <summary>
    /// Compares the current epoch with what the room should be now.
    /// </summary>
    /// <param name="current">The room's current roster, or null when it has none.</param>
    /// <param name="messagesInEpoch">Messages sent in the current epoch (the server's count, or <see cref="EpochState.MessagesSeen"/>).</param>
    /// <param name="room">The room as it should be now.</param>
    /// <param name="members">The devices that should hold the keys now (each admitted to <paramref name="room"/>).</param>
    /// <param name="revokedDevices">Devices known to be revoked.</param>
    /// <param name="now">The time now.</param>
    public RotationDecision Evaluate(Roster? current, long messagesInEpoch, RoomDefinition room, IEnumerable<RosterMember> members, IEnumerable<Guid> revokedDevices, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(revokedDevices);
        if (current is null) return new RotationDecision([RotationReason.NoEpoch]);
        if (current.RoomId != room.Id) throw new ArgumentException($"The roster belongs to room {current.RoomId}, not {room.Id}.", nameof(current));

        var reasons = new SortedSet<RotationReason>();
        var wanted = new Dictionary<Guid, RosterMember>();
        foreach (var member in members) wanted[member.DeviceId] = member;
        var revoked = revokedDevices.ToHashSet();
        foreach (var held in current.Members)
        {
            if (revoked.Contains(held.DeviceId)) reasons.Add(RotationReason.DeviceRevoked);
            else if (!wanted.TryGetValue(held.DeviceId, out var member)) reasons.Add(RotationReason.MemberRemoved);
            else if (!member.CertificateHash.AsSpan().SequenceEqual(held.CertificateHash.AsSpan())) reasons.Add(RotationReason.CertificateChanged);
        }
        if (wanted.Keys.Any(device => current.Find(device) is null && !revoked.Contains(device))) reasons.Add(RotationReason.MemberAdded);
        if (current.Label != room.Label.ToCanonicalString()) reasons.Add(RotationReason.LabelChanged);
        if (!current.Parties.SequenceEqual(room.Parties, StringComparer.Ordinal)) reasons.Add(RotationReason.PartiesChanged);
        if (messagesInEpoch >= MaxMessages) reasons.Add(RotationReason.MessageLimit);
        if (now - DateTimeOffset.FromUnixTimeSeconds(current.CreatedAt) >= MaxAge) reasons.Add(RotationReason.AgeLimit);
        return new RotationDecision(reasons.ToImmutableArray());
    }
}
