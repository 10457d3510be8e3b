using Parley.Protocol.Classification;
using static Parley.Protocol.Tests.Classification.TestSchemes;

namespace Parley.Protocol.Tests.Classification;

/// <summary>Built-in schemes, schemes loaded from JSON, and the validation that refuses a bad one
/// with a message naming the field.</summary>
public class MarkingSchemeTests
{
    [Fact]
    public void The_generic_scheme_orders_its_levels_from_unclassified_to_top_secret()
    {
        Assert.Equal("generic", Generic.Name);
        Assert.Equal(["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL", "SECRET", "TOP SECRET"], Generic.Levels.Select(l => l.Name));
        Assert.Equal(["U", "R", "C", "S", "TS"], Generic.Levels.Select(l => l.Abbreviation));
        Assert.Equal(["green", "purple", "blue", "red", "orange"], Generic.Levels.Select(l => l.Colour));
        Assert.Equal([0, 1, 2, 3, 4], Generic.Levels.Select(l => l.Rank));
        Assert.Equal(["ALPHA", "BRAVO", "CHARLIE", "DELTA"], Generic.Compartments.Select(c => c.Name));
        Assert.Null(Generic.Delegations);
        Assert.Equal("UNCLASSIFIED", Generic.Lowest.ToBanner());
    }

    [Fact]
    public void The_nato_scheme_orders_its_levels_from_nato_unclassified_to_cosmic_top_secret()
    {
        Assert.Equal("nato", Nato.Name);
        Assert.Equal(["NATO UNCLASSIFIED", "NATO RESTRICTED", "NATO CONFIDENTIAL", "NATO SECRET", "COSMIC TOP SECRET"], Nato.Levels.Select(l => l.Name));
        Assert.Equal(["NU", "NR", "NC", "NS", "CTS"], Nato.Levels.Select(l => l.Abbreviation));
        Assert.Equal(["ATOMAL", "BOHEMIA", "CRYPTO"], Nato.Compartments.Select(c => c.Name));
        Assert.True(Nato.Banner("COSMIC TOP SECRET//REL TO ATL").Dominates(Nato.Banner("NATO SECRET//REL TO ATL, BOR")));
        // Unrestricted is not at least as restrictive as REL TO ATL: a higher level alone does not dominate.
        Assert.False(Nato.Banner("COSMIC TOP SECRET").Dominates(Nato.Banner("NATO SECRET//REL TO ATL")));
        Assert.False(Nato.Banner("NATO SECRET").Dominates(Nato.Banner("NATO SECRET//ATOMAL")));
    }

    [Fact]
    public void A_scheme_loads_from_json_and_writes_back_the_same_json()
    {
        Assert.Equal("national", National.Name);
        Assert.Equal(["OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET"], National.Levels.Select(l => l.Name));
        Assert.Equal(["SG", "OC", "KESTREL", "AZ"], National.Compartments.Select(c => c.Abbreviation));
        Assert.Equal(["ATL", "BOR", "CRD", "DUN", "ESTR"], National.Delegations!);

        var json = National.ToJson();
        var again = MarkingScheme.FromJson(json).Value;

        Assert.Equal(json, again.ToJson());
        Assert.True(again.IsCompatibleWith(National));
        Assert.Contains("\"abbreviation\": \"SG\"", json);
        Assert.DoesNotContain("\"abbreviation\": \"KESTREL\"", json);
        foreach (var scheme in new[] { Generic, Nato })
            Assert.Equal(scheme.ToJson(), MarkingScheme.FromJson(scheme.ToJson()).Value.ToJson());
    }

    [Fact]
    public void A_delegation_vocabulary_can_be_replaced_and_labels_stay_comparable()
    {
        var closed = Generic.WithDelegations(["ATL", "BOR"]).Value;

        Assert.Equal("unknown delegation 'CRD' at 15; the scheme lists ATL, BOR", closed.ParseBanner("SECRET//REL TO CRD").Error?.Message);
        Assert.True(Generic.ParseBanner("SECRET//REL TO CRD").IsOk);
        Assert.True(closed.IsCompatibleWith(Generic));
        Assert.Equal(Generic.Banner("SECRET//REL TO ATL"), closed.Banner("SECRET//REL TO ATL"));
        Assert.True(closed.Banner("TOP SECRET//ATL EYES ONLY").Dominates(Generic.Banner("SECRET//REL TO ATL")));
        Assert.Null(closed.WithDelegations(null).Value.Delegations);
        Assert.Equal("The scheme lists no delegation; list at least one, or leave 'delegations' out to accept any well-formed code.", Generic.WithDelegations([]).Error?.Message);
    }

