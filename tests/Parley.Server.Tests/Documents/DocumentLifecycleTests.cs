using System.Net;
using System.Security.Cryptography;
using Parley.Client.Documents;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Documents;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;
using Parley.Server.Tests.Documents.Support;
using Parley.Server.Tests.Identity.Support;
using Parley.Server.Tests.Policy.Support;
using Parley.Server.Tests.Rooms.Support;

namespace Parley.Server.Tests.Documents;

/// <summary>
/// Documents on a real server: uploads in parts, creating a document from an author-signed envelope, reading it
/// back and decrypting it on the client, versions chained by hash, restricted documents for named devices, and
/// every refusal of a version that is not what its author signed or is wrapped for someone it may not be.
/// </summary>
public sealed class DocumentLifecycleTests(IdentityHostFixture fixture) : IClassFixture<IdentityHostFixture>
{
    private readonly DocumentsWorld _world = new(fixture);

    private IdentityHost Host => fixture.Host;

    private RoomsWorld Rooms => _world.Rooms;

    private async Task<(Party A, RoomUser Alice, RoomUser Bob, RoomView Room)> RoomAsync(string label = "CONFIDENTIAL", bool epoch = true)
    {
        var a = await Rooms.PartyAsync('D');
        var alice = await Rooms.UserAsync(a, "alice");
        var bob = await Rooms.UserAsync(a, "bob");
        var room = await Rooms.CreateRoomAsync(alice, label, [a.Code]);
        await Rooms.AddAsync(alice, room.Id, bob);
        if (epoch) await Rooms.RotateAsync(alice, room.Id);
        return (a, alice, bob, await Rooms.GetRoomAsync(alice, room.Id));
    }

    private static RoomDocumentKey RoomKey(RoomView room) => new(room.Id, room.Epoch!.Epoch, DocumentsWorld.Label(room.Label), SecretKey.Generate(32));

    [Fact]
    public async Task A_document_uploaded_in_parts_is_read_back_and_decrypted_by_members_and_the_server_keeps_only_ciphertext()
    {
        var (_, alice, bob, room) = await RoomAsync();
        using var roomKey = RoomKey(room);
        var plaintext = RandomNumberGenerator.GetBytes(100_000);
        var document = Guid.NewGuid();
        var bobDevice = await _world.RecipientAsync(alice, bob, room.Label);
        var made = await _world.EncryptAsync(alice, document, 1, null, room.Label, plaintext, [bobDevice], roomKey);
        var before = await PolicyDriver.LastLedgerIdAsync(Host);

        var view = await _world.CreateAsync(alice, room.Id, made, title: "Draft treaty on verification", destroyAfter: new DateOnly(2030, 1, 1));
        Assert.Equal(document, view.Id);
        Assert.Equal("Draft treaty on verification", view.Title);
        Assert.Equal(room.Label, view.Label);
        Assert.False(view.Restricted);
        var version = Assert.Single(view.Versions);
        Assert.Equal(made.Hash, version.VersionHash);
        Assert.Equal(made.Ciphertext.Length, version.CiphertextLength);
        Assert.Equal(plaintext.Length, version.ContentLength);
        Assert.Equal(made.Envelope.Manifest.Encode(), version.SignedManifest);

        // Bob reads it with his device's key, alice with the room epoch's; both get the plaintext back.
        var (fromDevice, deviceError) = await _world.ReadAsync(bob, document, 1, new KeyHolder.Device(bob.Device.Id, bob.Device.Kem), alice.Account.IdentityKey.PublicKey);
        Assert.Null(deviceError);
        Assert.Equal(plaintext, fromDevice);
        var (fromRoom, roomError) = await _world.ReadAsync(alice, document, 1, new KeyHolder.Room(roomKey), alice.Account.IdentityKey.PublicKey);
        Assert.Null(roomError);
        Assert.Equal(plaintext, fromRoom);

        // Bob's envelope carries his device wrap and the room wrap, not anyone else's.
        var envelope = DocumentEnvelope.Decode(await _world.BytesAsync(await _world.Client.GetAsync($"/api/documents/{document}/versions/1/envelope", bob.Token))).Value;
        Assert.Equal(2, envelope.Wraps.Count);
        Assert.Contains(envelope.Wraps, w => w.Kind == KeyWrapRecipient.Device && w.RecipientId == bob.Device.Id);

        // Listed in the room; the ledger has the upload (with an HMAC of the title, never the title), the key releases and the reads.
        var listed = Assert.Single(await ClientDriver.ReadAsync<IReadOnlyList<DocumentSummary>>(await _world.Client.GetAsync($"/api/rooms/{room.Id}/documents", bob.Token)));
        Assert.Equal((document, 1, plaintext.Length, false), (listed.Id, listed.LatestVersion, listed.ContentLength, listed.Destroyed));
        var entries = (await PolicyDriver.LedgerSinceAsync(Host, before)).Select(e => e.Entry).ToList();
        var uploaded = Assert.Single(entries, e => e.Type == LedgerEventType.DocumentVersionUploaded);
        Assert.Equal(Convert.ToHexStringLower(made.Hash), uploaded.Field("version-hash"));
        Assert.Equal(room.Label, uploaded.Field("label"));
        Assert.NotNull(uploaded.Field("title-hmac"));
        Assert.DoesNotContain(entries, e => e.Fields.Any(f => f.Value.Contains("Draft treaty", StringComparison.Ordinal)));
        Assert.Equal(3, entries.Count(e => e.Type == LedgerEventType.DocumentKeysReleased));
        Assert.Equal(2, entries.Count(e => e.Type == LedgerEventType.DocumentContentRead));

        // On disk: the ciphertext as uploaded.
        Assert.Equal(made.Ciphertext, await File.ReadAllBytesAsync(_world.BlobPath(document, 1)));
    }

