using Microsoft.Playwright;
using Parley.Client.Flows;

namespace Parley.Web.Tests;

/// <summary>The security officer's console: enrollment links, clearance certificates signed in the
/// browser, device revocation, sign-in attempts; each checked against what the server then holds.</summary>
[Collection(WebCollection.Name)]
public sealed class OfficerConsoleTests(WebFixture web)
{
    [Fact]
    public async Task An_officer_invites_certifies_a_clearance_and_revokes_a_members_device()
    {
        web.FreshMinute();
        var officer = await web.NewDelegationAsync();
        var member = await web.NewMemberAsync(officer);
        var code = officer.Delegation!;
        await using var session = await web.OpenAsync();
        await session.SignInWithCodeAsync(officer, web.Clock, $"Security officer · {code}");
        await session.ExpectBannersAsync();
        var page = session.Page;

        // Invite: the link carries this delegation's root, the officer's own identity key.
        var invitee = $"invitee-{Guid.NewGuid():N}@{code.ToLowerInvariant()}.example";
        await page.GetByLabel("Email address").FillAsync(invitee);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create the enrollment link" }).ClickAsync();
        await session.ExpectStatusAsync($"Enrollment link created for {invitee}");
        var link = await page.Locator("#enrollment-link").InputValueAsync();
        Assert.StartsWith(web.BaseAddress + "enroll#token=", link);
        var root = Convert.ToHexStringLower(officer.Enrolled.Account.Identity.PublicKey.Fingerprint());
        Assert.Contains("root=" + root, link, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("#enrollments-table")).ToContainTextAsync(invitee);
        var pending = await officer.Client.ListEnrollmentsAsync(code);
        Assert.Contains(pending, e => e.Email == invitee && e.Status == "pending");

        // Certify: signed in this browser with the officer's key; the server accepted it and lists it.
        await page.GetByLabel("Member", new() { Exact = true }).SelectOptionAsync(member.Email);
        await page.GetByLabel("Level").SelectOptionAsync("SECRET");
        await page.GetByLabel("Valid for (days)").FillAsync("90");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign and issue" }).ClickAsync();
        await session.ExpectStatusAsync($"Clearance SECRET issued to {member.Email}");
        await Assertions.Expect(page.Locator($"#members-table tr[data-email='{member.Email}'] .member-clearance")).ToContainTextAsync("SECRET");
        var clearances = await officer.Client.ListClearancesAsync(code);
        var issued = Assert.Single(clearances, c => c.SubjectEmail == member.Email);
        Assert.Equal("SECRET", issued.Level);
        Assert.Null(issued.RevokedAt);

        // Revoke the member's device (the one the test process registered), with a reason.
        var deviceRow = page.Locator($"#delegation-devices-table tr[data-email='{member.Email}']");
        await Assertions.Expect(deviceRow).ToHaveCountAsync(1);
        await deviceRow.GetByRole(AriaRole.Button).ClickAsync();
        await page.Locator("#officer-device-revoke-reason").FillAsync("Laptop reported lost");
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke the device" }).ClickAsync();
        await session.ExpectStatusAsync($"of {member.Email} revoked");
        await Assertions.Expect(deviceRow.Locator(".device-state")).ToContainTextAsync("revoked");
        var devices = await new SecurityOfficer(officer.Client, WebFixture.Suite).DevicesAsync(code);
        Assert.NotNull(Assert.Single(devices, d => d.UserId == member.UserId).RevokedAt);

        // The officer's own sign-in is in the attempts table.
        await page.Locator("#signins-refresh").ClickAsync();
        await Assertions.Expect(page.Locator("#signins-table")).ToContainTextAsync(officer.Email);
        session.AssertNoUnexpectedProblems();
    }
}
