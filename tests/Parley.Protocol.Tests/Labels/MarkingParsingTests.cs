using Parley.Protocol.Classification;
using static Parley.Protocol.Tests.Classification.TestSchemes;

namespace Parley.Protocol.Tests.Classification;

/// <summary>Banner and portion markings: canonical examples of every scheme read and print back
/// exactly, and every malformed form gets its own message with the position of the problem.</summary>
public class MarkingParsingTests
{
    [Theory]
    [InlineData("UNCLASSIFIED", "(U)")]
    [InlineData("RESTRICTED", "(R)")]
    [InlineData("CONFIDENTIAL//ALPHA", "(C//ALPHA)")]
    [InlineData("SECRET//REL TO ATL", "(S//REL TO ATL)")]
    [InlineData("SECRET//ALPHA/BRAVO//REL TO ATL, BOR", "(S//ALPHA/BRAVO//REL TO ATL, BOR)")]
    [InlineData("TOP SECRET//ALPHA", "(TS//ALPHA)")]
    [InlineData("SECRET//ATL EYES ONLY", "(S//ATL EYES ONLY)")]
    [InlineData("TOP SECRET//ALPHA/BRAVO/CHARLIE/DELTA//BOR EYES ONLY", "(TS//ALPHA/BRAVO/CHARLIE/DELTA//BOR EYES ONLY)")]
    [InlineData("UNCLASSIFIED//REL TO ATL, BOR, CRD", "(U//REL TO ATL, BOR, CRD)")]
    public void Generic_banners_and_portion_marks_round_trip(string banner, string portion) =>
        AssertRoundTrip(Generic, banner, portion);

    [Theory]
    [InlineData("NATO UNCLASSIFIED", "(NU)")]
    [InlineData("NATO RESTRICTED//REL TO ATL", "(NR//REL TO ATL)")]
    [InlineData("NATO CONFIDENTIAL//CRYPTO", "(NC//CRYPTO)")]
    [InlineData("NATO SECRET//ATOMAL//REL TO ATL, BOR", "(NS//ATOMAL//REL TO ATL, BOR)")]
    [InlineData("COSMIC TOP SECRET//ATOMAL/BOHEMIA", "(CTS//ATOMAL/BOHEMIA)")]
    [InlineData("COSMIC TOP SECRET//CRD EYES ONLY", "(CTS//CRD EYES ONLY)")]
    public void Nato_banners_and_portion_marks_round_trip(string banner, string portion) =>
        AssertRoundTrip(Nato, banner, portion);

    [Theory]
    [InlineData("OFFICIAL-SENSITIVE", "(OS)")]
    [InlineData("SECRET//SIGMA", "(S//SG)")]
    // Banners order compartments by name, portion marks by abbreviation: ZULU is AZ.
    [InlineData("SECRET//KESTREL/ORCON/SIGMA/ZULU//REL TO ATL, ESTR", "(S//AZ/KESTREL/OC/SG//REL TO ATL, ESTR)")]
    [InlineData("TOP SECRET//ZULU//DUN EYES ONLY", "(TS//AZ//DUN EYES ONLY)")]
    public void A_scheme_loaded_from_json_marks_portions_with_its_abbreviations(string banner, string portion) =>
        AssertRoundTrip(National, banner, portion);

    private static void AssertRoundTrip(MarkingScheme scheme, string banner, string portion)
    {
        var fromBanner = scheme.Banner(banner);
        var fromPortion = scheme.ParsePortionMark(portion);
        Assert.True(fromPortion.IsOk, fromPortion.Error?.Message);
        Assert.Equal(fromBanner, fromPortion.Value);
        Assert.Equal(banner, fromBanner.ToBanner());
        Assert.Equal(banner, fromBanner.ToCanonicalString());
        Assert.Equal(banner, fromBanner.ToString());
        Assert.Equal(portion, fromBanner.ToPortionMark());
    }

