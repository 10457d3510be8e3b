using Parley.Protocol.Classification;
using static Parley.Protocol.Tests.Classification.TestSchemes;

namespace Parley.Protocol.Tests.Classification;

/// <summary>Dominance and join by example, and the lattice laws checked over every label of a small
/// scheme (the property tests check them on random labels of the real schemes).</summary>
public class DominanceTests
{
    [Theory]
    [InlineData("SECRET//ALPHA//REL TO ATL", "CONFIDENTIAL//REL TO ATL, BOR")]
    [InlineData("SECRET", "SECRET")]
    [InlineData("SECRET", "UNCLASSIFIED")]
    [InlineData("TOP SECRET//ALPHA/BRAVO", "TOP SECRET//BRAVO")]
    [InlineData("SECRET//REL TO ATL", "SECRET")]
    [InlineData("SECRET//ATL EYES ONLY", "SECRET//REL TO ATL")]
    [InlineData("SECRET//ATL EYES ONLY", "SECRET//REL TO ATL, BOR")]
    [InlineData("UNCLASSIFIED//REL TO BOR", "UNCLASSIFIED")]
    public void Dominates(string high, string low)
    {
        Assert.True(Generic.Banner(high).Dominates(Generic.Banner(low)), $"{high} should dominate {low}");
    }

    [Theory]
    [InlineData("CONFIDENTIAL", "SECRET")]
    [InlineData("SECRET", "SECRET//ALPHA")]
    [InlineData("TOP SECRET//ALPHA", "SECRET//BRAVO")]
    [InlineData("SECRET//REL TO ATL, BOR", "SECRET//REL TO ATL")]
    [InlineData("TOP SECRET", "SECRET//REL TO ATL")]
    [InlineData("SECRET//REL TO ATL", "SECRET//ATL EYES ONLY")]
    [InlineData("SECRET//BOR EYES ONLY", "SECRET//REL TO ATL")]
    [InlineData("SECRET//BOR EYES ONLY", "SECRET//ATL EYES ONLY")]
    public void Does_not_dominate(string label, string other)
    {
        Assert.False(Generic.Banner(label).Dominates(Generic.Banner(other)), $"{label} should not dominate {other}");
    }

    [Theory]
    [InlineData("SECRET//REL TO ATL, BOR", "CONFIDENTIAL//ALPHA//REL TO ATL, CRD", "SECRET//ALPHA//REL TO ATL")]
    [InlineData("UNCLASSIFIED", "SECRET//ATL EYES ONLY", "SECRET//ATL EYES ONLY")]
    [InlineData("SECRET//REL TO ATL, BOR", "CONFIDENTIAL//ATL EYES ONLY", "SECRET//ATL EYES ONLY")]
    [InlineData("SECRET//REL TO ATL", "SECRET//REL TO ATL, BOR", "SECRET//REL TO ATL")]
    [InlineData("SECRET//REL TO ATL", "SECRET//ATL EYES ONLY", "SECRET//ATL EYES ONLY")]
    [InlineData("TOP SECRET//BRAVO", "RESTRICTED//ALPHA//REL TO CRD", "TOP SECRET//ALPHA/BRAVO//REL TO CRD")]
    [InlineData("CONFIDENTIAL", "CONFIDENTIAL", "CONFIDENTIAL")]
    public void Join_takes_the_highest_level_the_union_of_compartments_and_the_intersection_of_releasability(string a, string b, string expected)
    {
        var x = Generic.Banner(a);
        var y = Generic.Banner(b);

        Assert.Equal(expected, x.Join(y).Value.ToBanner());
        Assert.Equal(expected, y.Join(x).Value.ToBanner());
        Assert.Equal(expected, Label.Join(Generic, [x, y]).Value.ToBanner());
    }

    [Fact]
    public void Labels_releasable_to_no_common_delegation_have_no_join()
    {
        var joined = Generic.Banner("SECRET//BOR EYES ONLY").Join(Generic.Banner("CONFIDENTIAL//REL TO ATL, CRD"));

        Assert.Equal(ProtocolErrorCode.Malformed, joined.Error?.Code);
        Assert.Equal("SECRET//BOR EYES ONLY and CONFIDENTIAL//REL TO ATL, CRD have no delegation in common; no label is releasable to both.", joined.Error?.Message);
        Assert.False(Label.Join(Generic, [Generic.Banner("SECRET//REL TO ATL"), Generic.Banner("SECRET"), Generic.Banner("SECRET//REL TO BOR")]).IsOk);
    }

