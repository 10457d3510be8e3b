using Microsoft.Playwright;
using Parley.Client.Flows;
using Parley.Protocol.Identity;

namespace Parley.Web.Tests;

/// <summary>The access policy in the browser: a member sees why they are refused and which rules
/// decided; an officer explains decisions rule by rule, records training, suspends and reinstates.</summary>
[Collection(WebCollection.Name)]
public sealed class PolicyTests(WebFixture web)
{
    [Fact]
    public async Task A_denial_shows_the_policys_reason_and_deciding_rules_and_a_suspension_applies_at_the_next_request()
    {
        web.FreshMinute();
        var officer = await web.NewDelegationAsync();
        var member = await web.NewMemberAsync(officer);
        await using var session = await web.OpenAsync();
        await session.SignInWithCodeAsync(member, web.Clock, "Your account");
        await session.NavigateAsync("access", "My access");
        var page = session.Page;

        // Not cleared at all: refused, with the reason a person reads and the rule that decided.
        await page.GetByLabel("Resource").FillAsync("label:CONFIDENTIAL");
        await page.GetByLabel("Action").SelectOptionAsync("read");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();
        var error = page.Locator("#access-error");
        await Assertions.Expect(error).ToContainTextAsync("Denied:");
        await Assertions.Expect(error).ToContainTextAsync("clearance");
        await Assertions.Expect(error.Locator("code.policy-rule")).ToContainTextAsync(["forbid.no-clearance", "forbid.training-expired"]);
        Assert.Equal(0, await page.Locator("#stepup-dialog").CountAsync());
        await session.ExpectBannersAsync();

        // Cleared CONFIDENTIAL with current training: permitted.
        await new SecurityOfficer(officer.Client, WebFixture.Suite).CertifyAsync(officer.Enrolled.Account.Identity, officer.Delegation!,
            new ClearanceRequest(member.Email, "CONFIDENTIAL", [], Roles.Member, TimeSpan.FromDays(30), web.Clock.GetUtcNow().AddDays(180)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();
        await Assertions.Expect(page.Locator("#access-decision-verdict")).ToHaveTextAsync("permit");
        await Assertions.Expect(error).ToHaveCountAsync(0);

        // Suspended by the officer: the same question is refused at once, and says why.
        await officer.Client.SuspendAsync(officer.Delegation!, member.Email, "Under review");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check" }).ClickAsync();
        await Assertions.Expect(error).ToContainTextAsync("Denied:");
        await Assertions.Expect(error.Locator("code.policy-rule")).ToContainTextAsync(["forbid.account-suspended"]);
        await Assertions.Expect(page.Locator("#access-decision-verdict")).ToHaveCountAsync(0);
        session.AssertNoUnexpectedProblems();
    }

    [Fact]
    public async Task An_officer_explains_decisions_rule_by_rule_records_training_and_suspends_and_reinstates()
    {
        web.FreshMinute();
        var officer = await web.NewDelegationAsync();
        var member = await web.NewMemberAsync(officer);
        var code = officer.Delegation!;
        await using var session = await web.OpenAsync();
        await session.SignInWithCodeAsync(officer, web.Clock, $"Security officer · {code}");
        await session.Page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Access policy" }).ClickAsync();
        await session.ExpectHeadingAsync($"Access policy · {code}");
        await session.ExpectBannersAsync();
        var page = session.Page;

        // Explain: every rule evaluated is listed, the deciding one marked, and the verdict matches the server's.
        await page.GetByLabel("Member", new() { Exact = true }).First.SelectOptionAsync(member.Email);
        await page.Locator("#explain-action").SelectOptionAsync("read");
        await page.Locator("#explain-resource").FillAsync("label:CONFIDENTIAL");
        await page.GetByRole(AriaRole.Button, new() { Name = "Explain" }).ClickAsync();
        await Assertions.Expect(page.Locator("#explain-decision-verdict")).ToHaveTextAsync("deny");
        var expected = await officer.Client.ExplainAsync(member.Email, "label:CONFIDENTIAL", "read");
        Assert.Equal("deny", expected.Decision);
        await Assertions.Expect(page.Locator("#explain-decision-reason")).ToHaveTextAsync(expected.Reason);
        await Assertions.Expect(page.Locator("#explain-decision-rules tbody tr")).ToHaveCountAsync(expected.Rules.Count);
        await Assertions.Expect(page.Locator("#explain-decision-rules tr[data-rule='forbid.no-clearance'] .rule-matched-cell")).ToHaveTextAsync("yes, decided");
        await Assertions.Expect(page.Locator("#explain-decision-rules tr[data-rule='permit.member-content'] .rule-matched-cell")).ToHaveTextAsync("yes");

        // Once cleared, the same question is permitted.
        await new SecurityOfficer(officer.Client, WebFixture.Suite).CertifyAsync(officer.Enrolled.Account.Identity, code,
            new ClearanceRequest(member.Email, "CONFIDENTIAL", [], Roles.Member, TimeSpan.FromDays(30), web.Clock.GetUtcNow().AddDays(180)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Explain" }).ClickAsync();
        await Assertions.Expect(page.Locator("#explain-decision-verdict")).ToHaveTextAsync("permit");
        await Assertions.Expect(page.Locator("#explain-decision-deciding code.policy-rule")).ToContainTextAsync(["permit.member-content"]);

        // Training: a recorded course is listed as current.
        await page.Locator("#training-user").SelectOptionAsync(member.Email);
        await page.GetByLabel("Course").FillAsync("Confidentiality 2026");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record the course" }).ClickAsync();
        await session.ExpectStatusAsync($"Confidentiality 2026 recorded for {member.Email}");
        await Assertions.Expect(page.Locator($"#training-table tr[data-email='{member.Email}'] .training-state")).ToHaveTextAsync("current");

        // A grant on something that needs no need-to-know is refused with the server's reason.
        await page.Locator("#grant-user").SelectOptionAsync(member.Email);
        await page.Locator("#grant-resource").FillAsync("label:CONFIDENTIAL");
        await page.GetByRole(AriaRole.Button, new() { Name = "Grant" }).ClickAsync();
        await Assertions.Expect(page.Locator("#grant-error")).ToContainTextAsync("nothing to grant");
        Assert.Empty(await officer.Client.ListGrantsAsync(code));

        // Suspend with a reason: the explanation now names the suspension; reinstating lifts it.
        var row = page.Locator($"#accounts-table tr[data-email='{member.Email}']");
        await row.GetByRole(AriaRole.Button, new() { Name = $"Suspend {member.Email}" }).ClickAsync();
        await page.Locator("#suspend-reason").FillAsync("Under review");
        await page.GetByRole(AriaRole.Button, new() { Name = "Suspend the account" }).ClickAsync();
        await session.ExpectStatusAsync($"{member.Email} is suspended");
        await Assertions.Expect(row.Locator(".account-state")).ToHaveTextAsync("suspended");
        await page.GetByRole(AriaRole.Button, new() { Name = "Explain" }).ClickAsync();
        await Assertions.Expect(page.Locator("#explain-decision-verdict")).ToHaveTextAsync("deny");
        await Assertions.Expect(page.Locator("#explain-decision-rules tr[data-rule='forbid.account-suspended'] .rule-matched-cell")).ToHaveTextAsync("yes, decided");

        await row.GetByRole(AriaRole.Button, new() { Name = $"Reinstate {member.Email}" }).ClickAsync();
        await session.ExpectStatusAsync($"{member.Email} is reinstated");
        await Assertions.Expect(row.Locator(".account-state")).ToHaveTextAsync("active");
        // The officer cannot suspend themselves: the page offers no button on their own row.
        Assert.Equal(0, await page.Locator($"#accounts-table tr[data-email='{officer.Email}'] button").CountAsync());
        session.AssertNoUnexpectedProblems();
    }
}
