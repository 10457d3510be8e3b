using Parley.Client.Verification;
using Microsoft.Playwright;
using Parley.Client.Flows;
using Parley.Client.Rooms;
using Parley.Protocol.Identity;

namespace Parley.Web.Tests;

/// <summary>
/// Rooms in the browser against a real server: a member of one delegation reads, in the room's banner
/// and with portion marks, what a member of another delegation wrote with the SDK (as the CLI does),
/// answers from the browser, sees a refusal with the policy's reason, and compares a safety number.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class RoomsPageTests(WebFixture web)
{
    [Fact]
    public async Task A_member_reads_and_answers_across_delegations_in_the_browser_with_banners_portion_marks_and_safety_numbers()
    {
        web.FreshMinute();
        var atlOfficer = await web.NewDelegationAsync();
        var borOfficer = await web.NewDelegationAsync();
        var atl = atlOfficer.Delegation!;
        var bor = borOfficer.Delegation!;
        var writer = await web.NewMemberAsync(atlOfficer, name: "writer");
        var reader = await web.NewMemberAsync(borOfficer, name: "reader");
        await CertifyAsync(atlOfficer, writer, "CONFIDENTIAL");
        await CertifyAsync(borOfficer, reader, "CONFIDENTIAL");

        // The reader signs in in the browser first, so that their browser's device exists when the room's keys go out.
        await using var session = await web.OpenAsync();
        await session.SignInWithCodeAsync(reader, web.Clock, "Your account");

        var parties = string.Join(", ", new[] { atl, bor }.Order(StringComparer.Ordinal));
        var label = $"CONFIDENTIAL//REL TO {parties}";
        await using var sdk = await RoomsClient.OpenAsync(writer.Client, writer.Store, WebFixture.Suite, writer.Enrolled.Account.Identity, web.Clock);
        var room = await sdk.CreateRoomAsync($"Talks {atl}-{bor}", label, [atl, bor]);
        await sdk.AddMemberAsync(room.Id, reader.Email);
        await sdk.SendAsync(room.Id, "Opening position: inspections at 30 days' notice.");

        // The list shows the room and its label; the room raises the banners to its label.
        await session.NavigateAsync("rooms", "Rooms");
        var row = session.Page.Locator($"tr[data-room='{room.Name}']");
        await Assertions.Expect(row).ToContainTextAsync(label);
        await row.GetByRole(AriaRole.Link).ClickAsync();
        await session.ExpectHeadingAsync(room.Name);
        await session.ExpectBannersAsync($"CONFIDENTIAL//REL TO {parties}");
        var messages = session.Page.Locator("#messages li");
        await Assertions.Expect(messages).ToHaveCountAsync(1, new() { Timeout = 60_000 });
        await Assertions.Expect(messages.First.Locator(".text")).ToHaveTextAsync("Opening position: inspections at 30 days' notice.");
        await Assertions.Expect(messages.First.Locator(".portion")).ToHaveTextAsync($"(C//REL TO {parties})");
        await Assertions.Expect(messages.First.Locator(".sender")).ToContainTextAsync(writer.Email);

        // An answer from the browser reaches the SDK member, decrypted.
        await session.Page.Locator("#message-text").FillAsync("We can accept 45 days.");
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Assertions.Expect(session.Page.Locator("#send-done")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        var update = await sdk.SyncAsync(room.Id);
        Assert.Equal(["We can accept 45 days."], update.Messages.Select(m => m.Text));
        Assert.Equal(reader.Email, update.Messages[0].SenderEmail);

        // A portion below the room's label is a write-down: refused, with the policy's reason and rule.
        await session.Page.Locator("#message-text").FillAsync("lower");
        await session.Page.GetByLabel("Portion label (the room's when empty)").FillAsync($"RESTRICTED//REL TO {parties}");
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        var error = session.Page.Locator("#send-error");
        await Assertions.Expect(error).ToContainTextAsync("write-down", new() { Timeout = 60_000 });
        await Assertions.Expect(error.Locator("code.policy-rule")).ToContainTextAsync(["forbid.write-down"]);

        // The safety number with the writer, the same the writer computes; marked verified.
        var member = session.Page.Locator($"tr[data-member='{writer.Email}']");
        await member.GetByRole(AriaRole.Button, new() { Name = "Safety number" }).ClickAsync();
        var theirs = await new ContactVerificationFor(writer).CheckAsync(reader.Email);
        await Assertions.Expect(session.Page.Locator("#safety-number-digits")).ToHaveTextAsync(theirs.SafetyNumber!.Formatted);
        // The QR code holds the same two users and keys: the image is the one the writer's client would draw.
        await Assertions.Expect(session.Page.Locator("#safety-number-qr")).ToHaveAttributeAsync("src", SafetyNumberQr.SvgDataUri(theirs.SafetyNumber!));
        await session.Page.Locator("#mark-verified").ClickAsync();
        await Assertions.Expect(member.Locator(".verification")).ToContainTextAsync("verified");
        await Assertions.Expect(member.Locator(".verification")).Not.ToContainTextAsync("not verified");
        session.AssertNoUnexpectedProblems();
    }

    [Fact]
    public async Task The_label_picker_offers_only_what_the_member_may_write_and_a_room_is_created_in_the_browser()
    {
        web.FreshMinute();
        var officer = await web.NewDelegationAsync();
        var member = await web.NewMemberAsync(officer, name: "creator");
        await CertifyAsync(officer, member, "CONFIDENTIAL");

        await using var session = await web.OpenAsync();
        await session.SignInWithCodeAsync(member, web.Clock, "Your account");
        await session.NavigateAsync("rooms", "Rooms");

        // Cleared CONFIDENTIAL: the levels up to it, nothing above, and no compartment.
        await Assertions.Expect(session.Page.Locator("#room-level option")).ToHaveTextAsync(["UNCLASSIFIED", "RESTRICTED", "CONFIDENTIAL"], new() { Timeout = 60_000 });
        await Assertions.Expect(session.Page.Locator("#no-writable-label")).ToHaveCountAsync(0);
        await Assertions.Expect(session.Page.Locator("input[data-compartment]")).ToHaveCountAsync(0);

        var name = $"Drafting {officer.Delegation}";
        await session.Page.Locator("#room-name").FillAsync(name);
        await session.Page.Locator("#room-level").SelectOptionAsync("CONFIDENTIAL");
        await Assertions.Expect(session.Page.Locator("#room-label-preview")).ToHaveTextAsync($"CONFIDENTIAL//REL TO {officer.Delegation}");
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await session.ExpectHeadingAsync(name);
        await session.ExpectBannersAsync($"CONFIDENTIAL//REL TO {officer.Delegation}");

        // The server holds the room with that label, created by this member.
        var rooms = await member.Client.ListRoomsAsync();
        var created = Assert.Single(rooms, r => r.Name == name);
        Assert.Equal($"CONFIDENTIAL//REL TO {officer.Delegation}", created.Label);
        session.AssertNoUnexpectedProblems();
    }

    private Task CertifyAsync(Person officer, Person member, string level) =>
        new SecurityOfficer(officer.Client, WebFixture.Suite).CertifyAsync(officer.Enrolled.Account.Identity, officer.Delegation!,
            new ClearanceRequest(member.Email, level, [], Roles.Member, TimeSpan.FromDays(30), web.Clock.GetUtcNow().AddDays(180)));

    private sealed class ContactVerificationFor(Person person)
    {
        public Task<Parley.Client.Verification.ContactStatus> CheckAsync(string email) =>
            new Parley.Client.Verification.ContactVerification(person.Client, person.Store, WebFixture.Suite).CheckAsync(email);
    }
}
