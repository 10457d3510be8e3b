namespace Parley.Web.Components;

/// <summary>Where a classification banner sits on the screen.</summary>
public enum BannerPosition
{
    /// <summary>Above everything else.</summary>
    Top,
    /// <summary>Below everything else.</summary>
    Bottom,
}