    [Fact]
    public void A_parsed_label_exposes_its_parts()
    {
        var label = Generic.Banner("SECRET//ALPHA/BRAVO//REL TO ATL, BOR");

        Assert.Equal("SECRET", label.Level.Name);
        Assert.Equal("S", label.Level.Abbreviation);
        Assert.Equal("red", label.Level.Colour);
        Assert.Equal(3, label.Level.Rank);
        Assert.Equal(["ALPHA", "BRAVO"], label.Compartments);
        Assert.Equal(ReleasabilityKind.RelTo, label.Releasability.Kind);
        Assert.Equal(["ATL", "BOR"], label.Releasability.Delegations);
        Assert.Same(Generic, label.Scheme);
    }

    [Fact]
    public void Own_delegation_only_prints_as_eyes_only_and_differs_from_rel_to_the_same_code()
    {
        var eyesOnly = Generic.Banner("SECRET//ATL EYES ONLY");
        var relTo = Generic.Banner("SECRET//REL TO ATL");

        Assert.Equal(ReleasabilityKind.EyesOnly, eyesOnly.Releasability.Kind);
        Assert.Equal(["ATL"], eyesOnly.Releasability.Delegations);
        Assert.NotEqual(relTo, eyesOnly);
        Assert.True(eyesOnly.Releasability.IsReleasableTo("ATL"));
        Assert.False(eyesOnly.Releasability.IsReleasableTo("BOR"));
    }

    [Fact]
    public void The_label_of_the_document_context_vector_is_canonical()
    {
        // docs/PROTOCOL.md §7.1 pins this label inside a signed context.
        const string vector = "SECRET//ALPHA//REL TO ATL, BOR";
        Assert.Equal(vector, Generic.Banner(vector).ToCanonicalString());
    }

    [Fact]
    public void Labels_created_from_names_print_canonically_whatever_the_order_given()
    {
        var label = Label.Create(Generic, "SECRET", ["BRAVO", "ALPHA", "BRAVO"], RelTo("BOR", "ATL")).Value;

        Assert.Equal("SECRET//ALPHA/BRAVO//REL TO ATL, BOR", label.ToCanonicalString());
        Assert.Equal(Generic.Banner("SECRET//ALPHA/BRAVO//REL TO ATL, BOR"), label);
        Assert.Equal(Generic.Banner("SECRET//ALPHA/BRAVO//REL TO ATL, BOR").GetHashCode(), label.GetHashCode());
        Assert.True(label == Generic.Banner("SECRET//ALPHA/BRAVO//REL TO ATL, BOR"));
        Assert.True(label != Generic.Banner("SECRET//ALPHA//REL TO ATL, BOR"));
    }

