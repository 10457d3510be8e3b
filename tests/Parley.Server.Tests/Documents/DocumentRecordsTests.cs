using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Documents;
using Parley.Protocol.Documents.Canary;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;
using Parley.Server.Documents.Retention;
using Parley.Server.Tests.Documents.Support;
using Parley.Server.Tests.Identity.Support;
using Parley.Server.Tests.Policy.Support;
using Parley.Server.Tests.Rooms.Support;

namespace Parley.Server.Tests.Documents;

/// <summary>
/// The records kept of a document: the print register and its canary choices (printed copies and on-screen
/// marks, traced by officers only), destruction by cryptographic erase with a verified certificate, and the
/// daily retention review that lists what is due and changes nothing.
/// </summary>
public sealed class DocumentRecordsTests(IdentityHostFixture fixture) : IClassFixture<IdentityHostFixture>
{
    private readonly DocumentsWorld _world = new(fixture);

    private IdentityHost Host => fixture.Host;

    private RoomsWorld Rooms => _world.Rooms;

    private async Task<(Party A, RoomUser Alice, RoomUser Bob, RoomView Room, RoomDocumentKey Key)> RoomAsync()
    {
        var a = await Rooms.PartyAsync('R');
        var alice = await Rooms.UserAsync(a, "alice");
        var bob = await Rooms.UserAsync(a, "bob");
        var room = await Rooms.CreateRoomAsync(alice, "CONFIDENTIAL", [a.Code]);
        await Rooms.AddAsync(alice, room.Id, bob);
        await Rooms.RotateAsync(alice, room.Id);
        room = await Rooms.GetRoomAsync(alice, room.Id);
        return (a, alice, bob, room, new RoomDocumentKey(room.Id, room.Epoch!.Epoch, DocumentsWorld.Label(room.Label), SecretKey.Generate(32)));
    }

    private async Task<(Guid Id, MadeVersion Version)> DocumentAsync(RoomUser author, RoomView room, RoomDocumentKey key, DateOnly? destroyAfter = null, int versions = 1)
    {
        var id = Guid.NewGuid();
        var made = await _world.EncryptAsync(author, id, 1, null, room.Label, RandomNumberGenerator.GetBytes(2000), [await _world.RecipientAsync(author, author, room.Label)], key);
        await _world.CreateAsync(author, room.Id, made, destroyAfter: destroyAfter);
        for (var v = 2; v <= versions; v++)
        {
            made = await _world.EncryptAsync(author, id, v, made.Hash, room.Label, RandomNumberGenerator.GetBytes(2000), [], key);
            await ClientDriver.ReadAsync<DocumentView>(await _world.AddVersionResponseAsync(author, id, made), HttpStatusCode.Created);
        }
        return (id, made);
    }

