using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Parley.Protocol.Classification;
using static Parley.Protocol.Tests.Classification.TestSchemes;

namespace Parley.Protocol.Tests.Classification;

/// <summary>Property tests over random labels of the generic, NATO and a JSON-loaded scheme:
/// dominance is a partial order, join is its least upper bound and monotone, markings round-trip,
/// the parser accepts only canonical text and never throws.</summary>
[Properties(Arbitrary = [typeof(LabelArbitraries)])]
public partial class LabelProperties
{
    [Property]
    public bool Dominance_is_reflexive(Label x) => x.Dominates(x);

    [Property]
    public Property Dominance_is_antisymmetric(LabelPair p) =>
        (!(p.A.Dominates(p.B) && p.B.Dominates(p.A)) || p.A == p.B)
            .Classify(p.A.Dominates(p.B) && p.B.Dominates(p.A), "mutual");

    [Property]
    public bool Dominance_is_transitive_along_chains(LabelChain c) =>
        c.High.Dominates(c.Middle) && c.Middle.Dominates(c.Low) && c.High.Dominates(c.Low);

    [Property]
    public bool Dominance_is_transitive(LabelTriple t) =>
        !(t.A.Dominates(t.B) && t.B.Dominates(t.C)) || t.A.Dominates(t.C);

    [Property]
    public bool Join_exists_exactly_when_the_releasabilities_share_a_delegation_and_is_an_upper_bound(LabelPair p)
    {
        var join = p.A.Join(p.B);
        var share = p.A.Releasability.IsUnrestricted || p.B.Releasability.IsUnrestricted
            || p.A.Releasability.Delegations.Overlaps(p.B.Releasability.Delegations);
        return join.IsOk == share && (!join.IsOk || (join.Value.Dominates(p.A) && join.Value.Dominates(p.B)));
    }

    [Property]
    public Property Join_is_below_every_upper_bound(JoinCase j)
    {
        var aboveBoth = j.Candidate.Dominates(j.A) && j.Candidate.Dominates(j.B);
        var join = j.A.Join(j.B);
        return (!aboveBoth || (join.IsOk && j.Candidate.Dominates(join.Value))).Classify(aboveBoth, "candidate above both");
    }

    [Property]
    public bool Join_is_commutative_and_idempotent(LabelPair p)
    {
        var ab = p.A.Join(p.B);
        var ba = p.B.Join(p.A);
        return p.A.Join(p.A).Value == p.A && ab.IsOk == ba.IsOk && (!ab.IsOk || ab.Value == ba.Value);
    }

    [Property]
    public Property Join_is_monotone(MonotoneCase m)
    {
        var upper = m.Upper.Join(m.Other);
        var lower = m.Lower.Join(m.Other);
        return (!upper.IsOk || (lower.IsOk && upper.Value.Dominates(lower.Value))).Classify(upper.IsOk, "joined");
    }

    [Property]
    public bool Banners_round_trip(Label x)
    {
        var banner = x.ToBanner();
        var parsed = x.Scheme.ParseBanner(banner);
        return parsed.IsOk && parsed.Value == x && parsed.Value.ToBanner() == banner && x.ToCanonicalString() == banner;
    }

    [Property]
    public bool Portion_marks_round_trip(Label x)
    {
        var mark = x.ToPortionMark();
        var parsed = x.Scheme.ParsePortionMark(mark);
        return parsed.IsOk && parsed.Value == x && parsed.Value.ToPortionMark() == mark;
    }

    [Property]
    public bool Labels_are_equal_exactly_when_their_canonical_strings_are(LabelPair p) =>
        (p.A == p.B) == (p.A.ToCanonicalString() == p.B.ToCanonicalString())
        && (p.A != p.B || p.A.GetHashCode() == p.B.GetHashCode());

    [Property]
    public bool A_clearance_that_satisfies_a_label_satisfies_every_label_it_dominates(ClearanceCase c)
    {
        var high = c.Clearance.Check(c.High);
        var low = c.Clearance.Check(c.Low);
        var kinds = high.Failures.Select(f => f.Kind).ToList();
        return (!high.IsSatisfied || low.IsSatisfied)
            && high.IsSatisfied == (high.Failures.Count == 0)
            && kinds.SequenceEqual(kinds.Distinct().Order());
    }

    [Property]
    public bool A_document_s_banner_is_the_join_of_its_portions(MarkedDocument d)
    {
        var marking = DocumentMarking.Read(d.Scheme, d.Text);
        return marking.IsOk
            && marking.Value.Banner == Label.Join(d.Scheme, d.Labels).Value
            && marking.Value.Portions.Select(p => p.Label).SequenceEqual(d.Labels);
    }

    [Property(MaxTest = 300)]
    public Property Edited_markings_are_refused_with_a_position_or_are_canonical(MutatedMarking m) =>
        AcceptsOnlyCanonical(m.Scheme, m.Text, m.Portion)
            .Classify(Parses(m.Scheme, m.Text, m.Portion), "still a marking");

    [Property(MaxTest = 300)]
    public Property Strings_made_of_marking_pieces_are_refused_with_a_position_or_are_canonical(MarkingLike m) =>
        All.All(scheme => AcceptsOnlyCanonical(scheme, m.Text, portion: false) && AcceptsOnlyCanonical(scheme, m.Text, portion: true))
            .Classify(All.Any(scheme => Parses(scheme, m.Text, false) || Parses(scheme, m.Text, true)), "a marking");

    [Property(MaxTest = 300)]
    public bool Random_strings_never_throw(string? text) =>
        !MarkingScheme.FromJson(text!).IsOk
        && All.All(scheme =>
            AcceptsOnlyCanonical(scheme, text, portion: false)
            && AcceptsOnlyCanonical(scheme, text, portion: true)
            && DocumentMarking.Read(scheme, text ?? "") is var document
            && (document.IsOk || document.Error.Message.StartsWith("line ", StringComparison.Ordinal)));

    [Property(MaxTest = 300)]
    public bool Random_documents_of_marking_pieces_never_throw(MarkingLike[] lines)
    {
        var text = string.Join("\n", lines.Select(l => l.Text));
        return All.All(scheme => DocumentMarking.Read(scheme, text) is var document && (document.IsOk || document.Error.Message.StartsWith("line ", StringComparison.Ordinal)));
    }

    private static bool Parses(MarkingScheme scheme, string text, bool portion) =>
        (portion ? scheme.ParsePortionMark(text) : scheme.ParseBanner(text)).IsOk;

    // Parsing either fails with "... at N" (N within the input, or the length limit) or succeeds
    // on exactly the text the label prints.
    private static bool AcceptsOnlyCanonical(MarkingScheme scheme, string? text, bool portion)
    {
        var parsed = portion ? scheme.ParsePortionMark(text!) : scheme.ParseBanner(text!);
        if (parsed.IsOk) return (portion ? parsed.Value.ToPortionMark() : parsed.Value.ToBanner()) == text;
        var at = ErrorPosition().Match(parsed.Error.Message);
        return at.Success && int.Parse(at.Groups[1].Value) <= Math.Max(text?.Length ?? 0, Label.MaxLength);
    }

    [GeneratedRegex(@" at (\d+)(;|$)")]
    private static partial Regex ErrorPosition();
}
