using System.Globalization;
using System.Text.Json;
using Parley.Protocol.Api;
using Parley.Protocol.Classification;

namespace Parley.Server.Policy.Engine;

/// <summary>Labels at or above <see cref="AtOrAbove"/> need a session that proved <see cref="Aal"/> within <see cref="Within"/>.</summary>
/// <param name="AtOrAbove">The lowest level the requirement applies to.</param>
/// <param name="Aal"><see cref="AssuranceLevels.Aal3"/>: a security key (WebAuthn) used within the window;
/// <see cref="AssuranceLevels.Aal2"/>: any second factor proved within the window.</param>
/// <param name="Within">How recent the proof must be.</param>
public sealed record AssuranceRequirement(ClassificationLevel AtOrAbove, string Aal, TimeSpan Within);

/// <summary>Which labels may be printed: up to <see cref="HighestLevel"/> (null: every level) and without any of <see cref="NoPrintCompartments"/>.</summary>
/// <param name="HighestLevel">The highest level allowed on paper, or null for every level.</param>
/// <param name="NoPrintCompartments">Compartments whose documents never leave the screen (names as the scheme spells them).</param>
public sealed record PrintSettings(ClassificationLevel? HighestLevel, IReadOnlyList<string> NoPrintCompartments)
{
    /// <summary>Every level printable, no compartment forbidden.</summary>
    public static PrintSettings AllowAll { get; } = new(null, []);

    /// <summary>Why <paramref name="label"/> may not be printed, or null when it may.</summary>
    public string? Refusal(Label label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var forbidden = label.Compartments.Where(c => NoPrintCompartments.Contains(c, StringComparer.Ordinal)).ToList();
        if (forbidden.Count > 0) return $"Documents in {string.Join(", ", forbidden)} may not be printed: the deployment keeps them on screen.";
        if (HighestLevel is not null && label.Level.Rank > HighestLevel.Rank)
            return $"{label.Level.Name} documents may not be printed; the highest level allowed on paper is {HighestLevel.Name}.";
        return null;
    }
}

/// <summary>
/// A deployment's policy settings: the marking scheme, the assurance each label needs and what may be
/// printed. Read from <c>DATA/policy.json</c> when it exists; otherwise the defaults (the generic scheme;
/// SECRET and above need a security key used within 15 minutes; every label printable).
/// </summary>
/// <example>
/// <code>
/// { "scheme": "nato",
///   "assurance": [ { "atOrAbove": "NATO CONFIDENTIAL", "aal": "AAL2", "withinMinutes": 60 },
///                  { "atOrAbove": "NATO SECRET", "aal": "AAL3", "withinMinutes": 15 } ],
///   "printing": { "highestLevel": "NATO SECRET", "noPrintCompartments": ["ATOMAL"] } }
/// </code>
/// </example>
public sealed record PolicySettings
{
    public const string FileName = "policy.json";

    /// <summary>The scheme labels and clearances are read in.</summary>
    public required MarkingScheme Scheme { get; init; }

    /// <summary>Assurance requirements, lowest level first.</summary>
    public required IReadOnlyList<AssuranceRequirement> Assurance { get; init; }