    [Fact]
    public void Labels_of_schemes_with_other_levels_or_compartments_cannot_be_compared()
    {
        var secret = Generic.Banner("SECRET");
        var natoSecret = Nato.Banner("NATO SECRET");
        var renamed = MarkingScheme.Create(Generic.ToDefinition() with { Compartments = [new() { Name = "ALPHA", Abbreviation = "A" }] }).Value;

        Assert.False(Generic.IsCompatibleWith(Nato));
        Assert.False(Generic.IsCompatibleWith(renamed));
        Assert.NotEqual(secret, natoSecret);
        Assert.NotEqual(secret, renamed.Banner("SECRET"));
        var error = Assert.Throws<ArgumentException>(() => secret.Dominates(natoSecret));
        Assert.StartsWith("Labels of marking schemes generic and nato cannot be compared", error.Message);
        Assert.Throws<ArgumentException>(() => secret.Join(natoSecret));
        Assert.Throws<ArgumentException>(() => Label.Join(Generic, [natoSecret]));
    }

    [Fact]
    public void Levels_and_compartments_are_found_by_their_names()
    {
        Assert.Equal(3, Generic.FindLevel("SECRET")?.Rank);
        Assert.Null(Generic.FindLevel("S"));
        Assert.Equal("SG", National.FindCompartment("SIGMA")?.Abbreviation);
        Assert.Null(National.FindCompartment("SG"));
        Assert.True(National.AcceptsDelegation("ESTR"));
        Assert.False(National.AcceptsDelegation("GBR"));
        Assert.True(Generic.AcceptsDelegation("GBR"));
        Assert.False(Generic.AcceptsDelegation("gbr"));
    }