    [Theory]
    [InlineData("", "empty marking at 0; expected a level such as UNCLASSIFIED")]
    [InlineData("SECRT", "unknown level 'SECRT' at 0; did you mean SECRET?")]
    [InlineData("secret", "unknown level 'secret' at 0; did you mean SECRET?")]
    [InlineData("CONFIDENTAIL", "unknown level 'CONFIDENTAIL' at 0; did you mean CONFIDENTIAL?")]
    [InlineData("TOP SCRET//ALPHA", "unknown level 'TOP SCRET' at 0; did you mean TOP SECRET?")]
    [InlineData("S//ALPHA", "unknown level 'S' at 0; did you mean SECRET? Banners spell levels out")]
    [InlineData("HUSH", "unknown level 'HUSH' at 0; expected one of UNCLASSIFIED, RESTRICTED, CONFIDENTIAL, SECRET, TOP SECRET")]
    [InlineData("//ALPHA", "missing level at 0; a marking starts with a level such as UNCLASSIFIED")]
    [InlineData("/ALPHA", "missing level at 0")]
    [InlineData("SECRET//ALPHA //REL TO ATL", "unexpected space at 13")]
    [InlineData(" SECRET", "unexpected space at 0")]
    [InlineData("SECRET ", "unexpected space at 6")]
    [InlineData("TOP  SECRET", "unexpected space at 4")]
    [InlineData("SECRET// ALPHA", "unexpected space at 8")]
    [InlineData("SECRET\t", "unexpected character U+0009 at 6")]
    [InlineData("SECRET//ALPHA.", "unexpected character '.' at 13")]
    [InlineData("(S)", "unexpected character '(' at 0")]
    [InlineData("SECRET/ALPHA", "single '/' at 6; categories are separated by '//'")]
    [InlineData("SECRET//", "empty category at 8; expected compartments or a releasability after '//'")]
    [InlineData("SECRET////ALPHA", "empty category at 8; expected compartments or a releasability after '//'")]
    [InlineData("SECRET///ALPHA", "unexpected '/' at 8; categories are separated by '//'")]
    [InlineData("SECRET//ALPHA/", "missing compartment at 14; compartments are separated by a single '/'")]
    [InlineData("SECRET//ALPHA BRAVO", "unexpected space at 13; compartments are separated by '/'")]
    [InlineData("SECRET//ALPHA,BRAVO", "unexpected ',' at 13; compartments are separated by '/'")]
    [InlineData("SECRET//ALPHAA", "unknown compartment 'ALPHAA' at 8; did you mean ALPHA?")]
    [InlineData("SECRET//alpha", "unknown compartment 'alpha' at 8; did you mean ALPHA?")]
    [InlineData("SECRET//ECHO", "unknown compartment 'ECHO' at 8; the scheme knows ALPHA, BRAVO, CHARLIE, DELTA")]
    [InlineData("SECRET//ALPHA//BRAVO", "'//' between compartments at 13; compartments are separated by a single '/'")]
    [InlineData("SECRET//BRAVO/ALPHA", "compartment ALPHA out of order at 14; write SECRET//ALPHA/BRAVO")]
    [InlineData("SECRET//ALPHA/ALPHA", "compartment ALPHA repeated at 14; write SECRET//ALPHA")]
    [InlineData("SECRET//REL TO", "REL TO names no delegation at 14; e.g. REL TO ATL, BOR")]
    [InlineData("SECRET//REL ATL", "malformed releasability 'REL ATL' at 8; expected REL TO and delegation codes, e.g. REL TO ATL, BOR")]
    [InlineData("SECRET//RELTO ATL", "malformed releasability 'RELTO ATL' at 8; expected REL TO and delegation codes, e.g. REL TO ATL, BOR")]
    [InlineData("SECRET//rel to ATL", "malformed releasability 'rel to ATL' at 8; expected REL TO and delegation codes, e.g. REL TO ATL, BOR")]
    [InlineData("SECRET//REL TO ATL,BOR", "expected a space after ',' at 19; delegation codes are separated by ', '")]
    [InlineData("SECRET//REL TO ,ATL", "missing delegation code at 15")]
    [InlineData("SECRET//REL TO ATL BOR", "unexpected space at 18; delegation codes are separated by ', '")]
    [InlineData("SECRET//REL TO ATL/ALPHA", "unexpected '/' at 18; the releasability comes last")]
    [InlineData("SECRET//REL TO atl", "malformed delegation code 'atl' at 15; did you mean ATL?")]
    [InlineData("SECRET//REL TO A", "malformed delegation code 'A' at 15; a delegation code is 2 to 8 capital letters")]
    [InlineData("SECRET//REL TO ATL1", "malformed delegation code 'ATL1' at 15; a delegation code is 2 to 8 capital letters")]
    [InlineData("SECRET//REL TO BOR, ATL", "delegation ATL out of order at 20; write SECRET//REL TO ATL, BOR")]
    [InlineData("SECRET//REL TO ATL, ATL", "delegation ATL repeated at 20; write SECRET//REL TO ATL")]
    [InlineData("SECRET//REL TO ATL//BOR EYES ONLY", "second releasability at 20; a marking has one releasability")]
    [InlineData("SECRET//REL TO ATL//ALPHA", "compartments after the releasability at 20; compartments come first, then the releasability")]
    [InlineData("SECRET//ATL ONLY", "malformed releasability 'ATL ONLY' at 8; own-delegation-only is written as one code and EYES ONLY, e.g. ATL EYES ONLY")]
    [InlineData("SECRET//EYES ONLY", "malformed releasability 'EYES ONLY' at 8; own-delegation-only is written as one code and EYES ONLY, e.g. ATL EYES ONLY")]
    [InlineData("SECRET//ATL, BOR EYES ONLY", "EYES ONLY names one delegation at 8; for several, write REL TO and the codes, e.g. REL TO ATL, BOR")]
    [InlineData("SECRET//atl EYES ONLY", "malformed delegation code 'atl' at 8; did you mean ATL?")]
    public void Malformed_banners_say_what_is_wrong_and_where(string marking, string message)
    {
        var parsed = Generic.ParseBanner(marking);

        Assert.False(parsed.IsOk, $"{marking} parsed as {parsed}");
        Assert.Equal(ProtocolErrorCode.Malformed, parsed.Error.Code);
        Assert.Equal(message, parsed.Error.Message);
    }

