using System.Text;
using Microsoft.Playwright;
using Parley.Client.Documents;
using Parley.Client.Flows;
using Parley.Client.Rooms;
using Parley.Protocol.Identity;

namespace Parley.Web.Tests;

/// <summary>
/// Documents in the browser against a real server: a head of delegation uploads a portion-marked text
/// with a progress bar, reads its marked view under its banner, adds a version and compares, initials
/// it, downloads and prints it (a PDF rendered in WebAssembly); a tampered blob is refused with no file
/// offered; a document destroyed by the delegation's officer through the SDK vanishes from the open page,
/// which shows the destruction certificate.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class DocumentsPageTests(WebFixture web)
{
    [Fact]
    public async Task A_head_of_delegation_uploads_compares_initials_downloads_and_prints_and_sees_tampering_and_destruction()
    {
        web.FreshMinute();
        var officer = await web.NewDelegationAsync();
        var code = officer.Delegation!;
        var head = await web.NewMemberAsync(officer, Roles.Member | Roles.HeadOfDelegation, name: "head");
        await CertifyAsync(officer, officer, "CONFIDENTIAL");
        await CertifyAsync(officer, head, "CONFIDENTIAL");

        // The head signs in in the browser first, so that the browser's device is there when the room's keys go out.
        await using var session = await web.OpenAsync();
        await session.SignInWithCodeAsync(head, web.Clock, "Your account");
        var downloads = 0;
        session.Page.Download += (_, _) => Interlocked.Increment(ref downloads);

        var label = $"CONFIDENTIAL//REL TO {code}";
        await using var officerRooms = await RoomsClient.OpenAsync(officer.Client, officer.Store, WebFixture.Suite, officer.Enrolled.Account.Identity, web.Clock);
        var officerDocuments = DocumentsClient.Open(officerRooms, officer.Enrolled.Account.Identity);
        var room = await officerRooms.CreateRoomAsync($"Drafting {code}", label, [code]);
        await officerRooms.AddMemberAsync(room.Id, head.Email);
        // The room's first epoch is made here, on the server's clock: other tests of the collection move that
        // clock ahead of the browser's, and the server takes a roster only within 5 minutes of its own time.
        await officerRooms.SendAsync(room.Id, $"(U) Drafting for {code} starts.");

        // From the room to its documents.
        await session.NavigateAsync($"room?id={room.Id}", room.Name);
        await session.Page.Locator("#room-documents").ClickAsync();
        await session.ExpectHeadingAsync("Documents");
        await Assertions.Expect(session.Page.Locator("#documents-empty")).ToBeVisibleAsync(new() { Timeout = Ui.SlowTimeoutMs });

        // A portion-marked Markdown text: its banner is computed from the portions, and the bar reaches 100 %.
        var first = Text(code, "Geneva");
        await session.Page.Locator("#upload-file").SetInputFilesAsync(new FilePayload { Name = "protocol.md", MimeType = "text/markdown", Buffer = first });
        await Assertions.Expect(session.Page.Locator("#upload-title")).ToHaveValueAsync("protocol.md");
        await session.Page.Locator("#upload-submit").ClickAsync();
        await Assertions.Expect(session.Page.Locator("#upload-done")).ToContainTextAsync(label, new() { Timeout = Ui.SlowTimeoutMs });
        await Assertions.Expect(session.Page.Locator("#upload-percent")).ToHaveTextAsync("100 %");
        await Assertions.Expect(session.Page.Locator("#upload-progress")).ToHaveAttributeAsync("value", first.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var row = session.Page.Locator("tr[data-title='protocol.md']");
        await Assertions.Expect(row.Locator(".document-label")).ToHaveTextAsync(label);
        await Assertions.Expect(row.Locator(".document-version")).ToHaveTextAsync("1");
        await session.ExpectBannersAsync(label);
        var document = Assert.Single(await officerDocuments.ListAsync(room.Id));
        Assert.Equal(label, document.Label);

        // The document page: banner at the version's label, the marked text as text (portion marks included).
        await row.GetByRole(AriaRole.Link, new() { Name = "protocol.md" }).ClickAsync();
        await session.ExpectHeadingAsync("protocol.md");
        await session.ExpectBannersAsync(label);
        var text = session.Page.Locator("#document-text");
        await Assertions.Expect(text).ToContainTextAsync($"(C//REL TO {code})", new() { Timeout = Ui.SlowTimeoutMs });
        await Assertions.Expect(text).ToContainTextAsync("Geneva");
        Assert.Equal(0, await session.Page.Locator("#document-text h1").CountAsync());
        // Only officers destroy or see the print register.
        await Assertions.Expect(session.Page.Locator("#destroy-start")).ToHaveCountAsync(0);

        // A second version, then "Compare with" version 1: one word removed, one added.
        var second = Text(code, "Vienna");
        await session.Page.Locator("#version-file").SetInputFilesAsync(new FilePayload { Name = "protocol.md", MimeType = "text/markdown", Buffer = second });
        await session.Page.Locator("#version-submit").ClickAsync();
        await Assertions.Expect(session.Page.Locator("#version-done")).ToContainTextAsync("Version 2 uploaded", new() { Timeout = Ui.SlowTimeoutMs });
        await Assertions.Expect(session.Page.Locator("#version-percent")).ToHaveTextAsync("100 %");
        await Assertions.Expect(text).ToContainTextAsync("Vienna", new() { Timeout = Ui.SlowTimeoutMs });
        await Assertions.Expect(session.Page.Locator("#version-picker")).ToHaveValueAsync("2");
        await session.Page.Locator("#compare-with").SelectOptionAsync("1");
        await session.Page.Locator("#compare").ClickAsync();
        await Assertions.Expect(session.Page.Locator("#diff del.diff-removed")).ToContainTextAsync(["Geneva"], new() { Timeout = Ui.SlowTimeoutMs });
        await Assertions.Expect(session.Page.Locator("#diff ins.diff-added")).ToContainTextAsync(["Vienna"]);

        // The head initials version 2 ad referendum; the page shows it, and that nothing is agreed yet.
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Initial ad referendum" }).ClickAsync();
        await Assertions.Expect(session.Page.Locator("#endorse-done")).ToContainTextAsync("initialled version 2", new() { Timeout = Ui.SlowTimeoutMs });
        var initial = session.Page.Locator("#endorsements tr[data-kind='Initial'][data-version='2']");
        await Assertions.Expect(initial).ToContainTextAsync(code);
        await Assertions.Expect(initial).ToContainTextAsync(head.Email);
        await Assertions.Expect(initial).ToContainTextAsync("counts");
        await Assertions.Expect(session.Page.Locator("#agreed")).ToContainTextAsync("Not agreed");

        // Download: the verified plaintext, as uploaded.
        var saved = await session.Page.RunAndWaitForDownloadAsync(() => session.Page.Locator("#download").ClickAsync(), new() { Timeout = Ui.SlowTimeoutMs });
        Assert.Equal("protocol.md", saved.SuggestedFilename);
        Assert.Equal(second, await File.ReadAllBytesAsync((await saved.PathAsync())!));
        await Assertions.Expect(session.Page.Locator("#download-percent")).ToHaveTextAsync("100 %");

        // Print: registered as copy 1, rendered with PDFsharp in the browser and offered as copy-1.pdf.
        var printed = await session.Page.RunAndWaitForDownloadAsync(() => session.Page.Locator("#print").ClickAsync(), new() { Timeout = Ui.SlowTimeoutMs });
        Assert.Equal("copy-1.pdf", printed.SuggestedFilename);
        var pdf = await File.ReadAllBytesAsync((await printed.PathAsync())!);
        Assert.Equal("%PDF", Encoding.ASCII.GetString(pdf, 0, 4));
        await Assertions.Expect(session.Page.Locator("#print-done")).ToContainTextAsync("Copy 1 registered");
        var register = await officerDocuments.PrintRegisterAsync(document.Id);
        Assert.Equal(head.UserId, Assert.Single(register).RecipientUserId);

        // A blob tampered on the server's disk: the text and the download are refused as tampered, and no file is offered.
        var annex = await officerDocuments.UploadAsync(room.Id, new MemoryStream(Text(code, "Annex")), new DocumentUpload("annex.md", "text/markdown"));
        var blob = Path.Combine(web.Server.DataDirectory, "documents", annex.Id.ToString("N"), "1.bin");
        var bytes = await File.ReadAllBytesAsync(blob);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(blob, bytes);
        await session.NavigateAsync($"document?id={annex.Id}", "annex.md");
        await Assertions.Expect(session.Page.Locator("#text-error")).ToContainTextAsync("Tampered", new() { Timeout = Ui.SlowTimeoutMs });
        await Assertions.Expect(session.Page.Locator("#document-text")).ToHaveCountAsync(0);
        var before = downloads;
        await session.Page.Locator("#download").ClickAsync();
        await Assertions.Expect(session.Page.Locator("#download-error")).ToContainTextAsync("Tampered", new() { Timeout = Ui.SlowTimeoutMs });
        await session.Page.WaitForTimeoutAsync(1_000);
        Assert.Equal(before, downloads);

        // Destroyed by the officer through the SDK while the head has it open: the hub's event drops the text; the certificate is shown.
        await session.NavigateAsync($"document?id={document.Id}", "protocol.md");
        await Assertions.Expect(text).ToContainTextAsync("Vienna", new() { Timeout = Ui.SlowTimeoutMs });
        var destroyed = await officerDocuments.DestroyAsync(document.Id, "Superseded by the agreed text");
        var shown = session.Page.Locator("#document-destroyed");
        await Assertions.Expect(shown).ToContainTextAsync("destroyed", new() { Timeout = Ui.SlowTimeoutMs });
        await Assertions.Expect(session.Page.Locator("#document-text")).ToHaveCountAsync(0);
        await Assertions.Expect(session.Page.Locator("#certificate-id")).ToHaveTextAsync(destroyed.Certificate.Body.CertificateId.ToString());
        await Assertions.Expect(session.Page.Locator("#certificate-reason")).ToHaveTextAsync("Superseded by the agreed text");
        await Assertions.Expect(session.Page.Locator("#certificate-remaining")).ToHaveTextAsync("0");
        await Assertions.Expect(session.Page.Locator("#certificate-method")).ToContainTextAsync("cryptographic erase");
        await Assertions.Expect(session.Page.Locator("#certificate-signature")).ToContainTextAsync("verified");

        // Opened afresh, the page says the same; the list marks it destroyed.
        await session.NavigateAsync($"documents?room={room.Id}", "Documents");
        await Assertions.Expect(session.Page.Locator($"tr[data-document='{document.Id}'] .document-state")).ToHaveTextAsync("destroyed", new() { Timeout = Ui.SlowTimeoutMs });
        await session.NavigateAsync($"document?id={document.Id}", "protocol.md");
        await Assertions.Expect(session.Page.Locator("#certificate-reason")).ToHaveTextAsync("Superseded by the agreed text", new() { Timeout = Ui.SlowTimeoutMs });
        session.AssertNoUnexpectedProblems();
    }

    // A short protocol text: headings unclassified, the body CONFIDENTIAL releasable to the delegation.
    private static byte[] Text(string code, string city) => Encoding.UTF8.GetBytes($"""
        # (U) Protocol on inspections

        (C//REL TO {code}) Inspections take place with thirty days of notice, at the sites listed in the annex.

        (C//REL TO {code}) The commission meets in {city} twice each year.

        (U) This protocol is part of the treaty.

        """);

    private Task CertifyAsync(Person officer, Person member, string level) =>
        new SecurityOfficer(officer.Client, WebFixture.Suite).CertifyAsync(officer.Enrolled.Account.Identity, officer.Delegation!,
            new ClearanceRequest(member.Email, level, [], Roles.None, TimeSpan.FromDays(30), web.Clock.GetUtcNow().AddDays(180)));
}