    [Theory]
    [InlineData("", "The marking scheme is empty.")]
    [InlineData("null", "The marking scheme is null.")]
    [InlineData("""{"levels": [{"name": "LOW", "abbreviation": "L", "colour": "green"}]}""", "The scheme has no name.")]
    [InlineData("""{"name": "Big Scheme", "levels": []}""", "The scheme name 'Big Scheme' must be 1 to 32 lower-case letters, digits or hyphens, starting with a letter or digit.")]
    [InlineData("""{"name": "s"}""", "The scheme has no level; it needs at least one.")]
    [InlineData("""{"name": "s", "levels": []}""", "The scheme has no level; it needs at least one.")]
    [InlineData("""{"name": "s", "levels": [null]}""", "levels[0] is null.")]
    [InlineData("""{"name": "s", "levels": [{"abbreviation": "L", "colour": "green"}]}""", "levels[0] has no name.")]
    [InlineData("""{"name": "s", "levels": [{"name": "Low", "abbreviation": "L", "colour": "green"}]}""", "levels[0].name 'Low' must be capital words (A-Z, 0-9, inner hyphens) separated by single spaces, at most 32 characters.")]
    [InlineData("""{"name": "s", "levels": [{"name": "VERY  LOW", "abbreviation": "L", "colour": "green"}]}""", "levels[0].name 'VERY  LOW' must be capital words (A-Z, 0-9, inner hyphens) separated by single spaces, at most 32 characters.")]
    [InlineData("""{"name": "s", "levels": [{"name": "LOW-", "abbreviation": "L", "colour": "green"}]}""", "levels[0].name 'LOW-' must be capital words (A-Z, 0-9, inner hyphens) separated by single spaces, at most 32 characters.")]
    [InlineData("""{"name": "s", "levels": [{"name": "LOW", "colour": "green"}]}""", "levels[0] (LOW) has no abbreviation.")]
    [InlineData("""{"name": "s", "levels": [{"name": "LOW", "abbreviation": "L W", "colour": "green"}]}""", "levels[0].abbreviation 'L W' must be one capital word of at most 8 characters.")]
    [InlineData("""{"name": "s", "levels": [{"name": "LOW", "abbreviation": "L"}]}""", "levels[0] (LOW) has no colour.")]
    [InlineData("""{"name": "s", "levels": [{"name": "LOW", "abbreviation": "L", "colour": "#00ff00"}]}""", "levels[0].colour '#00ff00' must be 1 to 32 lower-case letters, digits or hyphens, starting with a letter.")]
    [InlineData("""{"name": "s", "levels": [{"name": "LOW", "abbreviation": "L", "colour": "green"}, {"name": "LOW", "abbreviation": "M", "colour": "red"}]}""", "levels[1] uses 'LOW', already used by levels[0] (LOW); level names and abbreviations must all differ.")]
    [InlineData("""{"name": "s", "levels": [{"name": "LOW", "abbreviation": "L", "colour": "green"}, {"name": "HIGH", "abbreviation": "L", "colour": "red"}]}""", "levels[1] uses 'L', already used by levels[0] (LOW); level names and abbreviations must all differ.")]
    [InlineData("""{"name": "s", "levels": [{"name": "LOW", "abbreviation": "L", "colour": "green"}, {"name": "HIGH", "abbreviation": "LOW", "colour": "red"}]}""", "levels[1] uses 'LOW', already used by levels[0] (LOW); level names and abbreviations must all differ.")]
    [InlineData("""{"name": "s", "levels": [{"name": "LOW", "abbreviation": "L", "colour": "green"}], "compartments": [null]}""", "compartments[0] is null.")]
    [InlineData("""{"name": "s", "levels": [{"name": "LOW", "abbreviation": "L", "colour": "green"}], "compartments": [{"abbreviation": "A"}]}""", "compartments[0] has no name.")]
    [InlineData("""{"name": "s", "levels": [{"name": "LOW", "abbreviation": "L", "colour": "green"}], "compartments": [{"name": "ALPHA ONE"}]}""", "compartments[0].name 'ALPHA ONE' must be one capital word (A-Z, 0-9, inner hyphens) of at most 16 characters.")]
    [InlineData("""{"name": "s", "levels": [{"name": "LOW", "abbreviation": "L", "colour": "green"}], "compartments": [{"name": "ALPHA", "abbreviation": "a"}]}""", "compartments[0].abbreviation 'a' must be one capital word of at most 16 characters.")]
    [InlineData("""{"name": "s", "levels": [{"name": "LOW", "abbreviation": "L", "colour": "green"}], "compartments": [{"name": "REL"}]}""", "compartments[0] uses 'REL', which markings reserve for releasability.")]
    [InlineData("""{"name": "s", "levels": [{"name": "LOW", "abbreviation": "L", "colour": "green"}], "compartments": [{"name": "ALPHA", "abbreviation": "ONLY"}]}""", "compartments[0] uses 'ONLY', which markings reserve for releasability.")]
    [InlineData("""{"name": "s", "levels": [{"name": "LOW", "abbreviation": "L", "colour": "green"}], "compartments": [{"name": "ALPHA"}, {"name": "BRAVO", "abbreviation": "ALPHA"}]}""", "compartments[1] uses 'ALPHA', already used by compartments[0] (ALPHA); compartment names and abbreviations must all differ.")]
    [InlineData("""{"name": "s", "levels": [{"name": "LOW", "abbreviation": "L", "colour": "green"}], "delegations": []}""", "The scheme lists no delegation; list at least one, or leave 'delegations' out to accept any well-formed code.")]
    [InlineData("""{"name": "s", "levels": [{"name": "LOW", "abbreviation": "L", "colour": "green"}], "delegations": ["ATL", "usa"]}""", "delegations[1] 'usa' is not a delegation code (2 to 8 capital letters).")]
    [InlineData("""{"name": "s", "levels": [{"name": "LOW", "abbreviation": "L", "colour": "green"}], "delegations": ["ATL", "ATL"]}""", "delegations[1] 'ATL' is listed twice.")]
    public void Invalid_definitions_are_refused_with_the_field_that_is_wrong(string json, string message)
    {
        var loaded = MarkingScheme.FromJson(json);

        Assert.False(loaded.IsOk);
        Assert.Equal(ProtocolErrorCode.Malformed, loaded.Error.Code);
        Assert.Equal(message, loaded.Error.Message);
    }

    [Theory]
    [InlineData("""{"name": "s", "levels": [{"name": "LOW", "abbreviation": "L", "colour": "green"}], "compartment": []}""", "'compartment'")]
    [InlineData("""{"name": "s", "name": "t", "levels": [{"name": "LOW", "abbreviation": "L", "colour": "green"}]}""", "Duplicate")]
    [InlineData("""{"name": "s", "levels": [{"name": "LOW", "abbreviation": "L", "colour": "green"},]}""", "LineNumber")]
    [InlineData("""{"name": 7}""", "$.name")]
    [InlineData("""[1, 2]""", "$")]
    public void Json_that_does_not_fit_the_definition_is_refused_with_the_reader_s_reason(string json, string detail)
    {
        var loaded = MarkingScheme.FromJson(json);

        Assert.Equal(ProtocolErrorCode.Malformed, loaded.Error?.Code);
        Assert.StartsWith("The marking scheme is not valid: ", loaded.Error!.Message);
        Assert.Contains(detail, loaded.Error.Message);
    }

