using FsCheck;
using FsCheck.Fluent;
using Parley.Protocol.Classification;
using static Parley.Protocol.Tests.Classification.TestSchemes;

namespace Parley.Protocol.Tests.Classification;

public sealed record LabelPair(Label A, Label B);

public sealed record LabelTriple(Label A, Label B, Label C);

/// <summary>High dominates Middle dominates Low, by construction.</summary>
public sealed record LabelChain(Label High, Label Middle, Label Low);

/// <summary>Two labels and a candidate upper bound, often above both.</summary>
public sealed record JoinCase(Label A, Label B, Label Candidate);

/// <summary>Upper dominates Lower, by construction; Other is any label of the same scheme.</summary>
public sealed record MonotoneCase(Label Lower, Label Upper, Label Other);

/// <summary>A clearance and two labels, High dominating Low by construction.</summary>
public sealed record ClearanceCase(Clearance Clearance, Label High, Label Low);

/// <summary>A canonical marking with one random edit.</summary>
public sealed record MutatedMarking(MarkingScheme Scheme, bool Portion, string Original, string Text);

/// <summary>A string assembled from pieces of markings, to reach deep into the parser.</summary>
public sealed record MarkingLike(string Text);

/// <summary>Portion-marked paragraphs whose labels share a delegation, and those labels.</summary>
public sealed record MarkedDocument(MarkingScheme Scheme, string Text, IReadOnlyList<Label> Labels);

/// <summary>Generators of labels of the three test schemes. Releasabilities draw on at most five
/// codes, so that equal, nested and disjoint releasabilities all come up often.</summary>
public static class LabelArbitraries
{
    private static readonly Gen<MarkingScheme> Scheme = Gen.Elements(All);

    private static readonly string[] Pieces =
    [
        "SECRET", "TOP SECRET", "UNCLASSIFIED", "NATO SECRET", "OFFICIAL-SENSITIVE", "S", "TS", "U", "NS", "OS",
        "ALPHA", "BRAVO", "SIGMA", "SG", "AZ", "ATOMAL", "//", "/", "REL TO ", "REL", "ATL", "BOR", "ESTR", ", ", ",",
        " EYES ONLY", "(", ")", " ", "secret", "x", "\t", "-",
    ];

    private const string EditAlphabet = "ABCELNOPRSTUZ atl/,()-0\t\u00e9";

    public static Gen<Label> In(MarkingScheme scheme) =>
        from rank in Gen.Choose(0, scheme.Levels.Count - 1)
        from compartments in Subset(Names(scheme))
        from releasability in ReleasabilityIn(scheme)
        select Make(scheme, rank, compartments, releasability);

    /// <summary>A label that <paramref name="label"/> dominates.</summary>
    public static Gen<Label> Below(Label label) =>
        from rank in Gen.Choose(0, label.Level.Rank)
        from compartments in Subset(label.Compartments.ToArray())
        from releasability in Wider(label.Releasability, CodesOf(label.Scheme))
        select Make(label.Scheme, rank, compartments, releasability);

    /// <summary>A label that dominates <paramref name="label"/>.</summary>
    public static Gen<Label> Above(Label label) =>
        from rank in Gen.Choose(label.Level.Rank, label.Scheme.Levels.Count - 1)
        from extra in Subset(Names(label.Scheme))
        from releasability in Narrower(label.Releasability, label.Scheme)
        select Make(label.Scheme, rank, label.Compartments.Union(extra).ToArray(), releasability);

    /// <summary>The same level and compartments with a related releasability: the same codes as EYES
    /// ONLY or REL TO, fewer or more. Where the subtle cases of the order live.</summary>
    public static Gen<Label> Twin(Label label) =>
        from releasability in label.Releasability.IsUnrestricted
            ? ReleasabilityIn(label.Scheme)
            : Gen.Frequency(
                (1, Gen.Elements(label.Releasability.Delegations.ToArray()).Select(EyesOnly)),
                (1, Gen.Constant(RelTo([.. label.Releasability.Delegations]))),
                (1, Narrower(label.Releasability, label.Scheme)),
                (1, Wider(label.Releasability, CodesOf(label.Scheme))))
        select Make(label.Scheme, label.Level.Rank, label.Compartments.ToArray(), releasability);

    private static Gen<Label> Near(Label label) =>
        Gen.Frequency((2, In(label.Scheme)), (1, Above(label)), (1, Below(label)), (2, Twin(label)));

    public static Arbitrary<Label> Labels() => Arb.From(Scheme.SelectMany(In));

    public static Arbitrary<LabelPair> Pairs() => Arb.From(
        from scheme in Scheme
        from a in In(scheme)
        from b in Near(a)
        select new LabelPair(a, b));

    public static Arbitrary<LabelTriple> Triples() => Arb.From(
        from scheme in Scheme
        from a in In(scheme)
        from b in Near(a)
        from c in Near(b)
        select new LabelTriple(a, b, c));

    public static Arbitrary<LabelChain> Chains() => Arb.From(
        from scheme in Scheme
        from high in In(scheme)
        from middle in Below(high)
        from low in Below(middle)
        select new LabelChain(high, middle, low));

    public static Arbitrary<JoinCase> JoinCases() => Arb.From(
        from scheme in Scheme
        from a in In(scheme)
        from b in Near(a)
        from candidate in Gen.Frequency((1, In(scheme)), (1, Above(a)), (3, a.Join(b) is { IsOk: true } joined ? Above(joined.Value) : Above(a)))
        select new JoinCase(a, b, candidate));