    [Fact]
    public async Task Prints_are_numbered_and_registered_each_copy_with_its_own_choices_and_only_officers_trace_them()
    {
        var (a, alice, bob, room, key) = await RoomAsync();
        using var held = key;
        var (document, made) = await DocumentAsync(alice, room, key);
        var before = await PolicyDriver.LastLedgerIdAsync(Host);

        var grants = new List<PrintGrant>();
        foreach (var user in new[] { alice, bob, alice })
            grants.Add(await ClientDriver.ReadAsync<PrintGrant>(await _world.Client.PostAsync($"/api/documents/{document}/versions/1/prints", new MarksRequest(40), user.Token), HttpStatusCode.Created));
        Assert.Equal([1, 2, 3], grants.Select(g => g.CopyNumber));
        Assert.All(grants, g => Assert.Equal(160, g.Choices.Length));
        Assert.Equal(3, grants.Select(g => Convert.ToHexString(g.Choices)).Distinct().Count());
        Assert.Null(grants[0].HighestPrintableLevel);
        Assert.Empty(grants[0].NoPrintCompartments);

        var record = PrintRecord.Decode(grants[1].Record).Value;
        Assert.Equal((document, 1, 2, bob.Id, bob.Device.Id, room.Label), (record.DocumentId, record.Version, record.CopyNumber, record.RecipientUserId, record.RecipientDeviceId, record.Label));
        Assert.Equal(made.Hash, record.VersionHash.ToArray());
        Assert.Equal(grants[1].PrintedAt.ToUnixTimeSeconds(), record.PrintedAt);
        Assert.Equal(bob.Account.Email.Split('@')[0], grants[1].RecipientName);

        // On-screen marks: copy 0 of the reader, the same each time, different from the printed copies.
        var marks = await ClientDriver.ReadAsync<ViewMarks>(await _world.Client.PostAsync($"/api/documents/{document}/versions/1/marks", new MarksRequest(40), bob.Token));
        var again = await ClientDriver.ReadAsync<ViewMarks>(await _world.Client.PostAsync($"/api/documents/{document}/versions/1/marks", new MarksRequest(40), bob.Token));
        Assert.Equal(marks.Choices, again.Choices);
        Assert.DoesNotContain(grants, g => g.Choices.SequenceEqual(marks.Choices));
        await ClientDriver.ProblemAsync(await _world.Client.PostAsync($"/api/documents/{document}/versions/1/marks", new MarksRequest(-1), bob.Token), HttpStatusCode.BadRequest);

        // The register and the trace are the officers'; members are told nothing exists.
        await ClientDriver.ProblemAsync(await _world.Client.GetAsync($"/api/documents/{document}/prints", alice.Token), HttpStatusCode.NotFound);
        await ClientDriver.ProblemAsync(await _world.Client.PostAsync($"/api/documents/{document}/trace-copies", new TraceCopiesRequest(1, 40), bob.Token), HttpStatusCode.NotFound);
        var other = await Rooms.PartyAsync('S');
        await _world.Client.LoginAsync(other.Officer);
        await ClientDriver.ProblemAsync(await _world.Client.GetAsync($"/api/documents/{document}/prints", other.Officer.Token), HttpStatusCode.NotFound);

        await _world.Client.LoginAsync(a.Officer);
        var register = await ClientDriver.ReadAsync<IReadOnlyList<PrintRegisterEntry>>(await _world.Client.GetAsync($"/api/documents/{document}/prints", a.Officer.Token));
        Assert.Equal([1, 2, 3], register.Select(e => e.CopyNumber));
        Assert.Equal(Convert.ToHexString(SHA256.HashData(grants[1].Record)), Convert.ToHexString(register[1].RecordHash));
        var traced = await ClientDriver.ReadAsync<IReadOnlyList<CopyChoicesView>>(await _world.Client.PostAsync($"/api/documents/{document}/trace-copies", new TraceCopiesRequest(1, 40), a.Officer.Token));
        Assert.Equal([0, 1, 2, 3], traced.Select(c => c.CopyNumber));
        Assert.Equal(marks.Choices, traced[0].Choices);
        Assert.Equal(bob.Id, traced[0].RecipientUserId);
        for (var i = 0; i < 3; i++) Assert.Equal(grants[i].Choices, traced[i + 1].Choices);

        // A paper copy's destruction is recorded once.
        var recorded = await ClientDriver.ReadAsync<IReadOnlyList<PrintRegisterEntry>>(
            await _world.Client.PostAsync($"/api/documents/{document}/prints/2/destroyed", new RecordCopyDestroyedRequest("Shredded (DIN 66399 P-7), witnessed"), a.Officer.Token));
        Assert.Equal(a.Officer.UserId, recorded[1].DestroyedBy);
        Assert.Equal("Shredded (DIN 66399 P-7), witnessed", recorded[1].DestructionNote);
        await ClientDriver.ProblemAsync(await _world.Client.PostAsync($"/api/documents/{document}/prints/2/destroyed", new RecordCopyDestroyedRequest("again"), a.Officer.Token), HttpStatusCode.Conflict);
        await ClientDriver.ProblemAsync(await _world.Client.PostAsync($"/api/documents/{document}/prints/9/destroyed", new RecordCopyDestroyedRequest("no such"), a.Officer.Token), HttpStatusCode.NotFound);

        var entries = (await PolicyDriver.LedgerSinceAsync(Host, before)).Select(e => e.Entry).ToList();
        Assert.Equal(3, entries.Count(e => e.Type == LedgerEventType.DocumentPrinted));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(grants[2].Record)), entries.Last(e => e.Type == LedgerEventType.DocumentPrinted).Field("record-hash"));
        Assert.Equal(2, entries.Count(e => e.Type == LedgerEventType.DocumentMarksIssued));
        Assert.Single(entries, e => e.Type == LedgerEventType.DocumentCopiesTraced);
        Assert.Single(entries, e => e.Type == LedgerEventType.PrintedCopyDestroyed);
        Assert.Equal(1, await Host.CountAsync($"SELECT count(*) FROM document_view_marks WHERE UserId = '{bob.Id.ToString().ToUpperInvariant()}'"));

        // The marking key is stored sealed (nonce, 32 bytes, tag) and bound to its document: moved to another
        // document's row it does not open, and that document's register refuses to mark rather than use it.
        var (sibling, _) = await DocumentAsync(alice, room, key);
        Assert.Equal(12 + 32 + 16, await Host.CountAsync($"SELECT length(MarkingKey) FROM documents WHERE Id = '{document.ToString().ToUpperInvariant()}'"));
        await Host.SqlAsync($"UPDATE documents SET MarkingKey = (SELECT MarkingKey FROM documents WHERE Id = '{document.ToString().ToUpperInvariant()}') WHERE Id = '{sibling.ToString().ToUpperInvariant()}'");
        var moved = await _world.Client.PostAsync($"/api/documents/{sibling}/versions/1/prints", new MarksRequest(40), alice.Token);
        var problem = await ClientDriver.ProblemAsync(moved, HttpStatusCode.InternalServerError);
        Assert.Equal("urn:parley:problem:marking-key-damaged", problem.GetProperty("type").GetString());
        Assert.Equal(0, await Host.CountAsync($"SELECT count(*) FROM document_prints WHERE DocumentId = '{sibling.ToString().ToUpperInvariant()}'"));
    }

    [Fact]
    public async Task Destruction_erases_every_key_wrap_and_the_ciphertext_and_leaves_the_certificate_for_anyone_who_asks()
    {
        var (a, alice, bob, room, key) = await RoomAsync();
        using var held = key;
        var (document, _) = await DocumentAsync(alice, room, key, versions: 2);
        await ClientDriver.ReadAsync<PrintGrant>(await _world.Client.PostAsync($"/api/documents/{document}/versions/2/prints", new MarksRequest(5), bob.Token), HttpStatusCode.Created);
        var wraps = $"SELECT count(*) FROM document_wraps WHERE DocumentId = '{document.ToString().ToUpperInvariant()}'";
        Assert.Equal(3, await Host.CountAsync(wraps));
        await _world.Client.LoginAsync(a.Officer);
        Task<HttpResponseMessage> DestroyAsync(byte[] certificate, string? token = null) =>
            _world.Client.PostAsync($"/api/documents/{document}/destroy", new DestroyDocumentRequest(certificate), token ?? a.Officer.Token);

        // Members may not destroy; a certificate that does not say what was done is refused, and nothing is erased.
        await ClientDriver.ProblemAsync(await DestroyAsync(await _world.CertificateAsync(alice.Account, a.Code, document, [1, 2], room.Label), alice.Token), HttpStatusCode.NotFound);
        var remaining = await ClientDriver.ProblemAsync(await DestroyAsync(await _world.CertificateAsync(a.Officer, a.Code, document, [1, 2], room.Label, remaining: 3, result: SanitizationResult.Failed)),
            HttpStatusCode.UnprocessableEntity);
        Assert.Contains("no wrapped key remains", remaining.GetProperty("detail").GetString());
        var versions = await ClientDriver.ProblemAsync(await DestroyAsync(await _world.CertificateAsync(a.Officer, a.Code, document, [1], room.Label)), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("every version", versions.GetProperty("detail").GetString());
        await ClientDriver.ProblemAsync(await DestroyAsync(await _world.CertificateAsync(a.Officer, a.Code, document, [1, 2], room.Label, at: _world.Now.AddHours(2))), HttpStatusCode.UnprocessableEntity);
        var forged = (await Signed<DestructionCertificate>.SignAsync(DocumentsWorld.Suite, alice.Account.IdentityKey,
            Signed<DestructionCertificate>.Decode(await _world.CertificateAsync(a.Officer, a.Code, document, [1, 2], room.Label)).Value.Body)).Encode();
        await ClientDriver.ProblemAsync(await DestroyAsync(forged), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(3, await Host.CountAsync(wraps));
        Assert.True(File.Exists(_world.BlobPath(document, 2)));

        var before = await PolicyDriver.LastLedgerIdAsync(Host);
        var certificate = await _world.CertificateAsync(a.Officer, a.Code, document, [1, 2], room.Label);
        var view = await ClientDriver.ReadAsync<DocumentView>(await DestroyAsync(certificate));
        Assert.NotNull(view.DestroyedAt);
        Assert.Equal(certificate, view.Certificate);
        Assert.Empty(view.Versions);
        Assert.Empty(view.Endorsements);
        Assert.Equal(1, view.Prints);
        Assert.Equal(0, await Host.CountAsync(wraps));
        Assert.False(Directory.Exists(Path.GetDirectoryName(_world.BlobPath(document, 1))));
        var destroyed = Assert.Single((await PolicyDriver.LedgerSinceAsync(Host, before)).Select(e => e.Entry), e => e.Type == LedgerEventType.DocumentDestroyed);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(certificate)), destroyed.Field("certificate-hash"));
        Assert.Equal("3", destroyed.Field("wraps-erased"));
        await ClientDriver.ProblemAsync(await DestroyAsync(await _world.CertificateAsync(a.Officer, a.Code, document, [1, 2], room.Label)), HttpStatusCode.Conflict);

        // Reading it now: 410 with the certificate, which verifies under the officer's key.
        foreach (var path in new[] { "versions/1/envelope", "versions/2/content" })
        {
            var gone = await ClientDriver.ProblemAsync(await _world.Client.GetAsync($"/api/documents/{document}/{path}", bob.Token), HttpStatusCode.Gone);
            Assert.Equal(DocumentsProtocol.DestroyedProblemType, gone.GetProperty("type").GetString());
            var signed = Signed<DestructionCertificate>.Decode(Convert.FromBase64String(gone.GetProperty(DocumentsProtocol.CertificateExtension).GetString()!)).Value;
            Assert.True(await signed.VerifyAsync(DocumentsWorld.Suite, a.Officer.IdentityKey.PublicKey));
            Assert.Equal(document, signed.Body.DocumentId);
        }
        var summary = Assert.Single(await ClientDriver.ReadAsync<IReadOnlyList<DocumentSummary>>(await _world.Client.GetAsync($"/api/rooms/{room.Id}/documents", bob.Token)), d => d.Id == document);
        Assert.True(summary.Destroyed);
        // The paper copy stays in the register.
        Assert.Single(await ClientDriver.ReadAsync<IReadOnlyList<PrintRegisterEntry>>(await _world.Client.GetAsync($"/api/documents/{document}/prints", a.Officer.Token)));
    }

    [Fact]
    public async Task The_daily_review_lists_documents_past_their_dates_once_and_destroys_nothing()
    {
        var (a, alice, _, room, key) = await RoomAsync();
        using var held = key;
        var today = DateOnly.FromDateTime(_world.Now.UtcDateTime);
        var (due, _) = await DocumentAsync(alice, room, key, destroyAfter: today.AddDays(-3));
        var (later, _) = await DocumentAsync(alice, room, key, destroyAfter: today.AddDays(30));
        var before = await PolicyDriver.LastLedgerIdAsync(Host);

        var job = _world.Service<DocumentReviewJob>();
        Assert.True(await job.RunOnceAsync(default) >= 1);
        Assert.Equal(0, await job.RunOnceAsync(default));
        var listed = Assert.Single((await PolicyDriver.LedgerSinceAsync(Host, before)).Select(e => e.Entry), e => e.Type == LedgerEventType.DocumentReviewDue && e.Subject == $"document:{due}");
        Assert.Equal("destroy", listed.Field("kind"));
        Assert.Equal("3", listed.Field("days-overdue"));

        await _world.Client.LoginAsync(a.Officer);
        var reviews = await ClientDriver.ReadAsync<IReadOnlyList<DocumentReviewView>>(await _world.Client.GetAsync($"/api/delegations/{a.Code}/document-reviews", a.Officer.Token));
        var review = Assert.Single(reviews);
        Assert.Equal((due, "destroy", today.AddDays(-3), 3), (review.DocumentId, review.Kind, review.Date, review.DaysOverdue));
        Assert.Null((await _world.GetAsync(alice, due)).DestroyedAt);
        Assert.True(File.Exists(_world.BlobPath(due, 1)));

        // An officer moves the date: no longer due. Members may not.
        await ClientDriver.ProblemAsync(await _world.Client.SendAsync(HttpMethod.Put, $"/api/documents/{due}/retention",
            System.Net.Http.Json.JsonContent.Create(new SetRetentionRequest(null, today.AddDays(10)), (System.Text.Json.Serialization.Metadata.JsonTypeInfo<SetRetentionRequest>)ApiJson.Default.GetTypeInfo(typeof(SetRetentionRequest))!), alice.Token),
            HttpStatusCode.NotFound);
        var changed = await ClientDriver.ReadAsync<DocumentView>(await _world.Client.SendAsync(HttpMethod.Put, $"/api/documents/{due}/retention",
            System.Net.Http.Json.JsonContent.Create(new SetRetentionRequest(today.AddDays(5), today.AddDays(10)), (System.Text.Json.Serialization.Metadata.JsonTypeInfo<SetRetentionRequest>)ApiJson.Default.GetTypeInfo(typeof(SetRetentionRequest))!), a.Officer.Token));
        Assert.Equal(today.AddDays(10), changed.DestroyAfter);
        Assert.Empty(await ClientDriver.ReadAsync<IReadOnlyList<DocumentReviewView>>(await _world.Client.GetAsync($"/api/delegations/{a.Code}/document-reviews", a.Officer.Token)));
        Assert.NotEqual(due, later);
    }
}