    [Theory]
    [InlineData("", "empty portion mark at 0; expected a mark such as (U)")]
    [InlineData("S", "expected '(' at 0; portion marks are enclosed in parentheses")]
    [InlineData("(S//REL TO ATL", "expected ')' at 14; portion marks are enclosed in parentheses")]
    [InlineData("(", "expected ')' at 1; portion marks are enclosed in parentheses")]
    [InlineData("()", "empty portion mark at 1; expected a level abbreviation such as U")]
    [InlineData("(SECRET)", "unknown level 'SECRET' at 1; did you mean S? Portion marks abbreviate levels")]
    [InlineData("(SECRT)", "unknown level 'SECRT' at 1; did you mean S (SECRET)?")]
    [InlineData("(s)", "unknown level 's' at 1; did you mean S?")]
    [InlineData("(X)", "unknown level 'X' at 1; expected one of U, R, C, S, TS")]
    [InlineData("(S(C))", "unexpected character '(' at 2")]
    [InlineData("(S/ALPHA)", "single '/' at 2; categories are separated by '//'")]
    [InlineData("(//ALPHA)", "missing level at 1; a portion mark starts with a level such as U")]
    [InlineData("(S//BRAVO/ALPHA)", "compartment ALPHA out of order at 10; write (S//ALPHA/BRAVO)")]
    [InlineData("(S//REL TO ATL,BOR)", "expected a space after ',' at 15; delegation codes are separated by ', '")]
    [InlineData("(S//REL TO BOR, ATL)", "delegation ATL out of order at 16; write (S//REL TO ATL, BOR)")]
    public void Malformed_portion_marks_say_what_is_wrong_and_where(string marking, string message)
    {
        var parsed = Generic.ParsePortionMark(marking);

        Assert.False(parsed.IsOk, $"{marking} parsed as {parsed}");
        Assert.Equal(ProtocolErrorCode.Malformed, parsed.Error.Code);
        Assert.Equal(message, parsed.Error.Message);
    }

