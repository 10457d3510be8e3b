namespace Parley.Web.Classification;

/// <summary>Classification levels in ascending order; the numeric value is the rank that banners compare.</summary>
public enum ClassificationLevel
{
    /// <summary>UNCLASSIFIED.</summary>
    Unclassified = 0,
    /// <summary>RESTRICTED.</summary>
    Restricted = 1,
    /// <summary>CONFIDENTIAL.</summary>
    Confidential = 2,
    /// <summary>SECRET.</summary>
    Secret = 3,
    /// <summary>TOP SECRET.</summary>
    TopSecret = 4,
}

/// <summary>Names of the levels as banners print them.</summary>
public static class ClassificationLevels
{
    /// <summary>The level as written in a banner, e.g. "TOP SECRET".</summary>
    public static string BannerName(this ClassificationLevel level) => level switch
    {
        ClassificationLevel.Unclassified => "UNCLASSIFIED",
        ClassificationLevel.Restricted => "RESTRICTED",
        ClassificationLevel.Confidential => "CONFIDENTIAL",
        ClassificationLevel.Secret => "SECRET",
        ClassificationLevel.TopSecret => "TOP SECRET",
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    /// <summary>Parses a banner name such as "SECRET" or "TOP SECRET" (case-insensitive).</summary>
    public static bool TryParse(string? text, out ClassificationLevel level)
    {
        foreach (var candidate in Enum.GetValues<ClassificationLevel>())
        {
            if (string.Equals(candidate.BannerName(), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                level = candidate;
                return true;
            }
        }
        level = default;
        return false;
    }
}
