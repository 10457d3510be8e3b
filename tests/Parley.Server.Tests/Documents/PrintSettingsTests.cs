using Parley.Protocol.Classification;
using Parley.Server.Policy.Engine;

namespace Parley.Server.Tests.Documents;

/// <summary>The deployment's printing rules in policy.json: what they allow, and a clear error for each mistake.</summary>
public sealed class PrintSettingsTests
{
    [Fact]
    public void Printing_rules_are_read_from_the_settings_and_refuse_what_they_name()
    {
        var (settings, error) = PolicySettings.Parse("""{ "printing": { "highestLevel": "CONFIDENTIAL", "noPrintCompartments": ["BRAVO", "BRAVO"] } }""");
        Assert.Null(error);
        var printing = settings!.Printing;
        Assert.Equal("CONFIDENTIAL", printing.HighestLevel!.Name);
        Assert.Equal(["BRAVO"], printing.NoPrintCompartments);
        Label Parse(string banner) => MarkingScheme.Generic.ParseBanner(banner).Value;
        Assert.Null(printing.Refusal(Parse("CONFIDENTIAL//ALPHA")));
        Assert.Contains("highest level allowed on paper is CONFIDENTIAL", printing.Refusal(Parse("SECRET")));
        Assert.Contains("BRAVO", printing.Refusal(Parse("RESTRICTED//BRAVO")));
        Assert.Same(PrintSettings.AllowAll, PolicySettings.Parse("{}").Settings!.Printing);
        Assert.Null(PrintSettings.AllowAll.Refusal(Parse("TOP SECRET//ALPHA/BRAVO")));
    }

    [Theory]
    [InlineData("""{ "printing": "none" }""", "'printing' must be an object")]
    [InlineData("""{ "printing": { "highestLevel": "SECERT" } }""", "printing.highestLevel 'SECERT' is not a level of scheme")]
    [InlineData("""{ "printing": { "noPrintCompartments": ["ECHO"] } }""", "printing.noPrintCompartments lists \"ECHO\"")]
    [InlineData("""{ "printing": { "colour": true } }""", "printing.colour is unknown")]
    [InlineData("""{ "printer": {} }""", "known: scheme, assurance, recentAuthenticationMinutes, printing")]
    public void Mistakes_in_the_printing_rules_are_named(string json, string expected)
    {
        var (settings, error) = PolicySettings.Parse(json);
        Assert.Null(settings);
        Assert.Contains(expected, error);
    }
}
