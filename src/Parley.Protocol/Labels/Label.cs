using System.Collections.Immutable;
using System.Text;

namespace Parley.Protocol.Classification;

/// <summary>
/// A classification label: a level, a set of compartments and a releasability, under one
/// <see cref="MarkingScheme"/>. Immutable; equal by value. Labels form a partial order
/// (<see cref="Dominates"/>) in which two labels have a least upper bound (<see cref="Join(Label)"/>)
/// whenever their releasabilities share a delegation.
/// </summary>
/// <remarks>
/// Signed and hashed structures carry a label as its canonical string (<see cref="ToCanonicalString"/>,
/// the banner). <see cref="MarkingScheme.ParseBanner"/> accepts only canonical strings, so two labels are
/// equal exactly when their canonical strings are.
/// </remarks>
public sealed class Label : IEquatable<Label>
{
    /// <summary>Longest marking the parsers read, in characters. No label of a valid scheme prints longer.</summary>
    public const int MaxLength = 1024;

    internal Label(MarkingScheme scheme, ClassificationLevel level, ImmutableSortedSet<string> compartments, Releasability releasability)
    {
        Scheme = scheme;
        Level = level;
        Compartments = compartments;
        Releasability = releasability;
    }

    /// <summary>The scheme the label belongs to.</summary>
    public MarkingScheme Scheme { get; }

    /// <summary>The level.</summary>
    public ClassificationLevel Level { get; }

    /// <summary>The compartments' names, in ordinal order; empty when there are none.</summary>
    public ImmutableSortedSet<string> Compartments { get; }

    /// <summary>Who may read.</summary>
    public Releasability Releasability { get; }

    /// <summary>
    /// A label from names: a level of <paramref name="scheme"/>, compartments it knows (duplicates
    /// collapse), and a releasability naming only delegations it accepts (unrestricted when null).
    /// </summary>
    public static Result<Label> Create(MarkingScheme scheme, string level, IEnumerable<string>? compartments = null, Releasability? releasability = null)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        var found = scheme.FindLevel(level);
        if (found is null)
        {
            var suggestion = NearMiss.Closest(level ?? "", scheme.Levels.Select(l => l.Name));
            return Result<Label>.Fail(ProtocolErrorCode.Malformed, $"Unknown level {Quote.Token(level)} in scheme {scheme.Name}{(suggestion is null ? "." : $"; did you mean {suggestion}?")}");
        }
        var set = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        foreach (var name in compartments ?? [])
        {
            if (scheme.FindCompartment(name) is null)
            {
                var suggestion = NearMiss.Closest(name ?? "", scheme.Compartments.Select(c => c.Name));
                return Result<Label>.Fail(ProtocolErrorCode.Malformed, $"Unknown compartment {Quote.Token(name)} in scheme {scheme.Name}{(suggestion is null ? "." : $"; did you mean {suggestion}?")}");
            }
            set.Add(name);
        }
        releasability ??= Releasability.Unrestricted;
        foreach (var code in releasability.Delegations)
        {
            if (!scheme.AcceptsDelegation(code))
                return Result<Label>.Fail(ProtocolErrorCode.Malformed, $"Scheme {scheme.Name} does not list delegation {Quote.Token(code)}.");
        }
        return new Label(scheme, found, set.ToImmutable(), releasability);
    }

    /// <summary>
    /// True when this label is at least as high as <paramref name="other"/>: its level is at least
    /// as high, it has every compartment <paramref name="other"/> has, and its releasability is at
    /// least as restrictive (<see cref="Releasability.IsAtLeastAsRestrictiveAs"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The labels belong to incompatible schemes.</exception>
    public bool Dominates(Label other)
    {
        RequireCompatible(other);
        return Level.Rank >= other.Level.Rank
            && Compartments.IsSupersetOf(other.Compartments)
            && Releasability.IsAtLeastAsRestrictiveAs(other.Releasability);
    }

    /// <summary>
    /// The least upper bound of the two labels (a banner over two portions): the higher level, the
    /// union of compartments, the intersection of releasability. Fails when the releasabilities share
    /// no delegation: then no label dominates both, since none would be releasable to anyone.
    /// </summary>
    /// <exception cref="ArgumentException">The labels belong to incompatible schemes.</exception>
    public Result<Label> Join(Label other)
    {
        RequireCompatible(other);
        var releasability = Releasability.Combine(Releasability, other.Releasability);
        if (releasability is null)
            return Result<Label>.Fail(ProtocolErrorCode.Malformed, $"{ToBanner()} and {other.ToBanner()} have no delegation in common; no label is releasable to both.");
        var level = Level.Rank >= other.Level.Rank ? Level : other.Level;
        var compartments = Compartments.Union(other.Compartments);
        return new Label(Scheme, level, compartments, releasability);
    }

    /// <summary>The least upper bound of all <paramref name="labels"/>; <see cref="MarkingScheme.Lowest"/>
    /// of <paramref name="scheme"/> when there are none.</summary>
    public static Result<Label> Join(MarkingScheme scheme, IEnumerable<Label> labels)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentNullException.ThrowIfNull(labels);
        var banner = scheme.Lowest;
        foreach (var label in labels)
        {
            var joined = banner.Join(label);
            if (!joined.IsOk) return joined;
            banner = joined.Value;
        }
        return banner;
    }

    /// <summary>The banner marking: <c>SECRET//ALPHA/BRAVO//REL TO ATL, BOR</c>. Compartments and
    /// delegation codes in ordinal order; empty categories left out.</summary>
    public string ToBanner()
    {
        var builder = new StringBuilder(Level.Name);
        if (Compartments.Count > 0) builder.Append("//").AppendJoin('/', Compartments);
        if (!Releasability.IsUnrestricted) builder.Append("//").Append(Releasability.ToMarking());
        return builder.ToString();
    }

    /// <summary>The portion mark: <c>(S//ALPHA//REL TO ATL)</c>. Abbreviations in ordinal order.</summary>
    public string ToPortionMark()
    {
        var builder = new StringBuilder("(").Append(Level.Abbreviation);
        if (Compartments.Count > 0)
        {
            var abbreviations = Compartments.Select(name => Scheme.FindCompartment(name)!.Abbreviation).Order(StringComparer.Ordinal);
            builder.Append("//").AppendJoin('/', abbreviations);
        }
        if (!Releasability.IsUnrestricted) builder.Append("//").Append(Releasability.ToMarking());
        return builder.Append(')').ToString();
    }

    /// <summary>The form a label takes in signed and hashed structures: the banner, exactly as
    /// <see cref="ToBanner"/> prints it.</summary>
    public string ToCanonicalString() => ToBanner();

    /// <inheritdoc />
    public bool Equals(Label? other) =>
        other is not null
        && Level.Rank == other.Level.Rank
        && Scheme.IsCompatibleWith(other.Scheme)
        && Compartments.SetEquals(other.Compartments)
        && Releasability.Equals(other.Releasability);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Label);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Level.Name, StringComparer.Ordinal);
        foreach (var compartment in Compartments) hash.Add(compartment, StringComparer.Ordinal);
        hash.Add(Releasability);
        return hash.ToHashCode();
    }

    /// <summary>Value equality.</summary>
    public static bool operator ==(Label? left, Label? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(Label? left, Label? right) => !(left == right);

    /// <summary>The banner.</summary>
    public override string ToString() => ToBanner();

    private void RequireCompatible(Label other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!Scheme.IsCompatibleWith(other.Scheme))
            throw new ArgumentException($"Labels of marking schemes {Scheme.Name} and {other.Scheme.Name} cannot be compared: their levels or compartments differ.", nameof(other));
    }
}
