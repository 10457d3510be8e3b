namespace Parley.Web.Classification;

/// <summary>
/// What a classification banner shows: the text, e.g. "SECRET//REL TO ATL, BOR", and the level that
/// sets its rank and colour. Banners only render this; whatever builds a marking (today
/// <see cref="ClassificationContext.Raise"/>, later a full label with compartments and CAPCO
/// syntax) owns the text.
/// </summary>
/// <param name="Level">The level, which orders markings and picks the colour.</param>
/// <param name="Text">The banner line.</param>
public sealed record BannerMarking(ClassificationLevel Level, string Text)
{
    /// <summary>The default of every screen.</summary>
    public static BannerMarking Unclassified { get; } = new(ClassificationLevel.Unclassified, "UNCLASSIFIED");

    /// <summary>The rank compared between markings (higher is more sensitive).</summary>
    public int Rank => (int)Level;

    /// <summary>
    /// A marking for <paramref name="level"/> with control markings such as "REL TO ATL, BOR" or
    /// "NOFORN", written in banner order: level first, then each control after "//".
    /// </summary>
    public static BannerMarking Of(ClassificationLevel level, params string[] controls)
    {
        var parts = controls.Select(c => c.Trim().ToUpperInvariant()).Where(c => c.Length > 0).Distinct();
        return new BannerMarking(level, string.Join("//", parts.Prepend(level.BannerName())));
    }
}