    [Theory]
    [InlineData("SECRET//SG", "unknown compartment 'SG' at 8; did you mean SIGMA? Banners spell compartments out")]
    [InlineData("(S//SIGMA)", "unknown compartment 'SIGMA' at 4; did you mean SG? Portion marks abbreviate compartments")]
    [InlineData("(S//ORCN)", "unknown compartment 'ORCN' at 4; did you mean OC (ORCON)?")]
    [InlineData("(S//sg)", "unknown compartment 'sg' at 4; did you mean SG?")]
    [InlineData("(S//QQ)", "unknown compartment 'QQ' at 4; the scheme knows SG, OC, KESTREL, AZ")]
    [InlineData("SECRET//REL TO ATX", "unknown delegation 'ATX' at 15; did you mean ATL?")]
    [InlineData("SECRET//REL TO ATL, QQQQ", "unknown delegation 'QQQQ' at 20; the scheme lists ATL, BOR, CRD, DUN, ESTR")]
    [InlineData("SECRET//GBR EYES ONLY", "unknown delegation 'GBR' at 8; the scheme lists ATL, BOR, CRD, DUN, ESTR")]
    [InlineData("SECRET//REL TO atl", "malformed delegation code 'atl' at 15; did you mean ATL?")]
    [InlineData("SECRET//REL TO gbr", "malformed delegation code 'gbr' at 15; a delegation code is 2 to 8 capital letters")]
    public void A_scheme_with_abbreviations_and_listed_delegations_names_them_in_its_errors(string marking, string message)
    {
        var parsed = marking.StartsWith('(') ? National.ParsePortionMark(marking) : National.ParseBanner(marking);

        Assert.False(parsed.IsOk, $"{marking} parsed as {parsed}");
        Assert.Equal(message, parsed.Error.Message);
    }

    [Fact]
    public void Compartments_that_begin_like_rel_to_are_compartments()
    {
        var scheme = MarkingScheme.Create(new MarkingSchemeDefinition
        {
            Name = "relay",
            Levels = [new() { Name = "LOW", Abbreviation = "L", Colour = "green" }],
            Compartments = [new() { Name = "RELAY" }, new() { Name = "RELTOX" }, new() { Name = "REL-A", Abbreviation = "RELTO-B" }],
        }).Value;

        foreach (var marking in new[] { "LOW//RELAY", "LOW//RELTOX//REL TO ATL", "LOW//REL-A/RELAY/RELTOX//ATL EYES ONLY" })
            Assert.Equal(marking, scheme.Banner(marking).ToBanner());
        Assert.Equal("(L//RELAY/RELTO-B)", scheme.Banner("LOW//REL-A/RELAY").ToPortionMark());
        Assert.Equal(scheme.Banner("LOW//REL-A/RELAY"), scheme.ParsePortionMark("(L//RELAY/RELTO-B)").Value);
        Assert.Equal("malformed releasability 'RELTO ATL' at 5; expected REL TO and delegation codes, e.g. REL TO ATL, BOR", scheme.ParseBanner("LOW//RELTO ATL").Error?.Message);
    }

    [Fact]
    public void Long_vocabularies_are_not_listed_in_hints()
    {
        var letters = Enumerable.Range(0, 13).Select(i => "Q" + (char)('A' + i) + "QQ").ToList();
        var large = MarkingScheme.Create(new MarkingSchemeDefinition
        {
            Name = "large",
            Levels = [new() { Name = "LOW", Abbreviation = "L", Colour = "green" }],
            Compartments = letters.Select(n => new CompartmentDefinition { Name = n }).ToList(),
            Delegations = letters,
        }).Value;

        Assert.Equal("unknown compartment 'ZZZZZZ' at 5", large.ParseBanner("LOW//ZZZZZZ").Error?.Message);
        Assert.Equal("unknown compartment 'ZZZZZZ' at 4", large.ParsePortionMark("(L//ZZZZZZ)").Error?.Message);
        Assert.Equal("unknown delegation 'ZZZZZZ' at 12", large.ParseBanner("LOW//REL TO ZZZZZZ").Error?.Message);
        Assert.Equal("unknown delegation 'QAQX' at 12; did you mean QAQQ?", large.ParseBanner("LOW//REL TO QAQX").Error?.Message);
    }

