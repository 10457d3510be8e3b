using System.Collections.Immutable;
using Parley.Protocol.Identity;

namespace Parley.Protocol.Classification;

/// <summary>The three forms of releasability.</summary>
public enum ReleasabilityKind
{
    /// <summary>No releasability restriction: any delegation cleared for the rest of the label may read.</summary>
    Unrestricted = 0,
    /// <summary><c>REL TO A, B</c>: releasable to the listed delegations only.</summary>
    RelTo = 1,
    /// <summary><c>A EYES ONLY</c>: for one delegation's own people, not to be released further.</summary>
    EyesOnly = 2,
}

/// <summary>
/// Which delegations may read: unrestricted, <c>REL TO</c> a list of delegation codes, or one
/// delegation's <c>EYES ONLY</c>. Immutable; equal by value; codes are kept in ordinal order.
/// </summary>
/// <remarks>
/// For access, <c>ATL EYES ONLY</c> admits exactly the delegations <c>REL TO ATL</c> admits. They
/// differ in intent, and the order keeps that: EYES ONLY is strictly more restrictive than REL TO
/// the same single code, so a document with one EYES ONLY portion carries EYES ONLY on its banner
/// (as NOFORN does), and the order stays antisymmetric although both admit the same readers.
/// </remarks>
public sealed class Releasability : IEquatable<Releasability>
{
    /// <summary>Most delegation codes one <c>REL TO</c> may list.</summary>
    public const int MaxDelegations = 32;

    private Releasability(ReleasabilityKind kind, ImmutableSortedSet<string> delegations)
    {
        Kind = kind;
        Delegations = delegations;
    }

    /// <summary>No restriction.</summary>
    public static Releasability Unrestricted { get; } = new(ReleasabilityKind.Unrestricted, ImmutableSortedSet.Create<string>(StringComparer.Ordinal));

    /// <summary>The form.</summary>
    public ReleasabilityKind Kind { get; }

    /// <summary>The delegations it admits, in ordinal order; empty when unrestricted (which admits all).</summary>
    public ImmutableSortedSet<string> Delegations { get; }

    /// <summary>True when unrestricted.</summary>
    public bool IsUnrestricted => Kind == ReleasabilityKind.Unrestricted;

    /// <summary><c>REL TO</c> the given delegations (one or more well-formed codes; duplicates collapse).</summary>
    public static Result<Releasability> RelTo(IEnumerable<string> delegations)
    {
        ArgumentNullException.ThrowIfNull(delegations);
        var set = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        foreach (var code in delegations)
        {
            if (!DelegationCode.IsValid(code))
                return Result<Releasability>.Fail(ProtocolErrorCode.Malformed, $"{Quote.Token(code)} is not a delegation code (2 to 8 capital letters).");
            set.Add(code);
        }
        if (set.Count == 0) return Result<Releasability>.Fail(ProtocolErrorCode.Malformed, "REL TO needs at least one delegation.");
        if (set.Count > MaxDelegations) return Result<Releasability>.Fail(ProtocolErrorCode.LimitExceeded, $"REL TO may list at most {MaxDelegations} delegations.");
        return new Releasability(ReleasabilityKind.RelTo, set.ToImmutable());
    }

    /// <summary><c>REL TO</c> the given delegations.</summary>
    public static Result<Releasability> RelTo(params string[] delegations) => RelTo((IEnumerable<string>)delegations);

    /// <summary>For <paramref name="delegation"/>'s own people only: <c>ATL EYES ONLY</c>.</summary>
    public static Result<Releasability> EyesOnly(string delegation)
    {
        if (!DelegationCode.IsValid(delegation))
            return Result<Releasability>.Fail(ProtocolErrorCode.Malformed, $"{Quote.Token(delegation)} is not a delegation code (2 to 8 capital letters).");
        return new Releasability(ReleasabilityKind.EyesOnly, ImmutableSortedSet.Create(StringComparer.Ordinal, delegation));
    }

    /// <summary>True when a reader of <paramref name="delegation"/> may read under this releasability.</summary>
    public bool IsReleasableTo(string delegation) => IsUnrestricted || Delegations.Contains(delegation);

    /// <summary>
    /// True when this releasability admits no delegation that <paramref name="other"/> does not
    /// (unrestricted admitting every delegation) and, when both admit the same ones, is not a
    /// REL TO where <paramref name="other"/> is EYES ONLY.
    /// </summary>
    public bool IsAtLeastAsRestrictiveAs(Releasability other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.IsUnrestricted) return true;
        if (IsUnrestricted) return false;
        if (!Delegations.IsSubsetOf(other.Delegations)) return false;
        if (Delegations.Count < other.Delegations.Count) return true;
        return !(Kind == ReleasabilityKind.RelTo && other.Kind == ReleasabilityKind.EyesOnly);
    }

    /// <summary>
    /// The least restrictive releasability at least as restrictive as both (the releasability of a
    /// banner over two portions): the intersection of the delegations, EYES ONLY when an EYES ONLY
    /// input survives whole. Null when the two have no delegation in common, since then no
    /// releasability is at least as restrictive as both.
    /// </summary>
    internal static Releasability? Combine(Releasability a, Releasability b)
    {
        if (a.IsUnrestricted) return b;
        if (b.IsUnrestricted) return a;
        var common = a.Delegations.Intersect(b.Delegations);
        if (common.Count == 0) return null;
        var eyesOnly = (a.Kind == ReleasabilityKind.EyesOnly && common.Count == a.Delegations.Count)
                    || (b.Kind == ReleasabilityKind.EyesOnly && common.Count == b.Delegations.Count);
        if (eyesOnly) return new Releasability(ReleasabilityKind.EyesOnly, common);
        if (a.Kind == ReleasabilityKind.RelTo && common.SetEquals(a.Delegations)) return a;
        if (b.Kind == ReleasabilityKind.RelTo && common.SetEquals(b.Delegations)) return b;
        return new Releasability(ReleasabilityKind.RelTo, common);
    }

    /// <summary>The releasability category as marked: <c>REL TO ATL, BOR</c>, <c>ATL EYES ONLY</c>,
    /// or the empty string when unrestricted (nothing is marked).</summary>
    public string ToMarking() => Kind switch
    {
        ReleasabilityKind.RelTo => "REL TO " + string.Join(", ", Delegations),
        ReleasabilityKind.EyesOnly => Delegations.Min + " EYES ONLY",
        _ => "",
    };

    /// <inheritdoc />
    public bool Equals(Releasability? other) =>
        other is not null && Kind == other.Kind && Delegations.SetEquals(other.Delegations);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Releasability);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        foreach (var code in Delegations) hash.Add(code, StringComparer.Ordinal);
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => IsUnrestricted ? "unrestricted" : ToMarking();
}
