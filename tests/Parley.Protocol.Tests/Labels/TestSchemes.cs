using Parley.Protocol.Classification;

namespace Parley.Protocol.Tests.Classification;

/// <summary>The schemes the label tests run against: the two built-in ones and a national scheme
/// loaded from JSON, whose compartment abbreviations sort differently from their names and whose
/// delegation vocabulary is closed.</summary>
internal static class TestSchemes
{
    public const string NationalJson = """
        {
          // A deployment's own scheme: comments are allowed in the file.
          "name": "national",
          "levels": [
            { "name": "OFFICIAL", "abbreviation": "O", "colour": "green" },
            { "name": "OFFICIAL-SENSITIVE", "abbreviation": "OS", "colour": "yellow" },
            { "name": "SECRET", "abbreviation": "S", "colour": "red" },
            { "name": "TOP SECRET", "abbreviation": "TS", "colour": "orange" }
          ],
          "compartments": [
            { "name": "SIGMA", "abbreviation": "SG" },
            { "name": "ORCON", "abbreviation": "OC" },
            { "name": "KESTREL" },
            { "name": "ZULU", "abbreviation": "AZ" }
          ],
          "delegations": ["ATL", "BOR", "CRD", "DUN", "ESTR"]
        }
        """;

    public static MarkingScheme Generic => MarkingScheme.Generic;

    public static MarkingScheme Nato => MarkingScheme.Nato;

    public static MarkingScheme National { get; } = MarkingScheme.FromJson(NationalJson).Value;

    public static MarkingScheme[] All { get; } = [Generic, Nato, National];

    /// <summary>Codes the generators draw from: the scheme's own list, or a few for open schemes.</summary>
    public static string[] CodesOf(MarkingScheme scheme) => scheme.Delegations?.ToArray() ?? ["ATL", "BOR", "CRD", "DUN", "EST"];

    /// <summary>A banner that must parse, for readable test set-up.</summary>
    public static Label Banner(this MarkingScheme scheme, string marking)
    {
        var parsed = scheme.ParseBanner(marking);
        Assert.True(parsed.IsOk, $"{marking}: {parsed.Error?.Message}");
        return parsed.Value;
    }

    public static Releasability RelTo(params string[] codes) => Releasability.RelTo(codes).Value;

    public static Releasability EyesOnly(string code) => Releasability.EyesOnly(code).Value;
}
