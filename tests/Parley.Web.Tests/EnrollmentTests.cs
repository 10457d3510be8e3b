using Microsoft.Playwright;
using Parley.Protocol.Identity;

namespace Parley.Web.Tests;

/// <summary>A member enrolls in the browser from their officer's link; a link whose root does not match
/// the delegation's is stopped before any password is asked, and a used link is dead.</summary>
[Collection(WebCollection.Name)]
public sealed class EnrollmentTests(WebFixture web)
{
    [Fact]
    public async Task A_member_enrolls_from_an_invitation_and_the_link_then_is_dead()
    {
        web.FreshMinute();
        var officer = await web.NewDelegationAsync();
        var email = $"newcomer-{Guid.NewGuid():N}@{officer.Delegation!.ToLowerInvariant()}.example";
        var fragment = new Uri(await web.LinkAsync(officer, email, Roles.Member | Roles.HeadOfDelegation)).Fragment;
        Assert.Contains("root=", fragment, StringComparison.Ordinal);

        // The same link with one digit of the root fingerprint changed: the browser refuses before a password is typed.
        await using (var forged = await web.OpenAsync())
        {
            await forged.GoAsync("enroll" + TamperRoot(fragment));
            await Assertions.Expect(forged.Page.Locator("#enroll-refused")).ToContainTextAsync("Stop.");
            Assert.Equal(0, await forged.Page.Locator("#enroll-password").CountAsync());
            await forged.ExpectBannersAsync();
        }

        await using var session = await web.OpenAsync();
        await session.GoAsync("enroll" + fragment);
        await Assertions.Expect(session.Page.Locator("#enroll-email")).ToHaveTextAsync(email);
        await Assertions.Expect(session.Page.Locator("#enroll-roles")).ToHaveTextAsync("member, head of delegation");
        await Assertions.Expect(session.Page.Locator("#enroll-trust")).ToContainTextAsync("Root of trust checked");
        await session.ExpectBannersAsync();

        // Passwords that differ are caught here, before the slow key derivation.
        await session.Page.GetByLabel("Display name").FillAsync("Newcomer");
        await session.Page.GetByLabel("New password", new() { Exact = true }).FillAsync("a long enough passphrase");
        await session.Page.GetByLabel("Repeat the password").FillAsync("a different passphrase");
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(session.Page.Locator("#enroll-error")).ToContainTextAsync("differ");

        var enrolled = await session.CompleteAsync(web.Clock, "Newcomer", "a long enough passphrase");
        Assert.Equal(10, enrolled.RecoveryCodes.Distinct().Count());
        await session.ConfirmCodesStoredAsync();
        await session.ExpectHeadingAsync("Your account");
        await Assertions.Expect(session.Page.Locator("#session-email")).ToHaveTextAsync(email);
        await Assertions.Expect(session.Page.Locator("#this-device")).ToBeVisibleAsync();

        // The officer sees the new member, with the browser's device.
        var members = await new Parley.Client.Flows.SecurityOfficer(officer.Client, WebFixture.Suite).MembersAsync(officer.Delegation);
        Assert.Equal(1, members.Single(m => m.User.Email == email).ActiveDevices);

        // The link worked once.
        await using var again = await web.OpenAsync();
        await again.GoAsync("enroll" + fragment);
        await Assertions.Expect(again.Page.Locator("#enroll-open-error")).ToContainTextAsync("cannot be used");
        session.AssertNoUnexpectedProblems();
    }

    private static string TamperRoot(string fragment)
    {
        var at = fragment.IndexOf("root=", StringComparison.Ordinal) + "root=".Length;
        var digit = fragment[at] == '0' ? '1' : '0';
        return string.Concat(fragment.AsSpan(0, at), digit.ToString(), fragment.AsSpan(at + 1));
    }
}
