using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Parley.Web.Classification;

namespace Parley.Web.Tests;

/// <summary>
/// The classification shown by the banners, over Blazor's own NavigationManager event machinery
/// (the subclass only supplies the URI bookkeeping that the browser does in the client).
/// </summary>
public sealed class ClassificationContextTests
{
    [Fact]
    public void Starts_unclassified()
    {
        using var context = new ClassificationContext(new Navigation());
        Assert.Equal(BannerMarking.Unclassified, context.Current);
        Assert.Equal("UNCLASSIFIED", context.Current.Text);
        Assert.Equal(0, context.Current.Rank);
    }

    [Fact]
    public void Shows_the_highest_level_raised()
    {
        using var context = new ClassificationContext(new Navigation());
        var changes = 0;
        context.Changed += () => changes++;
        context.Raise("CONFIDENTIAL", "REL TO ATL");
        context.Raise("SECRET", "REL TO ATL");
        context.Raise("RESTRICTED", "REL TO ATL");
        Assert.Equal(new BannerMarking(ClassificationLevel.Secret, "SECRET//REL TO ATL"), context.Current);
        Assert.Equal(3, context.Current.Rank);
        Assert.Equal(2, changes);
        context.Raise("top secret", "rel to atl");
        Assert.Equal("TOP SECRET//REL TO ATL", context.Current.Text);
    }

    [Fact]
    public void Releasability_narrows_to_where_all_content_may_go()
    {
        using var context = new ClassificationContext(new Navigation());
        context.Raise("SECRET", "REL TO ATL, BOR, CAS");
        context.Raise("CONFIDENTIAL", "REL TO BOR, ATL");
        Assert.Equal("SECRET//REL TO ATL, BOR", context.Current.Text);
        context.Raise("RESTRICTED", "NOFORN");
        // Content without a releasability statement is releasable nowhere, so the screen is not either.
        Assert.Equal("SECRET//NOFORN", context.Current.Text);
    }

    [Fact]
    public void Unclassified_content_does_not_change_the_banner()
    {
        using var context = new ClassificationContext(new Navigation());
        context.Raise("SECRET", "REL TO ATL");
        context.Raise("UNCLASSIFIED");
        Assert.Equal("SECRET//REL TO ATL", context.Current.Text);
    }

    [Fact]
    public void An_unknown_level_is_refused_and_changes_nothing()
    {
        using var context = new ClassificationContext(new Navigation());
        Assert.Throws<ArgumentException>(() => context.Raise("COSMIC", "REL TO ATL"));
        Assert.Equal(BannerMarking.Unclassified, context.Current);
    }

    [Fact]
    public async Task Navigating_away_resets_to_unclassified()
    {
        var navigation = new Navigation();
        using var context = new ClassificationContext(navigation);
        context.Raise("SECRET", "REL TO ATL");
        await navigation.GoAsync("selftest");
        Assert.Equal(BannerMarking.Unclassified, context.Current);
    }

    [Fact]
    public async Task The_next_page_keeps_what_it_raised_while_it_was_rendered()
    {
        var navigation = new Navigation();
        ClassificationContext? context = null;
        // The router subscribes before the layout's services exist, so it renders the next page,
        // which raises, before the context hears that the location changed.
        navigation.LocationChanged += (_, _) => context!.Raise("CONFIDENTIAL", "REL TO BOR");
        context = new ClassificationContext(navigation);
        context.Raise("SECRET", "REL TO ATL");
        await navigation.GoAsync("rooms/1");
        Assert.Equal("CONFIDENTIAL//REL TO BOR", context.Current.Text);
        context.Dispose();
    }

    [Fact]
    public async Task A_cancelled_navigation_leaves_the_banner_raised()
    {
        var navigation = new Navigation();
        using var context = new ClassificationContext(navigation);
        context.Raise("SECRET", "REL TO ATL");
        using (navigation.RegisterLocationChangingHandler(changing =>
        {
            changing.PreventNavigation();
            return ValueTask.CompletedTask;
        }))
        {
            await navigation.GoAsync("elsewhere");
        }
        Assert.Equal("SECRET//REL TO ATL", context.Current.Text);
        await navigation.GoAsync("elsewhere");
        Assert.Equal(BannerMarking.Unclassified, context.Current);
    }

    private sealed class Navigation : NavigationManager
    {
        public Navigation() => Initialize("http://parley.test/", "http://parley.test/");

        public async Task GoAsync(string uri)
        {
            if (!await NotifyLocationChangingAsync(ToAbsoluteUri(uri).ToString(), state: null, isNavigationIntercepted: false)) return;
            Uri = ToAbsoluteUri(uri).ToString();
            NotifyLocationChanged(isInterceptedLink: false);
        }

        protected override void NavigateToCore(string uri, NavigationOptions options) => throw new NotSupportedException("Tests navigate with GoAsync.");

        // In the browser this asks the JS side to consult the handlers before every navigation; here
        // GoAsync always does.
        protected override void SetNavigationLockState(bool value)
        {
        }
    }
}
