using System.Collections.Immutable;
using System.Text.Json;
using Parley.Protocol.Identity;

namespace Parley.Protocol.Classification;

/// <summary>
/// A deployment's classification markings: ordered levels, the compartments it uses, and the
/// delegation codes releasability may name. Immutable and validated; labels are read and printed
/// through it. Two built-in schemes exist (<see cref="Generic"/>, <see cref="Nato"/>); a deployment
/// may load its own with <see cref="FromJson"/>.
/// </summary>
public sealed class MarkingScheme
{
    /// <summary>Most levels a scheme may have.</summary>
    public const int MaxLevels = 16;
    /// <summary>Most compartments a scheme may have.</summary>
    public const int MaxCompartments = 32;
    /// <summary>Most delegation codes a closed vocabulary may list.</summary>
    public const int MaxDelegations = 256;
    /// <summary>Longest level name, in characters.</summary>
    public const int MaxLevelNameLength = 32;
    /// <summary>Longest level abbreviation, in characters.</summary>
    public const int MaxLevelAbbreviationLength = 8;
    /// <summary>Longest compartment name or abbreviation, in characters.</summary>
    public const int MaxCompartmentLength = 16;
    /// <summary>Largest JSON definition <see cref="FromJson"/> reads, in characters.</summary>
    public const int MaxJsonLength = 64 * 1024;

    // Words that introduce or end a releasability category; a compartment so named would be read as one.
    // Declared before the built-in schemes because their validation reads it during type initialisation.
    private static readonly string[] ReservedWords = ["REL", "TO", "EYES", "ONLY"];

    private readonly Dictionary<string, ClassificationLevel> _levelsByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ClassificationLevel> _levelsByAbbreviation = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Compartment> _compartmentsByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Compartment> _compartmentsByAbbreviation = new(StringComparer.Ordinal);
    private readonly ImmutableHashSet<string>? _delegations;

    private MarkingScheme(string name, IReadOnlyList<ClassificationLevel> levels, IReadOnlyList<Compartment> compartments, IReadOnlyList<string>? delegations)
    {
        Name = name;
        Levels = levels;
        Compartments = compartments;
        Delegations = delegations;
        foreach (var level in levels)
        {
            _levelsByName[level.Name] = level;
            _levelsByAbbreviation[level.Abbreviation] = level;
        }
        foreach (var compartment in compartments)
        {
            _compartmentsByName[compartment.Name] = compartment;
            _compartmentsByAbbreviation[compartment.Abbreviation] = compartment;
        }
        _delegations = delegations?.ToImmutableHashSet(StringComparer.Ordinal);
        LatticeKey = string.Join("\n", levels.Select(l => $"{l.Name}|{l.Abbreviation}")) + "\n\n" + string.Join("\n", compartments.Select(c => $"{c.Name}|{c.Abbreviation}"));
        Lowest = new Label(this, levels[0], ImmutableSortedSet.Create<string>(StringComparer.Ordinal), Releasability.Unrestricted);
    }

    /// <summary>
    /// The default scheme: UNCLASSIFIED (U) &lt; RESTRICTED (R) &lt; CONFIDENTIAL (C) &lt; SECRET (S)
    /// &lt; TOP SECRET (TS); compartments ALPHA, BRAVO, CHARLIE and DELTA for demonstrations (a
    /// deployment lists its own); any well-formed delegation code.
    /// </summary>
    public static MarkingScheme Generic { get; } = Create(new MarkingSchemeDefinition
    {
        Name = "generic",
        Levels =
        [
            new() { Name = "UNCLASSIFIED", Abbreviation = "U", Colour = "green" },
            new() { Name = "RESTRICTED", Abbreviation = "R", Colour = "purple" },
            new() { Name = "CONFIDENTIAL", Abbreviation = "C", Colour = "blue" },
            new() { Name = "SECRET", Abbreviation = "S", Colour = "red" },
            new() { Name = "TOP SECRET", Abbreviation = "TS", Colour = "orange" },
        ],
        Compartments = [new() { Name = "ALPHA" }, new() { Name = "BRAVO" }, new() { Name = "CHARLIE" }, new() { Name = "DELTA" }],
    }).Value;

