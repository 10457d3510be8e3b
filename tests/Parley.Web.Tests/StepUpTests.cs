using Microsoft.Playwright;

namespace Parley.Web.Tests;

/// <summary>The step-up prompt: an action that needs a second factor proved in the last minutes opens
/// it, a wrong code is refused in it, the right one raises the session and the action continues.</summary>
[Collection(WebCollection.Name)]
public sealed class StepUpTests(WebFixture web)
{
    [Fact]
    public async Task Replacing_recovery_codes_after_a_while_asks_for_a_fresh_code_then_continues()
    {
        web.FreshMinute();
        var officer = await web.NewDelegationAsync();
        var member = await web.NewMemberAsync(officer);
        await using var session = await web.OpenAsync();
        await session.SignInWithCodeAsync(member, web.Clock, "Your account");

        // Six minutes on: still signed in (idle limit 30), but the second factor is no longer fresh (5).
        web.Clock.Advance(TimeSpan.FromMinutes(6));
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Replace my recovery codes" }).ClickAsync();
        var dialog = session.Page.Locator("#stepup-dialog");
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(session.Page.Locator("#stepup-reason")).ToContainTextAsync("Confirm it is you");
        // The page behind the prompt takes no input while it is open; the banners stay.
        await Assertions.Expect(session.Page.Locator(".page-body")).ToHaveAttributeAsync("inert", "");
        await session.ExpectBannersAsync();

        var right = member.NextCode(web.Clock);
        var wrong = right[..5] + (right[5] == '0' ? '1' : '0');
        await session.Page.GetByLabel("Code from your authenticator app").FillAsync(wrong);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await Assertions.Expect(session.Page.Locator("#stepup-error")).ToBeVisibleAsync();
        await Assertions.Expect(session.Page.Locator("#new-recovery-codes")).ToHaveCountAsync(0);

        await session.Page.GetByLabel("Code from your authenticator app").FillAsync(right);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        var codes = session.Page.Locator("#new-recovery-codes li");
        await Assertions.Expect(codes).ToHaveCountAsync(10);
        var fresh = await codes.AllInnerTextsAsync();
        Assert.Empty(fresh.Intersect(member.RecoveryCodes));
        await session.ConfirmCodesStoredAsync("new-recovery-codes");
        await session.ExpectStatusAsync("New recovery codes in use");

        // Cancelling the prompt leaves things as they were and says so.
        web.Clock.Advance(TimeSpan.FromMinutes(6));
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Replace my recovery codes" }).ClickAsync();
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(session.Page.Locator("#codes-error")).ToContainTextAsync("Not done");
        await Assertions.Expect(session.Page.Locator("#codes-left")).ToContainTextAsync("10 unused recovery codes");
        session.AssertNoUnexpectedProblems();
    }
}
