using Microsoft.Playwright;

namespace Parley.Web.Tests;

/// <summary>A new server set up entirely in the browser: bootstrap, host administrator, delegation, first officer.</summary>
[Collection(WebCollection.Name)]
public sealed class SetupTests(WebFixture web)
{
    [Fact]
    public async Task A_new_server_is_set_up_in_the_browser_and_its_first_officer_founds_a_delegation()
    {
        var server = await web.StartServerAsync();
        var token = server.BootstrapToken;

        // The bootstrap token makes the host administrator.
        await using var admin = await web.OpenAsync(server);
        await admin.GoAsync("setup");
        await admin.Page.GetByLabel("Bootstrap token").FillAsync(token);
        await admin.Page.GetByLabel("Your email address").FillAsync("host@venue.example");
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(admin.Page.Locator("#enroll-email")).ToHaveTextAsync("host@venue.example");
        await Assertions.Expect(admin.Page.Locator("#enroll-roles")).ToHaveTextAsync("host administrator");
        await admin.EnterAccountAsync("Host", "correct horse battery staple");
        // The QR code is an image of the server's SVG, never markup in the page.
        await Assertions.Expect(admin.Page.Locator("#enroll-totp-qr")).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("^data:image/svg\\+xml;base64,"));
        Assert.Equal(0, await admin.Page.Locator("main svg").CountAsync());
        await Assertions.Expect(admin.Page.Locator("#enroll-totp-uri")).ToContainTextAsync("otpauth://totp/");
        var enrolled = await admin.SubmitFirstCodeAsync(server.Clock);
        Assert.Equal(10, enrolled.RecoveryCodes.Distinct().Count());
        await admin.ConfirmCodesStoredAsync();
        await admin.ExpectHeadingAsync("Host administration");
        Assert.False(File.Exists(Path.Combine(server.DataDirectory, "bootstrap-token")));

        // The host administrator creates a delegation and its first officer's link.
        await admin.Page.GetByLabel("Code", new() { Exact = true }).FillAsync("ATL");
        await admin.Page.GetByLabel("Name", new() { Exact = true }).FillAsync("Atlantis");
        await admin.Page.GetByLabel("Nationality").FillAsync("Atlantean");
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Create the delegation" }).ClickAsync();
        await admin.ExpectStatusAsync("Delegation ATL created");
        var row = admin.Page.Locator("#delegations-table tr[data-code=ATL]");
        await Assertions.Expect(row.Locator(".delegation-root")).ToContainTextAsync("none yet");
        await Assertions.Expect(admin.Page.GetByLabel("Delegation", new() { Exact = true })).ToHaveValueAsync("ATL");
        await admin.Page.GetByLabel("Email address").FillAsync("so@atl.example");
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Create the enrollment link" }).ClickAsync();
        var link = await admin.Page.Locator("#officer-link").InputValueAsync();
        Assert.StartsWith(server.BrowserAddress + "enroll#token=", link);
        Assert.DoesNotContain("root=", link);

        // The officer opens the link in their own browser and founds the delegation's root of trust.
        await using var officer = await web.OpenAsync(server);
        await officer.GoAsync(link);
        await Assertions.Expect(officer.Page.Locator("#enroll-delegation")).ToHaveTextAsync("ATL · Atlantis · Atlantean");
        await Assertions.Expect(officer.Page.Locator("#enroll-trust")).ToContainTextAsync("first security officer of ATL");
        await officer.CompleteAsync(server.Clock, "Officer of Atlantis", "a long officer passphrase");
        var founded = await officer.Page.Locator("#enroll-root-founded .fingerprint").InnerTextAsync();
        await officer.ConfirmCodesStoredAsync();
        await officer.ExpectHeadingAsync("Security officer · ATL");

        // The administrator's list now shows the root the officer's browser made.
        await admin.Page.GetByRole(AriaRole.Link, new() { Name = "Home" }).ClickAsync();
        await admin.Page.GetByRole(AriaRole.Link, new() { Name = "Administration" }).ClickAsync();
        await Assertions.Expect(row.Locator(".delegation-root")).ToHaveTextAsync(founded);

        admin.AssertNoUnexpectedProblems();
        officer.AssertNoUnexpectedProblems();
    }
}
