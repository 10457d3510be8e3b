namespace Parley.Protocol.Classification;

/// <summary>
/// One level of a <see cref="MarkingScheme"/>, e.g. SECRET. Levels are totally ordered by
/// <see cref="Rank"/>; only a scheme creates them, so a level always belongs to one scheme.
/// </summary>
public sealed record ClassificationLevel
{
    internal ClassificationLevel(int rank, string name, string abbreviation, string colour)
    {
        Rank = rank;
        Name = name;
        Abbreviation = abbreviation;
        Colour = colour;
    }

    /// <summary>Position in the scheme, 0 for the lowest level.</summary>
    public int Rank { get; }

    /// <summary>The full name, written in banners: <c>TOP SECRET</c>.</summary>
    public string Name { get; }

    /// <summary>The abbreviation, written in portion marks: <c>TS</c>.</summary>
    public string Abbreviation { get; }

    /// <summary>A colour key for UI banners (lower case, e.g. <c>red</c>); the UI maps it to a colour.</summary>
    public string Colour { get; }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>A compartment a scheme knows, e.g. ALPHA. Holding a label's compartments is a condition of access.</summary>
public sealed record Compartment
{
    internal Compartment(string name, string abbreviation)
    {
        Name = name;
        Abbreviation = abbreviation;
    }

    /// <summary>The name, written in banners.</summary>
    public string Name { get; }

    /// <summary>The token written in portion marks; the name itself when the scheme gives no abbreviation.</summary>
    public string Abbreviation { get; }

    /// <inheritdoc />
    public override string ToString() => Name;
}
