using Microsoft.Playwright;
using Parley.Client.Flows;
using Parley.Protocol.Identity;

namespace Parley.Web.Tests;

/// <summary>
/// Security keys through Chromium's virtual authenticator (DevTools WebAuthn domain): registration
/// on the account page, a policy denial that only a security key lifts (SECRET needs AAL3) answered
/// in the step-up prompt and retried, and sign-in with the key at AAL3.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class SecurityKeyTests(WebFixture web)
{
    [Fact]
    public async Task A_registered_security_key_lifts_an_aal3_denial_by_step_up_and_signs_in_at_aal3()
    {
        web.FreshMinute();
        var officer = await web.NewDelegationAsync();
        var member = await web.NewMemberAsync(officer);
        await new SecurityOfficer(officer.Client, WebFixture.Suite).CertifyAsync(officer.Enrolled.Account.Identity, officer.Delegation!,
            new ClearanceRequest(member.Email, "SECRET", [], Roles.Member, TimeSpan.FromDays(30), web.Clock.GetUtcNow().AddDays(180)));

        await using var session = await web.OpenAsync();
        await session.AddVirtualAuthenticatorAsync();
        await session.SignInWithCodeAsync(member, web.Clock, "Your account");
        await Assertions.Expect(session.Page.Locator("#keys-none")).ToBeVisibleAsync();
        await session.Page.GetByLabel("Name of the new key").FillAsync("Virtual key");
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Register a security key" }).ClickAsync();
        await session.ExpectStatusAsync("Security key “Virtual key” registered");
        await Assertions.Expect(session.Page.Locator("#keys-table")).ToContainTextAsync("Virtual key");

        // SECRET needs a security key proved in the last 15 minutes; this session has a code from the app only.
        await session.NavigateAsync("access", "My access");
        await session.ExpectBannersAsync();
        await session.Page.GetByLabel("Resource").FillAsync("label:SECRET");
        await session.Page.GetByLabel("Action").SelectOptionAsync("read");
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();
        var dialog = session.Page.Locator("#stepup-dialog");
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(session.Page.Locator("#stepup-reason")).ToContainTextAsync("security key");
        // A code from the app would not lift this refusal, so the prompt does not ask for one.
        Assert.Equal(0, await session.Page.Locator("#stepup-code").CountAsync());
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Use a security key" }).ClickAsync();
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        // The check ran again after the step-up, and is now permitted.
        await Assertions.Expect(session.Page.Locator("#access-decision-verdict")).ToHaveTextAsync("permit");
        await Assertions.Expect(session.Page.Locator("#whoami")).ToContainTextAsync("AAL3");

        // Signing in with the key alone as the second factor gives an AAL3 session.
        await session.SignOutAsync();
        await session.EnterPasswordAsync(member.Email, member.Password);
        await session.Page.Locator("#factor-key").CheckAsync();
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await session.ExpectHeadingAsync("Your account");
        await Assertions.Expect(session.Page.Locator("#session-aal")).ToContainTextAsync("AAL3");
        await Assertions.Expect(session.Page.Locator("#session-strong")).Not.ToHaveTextAsync("—");
        session.AssertNoUnexpectedProblems();
    }
}
