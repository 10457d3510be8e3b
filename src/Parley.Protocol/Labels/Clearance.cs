using System.Collections.Immutable;
using Parley.Protocol.Identity;

namespace Parley.Protocol.Classification;

/// <summary>
/// What a reader holds, as far as labels are concerned: a level, the compartments they are read
/// into, and their delegation. <see cref="Check"/> says which of a label's conditions it meets.
/// </summary>
public sealed class Clearance
{
    private Clearance(MarkingScheme scheme, ClassificationLevel level, ImmutableSortedSet<string> compartments, string delegation)
    {
        Scheme = scheme;
        Level = level;
        Compartments = compartments;
        Delegation = delegation;
    }

    /// <summary>The scheme the clearance is expressed in.</summary>
    public MarkingScheme Scheme { get; }

    /// <summary>The level the reader is cleared to.</summary>
    public ClassificationLevel Level { get; }

    /// <summary>The compartments the reader is read into, by name, in ordinal order.</summary>
    public ImmutableSortedSet<string> Compartments { get; }

    /// <summary>The reader's delegation code.</summary>
    public string Delegation { get; }

    /// <summary>A clearance from names: a level and compartments of <paramref name="scheme"/> and a
    /// well-formed delegation code.</summary>
    public static Result<Clearance> Create(MarkingScheme scheme, string level, IEnumerable<string> compartments, string delegation)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentNullException.ThrowIfNull(compartments);
        var found = scheme.FindLevel(level);
        if (found is null)
            return Result<Clearance>.Fail(ProtocolErrorCode.Malformed, $"The clearance names level {Quote.Token(level)}, which scheme {scheme.Name} does not define.");
        var set = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        foreach (var name in compartments)
        {
            // A compartment the scheme does not know grants nothing, but it is refused rather than
            // dropped: it is most likely a misspelling by the officer who issued the clearance.
            if (scheme.FindCompartment(name) is null)
                return Result<Clearance>.Fail(ProtocolErrorCode.Malformed, $"The clearance names compartment {Quote.Token(name)}, which scheme {scheme.Name} does not define.");
            set.Add(name);
        }
        if (!DelegationCode.IsValid(delegation))
            return Result<Clearance>.Fail(ProtocolErrorCode.Malformed, $"{Quote.Token(delegation)} is not a delegation code (2 to 8 capital letters).");
        return new Clearance(scheme, found, set.ToImmutable(), delegation);
    }

    /// <summary>The clearance a (verified) clearance certificate states. The certificate's signature,
    /// validity and revocation are the trust verifier's business, not this method's.</summary>
    public static Result<Clearance> FromCertificate(MarkingScheme scheme, ClearanceCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Create(scheme, certificate.Level, certificate.Compartments, certificate.Delegation);
    }

    /// <summary>
    /// Which of <paramref name="label"/>'s conditions this clearance meets: level at least the
    /// label's, every compartment of the label held, the delegation within the releasability. Each
    /// failed condition is reported separately.
    /// </summary>
    /// <exception cref="ArgumentException">The label belongs to an incompatible scheme.</exception>
    public ClearanceCheck Check(Label label)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (!Scheme.IsCompatibleWith(label.Scheme))
            throw new ArgumentException($"A clearance of scheme {Scheme.Name} cannot be checked against a label of scheme {label.Scheme.Name}.", nameof(label));

        var failures = new List<ClearanceFailure>(3);
        if (Level.Rank < label.Level.Rank) failures.Add(new ClearanceFailure.LevelTooLow(label.Level, Level));
        var missing = label.Compartments.Except(Compartments);
        if (missing.Count > 0) failures.Add(new ClearanceFailure.MissingCompartments(missing));
        if (!label.Releasability.IsReleasableTo(Delegation)) failures.Add(new ClearanceFailure.NotReleasable(Delegation, label));
        return new ClearanceCheck(label, failures);
    }

    /// <inheritdoc />
    public override string ToString() =>
        Compartments.Count == 0 ? $"{Level.Name} ({Delegation})" : $"{Level.Name}//{string.Join('/', Compartments)} ({Delegation})";
}

/// <summary>The outcome of <see cref="Clearance.Check"/>: satisfied, or the list of conditions that failed.</summary>
public sealed class ClearanceCheck
{
    internal ClearanceCheck(Label label, IReadOnlyList<ClearanceFailure> failures)
    {
        Label = label;
        Failures = failures;
    }

    /// <summary>The label checked.</summary>
    public Label Label { get; }

    /// <summary>True when every condition holds.</summary>
    public bool IsSatisfied => Failures.Count == 0;

    /// <summary>The failed conditions, in a fixed order: level, compartments, releasability.</summary>
    public IReadOnlyList<ClearanceFailure> Failures { get; }

    /// <summary>The failed condition of this kind, or null.</summary>
    public ClearanceFailure? this[ClearanceFailureKind kind] => Failures.FirstOrDefault(f => f.Kind == kind);

    /// <inheritdoc />
    public override string ToString() => IsSatisfied ? "satisfied" : string.Join(" ", Failures.Select(f => f.Reason));
}

/// <summary>The conditions a label sets on a clearance.</summary>
public enum ClearanceFailureKind
{
    /// <summary>The clearance's level is below the label's.</summary>
    LevelTooLow = 1,
    /// <summary>The label has compartments the clearance does not hold.</summary>
    MissingCompartments = 2,
    /// <summary>The reader's delegation is not within the label's releasability.</summary>
    NotReleasable = 3,
}

/// <summary>One failed condition, with a reason a person understands.</summary>
public abstract record ClearanceFailure
{
    private ClearanceFailure() { }

    /// <summary>Which condition failed.</summary>
    public abstract ClearanceFailureKind Kind { get; }

    /// <summary>One sentence for the person refused.</summary>
    public abstract string Reason { get; }

    /// <summary>The clearance's level is below the label's.</summary>
    /// <param name="Required">The label's level.</param>
    /// <param name="Held">The clearance's level.</param>
    public sealed record LevelTooLow(ClassificationLevel Required, ClassificationLevel Held) : ClearanceFailure
    {
        /// <inheritdoc />
        public override ClearanceFailureKind Kind => ClearanceFailureKind.LevelTooLow;

        /// <inheritdoc />
        public override string Reason => $"Cleared to {Held.Name}; {Required.Name} is needed.";
    }

    /// <summary>The label has compartments the clearance does not hold.</summary>
    /// <param name="Compartments">The compartments missing, in ordinal order.</param>
    public sealed record MissingCompartments(ImmutableSortedSet<string> Compartments) : ClearanceFailure
    {
        /// <inheritdoc />
        public override ClearanceFailureKind Kind => ClearanceFailureKind.MissingCompartments;

        /// <inheritdoc />
        public override string Reason => Compartments.Count == 1
            ? $"Not read into compartment {Compartments.Min}."
            : $"Not read into compartments {string.Join(", ", Compartments.Take(Compartments.Count - 1))} and {Compartments.Max}.";
    }

    /// <summary>The reader's delegation is not within the label's releasability.</summary>
    /// <param name="Delegation">The reader's delegation.</param>
    /// <param name="Label">The label whose releasability excludes it.</param>
    public sealed record NotReleasable(string Delegation, Label Label) : ClearanceFailure
    {
        /// <inheritdoc />
        public override ClearanceFailureKind Kind => ClearanceFailureKind.NotReleasable;

        /// <inheritdoc />
        public override string Reason => $"Not releasable to {Delegation}: the label is {Label.Releasability.ToMarking()}.";
    }
}