/// <summary>A deployment that keeps RESTRICTED//BRAVO and anything above RESTRICTED off paper.</summary>
public sealed class NoPrintFixture : IdentityHostFixture
{
    protected override string? PolicyJson => """{ "printing": { "highestLevel": "RESTRICTED", "noPrintCompartments": ["BRAVO"] } }""";
}

/// <summary>The deployment's printing rules: a refused label registers nothing.</summary>
public sealed class DocumentPrintRulesTests(NoPrintFixture fixture) : IClassFixture<NoPrintFixture>
{
    private readonly DocumentsWorld _world = new(fixture);

    [Fact]
    public async Task Labels_the_deployment_keeps_on_screen_are_refused_and_register_nothing()
    {
        var a = await _world.Rooms.PartyAsync('P');
        var alice = await _world.Rooms.UserAsync(a, "alice", level: "CONFIDENTIAL", compartments: ["BRAVO"]);
        var outcomes = new Dictionary<string, HttpStatusCode>();
        foreach (var label in new[] { "RESTRICTED", "RESTRICTED//BRAVO", "CONFIDENTIAL" })
        {
            var room = await _world.Rooms.CreateRoomAsync(alice, label, [a.Code]);
            var id = Guid.NewGuid();
            var made = await _world.EncryptAsync(alice, id, 1, null, label, RandomNumberGenerator.GetBytes(100), [await _world.RecipientAsync(alice, alice, label)], null);
            await _world.CreateAsync(alice, room.Id, made, restricted: true);
            var response = await _world.Client.PostAsync($"/api/documents/{id}/versions/1/prints", new MarksRequest(10), alice.Token);
            outcomes[label] = response.StatusCode;
            if (response.StatusCode == HttpStatusCode.Created)
            {
                var grant = await ClientDriver.ReadAsync<PrintGrant>(response, HttpStatusCode.Created);
                Assert.Equal("RESTRICTED", grant.HighestPrintableLevel);
                Assert.Equal(["BRAVO"], grant.NoPrintCompartments);
                continue;
            }
            var problem = await ClientDriver.ProblemAsync(response, HttpStatusCode.Forbidden);
            Assert.Contains(label == "CONFIDENTIAL" ? "highest level allowed on paper is RESTRICTED" : "BRAVO", problem.GetProperty("detail").GetString());
            Assert.Equal(0, await fixture.Host.CountAsync($"SELECT count(*) FROM document_prints WHERE DocumentId = '{id.ToString().ToUpperInvariant()}'"));
            Assert.Equal(1, await fixture.Host.CountAsync($"SELECT NextCopyNumber FROM documents WHERE Id = '{id.ToString().ToUpperInvariant()}'"));
        }
        Assert.Equal(HttpStatusCode.Created, outcomes["RESTRICTED"]);
        Assert.Equal(HttpStatusCode.Forbidden, outcomes["RESTRICTED//BRAVO"]);
        Assert.Equal(HttpStatusCode.Forbidden, outcomes["CONFIDENTIAL"]);
    }
}
