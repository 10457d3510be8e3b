using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;

namespace Parley.Web.Classification;

/// <summary>
/// The classification of what is on screen, shown by the banners of the layout. Pages raise it for
/// the content they show; it never goes down while the page is shown, and it resets to UNCLASSIFIED
/// when the user navigates away.
/// </summary>
/// <remarks>
/// The reset must not drop a marking that the next page raised while it was being rendered, and
/// Blazor may render that page before or after this service hears that the location changed. So
/// every raise is stamped with the navigation it belongs to: a navigation that starts opens a new
/// generation, and the one that completes drops the markings of the generations before it. A
/// navigation that is cancelled drops nothing.
/// </remarks>
public sealed class ClassificationContext : IDisposable
{
    private const string ReleasablePrefix = "REL TO ";

    private readonly NavigationManager _navigation;
    private readonly IDisposable _changing;
    private readonly List<Raised> _raised = [];
    private int _generation;

    /// <summary>Listens to <paramref name="navigation"/> to reset on navigation.</summary>
    public ClassificationContext(NavigationManager navigation)
    {
        _navigation = navigation;
        _changing = navigation.RegisterLocationChangingHandler(OnLocationChanging);
        navigation.LocationChanged += OnLocationChanged;
    }

    /// <summary>The marking the banners show now.</summary>
    public BannerMarking Current { get; private set; } = BannerMarking.Unclassified;

    /// <summary>Raised when <see cref="Current"/> changes.</summary>
    public event Action? Changed;

    /// <summary>Raises the screen to at least <paramref name="level"/> (a banner name such as "SECRET"),
    /// with control markings such as "REL TO ATL, BOR" or "NOFORN".</summary>
    /// <exception cref="ArgumentException">The level is not one of the known levels.</exception>
    public void Raise(string level, params string[] controls)
    {
        if (!ClassificationLevels.TryParse(level, out var parsed))
            throw new ArgumentException($"'{level}' is not a classification level.", nameof(level));
        Raise(parsed, controls);
    }

    /// <summary>Raises the screen to at least <paramref name="level"/>, with control markings.</summary>
    public void Raise(ClassificationLevel level, params string[] controls)
    {
        ArgumentNullException.ThrowIfNull(controls);
        _raised.Add(new Raised(level, controls.Select(c => c.Trim().ToUpperInvariant()).Where(c => c.Length > 0).ToArray(), _generation));
        Update();
    }

    private ValueTask OnLocationChanging(LocationChangingContext context)
    {
        _generation++;
        return ValueTask.CompletedTask;
    }

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e)
    {
        _raised.RemoveAll(r => r.Generation < _generation);
        Update();
    }

    private void Update()
    {
        var next = Combine(_raised);
        if (next == Current) return;
        Current = next;
        Changed?.Invoke();
    }

    /// <summary>
    /// The highest level on screen, with every control marking of the classified content:
    /// "REL TO" lists intersect (content is releasable only where all of it is), and content without
    /// a "REL TO" makes the screen releasable nowhere; other controls accumulate.
    /// </summary>
    private static BannerMarking Combine(IReadOnlyList<Raised> raised)
    {
        var classified = raised.Where(r => r.Level > ClassificationLevel.Unclassified).ToList();
        if (classified.Count == 0) return BannerMarking.Unclassified;
        var level = classified.Max(r => r.Level);
        var controls = new List<string>();
        List<string>? releasableTo = null;
        var releasable = true;
        foreach (var item in classified)
        {
            var rel = item.Controls.FirstOrDefault(c => c.StartsWith(ReleasablePrefix, StringComparison.Ordinal));
            if (rel is null)
            {
                releasable = false;
            }
            else
            {
                var countries = rel[ReleasablePrefix.Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                releasableTo = releasableTo is null ? countries.ToList() : releasableTo.Intersect(countries).ToList();
            }
            foreach (var control in item.Controls)
                if (!control.StartsWith(ReleasablePrefix, StringComparison.Ordinal) && !controls.Contains(control)) controls.Add(control);
        }
        if (releasable && releasableTo is { Count: > 0 }) controls.Add(ReleasablePrefix + string.Join(", ", releasableTo));
        return BannerMarking.Of(level, [.. controls]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _changing.Dispose();
        _navigation.LocationChanged -= OnLocationChanged;
    }

    private sealed record Raised(ClassificationLevel Level, string[] Controls, int Generation);
}
