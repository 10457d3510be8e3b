using Parley.Protocol.Classification;
using Parley.Protocol.Identity;
using static Parley.Protocol.Tests.Classification.TestSchemes;

namespace Parley.Protocol.Tests.Classification;

/// <summary>Whether a reader's clearance satisfies a label, with every failed condition named
/// separately so that policy can give each its own rule and reason.</summary>
public class ClearanceTests
{
    private static Clearance Cleared(string level, string delegation, params string[] compartments) =>
        Clearance.Create(Generic, level, compartments, delegation).Value;

    [Fact]
    public void A_clearance_that_meets_every_condition_is_satisfied()
    {
        var check = Cleared("TOP SECRET", "ATL", "ALPHA", "BRAVO").Check(Generic.Banner("SECRET//ALPHA//REL TO ATL, BOR"));

        Assert.True(check.IsSatisfied);
        Assert.Empty(check.Failures);
        Assert.Equal("satisfied", check.ToString());
        Assert.Null(check[ClearanceFailureKind.LevelTooLow]);
    }

    [Fact]
    public void A_level_too_low_is_reported_with_both_levels()
    {
        var check = Cleared("CONFIDENTIAL", "ATL").Check(Generic.Banner("SECRET"));

        var failure = Assert.IsType<ClearanceFailure.LevelTooLow>(Assert.Single(check.Failures));
        Assert.Equal(ClearanceFailureKind.LevelTooLow, failure.Kind);
        Assert.Equal("SECRET", failure.Required.Name);
        Assert.Equal("CONFIDENTIAL", failure.Held.Name);
        Assert.Equal("Cleared to CONFIDENTIAL; SECRET is needed.", failure.Reason);
    }

    [Fact]
    public void Missing_compartments_are_all_named()
    {
        var one = Cleared("SECRET", "ATL", "BRAVO").Check(Generic.Banner("SECRET//ALPHA/BRAVO"));
        var three = Cleared("SECRET", "ATL").Check(Generic.Banner("SECRET//ALPHA/BRAVO/DELTA"));

        var single = Assert.IsType<ClearanceFailure.MissingCompartments>(Assert.Single(one.Failures));
        Assert.Equal(["ALPHA"], single.Compartments);
        Assert.Equal("Not read into compartment ALPHA.", single.Reason);
        var several = Assert.IsType<ClearanceFailure.MissingCompartments>(three[ClearanceFailureKind.MissingCompartments]);
        Assert.Equal(["ALPHA", "BRAVO", "DELTA"], several.Compartments);
        Assert.Equal("Not read into compartments ALPHA, BRAVO and DELTA.", several.Reason);
    }

    [Fact]
    public void A_delegation_outside_the_releasability_is_refused_for_rel_to_and_eyes_only()
    {
        var relTo = Cleared("SECRET", "CRD").Check(Generic.Banner("SECRET//REL TO ATL, BOR"));
        var eyesOnly = Cleared("SECRET", "BOR").Check(Generic.Banner("SECRET//ATL EYES ONLY"));
        var own = Cleared("SECRET", "ATL").Check(Generic.Banner("SECRET//ATL EYES ONLY"));

        var notReleasable = Assert.IsType<ClearanceFailure.NotReleasable>(Assert.Single(relTo.Failures));
        Assert.Equal("CRD", notReleasable.Delegation);
        Assert.Equal("Not releasable to CRD: the label is REL TO ATL, BOR.", notReleasable.Reason);
        Assert.Equal("Not releasable to BOR: the label is ATL EYES ONLY.", Assert.Single(eyesOnly.Failures).Reason);
        Assert.True(own.IsSatisfied);
    }

    [Fact]
    public void Every_failed_condition_is_reported_in_a_fixed_order()
    {
        var check = Cleared("RESTRICTED", "DUN", "CHARLIE").Check(Generic.Banner("TOP SECRET//ALPHA/CHARLIE//REL TO ATL"));

        Assert.False(check.IsSatisfied);
        Assert.Equal([ClearanceFailureKind.LevelTooLow, ClearanceFailureKind.MissingCompartments, ClearanceFailureKind.NotReleasable], check.Failures.Select(f => f.Kind));
        Assert.Equal("Cleared to RESTRICTED; TOP SECRET is needed. Not read into compartment ALPHA. Not releasable to DUN: the label is REL TO ATL.", check.ToString());
        Assert.Equal("TOP SECRET//ALPHA/CHARLIE//REL TO ATL", check.Label.ToBanner());
    }

    [Fact]
    public void A_clearance_reads_the_level_and_compartments_of_a_clearance_certificate()
    {
        var certificate = Certificate("SECRET", ["ALPHA"]);

        var clearance = Clearance.FromCertificate(Generic, certificate).Value;

        Assert.Equal("SECRET", clearance.Level.Name);
        Assert.Equal(["ALPHA"], clearance.Compartments);
        Assert.Equal("ATL", clearance.Delegation);
        Assert.Equal("SECRET//ALPHA (ATL)", clearance.ToString());
        Assert.True(clearance.Check(Generic.Banner("SECRET//ALPHA//REL TO ATL")).IsSatisfied);
        Assert.False(clearance.Check(Generic.Banner("SECRET//ALPHA//REL TO BOR")).IsSatisfied);
    }

    [Fact]
    public void A_certificate_naming_what_the_scheme_does_not_define_is_refused()
    {
        Assert.Equal("The clearance names level 'SECRT', which scheme generic does not define.",
            Clearance.FromCertificate(Generic, Certificate("SECRT", [])).Error?.Message);
        Assert.Equal("The clearance names compartment 'ATOMAL', which scheme generic does not define.",
            Clearance.FromCertificate(Generic, Certificate("SECRET", ["ATOMAL"])).Error?.Message);
        Assert.Equal("The clearance names level 'SECRET', which scheme nato does not define.",
            Clearance.FromCertificate(Nato, Certificate("SECRET", [])).Error?.Message);
        Assert.Equal("'atl' is not a delegation code (2 to 8 capital letters).", Clearance.Create(Generic, "SECRET", [], "atl").Error?.Message);
    }

    [Fact]
    public void A_clearance_is_not_checked_against_a_label_of_another_scheme()
    {
        var error = Assert.Throws<ArgumentException>(() => Cleared("SECRET", "ATL").Check(Nato.Banner("NATO SECRET")));
        Assert.StartsWith("A clearance of scheme generic cannot be checked against a label of scheme nato.", error.Message);
    }

    private static ClearanceCertificate Certificate(string level, IReadOnlyList<string> compartments) =>
        new(Guid.NewGuid(), "ATL", Guid.NewGuid(), new byte[32], ["member"], level, compartments, 0, 100, 100, 0);
}