    [Fact]
    public async Task No_key_is_wrapped_for_an_epoch_a_removed_member_still_holds()
    {
        var (_, alice, bob, room) = await RoomAsync();
        using var roomKey = RoomKey(room);
        var first = Guid.NewGuid();
        var kept = await _world.EncryptAsync(alice, first, 1, null, room.Label, RandomNumberGenerator.GetBytes(1000), [], roomKey);
        await _world.CreateAsync(alice, room.Id, kept);

        // Bob leaves the room; until a new epoch, the current one is his too: neither a new document nor
        // another wrap of an existing one may be made for it.
        await Rooms.RemoveAsync(alice, room.Id, bob);
        var made = await _world.EncryptAsync(alice, Guid.NewGuid(), 1, null, room.Label, RandomNumberGenerator.GetBytes(1000), [], roomKey);
        var upload = await _world.UploadAsync(alice, made.Ciphertext);
        var refused = await ClientDriver.ProblemAsync(await _world.CreateResponseAsync(alice, room.Id, upload, made.Envelope), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("needs a new epoch", refused.GetProperty("detail").GetString());
        var wrap = DocumentsWorld.Wrap(KeyWrapRecipient.RoomEpoch, first, 1, kept.Hash, room.Id, room.Epoch!.Epoch);
        await ClientDriver.ProblemAsync(await _world.Client.PostAsync($"/api/documents/{first}/versions/1/wraps", new AddWrapsRequest([wrap]), alice.Token), HttpStatusCode.Conflict);
        Assert.Equal(1, await Host.CountAsync($"SELECT count(*) FROM document_wraps WHERE DocumentId = '{first.ToString().ToUpperInvariant()}'"));
    }

    [Fact]
    public async Task A_stored_byte_flipped_on_the_server_is_detected_by_the_client_as_tampering()
    {
        var (_, alice, bob, room) = await RoomAsync();
        using var roomKey = RoomKey(room);
        var document = Guid.NewGuid();
        var made = await _world.EncryptAsync(alice, document, 1, null, room.Label, RandomNumberGenerator.GetBytes(40_000), [], roomKey);
        await _world.CreateAsync(alice, room.Id, made);

        var path = _world.BlobPath(document, 1);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[20_000] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);

        var (plaintext, error) = await _world.ReadAsync(bob, document, 1, new KeyHolder.Room(roomKey), alice.Account.IdentityKey.PublicKey);
        Assert.Null(plaintext);
        Assert.Equal(DocumentErrorCode.Tampered, error!.Code);
    }

