using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Parley.Protocol.Api;
using Parley.Protocol.Ledger;
using Parley.Protocol.Rooms;
using Parley.Server.Rooms.Retention;
using Parley.Server.Tests.Identity.Support;
using Parley.Server.Tests.Policy.Support;
using Parley.Server.Tests.Rooms.Support;

namespace Parley.Server.Tests.Rooms;

/// <summary>
/// A room's log on a real server: epochs accepted only when they extend the current one, messages only in
/// the current epoch from a bound roster device while no new epoch is due, one total order for everyone,
/// catch-up after being away, retention, the ledger, and a data folder without a word of what was said.
/// </summary>
public sealed class RoomLogTests(IdentityHostFixture fixture) : IClassFixture<IdentityHostFixture>
{
    private readonly RoomsWorld _world = new(fixture);

    private IdentityHost Host => fixture.Host;

    private async Task<(Party A, Party B, RoomUser Alice, RoomUser Bob, RoomView Room)> PairAsync(int? retentionDays = null)
    {
        var a = await _world.PartyAsync('A');
        var b = await _world.PartyAsync('B');
        var alice = await _world.UserAsync(a, "alice");
        var bob = await _world.UserAsync(b, "bob");
        var room = await _world.CreateRoomAsync(alice, $"CONFIDENTIAL//REL TO {RoomManagementTests.Order(a.Code, b.Code)}", [a.Code, b.Code], retentionDays);
        await _world.AddAsync(alice, room.Id, bob);
        return (a, b, alice, bob, room);
    }

    [Fact]
    public async Task Members_read_one_order_and_a_member_who_was_away_catches_up_page_by_page()
    {
        var (_, _, alice, bob, room) = await PairAsync();
        await _world.RotateAsync(alice, room.Id);
        var sent = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            sent.Add($"alice {i} {Guid.NewGuid():N}");
            await _world.SendAsync(alice, room.Id, sent[^1]);
        }

        // Bob was away: he reads everything since he was added, in order, one entry per page.
        var sequences = new List<long>();
        long after = 0;
        while (true)
        {
            var page = await _world.LogAsync(bob, room.Id, after, limit: 1);
            Assert.True(page.Entries.Count <= 1);
            foreach (var entry in page.Entries) await _world.ApplyAsync(bob, entry);
            sequences.AddRange(page.Entries.Select(e => e.Sequence));
            if (!page.More) break;
            after = page.Entries[^1].Sequence;
        }
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(sequences.Count, sequences.Distinct().Count());
        Assert.Equal(sent, bob.Room(room.Id).Read);
        Assert.Empty(bob.Room(room.Id).Refusals);
        // His log starts at the entry that added him: he never sees the room's creation.
        Assert.Equal(RoomEntryKind.MemberAdded, bob.Room(room.Id).Entries[0].Kind);
        Assert.Equal(bob.Id, bob.Room(room.Id).Entries[0].Subject);

        // He answers; alice, reading on from where she was, gets exactly that.
        await _world.SendAsync(bob, room.Id, "bob answers");
        Assert.Equal(["bob answers"], await _world.ReadAsync(alice, room.Id));
        var full = await _world.LogAsync(alice, room.Id);
        Assert.Equal(full.LastSequence, full.Entries[^1].Sequence);
        Assert.Equal(full.Entries.Select(e => e.Sequence).Order(), full.Entries.Select(e => e.Sequence));