    [Fact]
    public void Limits_on_size_are_limit_errors()
    {
        var level = (int i) => new LevelDefinition { Name = "L" + (char)('A' + i), Abbreviation = "A" + (char)('A' + i), Colour = "red" };
        var tooManyLevels = MarkingScheme.Create(new MarkingSchemeDefinition { Name = "s", Levels = Enumerable.Range(0, 17).Select(level).ToList() });
        var tooManyCompartments = MarkingScheme.Create(new MarkingSchemeDefinition
        {
            Name = "s",
            Levels = [level(0)],
            Compartments = Enumerable.Range(0, 33).Select(i => new CompartmentDefinition { Name = $"C{i}" }).ToList(),
        });
        var tooManyDelegations = MarkingScheme.Create(new MarkingSchemeDefinition
        {
            Name = "s",
            Levels = [level(0)],
            Delegations = Enumerable.Range(0, 257).Select(i => "D" + (char)('A' + i / 26 / 26) + (char)('A' + i / 26 % 26) + (char)('A' + i % 26)).ToList(),
        });
        var tooLong = MarkingScheme.FromJson(new string(' ', MarkingScheme.MaxJsonLength) + "{}");

        Assert.True(MarkingScheme.Create(new MarkingSchemeDefinition { Name = "s", Levels = Enumerable.Range(0, 16).Select(level).ToList() }).IsOk);
        Assert.Equal((ProtocolErrorCode.LimitExceeded, "The scheme has 17 levels; at most 16 are allowed."), (tooManyLevels.Error!.Code, tooManyLevels.Error.Message));
        Assert.Equal((ProtocolErrorCode.LimitExceeded, "The scheme has 33 compartments; at most 32 are allowed."), (tooManyCompartments.Error!.Code, tooManyCompartments.Error.Message));
        Assert.Equal((ProtocolErrorCode.LimitExceeded, "The scheme lists 257 delegations; at most 256 are allowed."), (tooManyDelegations.Error!.Code, tooManyDelegations.Error.Message));
        Assert.Equal((ProtocolErrorCode.LimitExceeded, "The marking scheme is longer than 65536 characters."), (tooLong.Error!.Code, tooLong.Error.Message));
    }

    [Fact]
    public void Labels_created_from_names_are_checked_against_the_scheme()
    {
        Assert.Equal("Unknown level 'SECRT' in scheme generic; did you mean SECRET?", Label.Create(Generic, "SECRT").Error?.Message);
        Assert.Equal("Unknown level 'HUSH' in scheme generic.", Label.Create(Generic, "HUSH").Error?.Message);
        Assert.Equal("Unknown compartment 'ALPA' in scheme generic; did you mean ALPHA?", Label.Create(Generic, "SECRET", ["ALPA"]).Error?.Message);
        Assert.Equal("Scheme national does not list delegation 'GBR'.", Label.Create(National, "SECRET", null, RelTo("GBR")).Error?.Message);
        Assert.Equal("SECRET//REL TO ATL", Label.Create(National, "SECRET", null, RelTo("ATL")).Value.ToBanner());
    }

    [Fact]
    public void Releasabilities_are_built_from_well_formed_codes_only()
    {
        Assert.Equal("REL TO needs at least one delegation.", Releasability.RelTo().Error?.Message);
        Assert.Equal("'atl' is not a delegation code (2 to 8 capital letters).", Releasability.RelTo("atl").Error?.Message);
        Assert.Equal("'A' is not a delegation code (2 to 8 capital letters).", Releasability.EyesOnly("A").Error?.Message);
        Assert.Equal(ProtocolErrorCode.LimitExceeded, Releasability.RelTo(Enumerable.Range(0, 33).Select(i => "D" + (char)('A' + i / 26) + (char)('A' + i % 26))).Error?.Code);
        Assert.Equal("REL TO ATL, BOR", RelTo("BOR", "ATL", "BOR").ToMarking());
        Assert.Equal("ATL EYES ONLY", EyesOnly("ATL").ToMarking());
        Assert.Equal("", Releasability.Unrestricted.ToMarking());
        Assert.Equal("unrestricted", Releasability.Unrestricted.ToString());
    }
}
