using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Parley.Web.Tests;

/// <summary>What a person does in the web client, in words a test reads: go to a page, sign in, read a value.</summary>
public static class Ui
{
    /// <summary>WebAssembly start-up, Argon2id and post-quantum key generation in the browser take a while on a busy machine.</summary>
    public const float SlowTimeoutMs = 120_000;

    /// <summary>Opens <paramref name="path"/> and waits until the client has started (the banners are drawn).</summary>
    public static async Task GoAsync(this PageSession session, string path)
    {
        session.Page.SetDefaultTimeout(SlowTimeoutMs);
        await session.Page.GotoAsync(path);
        await Assertions.Expect(session.Page.Locator(".classification-banner--top")).ToBeVisibleAsync(new() { Timeout = SlowTimeoutMs });
    }

    /// <summary>Waits for a heading of the page.</summary>
    public static Task ExpectHeadingAsync(this PageSession session, string text) =>
        Assertions.Expect(session.Page.GetByRole(AriaRole.Heading, new() { Name = text, Level = 1 })).ToBeVisibleAsync(new() { Timeout = SlowTimeoutMs });

    /// <summary>Signs in from the sign-in page with a TOTP code, and waits for the start page.</summary>
    public static async Task SignInWithCodeAsync(this PageSession session, Person person, TestClock clock, string expectedHeading)
    {
        await session.EnterPasswordAsync(person.Email, person.Password);
        await session.SubmitCodeAsync(person.NextCode(clock));
        await session.ExpectHeadingAsync(expectedHeading);
    }

    /// <summary>Goes to the sign-in page, enters the email and password, and waits for the second-factor step.</summary>
    public static async Task EnterPasswordAsync(this PageSession session, string email, string password)
    {
        if (!session.Page.Url.Contains("/signin", StringComparison.Ordinal)) await session.GoAsync("signin");
        await session.ExpectHeadingAsync("Sign in");
        await session.Page.GetByLabel("Email").FillAsync(email);
        await session.Page.GetByLabel("Password").FillAsync(password);
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(session.Page.Locator("#signin-as")).ToContainTextAsync(email, new() { Timeout = SlowTimeoutMs });
    }