    /// <summary>
    /// A NATO-style scheme: NATO UNCLASSIFIED (NU) &lt; NATO RESTRICTED (NR) &lt; NATO CONFIDENTIAL (NC)
    /// &lt; NATO SECRET (NS) &lt; COSMIC TOP SECRET (CTS); NATO's special categories ATOMAL, BOHEMIA
    /// and CRYPTO as compartments; any well-formed delegation code.
    /// </summary>
    public static MarkingScheme Nato { get; } = Create(new MarkingSchemeDefinition
    {
        Name = "nato",
        Levels =
        [
            new() { Name = "NATO UNCLASSIFIED", Abbreviation = "NU", Colour = "green" },
            new() { Name = "NATO RESTRICTED", Abbreviation = "NR", Colour = "purple" },
            new() { Name = "NATO CONFIDENTIAL", Abbreviation = "NC", Colour = "blue" },
            new() { Name = "NATO SECRET", Abbreviation = "NS", Colour = "red" },
            new() { Name = "COSMIC TOP SECRET", Abbreviation = "CTS", Colour = "orange" },
        ],
        Compartments = [new() { Name = "ATOMAL" }, new() { Name = "BOHEMIA" }, new() { Name = "CRYPTO" }],
    }).Value;

    /// <summary>The scheme's name, e.g. <c>generic</c>.</summary>
    public string Name { get; }

    /// <summary>The levels, lowest first; a level's <see cref="ClassificationLevel.Rank"/> is its index.</summary>
    public IReadOnlyList<ClassificationLevel> Levels { get; }

    /// <summary>The compartments, in the order the definition lists them.</summary>
    public IReadOnlyList<Compartment> Compartments { get; }

    /// <summary>The delegation codes releasability may name, or null when any well-formed code is accepted.</summary>
    public IReadOnlyList<string>? Delegations { get; }

    /// <summary>The lowest label: the lowest level, no compartments, unrestricted. Every label dominates it.</summary>
    public Label Lowest { get; }

    /// <summary>What makes labels comparable: the ordered levels and the compartments, with their markings.</summary>
    private string LatticeKey { get; }

    /// <summary>True when labels of the two schemes may be compared and combined: the same levels in
    /// the same order and the same compartments, each marked the same way. The delegation vocabularies
    /// may differ; they only limit what is parsed or created.</summary>
    public bool IsCompatibleWith(MarkingScheme other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return ReferenceEquals(this, other) || string.Equals(LatticeKey, other.LatticeKey, StringComparison.Ordinal);
    }

    /// <summary>The level with this full name, or null.</summary>
    public ClassificationLevel? FindLevel(string name) => name is not null && _levelsByName.TryGetValue(name, out var level) ? level : null;

    /// <summary>The compartment with this name, or null.</summary>
    public Compartment? FindCompartment(string name) => name is not null && _compartmentsByName.TryGetValue(name, out var compartment) ? compartment : null;

    internal ClassificationLevel? FindLevelByAbbreviation(string abbreviation) => _levelsByAbbreviation.GetValueOrDefault(abbreviation);

    internal Compartment? FindCompartmentByAbbreviation(string abbreviation) => _compartmentsByAbbreviation.GetValueOrDefault(abbreviation);

    /// <summary>True when releasability markings may name <paramref name="code"/>: a well-formed code
    /// that the scheme lists, or any well-formed code when the scheme lists none.</summary>
    public bool AcceptsDelegation(string code) => DelegationCode.IsValid(code) && (_delegations is null || _delegations.Contains(code));

    /// <summary>Reads a banner marking such as <c>SECRET//ALPHA/BRAVO//REL TO ATL, BOR</c>. Only the
    /// canonical form is accepted; the error names the problem, its position and a likely fix.</summary>
    public Result<Label> ParseBanner(string marking) => MarkingParser.Parse(this, marking, portion: false);

    /// <summary>Reads a portion mark such as <c>(S//ALPHA//REL TO ATL)</c>. Only the canonical form is
    /// accepted; the error names the problem, its position and a likely fix.</summary>
    public Result<Label> ParsePortionMark(string marking) => MarkingParser.Parse(this, marking, portion: true);

    /// <summary>The same scheme with another delegation vocabulary (null: any well-formed code), e.g.
    /// when the host creates a delegation. Labels of both schemes remain comparable.</summary>
    public Result<MarkingScheme> WithDelegations(IEnumerable<string>? delegations) =>
        Create(ToDefinition() with { Delegations = delegations?.ToList() });