    [Fact]
    public async Task Uploads_go_on_at_the_offset_reached_and_belong_to_their_owner()
    {
        var (_, alice, bob, _) = await RoomAsync(epoch: false);
        var upload = await _world.NewUploadAsync(alice);
        Assert.Equal(0, upload.Received);
        Assert.True(upload.MaxBytes >= 64L << 30);
        Assert.True(upload.ExpiresAt > _world.Now);
        await ClientDriver.ReadAsync<UploadView>(await _world.PutPartAsync(alice, upload.Id, 0, new byte[1000]));

        var wrong = await ClientDriver.ProblemAsync(await _world.PutPartAsync(alice, upload.Id, 500, new byte[10]), HttpStatusCode.Conflict);
        Assert.Contains("offset 1000", wrong.GetProperty("detail").GetString());
        Assert.Equal(1000, wrong.GetProperty("received").GetInt64());
        await ClientDriver.ProblemAsync(await _world.PutPartAsync(alice, upload.Id, 2000, new byte[10]), HttpStatusCode.Conflict);
        Assert.Equal(1010, (await ClientDriver.ReadAsync<UploadView>(await _world.PutPartAsync(alice, upload.Id, 1000, new byte[10]))).Received);

        // Someone else's upload is not there for them; a missing offset is a bad request.
        await ClientDriver.ProblemAsync(await _world.PutPartAsync(bob, upload.Id, 1010, new byte[10]), HttpStatusCode.NotFound);
        await ClientDriver.ProblemAsync(await _world.Client.DeleteAsync($"/api/uploads/{upload.Id}", bob.Token), HttpStatusCode.NotFound);
        await ClientDriver.ProblemAsync(await _world.Client.SendAsync(HttpMethod.Put, $"/api/uploads/{upload.Id}", new ByteArrayContent([1]), alice.Token), HttpStatusCode.BadRequest);

        Assert.Equal(HttpStatusCode.NoContent, (await _world.Client.DeleteAsync($"/api/uploads/{upload.Id}", alice.Token)).StatusCode);
        Assert.False(File.Exists(Path.Combine(Host.DataDirectory, "documents", "uploads", $"{upload.Id:N}.part")));
        await ClientDriver.ProblemAsync(await _world.PutPartAsync(alice, upload.Id, 1010, new byte[10]), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_version_that_is_not_what_its_author_signed_is_refused_and_leaves_nothing()
    {
        var (a, alice, bob, room) = await RoomAsync();
        using var roomKey = RoomKey(room);
        var documents = await Host.CountAsync("SELECT count(*) FROM documents");

        // The uploaded bytes are not the ciphertext the manifest hashes.
        var made = await _world.EncryptAsync(alice, Guid.NewGuid(), 1, null, room.Label, RandomNumberGenerator.GetBytes(5000), [], roomKey);
        var altered = made.Ciphertext.ToArray();
        altered[^1] ^= 0x80;
        var upload = await _world.UploadAsync(alice, altered);
        var mismatch = await ClientDriver.ProblemAsync(await _world.CreateResponseAsync(alice, room.Id, upload, made.Envelope), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("ciphertext hash", mismatch.GetProperty("detail").GetString());
        await ClientDriver.ProblemAsync(await _world.Client.GetAsync($"/api/documents/{made.Manifest.DocumentId}", alice.Token), HttpStatusCode.NotFound);
        Assert.False(Directory.Exists(Path.GetDirectoryName(_world.BlobPath(made.Manifest.DocumentId, 1))));

        // A manifest signed by someone else than the author it names.
        var forged = await _world.EncryptAsync(alice, Guid.NewGuid(), 1, null, room.Label, RandomNumberGenerator.GetBytes(100), [], roomKey, signer: bob.Account.IdentityKey);
        var notSigned = await ClientDriver.ProblemAsync(await _world.CreateResponseAsync(alice, room.Id, await _world.UploadAsync(alice, forged.Ciphertext), forged.Envelope), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("not signed by its author", notSigned.GetProperty("detail").GetString());

        // Someone else's version (bob's manifest, uploaded and sent by alice).
        var bobs = await _world.EncryptAsync(bob, Guid.NewGuid(), 1, null, room.Label, RandomNumberGenerator.GetBytes(100), [], roomKey);
        await ClientDriver.ProblemAsync(await _world.CreateResponseAsync(alice, room.Id, await _world.UploadAsync(alice, bobs.Ciphertext), bobs.Envelope), HttpStatusCode.UnprocessableEntity);

        // Wraps for another version; a room wrap of an epoch that is not the current one; no room wrap at all.
        var moved = await _world.HandMadeAsync(alice, Guid.NewGuid(), 1, null, room.Label, [(KeyWrapRecipient.RoomEpoch, room.Id, room.Epoch!.Epoch)], wrapHash: h => SHA256.HashData(h));
        var movedProblem = await ClientDriver.ProblemAsync(await _world.CreateResponseAsync(alice, room.Id, await _world.UploadAsync(alice, moved.Ciphertext), moved.Envelope), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("names another document, version or version hash", movedProblem.GetProperty("detail").GetString());
        var oldEpoch = await _world.HandMadeAsync(alice, Guid.NewGuid(), 1, null, room.Label, [(KeyWrapRecipient.RoomEpoch, room.Id, room.Epoch!.Epoch + 1)]);
        await ClientDriver.ProblemAsync(await _world.CreateResponseAsync(alice, room.Id, await _world.UploadAsync(alice, oldEpoch.Ciphertext), oldEpoch.Envelope), HttpStatusCode.UnprocessableEntity);
        var noRoom = await _world.HandMadeAsync(alice, Guid.NewGuid(), 1, null, room.Label, [(KeyWrapRecipient.Device, bob.Device.Id, 0)]);
        await ClientDriver.ProblemAsync(await _world.CreateResponseAsync(alice, room.Id, await _world.UploadAsync(alice, noRoom.Ciphertext), noRoom.Envelope), HttpStatusCode.UnprocessableEntity);

        // An envelope that does not decode is a bad request; a bad title too.
        await ClientDriver.ProblemAsync(await _world.Client.PostAsync($"/api/rooms/{room.Id}/documents", new CreateDocumentRequest("T", Guid.NewGuid(), [1, 2, 3]), alice.Token), HttpStatusCode.BadRequest);
        var good = await _world.EncryptAsync(alice, Guid.NewGuid(), 1, null, room.Label, RandomNumberGenerator.GetBytes(100), [], roomKey);
        await ClientDriver.ProblemAsync(await _world.CreateResponseAsync(alice, room.Id, await _world.UploadAsync(alice, good.Ciphertext), good.Envelope, title: "bad\u0007title"), HttpStatusCode.BadRequest);

        Assert.Equal(documents, await Host.CountAsync("SELECT count(*) FROM documents"));
        Assert.Equal(0, await Host.CountAsync($"SELECT count(*) FROM document_wraps WHERE RecipientId = '{room.Id.ToString().ToUpperInvariant()}' OR RecipientId = '{room.Id}'"));

        // The good one goes in; the same document id again is a conflict.
        await _world.CreateAsync(alice, room.Id, good);
        await ClientDriver.ProblemAsync(await _world.CreateResponseAsync(alice, room.Id, await _world.UploadAsync(alice, good.Ciphertext), good.Envelope), HttpStatusCode.Conflict);
        _ = a;
    }

    [Fact]
    public async Task Labels_above_the_room_and_keys_for_uncleared_devices_are_refused()
    {
        var a = await Rooms.PartyAsync('D');
        var alice = await Rooms.UserAsync(a, "alice", level: "SECRET");
        var bob = await Rooms.UserAsync(a, "bob", level: "CONFIDENTIAL");
        var room = await Rooms.CreateRoomAsync(alice, "CONFIDENTIAL", [a.Code]);
        await Rooms.AddAsync(alice, room.Id, bob);

        // A SECRET version in a CONFIDENTIAL room: the policy refuses it before anything is read.
        var above = await _world.HandMadeAsync(alice, Guid.NewGuid(), 1, null, "SECRET", [(KeyWrapRecipient.Device, alice.Device.Id, 0)]);
        var refused = await PolicyDriver.DeniedAsync(await _world.CreateResponseAsync(alice, room.Id, await _world.UploadAsync(alice, above.Ciphertext), above.Envelope, restricted: true),
            "forbid.write-above-container");
        Assert.Contains("SECRET", refused.GetProperty("detail").GetString());

        // Bob's clearance is lowered after he joined: a restricted document may not be wrapped for his device.
        await Rooms.ClearAsync(a, bob.Account, "RESTRICTED", []);
        var forBob = await _world.HandMadeAsync(alice, Guid.NewGuid(), 1, null, "CONFIDENTIAL", [(KeyWrapRecipient.Device, alice.Device.Id, 0), (KeyWrapRecipient.Device, bob.Device.Id, 0)]);
        var uncleared = await ClientDriver.ProblemAsync(await _world.CreateResponseAsync(alice, room.Id, await _world.UploadAsync(alice, forBob.Ciphertext), forBob.Envelope, restricted: true),
            HttpStatusCode.UnprocessableEntity);
        Assert.Contains($"Device {bob.Device.Id} may not receive the key", uncleared.GetProperty("detail").GetString());
        Assert.Contains("not cleared", uncleared.GetProperty("detail").GetString());

        // A device of someone outside the room, and a room wrap in a restricted document, are refused too.
        var carol = await Rooms.UserAsync(a, "carol");
        var forCarol = await _world.HandMadeAsync(alice, Guid.NewGuid(), 1, null, "CONFIDENTIAL", [(KeyWrapRecipient.Device, carol.Device.Id, 0)]);
        var outsider = await ClientDriver.ProblemAsync(await _world.CreateResponseAsync(alice, room.Id, await _world.UploadAsync(alice, forCarol.Ciphertext), forCarol.Envelope, restricted: true),
            HttpStatusCode.UnprocessableEntity);
        Assert.Contains("not a current member", outsider.GetProperty("detail").GetString());
        var roomWrap = await _world.HandMadeAsync(alice, Guid.NewGuid(), 1, null, "CONFIDENTIAL", [(KeyWrapRecipient.RoomEpoch, room.Id, 1)]);
        await ClientDriver.ProblemAsync(await _world.CreateResponseAsync(alice, room.Id, await _world.UploadAsync(alice, roomWrap.Ciphertext), roomWrap.Envelope, restricted: true),
            HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task A_restricted_document_is_for_its_recipients_only_and_non_members_see_nothing()
    {
        var (a, alice, bob, room) = await RoomAsync(epoch: false);
        var dave = await Rooms.UserAsync(a, "dave");
        await Rooms.AddAsync(alice, room.Id, dave);
        var plaintext = RandomNumberGenerator.GetBytes(20_000);
        var document = Guid.NewGuid();
        var made = await _world.EncryptAsync(alice, document, 1, null, room.Label, plaintext,
            [await _world.RecipientAsync(alice, alice, room.Label), await _world.RecipientAsync(alice, bob, room.Label)], null);
        var view = await _world.CreateAsync(alice, room.Id, made, restricted: true);
        Assert.True(view.Restricted);

        var (read, error) = await _world.ReadAsync(bob, document, 1, new KeyHolder.Device(bob.Device.Id, bob.Device.Kem), alice.Account.IdentityKey.PublicKey);
        Assert.Null(error);
        Assert.Equal(plaintext, read);
        Assert.Single(await ClientDriver.ReadAsync<IReadOnlyList<DocumentSummary>>(await _world.Client.GetAsync($"/api/rooms/{room.Id}/documents", bob.Token)));

        // Dave is a member but was given no key: the document does not exist for him.
        Assert.Empty(await ClientDriver.ReadAsync<IReadOnlyList<DocumentSummary>>(await _world.Client.GetAsync($"/api/rooms/{room.Id}/documents", dave.Token)));
        await ClientDriver.ProblemAsync(await _world.Client.GetAsync($"/api/documents/{document}", dave.Token), HttpStatusCode.NotFound);
        await ClientDriver.ProblemAsync(await _world.Client.GetAsync($"/api/documents/{document}/versions/1/envelope", dave.Token), HttpStatusCode.NotFound);

        // Someone outside the room neither lists nor reads it.
        var b = await Rooms.PartyAsync('E');
        var eve = await Rooms.UserAsync(b, "eve");
        await ClientDriver.ProblemAsync(await _world.Client.GetAsync($"/api/rooms/{room.Id}/documents", eve.Token), HttpStatusCode.NotFound);
        await ClientDriver.ProblemAsync(await _world.Client.GetAsync($"/api/documents/{document}", eve.Token), HttpStatusCode.NotFound);
        await ClientDriver.ProblemAsync(await _world.Client.GetAsync($"/api/documents/{document}/versions/1/content", eve.Token), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Versions_chain_by_hash_and_a_member_without_a_key_of_a_version_is_told_so()
    {
        var (_, alice, bob, room) = await RoomAsync();
        using var roomKey = RoomKey(room);
        var document = Guid.NewGuid();
        var first = await _world.EncryptAsync(alice, document, 1, null, room.Label, RandomNumberGenerator.GetBytes(3000), [], roomKey);
        await _world.CreateAsync(alice, room.Id, first);

        var wrongPrevious = await _world.EncryptAsync(alice, document, 2, RandomNumberGenerator.GetBytes(32), room.Label, RandomNumberGenerator.GetBytes(3000), [], roomKey);
        var chain = await ClientDriver.ProblemAsync(await _world.AddVersionResponseAsync(alice, document, wrongPrevious), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("previous version hash", chain.GetProperty("detail").GetString());
        var skipped = await _world.EncryptAsync(alice, document, 3, first.Hash, room.Label, RandomNumberGenerator.GetBytes(3000), [], roomKey);
        await ClientDriver.ProblemAsync(await _world.AddVersionResponseAsync(alice, document, skipped), HttpStatusCode.UnprocessableEntity);

        // Bob writes version 2 from version 1, for his own device only (the document is not restricted, so the room epoch too).
        var plaintext = RandomNumberGenerator.GetBytes(5000);
        var second = await _world.EncryptAsync(bob, document, 2, first.Hash, room.Label, plaintext, [await _world.RecipientAsync(bob, bob, room.Label)], roomKey);
        var view = await ClientDriver.ReadAsync<DocumentView>(await _world.AddVersionResponseAsync(bob, document, second), HttpStatusCode.Created);
        Assert.Equal([1, 2], view.Versions.Select(v => v.Version));
        Assert.Equal(bob.Id, view.Versions[1].AuthorUserId);
        var again = await ClientDriver.ProblemAsync(await _world.AddVersionResponseAsync(alice, document,
            await _world.EncryptAsync(alice, document, 2, first.Hash, room.Label, RandomNumberGenerator.GetBytes(10), [], roomKey)), HttpStatusCode.Conflict);
        Assert.Contains("exists already", again.GetProperty("detail").GetString());

        var (read, error) = await _world.ReadAsync(alice, document, 2, new KeyHolder.Room(roomKey), bob.Account.IdentityKey.PublicKey);
        Assert.Null(error);
        Assert.Equal(plaintext, read);
        await ClientDriver.ProblemAsync(await _world.Client.GetAsync($"/api/documents/{document}/versions/3/envelope", alice.Token), HttpStatusCode.NotFound);

        // A restricted document's version wrapped for alice only: bob's device gets 403, no key of it.
        var restricted = Guid.NewGuid();
        var own = await _world.EncryptAsync(alice, restricted, 1, null, room.Label, RandomNumberGenerator.GetBytes(10),
            [await _world.RecipientAsync(alice, alice, room.Label), await _world.RecipientAsync(alice, bob, room.Label)], null);
        await _world.CreateAsync(alice, room.Id, own, restricted: true);
        var next = await _world.EncryptAsync(alice, restricted, 2, own.Hash, room.Label, RandomNumberGenerator.GetBytes(10), [await _world.RecipientAsync(alice, alice, room.Label)], null);
        await ClientDriver.ReadAsync<DocumentView>(await _world.AddVersionResponseAsync(alice, restricted, next), HttpStatusCode.Created);
        var noKey = await ClientDriver.ProblemAsync(await _world.Client.GetAsync($"/api/documents/{restricted}/versions/2/envelope", bob.Token), HttpStatusCode.Forbidden);
        Assert.Equal("No key of this version was given to this device.", noKey.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_rooms_live_connections_are_told_of_new_documents_and_versions()
    {
        var (_, alice, bob, room) = await RoomAsync();
        using var roomKey = RoomKey(room);
        await using var listener = await HubListener.ConnectAsync(Host.BaseAddress, bob.Token);
        Assert.Contains(room.Id, await listener.JoinedAsync());
        var document = Guid.NewGuid();
        var first = await _world.EncryptAsync(alice, document, 1, null, room.Label, RandomNumberGenerator.GetBytes(10), [], roomKey);
        await _world.CreateAsync(alice, room.Id, first);
        Assert.Equal(new DocumentEvent(room.Id, document, "created", 1), await NextDocumentEventAsync(listener));
        var second = await _world.EncryptAsync(alice, document, 2, first.Hash, room.Label, RandomNumberGenerator.GetBytes(10), [], roomKey);
        await ClientDriver.ReadAsync<DocumentView>(await _world.AddVersionResponseAsync(alice, document, second), HttpStatusCode.Created);
        Assert.Equal(new DocumentEvent(room.Id, document, "version", 2), await NextDocumentEventAsync(listener));
    }

    private static async Task<DocumentEvent> NextDocumentEventAsync(HubListener listener)
    {
        while (true)
        {
            if (await listener.NextAsync() is DocumentEvent change) return change;
        }
    }

    [Fact]
    public async Task Heads_of_delegation_initial_and_sign_once_each_with_their_own_key()
    {
        var a = await Rooms.PartyAsync('H');
        var head = await Rooms.UserAsync(a, "hanna", roles: ["head-of-delegation", "member"]);
        var member = await Rooms.UserAsync(a, "mark");
        var room = await Rooms.CreateRoomAsync(head, "CONFIDENTIAL", [a.Code]);
        await Rooms.AddAsync(head, room.Id, member);
        await Rooms.RotateAsync(head, room.Id);
        room = await Rooms.GetRoomAsync(head, room.Id);
        using var roomKey = RoomKey(room);
        var document = Guid.NewGuid();
        var made = await _world.EncryptAsync(member, document, 1, null, room.Label, RandomNumberGenerator.GetBytes(100), [], roomKey);
        await _world.CreateAsync(member, room.Id, made);

        Task<HttpResponseMessage> EndorseAsync(RoomUser by, Signed<Endorsement> endorsement) =>
            _world.Client.PostAsync($"/api/documents/{document}/endorsements", new EndorseRequest(endorsement.Encode()), by.Token);

        var byMember = await Endorsement.CreateAsync(DocumentsWorld.Suite, member.Account.IdentityKey, EndorsementKind.Initial, made.Manifest, a.Code, member.Id, _world.Now);
        await ClientDriver.ProblemAsync(await EndorseAsync(member, byMember), HttpStatusCode.Forbidden);

        var badSignature = await Endorsement.CreateAsync(DocumentsWorld.Suite, member.Account.IdentityKey, EndorsementKind.Initial, made.Manifest, a.Code, head.Id, _world.Now);
        var bad = await ClientDriver.ProblemAsync(await EndorseAsync(head, badSignature), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("does not verify", bad.GetProperty("detail").GetString());
        // Made offline up to a day ago is taken; older, or from a clock running more than 10 minutes fast, is not.
        var stale = await Endorsement.CreateAsync(DocumentsWorld.Suite, head.Account.IdentityKey, EndorsementKind.Initial, made.Manifest, a.Code, head.Id, _world.Now.AddHours(-25));
        await ClientDriver.ProblemAsync(await EndorseAsync(head, stale), HttpStatusCode.UnprocessableEntity);
        var early = await Endorsement.CreateAsync(DocumentsWorld.Suite, head.Account.IdentityKey, EndorsementKind.Initial, made.Manifest, a.Code, head.Id, _world.Now.AddMinutes(20));
        await ClientDriver.ProblemAsync(await EndorseAsync(head, early), HttpStatusCode.UnprocessableEntity);

        var initial = await Endorsement.CreateAsync(DocumentsWorld.Suite, head.Account.IdentityKey, EndorsementKind.Initial, made.Manifest, a.Code, head.Id, _world.Now);
        var view = await ClientDriver.ReadAsync<DocumentView>(await EndorseAsync(head, initial), HttpStatusCode.Created);
        var stored = Assert.Single(view.Endorsements);
        Assert.Equal((1, (int)EndorsementKind.Initial, a.Code, head.Id), (stored.Version, stored.Kind, stored.Delegation, stored.SignerUserId));
        Assert.Equal(initial.Encode(), stored.Signed);
        var repeat = await Endorsement.CreateAsync(DocumentsWorld.Suite, head.Account.IdentityKey, EndorsementKind.Initial, made.Manifest, a.Code, head.Id, _world.Now);
        await ClientDriver.ProblemAsync(await EndorseAsync(head, repeat), HttpStatusCode.Conflict);
        var signature = await Endorsement.CreateAsync(DocumentsWorld.Suite, head.Account.IdentityKey, EndorsementKind.Sign, made.Manifest, a.Code, head.Id, _world.Now);
        Assert.Equal(2, (await ClientDriver.ReadAsync<DocumentView>(await EndorseAsync(head, signature), HttpStatusCode.Created)).Endorsements.Count);
    }
}