        await ClientDriver.ProblemAsync(await _world.Client.GetAsync($"/api/rooms/{room.Id}/log?after=-1", alice.Token), HttpStatusCode.BadRequest);
        await ClientDriver.ProblemAsync(await _world.Client.GetAsync($"/api/rooms/{room.Id}/log?limit=0", alice.Token), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Epochs_are_compare_and_set_and_the_loser_gets_409_with_the_winner()
    {
        var (_, b, alice, bob, room) = await PairAsync();
        await _world.RotateAsync(alice, room.Id);
        await _world.ReadAsync(bob, room.Id);
        Assert.Equal(1, bob.Room(room.Id).CurrentEpoch);

        // Both make epoch 2 from epoch 1; alice publishes first.
        var mine = await _world.MakeEpochAsync(alice, room.Id);
        var theirs = await _world.MakeEpochAsync(bob, room.Id);
        var won = await ClientDriver.ReadAsync<RoomEntryReceipt>(await _world.PublishResponseAsync(alice, room.Id, mine), HttpStatusCode.Created);
        RoomsWorld.Accept(alice, room.Id, mine);
        var lost = await ClientDriver.ProblemAsync(await _world.PublishResponseAsync(bob, room.Id, theirs), HttpStatusCode.Conflict);
        Assert.Equal("urn:parley:problem:epoch-conflict", lost.GetProperty("type").GetString());
        Assert.Equal(2, lost.GetProperty("epoch").GetInt64());
        Assert.Equal(won.Sequence, lost.GetProperty("sequence").GetInt64());
        Assert.Equal(Convert.ToBase64String(await mine.Roster.HashAsync(RoomsWorld.Suite.Backend)), lost.GetProperty("rosterHash").GetString());

        // The loser reads the winner, opens it, and decides again: epoch 3 extends it.
        await _world.ReadAsync(bob, room.Id);
        Assert.Equal(2, bob.Room(room.Id).CurrentEpoch);
        Assert.Empty(bob.Room(room.Id).Refusals);
        await _world.RotateAsync(bob, room.Id);
        Assert.Equal(3, (await _world.GetRoomAsync(alice, room.Id)).Epoch?.Epoch);

        // An epoch that names a device of someone outside the room, or leaves a member device without its
        // package, or is not made by the caller's own device, is refused and changes nothing.
        var carol = await _world.UserAsync(b, "carol");
        var definition = RoomsWorld.Definition(await _world.GetRoomAsync(alice, room.Id));
        var outsider = await _world.AdmitDeviceAsync(alice, definition, carol.Id, carol.Device.Id);
        Assert.True(outsider.IsOk);
        var stuffed = await _world.MakeEpochAsync(alice, room.Id, [outsider.Value]);
        var refused = await ClientDriver.ProblemAsync(await _world.PublishResponseAsync(alice, room.Id, stuffed), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("not a member of the room", refused.GetProperty("detail").GetString());
        var next = await _world.MakeEpochAsync(alice, room.Id);
        refused = await ClientDriver.ProblemAsync(await _world.PublishResponseAsync(alice, room.Id, next, next.Packages.Skip(1).Select(p => p.Encode())), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("exactly one key package", refused.GetProperty("detail").GetString());
        refused = await ClientDriver.ProblemAsync(await _world.PublishResponseAsync(bob, room.Id, next), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("bound to", refused.GetProperty("detail").GetString());
        var tampered = next.Roster.Encode();
        tampered[^1] ^= 1;
        await ClientDriver.ProblemAsync(await _world.Client.PostAsync($"/api/rooms/{room.Id}/epochs",
            new PublishEpochRequest(tampered, next.Packages.Select(p => p.Encode()).ToList()), alice.Token), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(3, (await _world.GetRoomAsync(alice, room.Id)).Epoch?.Epoch);

        // The untouched one still extends epoch 3.
        await ClientDriver.ReadAsync<RoomEntryReceipt>(await _world.PublishResponseAsync(alice, room.Id, next), HttpStatusCode.Created);
    }

    [Fact]
    public async Task Messages_are_refused_for_a_past_epoch_a_replay_another_room_an_unbound_session_a_write_down_and_when_a_new_epoch_is_due()
    {
        var (a, b, alice, bob, room) = await PairAsync();
        var count = async () => await Host.CountAsync($"SELECT count(*) FROM room_entries WHERE RoomId = '{room.Id.ToString().ToUpperInvariant()}' AND Kind = {(int)RoomEntryKind.Message}");

        // No epoch yet: rekey-required, before anything else.
        var header = new MessageHeader(room.Id, 1, [.. new byte[32]], alice.Device.Id, 0, room.Label, Host.Clock.GetUtcNow().ToUnixTimeSeconds());
        var none = await ClientDriver.ProblemAsync(await _world.PostResponseAsync(alice, room.Id, RoomsWorld.MessageWithHeader(header)), HttpStatusCode.Conflict);
        Assert.Equal("urn:parley:problem:rekey-required", none.GetProperty("type").GetString());
        Assert.Equal(["NoEpoch"], none.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));

        await _world.RotateAsync(alice, room.Id);
        var early = await _world.EncryptAsync(alice, room.Id, "written in epoch 1");
        var posted = await _world.EncryptAsync(alice, room.Id, "posted once");
        await ClientDriver.ReadAsync<RoomEntryReceipt>(await _world.PostResponseAsync(alice, room.Id, posted.Encode()), HttpStatusCode.Created);
        Assert.Equal(1, await count());

        // The same bytes again: a replay.
        var replay = await ClientDriver.ProblemAsync(await _world.PostResponseAsync(alice, room.Id, posted.Encode()), HttpStatusCode.Conflict);
        Assert.Equal("urn:parley:problem:replayed", replay.GetProperty("type").GetString());

        // Into another room of hers: refused there.
        var other = await _world.CreateRoomAsync(alice, room.Label, room.Parties);
        await _world.RotateAsync(alice, other.Id);
        var cross = await ClientDriver.ProblemAsync(await _world.PostResponseAsync(alice, other.Id, (await _world.EncryptAsync(alice, room.Id, "wrong room")).Encode()), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("not this room", cross.GetProperty("detail").GetString());

        // A tampered byte of the ciphertext breaks the sender's signature.
        var tampered = (await _world.EncryptAsync(alice, room.Id, "tampered")).Encode();
        tampered[^10] ^= 1;
        await ClientDriver.ProblemAsync(await _world.PostResponseAsync(alice, room.Id, tampered), HttpStatusCode.UnprocessableEntity);

        // A portion below the room's label is a write-down: the policy refuses it and says why.
        var low = await _world.EncryptAsync(alice, room.Id, "low", $"RESTRICTED//REL TO {RoomManagementTests.Order(a.Code, b.Code)}");
        await PolicyDriver.DeniedAsync(await _world.PostResponseAsync(alice, room.Id, low.Encode()), "forbid.write-down");

        // A session not bound to a device writes nothing.
        await _world.Client.LoginAsync(alice.Account);
        var notBound = await ClientDriver.ProblemAsync(await _world.Client.PostAsync($"/api/rooms/{room.Id}/messages", new PostMessageRequest((await _world.EncryptAsync(alice, room.Id, "unbound")).Encode()), alice.Token), HttpStatusCode.Forbidden);
        Assert.Contains("forbid.device-not-bound", notBound.GetProperty("rules").EnumerateArray().Select(r => r.GetString()));
        await _world.BindAsync(alice);

        // Bob, removed, leaves the room due for a new epoch: alice is told why before she can send.
        await _world.RemoveAsync(alice, room.Id, bob);
        var due = await ClientDriver.ProblemAsync(await _world.PostResponseAsync(alice, room.Id, (await _world.EncryptAsync(alice, room.Id, "after removal")).Encode()), HttpStatusCode.Conflict);
        Assert.Equal("urn:parley:problem:rekey-required", due.GetProperty("type").GetString());
        Assert.Contains("MemberRemoved", due.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        Assert.Contains("a member was removed", due.GetProperty("detail").GetString());
        // And he cannot post either: he is no longer a member.
        await ClientDriver.ProblemAsync(await _world.PostResponseAsync(bob, room.Id, posted.Encode()), HttpStatusCode.NotFound);

        // A message of the epoch that is over: superseded, with where the room is now.
        await _world.RotateAsync(alice, room.Id);
        var superseded = await ClientDriver.ProblemAsync(await _world.PostResponseAsync(alice, room.Id, early.Encode()), HttpStatusCode.Conflict);
        Assert.Equal("urn:parley:problem:epoch-superseded", superseded.GetProperty("type").GetString());
        Assert.Equal(2, superseded.GetProperty("epoch").GetInt64());
        Assert.Equal(1, await count());

        // 100 messages close an epoch; the 101st waits for the next one; so does one a day later.
        for (var i = 0; i < EpochPolicy.Default.MaxMessages; i++) await _world.SendAsync(alice, room.Id, $"m{i}");
        var full = await ClientDriver.ProblemAsync(await _world.PostResponseAsync(alice, room.Id, (await _world.EncryptAsync(alice, room.Id, "one too many")).Encode()), HttpStatusCode.Conflict);
        Assert.Contains("MessageLimit", full.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        await _world.RotateAsync(alice, room.Id);
        await _world.SendAsync(alice, room.Id, "fresh epoch");
        Host.Clock.Advance(EpochPolicy.Default.MaxAge);
        await _world.SignInAsync(alice);
        var old = await ClientDriver.ProblemAsync(await _world.PostResponseAsync(alice, room.Id, (await _world.EncryptAsync(alice, room.Id, "a day later")).Encode()), HttpStatusCode.Conflict);
        Assert.Contains("AgeLimit", old.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(EpochPolicy.Default.MaxMessages + 2, await count());
    }

    [Fact]
    public async Task A_removed_member_gets_no_key_package_of_later_epochs_and_reads_nothing_sent_after()
    {
        var (_, _, alice, bob, room) = await PairAsync();
        await _world.RotateAsync(alice, room.Id);
        await _world.SendAsync(alice, room.Id, "before removal");
        Assert.Equal(["before removal"], await _world.ReadAsync(bob, room.Id));
        var bobsLog = bob.Room(room.Id).LastSequence;

        await _world.RemoveAsync(alice, room.Id, bob);
        var epoch = await _world.MakeEpochAsync(alice, room.Id);
        Assert.DoesNotContain(epoch.Roster.Body.Members, m => m.UserId == bob.Id);
        await ClientDriver.ReadAsync<RoomEntryReceipt>(await _world.PublishResponseAsync(alice, room.Id, epoch), HttpStatusCode.Created);
        RoomsWorld.Accept(alice, room.Id, epoch);
        await _world.SendAsync(alice, room.Id, "after removal");

        // The server keeps no package for his device past epoch 1, and he may not read the log at all.
        Assert.Equal(1, await Host.CountAsync($"SELECT count(*) FROM room_key_packages WHERE RecipientDeviceId = '{bob.Device.Id.ToString().ToUpperInvariant()}'"));
        await ClientDriver.ProblemAsync(await _world.Client.GetAsync($"/api/rooms/{room.Id}/log?after={bobsLog}", bob.Token), HttpStatusCode.NotFound);

        // Even handed the entries (as a curious server would), his keys open nothing of them.
        var later = (await _world.LogAsync(alice, room.Id, bobsLog)).Entries;
        foreach (var entry in later) await _world.ApplyAsync(bob, entry with { KeyPackage = null });
        Assert.Equal(["before removal"], bob.Room(room.Id).Read);
        Assert.Contains(bob.Room(room.Id).Refusals, r => r.Code == RoomErrorCode.NoKeyPackage);
    }

    [Fact]
    public async Task Messages_past_the_rooms_retention_are_deleted_and_clients_are_told_through_the_log()
    {
        var (_, _, alice, bob, room) = await PairAsync(retentionDays: 1);
        await _world.RotateAsync(alice, room.Id);
        await _world.SendAsync(alice, room.Id, "short-lived 1");
        await _world.SendAsync(alice, room.Id, "short-lived 2");
        var before = await PolicyDriver.LastLedgerIdAsync(Host);

        Host.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await Host.Server.App.Services.GetServices<IHostedService>().OfType<RetentionSweeper>().Single().SweepAsync(CancellationToken.None);

        var id = room.Id.ToString().ToUpperInvariant();
        Assert.Equal(0, await Host.CountAsync($"SELECT count(*) FROM room_entries WHERE RoomId = '{id}' AND Kind = {(int)RoomEntryKind.Message}"));
        await _world.SignInAsync(bob);
        await _world.ReadAsync(bob, room.Id);
        var expired = Assert.Single(bob.Room(room.Id).Entries, e => e.Kind == RoomEntryKind.Expired);
        Assert.Empty(bob.Room(room.Id).Read);
        Assert.True(expired.ExpiredThrough >= bob.Room(room.Id).Entries.Where(e => e.Kind == RoomEntryKind.Epoch).Max(e => e.Sequence) + 2);
        var ledgered = Assert.Single(await PolicyDriver.LedgerSinceAsync(Host, before), e => e.Entry.Type == LedgerEventType.RoomMessagesExpired);
        Assert.Equal("2", ledgered.Entry.Field("messages"));
        Assert.Equal($"room:{room.Id}", ledgered.Entry.Subject);

        // The room goes on: the next epoch and message are kept.
        await _world.SignInAsync(alice);
        await _world.RotateAsync(alice, room.Id);
        await _world.SendAsync(alice, room.Id, "kept");
        Assert.Equal(["kept"], await _world.ReadAsync(bob, room.Id));
    }

    [Fact]
    public async Task Every_room_event_is_ledgered_with_ids_and_hashes_never_content()
    {
        var before = await PolicyDriver.LastLedgerIdAsync(Host);
        var (_, b, alice, bob, room) = await PairAsync();
        var epoch = await _world.MakeEpochAsync(alice, room.Id);
        await ClientDriver.ReadAsync<RoomEntryReceipt>(await _world.PublishResponseAsync(alice, room.Id, epoch), HttpStatusCode.Created);
        RoomsWorld.Accept(alice, room.Id, epoch);
        var text = $"ledger-marker-{Guid.NewGuid():N}";
        var message = await _world.EncryptAsync(alice, room.Id, text);
        await ClientDriver.ReadAsync<RoomEntryReceipt>(await _world.PostResponseAsync(alice, room.Id, message.Encode()), HttpStatusCode.Created);
        await ClientDriver.ReadAsync<RoomView>(await _world.Client.PostEmptyAsync($"/api/rooms/{room.Id}/withdraw", b.Officer.Token));

        var entries = (await PolicyDriver.LedgerSinceAsync(Host, before)).Select(e => e.Entry).Where(e => e.Subject == $"room:{room.Id}").ToList();
        var created = Assert.Single(entries, e => e.Type == LedgerEventType.RoomCreated);
        Assert.Equal(room.Label, created.Field("label"));
        Assert.DoesNotContain(created.Fields, f => f.Value.Contains(room.Name, StringComparison.Ordinal));
        Assert.Equal([alice.Id.ToString(), bob.Id.ToString()], entries.Where(e => e.Type == LedgerEventType.RoomMemberAdded).Select(e => e.Field("user")));
        var keys = Assert.Single(entries, e => e.Type == LedgerEventType.KeyPackagesPublished);
        Assert.Equal(Convert.ToHexStringLower(await epoch.Roster.HashAsync(RoomsWorld.Suite.Backend)), keys.Field("roster-hash"));
        Assert.Equal(epoch.Roster.Body.Members.Select(m => m.DeviceId.ToString()).Order(), keys.Field("devices")!.Split(',').Order());
        var posted = Assert.Single(entries, e => e.Type == LedgerEventType.MessagePosted);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(message.Encode())), posted.Field("message-hash"));
        Assert.Equal(alice.Device.Id.ToString(), posted.Field("device"));
        Assert.Equal(b.Code, Assert.Single(entries, e => e.Type == LedgerEventType.RoomPartyWithdrawn).Field("party"));
        var removed = Assert.Single(entries, e => e.Type == LedgerEventType.RoomMemberRemoved);
        Assert.Equal(bob.Id.ToString(), removed.Field("user"));
        Assert.All(entries, e => Assert.DoesNotContain(e.Fields, f => f.Value.Contains(text, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task After_a_conversation_the_servers_data_folder_holds_none_of_its_text()
    {
        var (_, _, alice, bob, room) = await PairAsync();
        await _world.RotateAsync(alice, room.Id);
        await _world.ReadAsync(bob, room.Id);
        var marker = $"plaintext-marker-{Guid.NewGuid():N}";
        var texts = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            texts.Add($"{marker} alice {i}");
            await _world.SendAsync(alice, room.Id, texts[^1]);
            texts.Add($"{marker} bob {i}");
            await _world.ReadAsync(bob, room.Id);
            await _world.SendAsync(bob, room.Id, texts[^1]);
        }
        Assert.Equal(texts.Where(t => t.Contains(" alice ", StringComparison.Ordinal)), bob.Room(room.Id).Read);
        Assert.Equal(texts.Where(t => t.Contains(" bob ", StringComparison.Ordinal)), await _world.ReadAsync(alice, room.Id));

        // The database, its write-ahead log and every other file: neither UTF-8 nor UTF-16 of the marker.
        var files = Directory.EnumerateFiles(Host.DataDirectory, "*", SearchOption.AllDirectories).ToList();
        Assert.Contains(files, f => Path.GetFileName(f) == "parley.db");
        var needles = new[] { Encoding.UTF8.GetBytes(marker), Encoding.Unicode.GetBytes(marker) };
        var scanned = 0L;
        foreach (var file in files)
        {
            byte[] content;
            await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                content = new byte[stream.Length];
                await stream.ReadExactlyAsync(content);
            }
            scanned += content.Length;
            foreach (var needle in needles) Assert.True(content.AsSpan().IndexOf(needle) < 0, $"{file} holds a message's text.");
        }
        // The scan can find what is there: the room's name, which the server does keep, is found.
        Assert.True(scanned > 0);
        var name = Encoding.UTF8.GetBytes(room.Name);
        Assert.Contains(files, f =>
        {
            using var stream = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var content = new byte[stream.Length];
            stream.ReadExactly(content);
            return content.AsSpan().IndexOf(name) >= 0;
        });
    }
}