    /// <summary>The definition this scheme was built from, normalised.</summary>
    public MarkingSchemeDefinition ToDefinition() => new()
    {
        Name = Name,
        Levels = Levels.Select(l => new LevelDefinition { Name = l.Name, Abbreviation = l.Abbreviation, Colour = l.Colour }).ToList(),
        Compartments = Compartments.Select(c => new CompartmentDefinition { Name = c.Name, Abbreviation = c.Abbreviation == c.Name ? null : c.Abbreviation }).ToList(),
        Delegations = Delegations?.ToList(),
    };

    /// <summary>The scheme as JSON, in the form <see cref="FromJson"/> reads.</summary>
    public string ToJson() => JsonSerializer.Serialize(ToDefinition(), MarkingSchemeJson.Default.MarkingSchemeDefinition);

    /// <summary>Reads and validates a scheme from JSON; a typed error naming the problem otherwise.</summary>
    public static Result<MarkingScheme> FromJson(string json)
    {
        if (string.IsNullOrWhiteSpace(json)) return Result<MarkingScheme>.Fail(ProtocolErrorCode.Malformed, "The marking scheme is empty.");
        if (json.Length > MaxJsonLength) return Result<MarkingScheme>.Fail(ProtocolErrorCode.LimitExceeded, $"The marking scheme is longer than {MaxJsonLength} characters.");
        MarkingSchemeDefinition? definition;
        try
        {
            definition = JsonSerializer.Deserialize(json, MarkingSchemeJson.Default.MarkingSchemeDefinition);
        }
        catch (JsonException e)
        {
            return Result<MarkingScheme>.Fail(ProtocolErrorCode.Malformed, $"The marking scheme is not valid: {e.Message}");
        }
        if (definition is null) return Result<MarkingScheme>.Fail(ProtocolErrorCode.Malformed, "The marking scheme is null.");
        return Create(definition);
    }

    /// <summary>Validates a definition: a name, one to <see cref="MaxLevels"/> levels, each with a name,
    /// abbreviation and colour, no name or abbreviation used twice, compartments and delegation codes
    /// well formed and unique.</summary>
    public static Result<MarkingScheme> Create(MarkingSchemeDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var problem = Validate(definition);
        if (problem is not null) return Result<MarkingScheme>.Fail(problem.Value.Code, problem.Value.Message);

        var levels = definition.Levels!.Select((l, i) => new ClassificationLevel(i, l.Name!, l.Abbreviation!, l.Colour!)).ToList();
        var compartments = (definition.Compartments ?? []).Select(c => new Compartment(c.Name!, c.Abbreviation ?? c.Name!)).ToList();
        return new MarkingScheme(definition.Name!, levels, compartments, definition.Delegations?.ToList());
    }

    private static (ProtocolErrorCode Code, string Message)? Validate(MarkingSchemeDefinition definition)
    {
        static (ProtocolErrorCode, string) Bad(string message) => (ProtocolErrorCode.Malformed, message);

        if (definition.Name is null) return Bad("The scheme has no name.");
        if (!IsSchemeName(definition.Name)) return Bad($"The scheme name {Quote.Token(definition.Name)} must be 1 to 32 lower-case letters, digits or hyphens, starting with a letter or digit.");

        var levels = definition.Levels;
        if (levels is null || levels.Count == 0) return Bad("The scheme has no level; it needs at least one.");
        if (levels.Count > MaxLevels) return (ProtocolErrorCode.LimitExceeded, $"The scheme has {levels.Count} levels; at most {MaxLevels} are allowed.");
        var levelTokens = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < levels.Count; i++)
        {
            var level = levels[i];
            var where = $"levels[{i}]";
            if (level is null) return Bad($"{where} is null.");
            if (level.Name is null) return Bad($"{where} has no name.");
            if (!IsLevelName(level.Name)) return Bad($"{where}.name {Quote.Token(level.Name)} must be capital words (A-Z, 0-9, inner hyphens) separated by single spaces, at most {MaxLevelNameLength} characters.");
            if (level.Abbreviation is null) return Bad($"{where} ({level.Name}) has no abbreviation.");
            if (!IsToken(level.Abbreviation, MaxLevelAbbreviationLength)) return Bad($"{where}.abbreviation {Quote.Token(level.Abbreviation)} must be one capital word of at most {MaxLevelAbbreviationLength} characters.");
            if (level.Colour is null) return Bad($"{where} ({level.Name}) has no colour.");
            if (!IsColour(level.Colour)) return Bad($"{where}.colour {Quote.Token(level.Colour)} must be 1 to 32 lower-case letters, digits or hyphens, starting with a letter.");
            foreach (var token in new[] { level.Name, level.Abbreviation }.Distinct(StringComparer.Ordinal))
            {
                if (levelTokens.TryGetValue(token, out var other))
                    return Bad($"{where} uses {Quote.Token(token)}, already used by levels[{other}] ({levels[other].Name}); level names and abbreviations must all differ.");
                levelTokens[token] = i;
            }
        }

