using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parley.Protocol.Classification;

/// <summary>
/// The configuration shape of a <see cref="MarkingScheme"/>, as a deployment writes it in JSON.
/// Nothing here is validated; <see cref="MarkingScheme.Create"/> checks it and says what is wrong.
/// </summary>
public sealed record MarkingSchemeDefinition
{
    /// <summary>The scheme's name: lower-case letters, digits and hyphens, e.g. <c>nato</c>.</summary>
    public string? Name { get; init; }

    /// <summary>The levels, lowest first.</summary>
    public IReadOnlyList<LevelDefinition>? Levels { get; init; }

    /// <summary>The compartments the deployment uses; none when absent.</summary>
    public IReadOnlyList<CompartmentDefinition>? Compartments { get; init; }

    /// <summary>The delegation codes releasability markings may name. Absent: any well-formed code.</summary>
    public IReadOnlyList<string>? Delegations { get; init; }
}

/// <summary>One level of a <see cref="MarkingSchemeDefinition"/>.</summary>
public sealed record LevelDefinition
{
    /// <summary>Full name for banners, e.g. <c>TOP SECRET</c>.</summary>
    public string? Name { get; init; }

    /// <summary>Abbreviation for portion marks, e.g. <c>TS</c>.</summary>
    public string? Abbreviation { get; init; }

    /// <summary>Colour key for UI banners, e.g. <c>orange</c>.</summary>
    public string? Colour { get; init; }
}

/// <summary>One compartment of a <see cref="MarkingSchemeDefinition"/>.</summary>
public sealed record CompartmentDefinition
{
    /// <summary>Name for banners, e.g. <c>ALPHA</c>.</summary>
    public string? Name { get; init; }

    /// <summary>Optional abbreviation for portion marks; the name is used when absent.</summary>
    public string? Abbreviation { get; init; }
}

/// <summary>Source-generated JSON for marking schemes (trim-safe in the browser). Unknown fields are
/// refused so that a misspelt setting in a deployment's file is an error, not a silent default.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowDuplicateProperties = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(MarkingSchemeDefinition))]
internal sealed partial class MarkingSchemeJson : JsonSerializerContext;