    [Fact]
    public void The_join_of_no_labels_is_the_lowest_label_and_everything_dominates_it()
    {
        Assert.Equal(Generic.Lowest, Label.Join(Generic, []).Value);
        Assert.True(Generic.Banner("UNCLASSIFIED//REL TO ATL").Dominates(Generic.Lowest));
        Assert.Equal(Nato.Banner("NATO UNCLASSIFIED"), Nato.Lowest);
    }

    /// <summary>Every label of a scheme with two levels, two compartments and three delegations
    /// (2 x 4 x 11 = 88 labels): the order laws over all pairs and triples, and join as least upper
    /// bound and monotone over all of them.</summary>
    [Fact]
    public void Over_every_label_of_a_small_scheme_dominance_is_a_partial_order_and_join_its_least_upper_bound()
    {
        var scheme = MarkingScheme.Create(new MarkingSchemeDefinition
        {
            Name = "small",
            Levels = [new() { Name = "LOW", Abbreviation = "L", Colour = "green" }, new() { Name = "HIGH", Abbreviation = "H", Colour = "red" }],
            Compartments = [new() { Name = "A" }, new() { Name = "B" }],
            Delegations = ["ATL", "BOR", "CRD"],
        }).Value;
        var labels = AllLabels(scheme);
        var n = labels.Count;
        Assert.Equal(88, n);
        Assert.Equal(n, labels.Select(l => l.ToCanonicalString()).Distinct().Count());

        var index = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i);
        var dominates = new bool[n, n];
        var join = new int[n, n];
        for (var a = 0; a < n; a++)
        for (var b = 0; b < n; b++)
        {
            dominates[a, b] = labels[a].Dominates(labels[b]);
            var joined = labels[a].Join(labels[b]);
            join[a, b] = joined.IsOk ? index[joined.Value] : -1;
            var shareDelegation = labels[a].Releasability.IsUnrestricted || labels[b].Releasability.IsUnrestricted
                || labels[a].Releasability.Delegations.Overlaps(labels[b].Releasability.Delegations);
            Assert.True(joined.IsOk == shareDelegation, $"{labels[a]} join {labels[b]}: {joined}");
        }

        for (var a = 0; a < n; a++)
        {
            Assert.True(dominates[a, a], $"{labels[a]} does not dominate itself");
            for (var b = 0; b < n; b++)
            {
                if (a != b) Assert.False(dominates[a, b] && dominates[b, a], $"{labels[a]} and {labels[b]} dominate each other");
                for (var c = 0; c < n; c++)
                {
                    if (dominates[a, b] && dominates[b, c]) Assert.True(dominates[a, c], $"{labels[a]} >= {labels[b]} >= {labels[c]} but not {labels[a]} >= {labels[c]}");
                    // Least upper bound: any c above both is above the join; with no join, nothing is above both.
                    if (dominates[c, a] && dominates[c, b])
                        Assert.True(join[a, b] >= 0 && dominates[c, join[a, b]], $"{labels[c]} is above {labels[a]} and {labels[b]} but not above their join");
                }
                if (join[a, b] < 0) continue;
                Assert.True(dominates[join[a, b], a] && dominates[join[a, b], b], $"join of {labels[a]} and {labels[b]} is not above both");
                Assert.Equal(join[a, b], join[b, a]);
            }
        }

        // Monotone: x <= y implies join(x, z) <= join(y, z) whenever the latter exists.
        for (var x = 0; x < n; x++)
        for (var y = 0; y < n; y++)
        {
            if (!dominates[y, x]) continue;
            for (var z = 0; z < n; z++)
            {
                if (join[y, z] < 0) continue;
                Assert.True(join[x, z] >= 0 && dominates[join[y, z], join[x, z]], $"not monotone at {labels[x]} <= {labels[y]} with {labels[z]}");
            }
        }
    }

    internal static List<Label> AllLabels(MarkingScheme scheme)
    {
        var codes = scheme.Delegations!;
        var codeSets = Subsets(codes).Where(s => s.Count > 0).ToList();
        var releasabilities = new List<Releasability> { Releasability.Unrestricted };
        releasabilities.AddRange(codes.Select(EyesOnly));
        releasabilities.AddRange(codeSets.Select(s => RelTo([.. s])));
        return (from level in scheme.Levels
                from compartments in Subsets(scheme.Compartments.Select(c => c.Name).ToList())
                from releasability in releasabilities
                select Label.Create(scheme, level.Name, compartments, releasability).Value).ToList();
    }

    private static IEnumerable<List<string>> Subsets(IReadOnlyList<string> items) =>
        Enumerable.Range(0, 1 << items.Count).Select(mask => items.Where((_, i) => (mask & (1 << i)) != 0).ToList());
}