        var compartments = definition.Compartments ?? [];
        if (compartments.Count > MaxCompartments) return (ProtocolErrorCode.LimitExceeded, $"The scheme has {compartments.Count} compartments; at most {MaxCompartments} are allowed.");
        var compartmentTokens = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < compartments.Count; i++)
        {
            var compartment = compartments[i];
            var where = $"compartments[{i}]";
            if (compartment is null) return Bad($"{where} is null.");
            if (compartment.Name is null) return Bad($"{where} has no name.");
            if (!IsToken(compartment.Name, MaxCompartmentLength)) return Bad($"{where}.name {Quote.Token(compartment.Name)} must be one capital word (A-Z, 0-9, inner hyphens) of at most {MaxCompartmentLength} characters.");
            if (compartment.Abbreviation is not null && !IsToken(compartment.Abbreviation, MaxCompartmentLength))
                return Bad($"{where}.abbreviation {Quote.Token(compartment.Abbreviation)} must be one capital word of at most {MaxCompartmentLength} characters.");
            foreach (var token in new[] { compartment.Name, compartment.Abbreviation ?? compartment.Name }.Distinct(StringComparer.Ordinal))
            {
                if (ReservedWords.Contains(token)) return Bad($"{where} uses {Quote.Token(token)}, which markings reserve for releasability.");
                if (compartmentTokens.TryGetValue(token, out var other))
                    return Bad($"{where} uses {Quote.Token(token)}, already used by compartments[{other}] ({compartments[other].Name}); compartment names and abbreviations must all differ.");
                compartmentTokens[token] = i;
            }
        }

        if (definition.Delegations is { } delegations)
        {
            if (delegations.Count == 0) return Bad("The scheme lists no delegation; list at least one, or leave 'delegations' out to accept any well-formed code.");
            if (delegations.Count > MaxDelegations) return (ProtocolErrorCode.LimitExceeded, $"The scheme lists {delegations.Count} delegations; at most {MaxDelegations} are allowed.");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < delegations.Count; i++)
            {
                if (!DelegationCode.IsValid(delegations[i])) return Bad($"delegations[{i}] {Quote.Token(delegations[i])} is not a delegation code (2 to 8 capital letters).");
                if (!seen.Add(delegations[i])) return Bad($"delegations[{i}] {Quote.Token(delegations[i])} is listed twice.");
            }
        }
        return null;
    }

    private static bool IsSchemeName(string name) =>
        name.Length is >= 1 and <= 32 && IsLowerAlphanumeric(name[0]) && name.All(c => IsLowerAlphanumeric(c) || c == '-');

    private static bool IsColour(string colour) =>
        colour.Length is >= 1 and <= 32 && colour[0] is >= 'a' and <= 'z' && colour.All(c => IsLowerAlphanumeric(c) || c == '-');

    private static bool IsLowerAlphanumeric(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');

    private static bool IsLevelName(string name) =>
        name.Length <= MaxLevelNameLength && name.Split(' ').All(word => IsToken(word, MaxLevelNameLength));

    /// <summary>A capital word: starts with A-Z, then A-Z, 0-9 and single inner hyphens.</summary>
    internal static bool IsToken(string token, int maxLength)
    {
        if (token.Length == 0 || token.Length > maxLength || token[0] is < 'A' or > 'Z' || token[^1] == '-') return false;
        for (var i = 1; i < token.Length; i++)
        {
            var c = token[i];
            if (c == '-' && token[i - 1] == '-') return false;
            if (c is not ((>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-')) return false;
        }
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"marking scheme {Name}";
}