    [Fact]
    public void A_scheme_without_compartments_says_so()
    {
        var bare = MarkingScheme.Create(new MarkingSchemeDefinition
        {
            Name = "bare",
            Levels = [new() { Name = "LOW", Abbreviation = "L", Colour = "green" }],
        }).Value;

        Assert.Equal("unknown compartment 'ALPHA' at 5; the scheme has no compartments", bare.ParseBanner("LOW//ALPHA").Error?.Message);
    }

    [Fact]
    public void Overlong_markings_are_refused_before_they_are_read()
    {
        var banner = Generic.ParseBanner("SECRET//" + new string('A', Label.MaxLength));
        var portion = Generic.ParsePortionMark("(" + new string('S', Label.MaxLength) + ")");

        Assert.Equal(ProtocolErrorCode.LimitExceeded, banner.Error?.Code);
        Assert.Equal("marking longer than 1024 characters at 1024", banner.Error?.Message);
        Assert.Equal(ProtocolErrorCode.LimitExceeded, portion.Error?.Code);
        Assert.Equal("portion mark longer than 1024 characters at 1024", portion.Error?.Message);
    }

    [Fact]
    public void Rel_to_lists_at_most_32_delegations()
    {
        var codes = Enumerable.Range(0, 33).Select(i => "D" + (char)('A' + i / 26) + (char)('A' + i % 26)).ToArray();
        var within = Generic.ParseBanner("SECRET//REL TO " + string.Join(", ", codes[..32]));
        var beyond = Generic.ParseBanner("SECRET//REL TO " + string.Join(", ", codes));

        Assert.True(within.IsOk, within.Error?.Message);
        Assert.Equal(ProtocolErrorCode.LimitExceeded, beyond.Error?.Code);
        Assert.Equal($"more than 32 delegations at {"SECRET//REL TO ".Length + 32 * 5}", beyond.Error?.Message);
    }

    [Fact]
    public void Null_is_an_empty_marking_not_an_exception()
    {
        Assert.Equal("empty marking at 0; expected a level such as UNCLASSIFIED", Generic.ParseBanner(null!).Error?.Message);
        Assert.Equal("empty portion mark at 0; expected a mark such as (U)", Generic.ParsePortionMark(null!).Error?.Message);
    }

    [Fact]
    public void Hostile_tokens_are_escaped_and_cut_in_messages()
    {
        var parsed = Generic.ParseBanner("SECRET//REL TO " + new string('Q', 60));
        Assert.Equal($"malformed delegation code '{new string('Q', 40)}…' at 15; a delegation code is 2 to 8 capital letters", parsed.Error?.Message);
    }

    [Fact]
    public void The_largest_label_any_valid_scheme_allows_fits_the_marking_limit()
    {
        var levelName = "ABCDEFGHIJKLMNOP ABCDEFGHIJKLMNO";
        var widest = MarkingScheme.Create(new MarkingSchemeDefinition
        {
            Name = "widest",
            Levels = [new() { Name = levelName, Abbreviation = "ABCDEFGH", Colour = "red" }],
            Compartments = Enumerable.Range(0, MarkingScheme.MaxCompartments).Select(i => new CompartmentDefinition { Name = $"K{i:D2}" + new string('Q', 13) }).ToList(),
        }).Value;
        var codes = Enumerable.Range(0, Releasability.MaxDelegations).Select(i => "ZZZZZZ" + (char)('A' + i / 26) + (char)('A' + i % 26)).ToArray();
        var largest = Label.Create(widest, levelName, widest.Compartments.Select(c => c.Name), Releasability.RelTo(codes).Value).Value;

        Assert.Equal(MarkingScheme.MaxLevelNameLength, levelName.Length);
        Assert.All(widest.Compartments, c => Assert.Equal(MarkingScheme.MaxCompartmentLength, c.Name.Length));
        Assert.InRange(largest.ToBanner().Length, 900, Label.MaxLength);
        Assert.Equal(largest, widest.ParseBanner(largest.ToBanner()).Value);
        Assert.Equal(largest, widest.ParsePortionMark(largest.ToPortionMark()).Value);
    }
}
