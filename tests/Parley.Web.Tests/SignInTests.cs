using Microsoft.Playwright;

namespace Parley.Web.Tests;

/// <summary>Signing in from the browser with each second factor, and the refusals that matter: a wrong
/// code, a replayed code, a used recovery code, a wrong password when unlocking after a reload.</summary>
[Collection(WebCollection.Name)]
public sealed class SignInTests(WebFixture web)
{
    [Fact]
    public async Task A_member_signs_in_with_a_totp_code_after_a_wrong_one_and_a_replayed_code_is_refused()
    {
        web.FreshMinute();
        var officer = await web.NewDelegationAsync();
        var member = await web.NewMemberAsync(officer);
        await using var session = await web.OpenAsync();

        await session.EnterPasswordAsync(member.Email, member.Password);
        // A wrong code is refused, and the form stays on the second factor (no second key derivation).
        var right = member.NextCode(web.Clock);
        var wrong = ((int.Parse(right, System.Globalization.CultureInfo.InvariantCulture) + 500_000) % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        await session.SubmitCodeAsync(wrong);
        await Assertions.Expect(session.Page.Locator("#signin-error")).ToBeVisibleAsync();
        await Assertions.Expect(session.Page.Locator("#signin-as")).ToContainTextAsync(member.Email);

        await session.SubmitCodeAsync(right);
        await session.ExpectHeadingAsync("Your account");
        await Assertions.Expect(session.Page.Locator("#session-aal")).ToContainTextAsync("AAL2");
        await Assertions.Expect(session.Page.Locator("#whoami")).ToContainTextAsync(member.Delegation!);
        await session.ExpectBannersAsync();

        // The code that just signed in is refused a second time, even with the right password.
        await session.SignOutAsync();
        await session.EnterPasswordAsync(member.Email, member.Password);
        await session.SubmitCodeAsync(right);
        await Assertions.Expect(session.Page.Locator("#signin-error")).ToBeVisibleAsync();
        await Assertions.Expect(session.Page.GetByRole(AriaRole.Heading, new() { Name = "Your account" })).ToHaveCountAsync(0);

        // The server's record agrees: one success between failures.
        var attempts = await new Parley.Client.Flows.SecurityOfficer(officer.Client, WebFixture.Suite).SignInsAsync(officer.Delegation!);
        var mine = attempts.Where(a => a.Email == member.Email).Select(a => a.Outcome).ToList();
        Assert.Contains("succeeded", mine);
        Assert.True(mine.Count(o => o != "succeeded") >= 2, string.Join(", ", mine));
        session.AssertNoUnexpectedProblems();
    }

    [Fact]
    public async Task A_recovery_code_signs_in_once_and_is_refused_the_second_time()
    {
        web.FreshMinute();
        var officer = await web.NewDelegationAsync();
        var member = await web.NewMemberAsync(officer);
        var code = member.RecoveryCodes[3];
        await using var session = await web.OpenAsync();

        await session.EnterPasswordAsync(member.Email, member.Password);
        await UseRecoveryCodeAsync(session, code);
        await session.ExpectHeadingAsync("Your account");
        await Assertions.Expect(session.Page.Locator("#codes-left")).ToContainTextAsync("9 unused recovery codes");

        await session.SignOutAsync();
        await session.EnterPasswordAsync(member.Email, member.Password);
        await UseRecoveryCodeAsync(session, code);
        await Assertions.Expect(session.Page.Locator("#signin-error")).ToBeVisibleAsync();
        await Assertions.Expect(session.Page.GetByRole(AriaRole.Heading, new() { Name = "Your account" })).ToHaveCountAsync(0);

        // Another unused code still works, from the same step: the refusal changed nothing.
        await UseRecoveryCodeAsync(session, member.RecoveryCodes[4]);
        await session.ExpectHeadingAsync("Your account");
        await Assertions.Expect(session.Page.Locator("#codes-left")).ToContainTextAsync("8 unused recovery codes");
        session.AssertNoUnexpectedProblems();
    }

    [Fact]
    public async Task After_a_reload_the_keys_are_locked_until_the_right_password_is_given()
    {
        web.FreshMinute();
        var officer = await web.NewDelegationAsync();
        await using var session = await web.OpenAsync();
        await session.SignInWithCodeAsync(officer, web.Clock, $"Security officer · {officer.Delegation}");

        // The cookie survives the reload; the keys, held only in memory, do not.
        await session.Page.ReloadAsync();
        await session.ExpectHeadingAsync("Unlock your keys");
        await session.ExpectBannersAsync();
        await Assertions.Expect(session.Page.Locator("#unlock-who")).ToContainTextAsync(officer.Email);
        // Nothing of the password is kept in the browser's storage.
        var stored = await session.Page.EvaluateAsync<string>("() => JSON.stringify(Object.assign({}, localStorage))");
        Assert.DoesNotContain(officer.Password, stored, StringComparison.Ordinal);

        await session.Page.GetByLabel("Password").FillAsync("not the password");
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Unlock" }).ClickAsync();
        await Assertions.Expect(session.Page.Locator("#unlock-error")).ToBeVisibleAsync(new() { Timeout = Ui.SlowTimeoutMs });
        await session.ExpectHeadingAsync("Unlock your keys");

        await session.Page.GetByLabel("Password").FillAsync(officer.Password);
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Unlock" }).ClickAsync();
        // Back where the reload happened, with the keys open: the console lists the delegation's members.
        await session.ExpectHeadingAsync($"Security officer · {officer.Delegation}");
        await Assertions.Expect(session.Page.Locator($"#members-table tr[data-email='{officer.Email}']")).ToBeVisibleAsync();
        session.AssertNoUnexpectedProblems();
    }

    private static async Task UseRecoveryCodeAsync(PageSession session, string code)
    {
        await session.Page.Locator("#factor-recovery").CheckAsync();
        await session.Page.Locator("#signin-recovery").FillAsync(code);
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }
}