    public static Arbitrary<MonotoneCase> MonotoneCases() => Arb.From(
        from scheme in Scheme
        from upper in In(scheme)
        from lower in Below(upper)
        from other in Near(lower)
        select new MonotoneCase(lower, upper, other));

    public static Arbitrary<ClearanceCase> ClearanceCases() => Arb.From(
        from scheme in Scheme
        from rank in Gen.Choose(0, scheme.Levels.Count - 1)
        from compartments in Subset(Names(scheme))
        from delegation in Gen.Elements(CodesOf(scheme))
        from high in In(scheme)
        from low in Below(high)
        select new ClearanceCase(Clearance.Create(scheme, scheme.Levels[rank].Name, compartments, delegation).Value, high, low));

    public static Arbitrary<MutatedMarking> Mutations() => Arb.From(
        from scheme in Scheme
        from label in In(scheme)
        from portion in Gen.Elements(false, true)
        let original = portion ? label.ToPortionMark() : label.ToBanner()
        from text in Mutate(original)
        select new MutatedMarking(scheme, portion, original, text));

    public static Arbitrary<MarkingLike> MarkingLikeStrings() => Arb.From(
        from count in Gen.Choose(1, 10)
        from pieces in Gen.ArrayOf(Gen.Elements(Pieces), count)
        select new MarkingLike(string.Concat(pieces)));

    public static Arbitrary<MarkedDocument> Documents() => Arb.From(
        from scheme in Scheme
        from first in In(scheme)
        from count in Gen.Choose(0, 6)
        from others in Gen.ArrayOf(Near(first), count)
        from prefixes in Gen.ArrayOf(Gen.Elements("", "# ", "- ", "1. ", "> ", "   "), count + 1)
        let labels = Joinable(others.Prepend(first))
        // A heading is one line; other paragraphs go on over a line that opens with parentheses.
        let text = string.Join("\n\n", labels.Select((l, i) => $"{prefixes[i]}{l.ToPortionMark()} Paragraph {i}." + (prefixes[i] == "# " ? "" : "\n(continued)")))
        select new MarkedDocument(scheme, text, labels));

    // The labels, in order, that keep the running join defined (releasabilities keep a common delegation).
    private static List<Label> Joinable(IEnumerable<Label> labels)
    {
        var kept = new List<Label>();
        Label? banner = null;
        foreach (var label in labels)
        {
            var joined = banner is null ? label : banner.Join(label) is { IsOk: true } j ? j.Value : null;
            if (joined is null) continue;
            banner = joined;
            kept.Add(label);
        }
        return kept;
    }

    private static Gen<string> Mutate(string text) =>
        from operation in Gen.Choose(0, 4)
        from at in Gen.Choose(0, text.Length - 1)
        from c in Gen.Elements(EditAlphabet.ToCharArray())
        from piece in Gen.Elements(Pieces)
        select operation switch
        {
            0 => text.Remove(at, 1),
            1 => text.Insert(at, c.ToString()),
            2 => text[..at] + c + text[(at + 1)..],
            3 when at + 1 < text.Length => text[..at] + text[at + 1] + text[at] + text[(at + 2)..],
            _ => text.Insert(at, piece),
        };

    private static Gen<Releasability> ReleasabilityIn(MarkingScheme scheme)
    {
        var codes = CodesOf(scheme);
        return Gen.Frequency(
            (2, Gen.Constant(Releasability.Unrestricted)),
            (2, Gen.Elements(codes).Select(EyesOnly)),
            (4, NonEmptySubset(codes).Select(RelTo)));
    }

    // At least as restrictive as the given releasability.
    private static Gen<Releasability> Narrower(Releasability releasability, MarkingScheme scheme) => releasability.Kind switch
    {
        ReleasabilityKind.Unrestricted => ReleasabilityIn(scheme),
        ReleasabilityKind.RelTo => Gen.Frequency(
            (1, Gen.Constant(releasability)),
            (1, Gen.Elements(releasability.Delegations.ToArray()).Select(EyesOnly)),
            (2, NonEmptySubset(releasability.Delegations.ToArray()).Select(RelTo))),
        _ => Gen.Constant(releasability),
    };

    // At most as restrictive as the given releasability.
    private static Gen<Releasability> Wider(Releasability releasability, string[] codes) => releasability.Kind switch
    {
        ReleasabilityKind.Unrestricted => Gen.Constant(releasability),
        ReleasabilityKind.RelTo => Gen.Frequency(
            (1, Gen.Constant(Releasability.Unrestricted)),
            (3, Subset(codes).Select(extra => RelTo([.. releasability.Delegations.Union(extra)])))),
        _ => Gen.Frequency(
            (1, Gen.Constant(releasability)),
            (1, Gen.Constant(Releasability.Unrestricted)),
            (2, Subset(codes).Select(extra => RelTo([.. releasability.Delegations.Union(extra)])))),
    };

    private static Gen<string[]> Subset(string[] items) =>
        Gen.Choose(0, (1 << items.Length) - 1).Select(mask => items.Where((_, i) => (mask & (1 << i)) != 0).ToArray());

    private static Gen<string[]> NonEmptySubset(string[] items) =>
        Gen.Choose(1, (1 << items.Length) - 1).Select(mask => items.Where((_, i) => (mask & (1 << i)) != 0).ToArray());

    private static string[] Names(MarkingScheme scheme) => scheme.Compartments.Select(c => c.Name).ToArray();

    private static Label Make(MarkingScheme scheme, int rank, string[] compartments, Releasability releasability) =>
        Label.Create(scheme, scheme.Levels[rank].Name, compartments, releasability).Value;
}
