using System.Security.Cryptography;
using System.Text;
using Parley.Client.Api;
using Parley.Client.Documents;
using Parley.Client.Rooms;
using Parley.Client.Tests.Rooms;
using Parley.Client.Tests.Support;
using Parley.Protocol.Api;
using Parley.Protocol.Documents;
using Parley.Protocol.Documents.Canary;
using Parley.Protocol.Identity;
using Parley.Protocol.Tests.Documents;

namespace Parley.Client.Tests.Documents;

/// <summary>
/// Documents end to end through the SDK against a real server: room and restricted documents, a
/// tampered blob, late members, initials and signatures, printing, leak tracing among ten recipients,
/// and destruction.
/// </summary>
[Collection(RoomsCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DocumentsClientTests(RoomsWorld world)
{
    private const string RoomLabel = "SECRET//REL TO ATL, BOR";
    private static readonly string[] Parties = ["ATL", "BOR"];

    private async Task<(RoomsClient Rooms, DocumentsClient Documents)> OpenAsync(Account person)
    {
        var rooms = await world.RoomsAsync(person);
        return (rooms, DocumentsClient.Open(rooms, person.Enrolled.Account.Identity));
    }

    // A security officer who is also a cleared member, as tracing and destroying need (the shared officers hold no clearance).
    private Task<Account> OfficerAsync() =>
        world.InviteAsync(world.AtlOfficer, $"officer-{Guid.NewGuid():N}"[..20] + "@atl.example", Roles.SecurityOfficer | Roles.Member, "SECRET");

    private static DocumentUpload Text(string title) => new(title, "text/markdown");

    private static MemoryStream Utf8(string text) => new(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task A_binary_document_of_several_parts_round_trips_to_another_party_and_a_tampered_byte_is_caught()
    {
        var (atlRooms, atl) = await OpenAsync(world.AtlAnalyst);
        var (borRooms, bor) = await OpenAsync(world.BorAnalyst);
        await using var _ = atlRooms;
        await using var __ = borRooms;
        var room = await world.RoomAsync(atlRooms, RoomLabel, Parties, world.BorAnalyst);

        var content = RandomNumberGenerator.GetBytes(DocumentsClient.PartSize + 300_000);
        var reported = 0L;
        var created = await atl.UploadAsync(room.Id, new MemoryStream(content), new DocumentUpload("annex.bin", "application/octet-stream"),
            new SynchronousProgress<long>(n => reported = n));
        Assert.Equal(content.Length, reported);
        Assert.Equal(RoomLabel, created.Label);
        Assert.False(created.Restricted);
        Assert.Single(created.Versions);
        Assert.Contains(await bor.ListAsync(room.Id), d => d.Id == created.Id && d.Title == "annex.bin");

        using var output = new MemoryStream();
        var opened = await bor.DownloadAsync(created.Id, null, output);
        Assert.Equal(content, output.ToArray());
        Assert.Equal(1, opened.Version);
        Assert.Equal(world.AtlAnalyst.Enrolled.Account.Identity.UserId, opened.AuthorUserId);

        // One flipped byte in the stored blob: the reader refuses it, whatever the server says.
        var blob = Path.Combine(world.DataDirectory, "documents", created.Id.ToString("N"), "1.bin");
        var bytes = await File.ReadAllBytesAsync(blob);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(blob, bytes);
        var refused = await Assert.ThrowsAsync<DocumentException>(() => bor.DownloadAsync(created.Id, null, new MemoryStream()));
        Assert.Equal(DocumentErrorCode.Tampered, refused.Error.Code);
    }

    [Fact]
    public async Task A_text_is_labelled_from_its_portions_and_a_label_above_the_room_is_refused_before_anything_is_sent()
    {
        var (rooms, documents) = await OpenAsync(world.AtlAnalyst);
        await using var _ = rooms;
        var room = await world.RoomAsync(rooms, RoomLabel, Parties);

        var created = await documents.UploadAsync(room.Id, Utf8(TreatyText.Draft), Text("Draft treaty"));
        Assert.Equal("SECRET//REL TO ATL, BOR", created.Label);
        var marked = await documents.ReadTextAsync(created.Id);
        Assert.Equal(SecretPortions(marked.Document), marked.Document.PortionMarks.Order().ToList());

        var low = await world.RoomAsync(rooms, "CONFIDENTIAL//REL TO ATL, BOR", Parties);
        var before = (await documents.ListAsync(low.Id)).Count;
        var refused = await Assert.ThrowsAsync<DocumentException>(() => documents.UploadAsync(low.Id, Utf8(TreatyText.Draft), Text("Draft treaty")));
        Assert.Equal(DocumentErrorCode.BadLabel, refused.Error.Code);
        Assert.Equal(before, (await documents.ListAsync(low.Id)).Count);
    }

    private static List<string> SecretPortions(OpenedDocument document) => document.PortionMarks.Order().ToList();

    [Fact]
    public async Task A_member_who_joins_later_reads_a_document_once_a_member_who_holds_it_has_opened_it_again()
    {
        var (atlRooms, atl) = await OpenAsync(world.AtlHead);
        var (borRooms, bor) = await OpenAsync(world.BorHead);
        await using var _ = atlRooms;
        await using var __ = borRooms;
        var room = await world.RoomAsync(atlRooms, RoomLabel, Parties);
        var created = await atl.UploadAsync(room.Id, new MemoryStream([1, 2, 3, 4]), new DocumentUpload("early.bin", "application/octet-stream"));

        await atlRooms.AddMemberAsync(room.Id, world.BorHead.Email);
        var early = await Assert.ThrowsAsync<DocumentException>(() => bor.DownloadAsync(created.Id, null, new MemoryStream()));
        Assert.Equal(DocumentErrorCode.NoKey, early.Error.Code);

        await atl.DownloadAsync(created.Id, null, new MemoryStream());
        using var output = new MemoryStream();
        await bor.DownloadAsync(created.Id, null, output);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, output.ToArray());
    }

    [Fact]
    public async Task A_restricted_document_opens_only_for_the_people_named()
    {
        var (atlRooms, atl) = await OpenAsync(world.AtlAnalyst);
        var (borRooms, bor) = await OpenAsync(world.BorAnalyst);
        var (headRooms, head) = await OpenAsync(world.AtlHead);
        await using var _ = atlRooms;
        await using var __ = borRooms;
        await using var ___ = headRooms;
        var room = await world.RoomAsync(atlRooms, RoomLabel, Parties, world.BorAnalyst, world.AtlHead);

        var created = await atl.UploadAsync(room.Id, new MemoryStream([9, 8, 7]),
            new DocumentUpload("eyes-only.bin", "application/octet-stream", RestrictedTo: [world.BorAnalyst.Email]));
        Assert.True(created.Restricted);

        using var output = new MemoryStream();
        await bor.DownloadAsync(created.Id, null, output);
        Assert.Equal(new byte[] { 9, 8, 7 }, output.ToArray());
        await atl.DownloadAsync(created.Id, null, new MemoryStream());

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => head.DownloadAsync(created.Id, null, new MemoryStream()));
        Assert.True(refused is DocumentException { Error.Code: DocumentErrorCode.NoKey } || refused is ParleyApiException { Kind: ApiProblemKind.NotFound or ApiProblemKind.Denied },
            $"Expected no key or refusal, got {refused}");
    }

    [Fact]
    public async Task Heads_of_delegation_initial_and_sign_and_the_text_is_agreed_when_both_signed_the_same_version()
    {
        var (atlRooms, atl) = await OpenAsync(world.AtlHead);
        var (borRooms, bor) = await OpenAsync(world.BorHead);
        var (analystRooms, analyst) = await OpenAsync(world.AtlAnalyst);
        await using var _ = atlRooms;
        await using var __ = borRooms;
        await using var ___ = analystRooms;
        var room = await world.RoomAsync(atlRooms, RoomLabel, Parties, world.BorHead, world.AtlAnalyst);

        var created = await analyst.UploadAsync(room.Id, Utf8(TreatyText.Draft), Text("Treaty"));
        var second = await analyst.AddVersionAsync(created.Id, Utf8(TreatyText.Draft.Replace("seven years", "eight years")));
        Assert.Equal([1, 2], second.Versions.Select(v => v.Version));
        var pieces = await analyst.CompareAsync(created.Id, 1, 2);
        Assert.Contains(pieces, p => p.Kind == DiffKind.Removed && p.Text.Contains("seven"));
        Assert.Contains(pieces, p => p.Kind == DiffKind.Added && p.Text.Contains("eight"));

        await atl.EndorseAsync(created.Id, 1, EndorsementKind.Initial);
        var plain = await Assert.ThrowsAsync<ParleyApiException>(() => analyst.EndorseAsync(created.Id, 2, EndorsementKind.Sign));
        Assert.True(plain.Kind is ApiProblemKind.Denied or ApiProblemKind.Invalid, plain.Message);

        await atl.EndorseAsync(created.Id, 2, EndorsementKind.Sign);
        var pending = await analyst.StatusAsync(created.Id);
        Assert.Null(pending.AgreedVersion);
        Assert.Equal(["BOR"], pending.PartiesYetToSign);
        Assert.All(pending.Endorsements, e => Assert.Null(e.Rejected));
        Assert.Contains(pending.Endorsements, e => e is { Kind: EndorsementKind.Initial, Version: 1, Delegation: "ATL" });

        await bor.EndorseAsync(created.Id, 2, EndorsementKind.Sign);
        var agreed = await analyst.StatusAsync(created.Id);
        Assert.Equal(2, agreed.AgreedVersion);
        Assert.Empty(agreed.PartiesYetToSign);
        Assert.All(agreed.Versions, v => Assert.Null(v.Problem));
    }

    [Fact]
    public async Task Ten_recipients_print_and_an_excerpt_of_one_copy_with_typos_is_traced_to_its_recipient()
    {
        var tracer = await OfficerAsync();
        var (officerRooms, officer) = await OpenAsync(tracer);
        await using var _ = officerRooms;
        var recipients = new List<Account> { world.AtlHead, world.AtlAnalyst, world.BorHead, world.BorAnalyst };
        for (var i = recipients.Count; i < 10; i++)
        {
            var inviter = i % 2 == 0 ? world.AtlOfficer : world.BorOfficer;
            recipients.Add(await world.InviteAsync(inviter, $"reader{i}-{Guid.NewGuid():N}"[..20] + $"@{inviter.Delegation!.ToLowerInvariant()}.example", Roles.Member, "SECRET"));
        }
        var room = await world.RoomAsync(officerRooms, RoomLabel, Parties, [.. recipients]);
        var created = await officer.UploadAsync(room.Id, Utf8(TreatyText.Draft), Text("Treaty for print"));

        var copies = new List<(Account Who, int Copy, string Marked)>();
        foreach (var recipient in recipients)
        {
            var (rooms, documents) = await OpenAsync(recipient);
            await using (rooms)
            {
                var (job, rules, grant) = await documents.PreparePrintAsync(created.Id, null);
                Assert.Null(rules.Check(job.Label));
                copies.Add((recipient, grant.CopyNumber, CanaryMarker.Mark(job.Text, job.Choices)));
            }
        }
        Assert.Equal(Enumerable.Range(1, 10), copies.Select(c => c.Copy).Order());
        Assert.Equal(10, copies.Select(c => c.Marked).Distinct().Count());

        var leaked = copies[6];
        // The second confidential paragraph ("Each Party shall analyse the data..."): marks never touch a portion mark.
        var start = leaked.Marked.LastIndexOf("(C//REL TO ATL, BOR)", StringComparison.Ordinal);
        var excerpt = new StringBuilder(leaked.Marked.Substring(start, 300));
        excerpt[40] = 'x';
        excerpt.Remove(120, 1);
        excerpt.Insert(210, 'q');
        var report = await officer.TraceAsync(excerpt.ToString(), created.Id);
        Assert.Equal(CanaryVerdict.Identified, report.Verdict);
        Assert.Equal(leaked.Who.Enrolled.Account.Identity.UserId, report.Copy!.RecipientUserId);
        Assert.Equal(leaked.Copy, report.Copy.CopyNumber);
        Assert.True(report.Confidence > 0.99, $"confidence {report.Confidence}");

        // The register is the officers': a member cannot fetch the copies' choices.
        var (memberRooms, member) = await OpenAsync(world.AtlAnalyst);
        await using var ___ = memberRooms;
        var refused = await Assert.ThrowsAsync<DocumentException>(() => member.TraceAsync(excerpt.ToString(), created.Id));
        Assert.Equal(DocumentErrorCode.NotPermitted, refused.Error.Code);
    }

    [Fact]
    public async Task On_screen_copies_carry_each_reader_s_own_marks_and_a_printed_copy_is_a_pdf()
    {
        var (atlRooms, atl) = await OpenAsync(world.AtlAnalyst);
        var (borRooms, bor) = await OpenAsync(world.BorAnalyst);
        await using var _ = atlRooms;
        await using var __ = borRooms;
        var room = await world.RoomAsync(atlRooms, RoomLabel, Parties, world.BorAnalyst);
        var created = await atl.UploadAsync(room.Id, Utf8(TreatyText.Draft), Text("Treaty on screen"));

        var mine = await atl.ReadTextAsync(created.Id);
        var theirs = await bor.ReadTextAsync(created.Id);
        Assert.NotEqual(mine.Text, theirs.Text);
        Assert.Contains("Article 1", mine.Text);
        Assert.Equal("SECRET//REL TO ATL, BOR", mine.Document.Label.ToBanner());

        using var pdf = new MemoryStream();
        var printed = await bor.PrintAsync(created.Id, null, pdf);
        Assert.Equal("%PDF", Encoding.ASCII.GetString(pdf.GetBuffer(), 0, 4));
        Assert.Equal(1, printed.CopyNumber);
        using var again = new MemoryStream();
        Assert.Equal(2, (await atl.PrintAsync(created.Id, null, again)).CopyNumber);
    }

    [Fact]
    public async Task After_destruction_no_key_remains_and_a_download_fails_with_the_signed_certificate()
    {
        var destroyer = await OfficerAsync();
        var (officerRooms, officer) = await OpenAsync(destroyer);
        var (readerRooms, reader) = await OpenAsync(world.BorAnalyst);
        await using var _ = officerRooms;
        await using var __ = readerRooms;
        var room = await world.RoomAsync(officerRooms, RoomLabel, Parties, world.BorAnalyst);
        var created = await officer.UploadAsync(room.Id, Utf8(TreatyText.Draft), Text("To be destroyed"));
        await officer.AddVersionAsync(created.Id, Utf8(TreatyText.Draft + "\n(U) Done.\n"));
        await reader.DownloadAsync(created.Id, 1, new MemoryStream());

        var refused = await Assert.ThrowsAsync<ParleyApiException>(() => reader.DestroyAsync(created.Id, "not mine to destroy"));
        Assert.True(refused.Kind is ApiProblemKind.Denied or ApiProblemKind.NotFound, refused.Message);

        var destroyed = await officer.DestroyAsync(created.Id, "Superseded by the agreed text");
        var certificate = destroyed.Certificate;
        Assert.True(await certificate.VerifyAsync(IdentityServer.Suite, destroyer.Enrolled.Account.Identity.PublicKey));
        Assert.Equal([1, 2], certificate.Body.Versions.ToArray());
        Assert.Equal(0, certificate.Body.WrappedKeysRemaining);
        Assert.Equal(SanitizationResult.Succeeded, certificate.Body.Result);
        Assert.False(Directory.Exists(Path.Combine(world.DataDirectory, "documents", created.Id.ToString("N"))));

        var gone = await Assert.ThrowsAsync<DocumentException>(() => reader.DownloadAsync(created.Id, 1, new MemoryStream()));
        Assert.Equal(DocumentErrorCode.Destroyed, gone.Error.Code);
        Assert.Equal(certificate.Body.CertificateId, gone.Certificate!.Body.CertificateId);
        Assert.Contains("Superseded", gone.Error.Message);

        // The server delivers no wrap any more, even asked directly.
        var envelope = await Assert.ThrowsAsync<ParleyApiException>(() => world.BorAnalyst.Client.GetDocumentEnvelopeAsync(created.Id, 1));
        Assert.Equal(DocumentsProtocol.DestroyedProblemType, envelope.Problem.Type);
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
