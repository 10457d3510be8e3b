using System.Collections.Immutable;
using Parley.Protocol.Classification;
using Parley.Protocol.Identity;

namespace Parley.Protocol.Rooms;

/// <summary>
/// What the keys of a room are bound to: its id, its label (system high) and its parties
/// (delegations). Every epoch's roster repeats the three, so a change of any of them is a new epoch.
/// </summary>
public sealed class RoomDefinition : IEquatable<RoomDefinition>
{
    /// <summary>Most parties a room may have.</summary>
    public const int MaxParties = 32;

    private RoomDefinition(Guid id, Label label, ImmutableSortedSet<string> parties)
    {
        Id = id;
        Label = label;
        Parties = parties;
    }

    /// <summary>The room's id.</summary>
    public Guid Id { get; }

    /// <summary>The room's label: no key of the room goes to a device whose clearance does not satisfy it,
    /// and no message in it may carry a label it does not dominate.</summary>
    public Label Label { get; }

    /// <summary>The delegations taking part, in ordinal order.</summary>
    public ImmutableSortedSet<string> Parties { get; }

    /// <summary>A room definition. Refuses an empty id, no parties or more than <see cref="MaxParties"/>,
    /// a malformed delegation code, and a party the label is not releasable to (its members could
    /// never be admitted).</summary>
    public static Result<RoomDefinition> Create(Guid id, Label label, IEnumerable<string> parties)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(parties);
        if (id == Guid.Empty) return Result<RoomDefinition>.Fail(ProtocolErrorCode.Malformed, "A room needs an id.");
        var set = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        foreach (var party in parties)
        {
            if (!DelegationCode.IsValid(party))
                return Result<RoomDefinition>.Fail(ProtocolErrorCode.Malformed, $"'{party}' is not a delegation code (2 to 8 capital letters).");
            if (!label.Releasability.IsReleasableTo(party))
                return Result<RoomDefinition>.Fail(ProtocolErrorCode.Malformed, $"Party {party} is outside the room label's releasability ({label.ToBanner()}).");
            set.Add(party);
        }
        if (set.Count == 0) return Result<RoomDefinition>.Fail(ProtocolErrorCode.Malformed, "A room needs at least one party.");
        if (set.Count > MaxParties) return Result<RoomDefinition>.Fail(ProtocolErrorCode.LimitExceeded, $"A room may have at most {MaxParties} parties.");
        return new RoomDefinition(id, label, set.ToImmutable());
    }

    /// <inheritdoc />
    public bool Equals(RoomDefinition? other) =>
        other is not null && Id == other.Id && Label.Equals(other.Label) && Parties.SetEquals(other.Parties);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as RoomDefinition);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, Label);

    /// <inheritdoc />
    public override string ToString() => $"room {Id} ({Label.ToBanner()}; {string.Join(", ", Parties)})";
}