    /// <summary>On the second-factor step: enters an authenticator code and signs in.</summary>
    public static async Task SubmitCodeAsync(this PageSession session, string code)
    {
        await session.Page.GetByLabel("Code from my authenticator app").CheckAsync();
        await session.Page.GetByLabel("Authenticator code").FillAsync(code);
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>Expects an alert (error message) with this text.</summary>
    public static Task ExpectAlertAsync(this PageSession session, string pattern) =>
        Assertions.Expect(session.Page.GetByRole(AriaRole.Alert).Filter(new() { HasTextRegex = new Regex(pattern) })).ToBeVisibleAsync(new() { Timeout = SlowTimeoutMs });

    /// <summary>Expects a status message with this text.</summary>
    public static Task ExpectStatusAsync(this PageSession session, string pattern) =>
        Assertions.Expect(session.Page.GetByRole(AriaRole.Status).Filter(new() { HasTextRegex = new Regex(pattern) })).ToBeVisibleAsync(new() { Timeout = SlowTimeoutMs });

    /// <summary>Moves to <paramref name="path"/> inside the running client (no reload, so open keys stay open), and waits for the heading.</summary>
    public static async Task NavigateAsync(this PageSession session, string path, string expectedHeading)
    {
        await session.Page.EvaluateAsync("path => Blazor.navigateTo(path)", path);
        await session.ExpectHeadingAsync(expectedHeading);
    }

    /// <summary>Expects the classification banners at the top and bottom of the screen.</summary>
    public static async Task ExpectBannersAsync(this PageSession session, string marking = "UNCLASSIFIED")
    {
        await Assertions.Expect(session.Page.Locator(".classification-banner")).ToHaveCountAsync(2);
        await Assertions.Expect(session.Page.Locator(".classification-banner--top")).ToHaveTextAsync(marking);
        await Assertions.Expect(session.Page.Locator(".classification-banner--bottom")).ToHaveTextAsync(marking);
    }

    /// <summary>Signs out with the button in the masthead and waits for the sign-in page.</summary>
    public static async Task SignOutAsync(this PageSession session)
    {
        await session.Page.Locator("#sign-out").ClickAsync();
        await session.ExpectHeadingAsync("Sign in");
    }

    /// <summary>
    /// A virtual authenticator in this page's browser context, through Chromium's DevTools protocol: a
    /// platform authenticator (CTAP2, internal transport) with resident keys and user verification that
    /// always succeeds, so WebAuthn ceremonies complete without a person touching a key.
    /// </summary>
    public static async Task<string> AddVirtualAuthenticatorAsync(this PageSession session)
    {
        var cdp = await session.Context.NewCDPSessionAsync(session.Page);
        await cdp.SendAsync("WebAuthn.enable", new Dictionary<string, object> { ["enableUI"] = false });
        var added = await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
        return added!.Value.GetProperty("authenticatorId").GetString()!;
    }

    /// <summary>Asserts nothing went wrong in the page that the test did not provoke.</summary>
    public static void AssertNoUnexpectedProblems(this PageSession session)
    {
        var problems = session.UnexpectedProblems;
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}

/// <summary>What the browser's enrollment gave the person: their authenticator and recovery codes.</summary>
public sealed record BrowserEnrollment(AuthenticatorApp App, IReadOnlyList<string> RecoveryCodes);

public static class EnrollmentPage
{
    /// <summary>Fills in the enrollment form (name, password twice), continues, and submits the first code
    /// computed from the secret on the page; returns what the recovery-code screen shows.</summary>
    public static async Task<BrowserEnrollment> CompleteAsync(this PageSession session, TestClock clock, string name, string password)
    {
        await session.EnterAccountAsync(name, password);
        return await session.SubmitFirstCodeAsync(clock);
    }

    /// <summary>Fills in the name and the password twice, continues, and waits until the keys are made and the authenticator secret is shown.</summary>
    public static async Task EnterAccountAsync(this PageSession session, string name, string password)
    {
        var page = session.Page;
        await page.GetByLabel("Display name").FillAsync(name);
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync(password);
        await page.GetByLabel("Repeat the password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(page.Locator("#enroll-totp-secret")).ToBeVisibleAsync(new() { Timeout = Ui.SlowTimeoutMs });
    }

    /// <summary>Submits the first code, computed from the secret on the page only now, so that it is fresh.</summary>
    public static async Task<BrowserEnrollment> SubmitFirstCodeAsync(this PageSession session, TestClock clock)
    {
        var page = session.Page;
        var secret = await page.Locator("#enroll-totp-secret").InnerTextAsync();
        var step = AuthenticatorApp.Step(clock);
        await page.GetByLabel("First code from the app").FillAsync(AuthenticatorApp.Code(secret, clock));
        await page.GetByRole(AriaRole.Button, new() { Name = "Create my account" }).ClickAsync();
        var codes = page.Locator("#recovery-codes li");
        await Assertions.Expect(codes).ToHaveCountAsync(10, new() { Timeout = Ui.SlowTimeoutMs });
        return new BrowserEnrollment(new AuthenticatorApp(secret, step), await codes.AllInnerTextsAsync());
    }

    /// <summary>Confirms the recovery codes are stored (the button stays disabled until then) and continues.</summary>
    public static async Task ConfirmCodesStoredAsync(this PageSession session, string id = "recovery-codes")
    {
        var proceed = session.Page.Locator($"#{id}-continue");
        await Assertions.Expect(proceed).ToBeDisabledAsync();
        await session.Page.GetByLabel("I have stored these codes somewhere safe").CheckAsync();
        await proceed.ClickAsync();
    }
}