    /// <summary>How recent a second factor must be for changes that could hand the account to someone else.</summary>
    public TimeSpan RecentAuthentication { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>What may be printed (the print register refuses the rest).</summary>
    public PrintSettings Printing { get; init; } = PrintSettings.AllowAll;

    /// <summary>The defaults: generic scheme, SECRET and above need AAL3 within 15 minutes.</summary>
    public static PolicySettings Default { get; } = new()
    {
        Scheme = MarkingScheme.Generic,
        Assurance = [new AssuranceRequirement(MarkingScheme.Generic.FindLevel("SECRET")!, AssuranceLevels.Aal3, TimeSpan.FromMinutes(15))],
    };

    /// <summary>The requirements a label is subject to.</summary>
    public IEnumerable<AssuranceRequirement> RequirementsFor(Label label) => Assurance.Where(a => label.Level.Rank >= a.AtOrAbove.Rank);

    /// <summary>The settings of a data folder: its <c>policy.json</c>, or the defaults.</summary>
    /// <exception cref="InvalidDataException">The file is not valid; the message says what is wrong.</exception>
    public static PolicySettings Load(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path)) return Default;
        var parsed = Parse(File.ReadAllText(path));
        return parsed.Settings ?? throw new InvalidDataException($"{path}: {parsed.Error}");
    }

    /// <summary>Reads settings from JSON; the error names the field at fault.</summary>
    public static (PolicySettings? Settings, string? Error) Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            return (null, $"not valid JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, "the settings must be a JSON object.");
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name is not ("scheme" or "assurance" or "recentAuthenticationMinutes" or "printing"))
                    return (null, $"unknown setting '{property.Name}' (known: scheme, assurance, recentAuthenticationMinutes, printing).");
            }

            var scheme = MarkingScheme.Generic;
            if (root.TryGetProperty("scheme", out var schemeElement))
            {
                var read = ReadScheme(schemeElement);
                if (read.Error is not null) return (null, read.Error);
                scheme = read.Scheme!;
            }

            var assurance = new List<AssuranceRequirement>();
            if (root.TryGetProperty("assurance", out var list))
            {
                if (list.ValueKind != JsonValueKind.Array) return (null, "'assurance' must be a list of { atOrAbove, aal, withinMinutes }.");
                var index = 0;
                foreach (var item in list.EnumerateArray())
                {
                    var (requirement, error) = ReadRequirement(scheme, item, $"assurance[{index++}]");
                    if (error is not null) return (null, error);
                    assurance.Add(requirement!);
                }
            }
            else
            {
                var secret = scheme.FindLevel("SECRET") ?? scheme.FindLevel("NATO SECRET");
                if (secret is null) return (null, $"scheme {scheme.Name} has no SECRET level, so the default assurance cannot apply; list 'assurance' explicitly.");
                assurance.Add(new AssuranceRequirement(secret, AssuranceLevels.Aal3, TimeSpan.FromMinutes(15)));
            }

            var recent = TimeSpan.FromMinutes(5);
            if (root.TryGetProperty("recentAuthenticationMinutes", out var minutes))
            {
                if (minutes.ValueKind != JsonValueKind.Number || !minutes.TryGetInt32(out var m) || m is < 1 or > 60)
                    return (null, "'recentAuthenticationMinutes' must be a whole number of minutes from 1 to 60.");
                recent = TimeSpan.FromMinutes(m);
            }
            var printing = PrintSettings.AllowAll;
            if (root.TryGetProperty("printing", out var printElement))
            {
                var read = ReadPrinting(scheme, printElement);
                if (read.Error is not null) return (null, read.Error);
                printing = read.Printing!;
            }
            return (new PolicySettings { Scheme = scheme, Assurance = assurance.OrderBy(a => a.AtOrAbove.Rank).ToList(), RecentAuthentication = recent, Printing = printing }, null);
        }
    }

    private static (MarkingScheme? Scheme, string? Error) ReadScheme(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            return element.GetString() switch
            {
                "generic" => (MarkingScheme.Generic, null),
                "nato" => (MarkingScheme.Nato, null),
                var other => (null, $"'scheme' names '{other}'; the built-in schemes are 'generic' and 'nato' (or give a scheme definition object)."),
            };
        }
        if (element.ValueKind != JsonValueKind.Object) return (null, "'scheme' must be 'generic', 'nato' or a scheme definition object.");
        var parsed = MarkingScheme.FromJson(element.GetRawText());
        return parsed.TryGetValue(out var scheme, out var error) ? (scheme, null) : (null, $"'scheme': {error.Message}");
    }

    private static (AssuranceRequirement? Requirement, string? Error) ReadRequirement(MarkingScheme scheme, JsonElement item, string where)
    {
        if (item.ValueKind != JsonValueKind.Object) return (null, $"{where} must be an object {{ atOrAbove, aal, withinMinutes }}.");
        string? levelName = null, aal = null;
        int? minutes = null;
        foreach (var property in item.EnumerateObject())
        {
            switch (property.Name)
            {
                case "atOrAbove" when property.Value.ValueKind == JsonValueKind.String: levelName = property.Value.GetString(); break;
                case "aal" when property.Value.ValueKind == JsonValueKind.String: aal = property.Value.GetString(); break;
                case "withinMinutes" when property.Value.TryGetInt32(out var m): minutes = m; break;
                default: return (null, $"{where}.{property.Name} is unknown or of the wrong type (atOrAbove: a level name, aal: \"AAL2\" or \"AAL3\", withinMinutes: a number).");
            }
        }
        if (levelName is null) return (null, $"{where} needs 'atOrAbove', a level of scheme {scheme.Name}.");
        var level = scheme.FindLevel(levelName);
        if (level is null) return (null, $"{where}.atOrAbove '{levelName}' is not a level of scheme {scheme.Name} ({string.Join(", ", scheme.Levels.Select(l => l.Name))}).");
        if (aal is not (AssuranceLevels.Aal2 or AssuranceLevels.Aal3)) return (null, $"{where}.aal must be \"AAL2\" or \"AAL3\".");
        if (minutes is not { } within || within is < 1 or > 720) return (null, $"{where}.withinMinutes must be 1 to 720.");
        return (new AssuranceRequirement(level, aal, TimeSpan.FromMinutes(within)), null);
    }

    private static (PrintSettings? Printing, string? Error) ReadPrinting(MarkingScheme scheme, JsonElement element)
    {
        const string Shape = "'printing' must be an object { highestLevel, noPrintCompartments }";
        if (element.ValueKind != JsonValueKind.Object) return (null, $"{Shape}.");
        ClassificationLevel? highest = null;
        var compartments = new List<string>();
        foreach (var property in element.EnumerateObject())
        {
            switch (property.Name)
            {
                case "highestLevel" when property.Value.ValueKind == JsonValueKind.String:
                    var name = property.Value.GetString()!;
                    highest = scheme.FindLevel(name);
                    if (highest is null) return (null, $"printing.highestLevel '{name}' is not a level of scheme {scheme.Name} ({string.Join(", ", scheme.Levels.Select(l => l.Name))}).");
                    break;
                case "highestLevel" when property.Value.ValueKind == JsonValueKind.Null:
                    break;
                case "noPrintCompartments" when property.Value.ValueKind == JsonValueKind.Array:
                    foreach (var item in property.Value.EnumerateArray())
                    {
                        var compartment = item.ValueKind == JsonValueKind.String ? scheme.FindCompartment(item.GetString()!) : null;
                        if (compartment is null)
                            return (null, $"printing.noPrintCompartments lists {item.GetRawText()}, which is not a compartment of scheme {scheme.Name} ({string.Join(", ", scheme.Compartments.Select(c => c.Name))}).");
                        if (!compartments.Contains(compartment.Name, StringComparer.Ordinal)) compartments.Add(compartment.Name);
                    }
                    break;
                default:
                    return (null, $"printing.{property.Name} is unknown or of the wrong type (highestLevel: a level name, noPrintCompartments: a list of compartment names).");
            }
        }
        return (new PrintSettings(highest, compartments), null);
    }

    /// <summary>The requirement in words, e.g. "SECRET and above need a security key used within the last 15 minutes".</summary>
    public static string Describe(AssuranceRequirement requirement) =>
        $"{requirement.AtOrAbove.Name} and above need {(requirement.Aal == AssuranceLevels.Aal3 ? "a security key (AAL3)" : "a second factor (AAL2)")} " +
        $"used within the last {requirement.Within.TotalMinutes.ToString(CultureInfo.InvariantCulture)} minutes";
}
