using Parley.Client.Api;
using Parley.Client.Flows;
using Parley.Client.Keys;
using Parley.Client.Ledger;
using Parley.Client.Rooms;
using Parley.Client.Tests.Support;
using Parley.Client.Verification;
using Parley.Protocol.Api;
using Parley.Protocol.Identity;
using Parley.Protocol.Rooms;

namespace Parley.Client.Tests.Rooms;

/// <summary>
/// What the SDK refuses, and says why: a removed or revoked device reads nothing sent after, a device
/// the server slips into a room never gets a key, a member whose clearance fell below the room's label
/// is told so, tampered and replayed entries are rejected with a typed reason, and a verified contact's
/// changed key is warned about.
/// </summary>
[Collection(RoomsCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RoomSecurityTests(RoomsWorld world)
{
    private const string JointLabel = "SECRET//REL TO ATL, BOR";

    [Fact]
    public async Task A_removed_member_forces_a_new_epoch_and_cannot_read_what_is_sent_after_even_given_the_log()
    {
        await using var head = await world.RoomsAsync(world.AtlHead);
        await using var analyst = await world.RoomsAsync(world.BorAnalyst);
        var room = await world.RoomAsync(head, JointLabel, ["ATL", "BOR"], world.BorAnalyst);
        var first = await head.SendAsync(room.Id, "before the removal");
        Assert.Equal(["before the removal"], (await analyst.SyncAsync(room.Id)).Messages.Select(m => m.Text));

        await head.RemoveMemberAsync(room.Id, world.BorAnalyst.Email);
        var after = await head.SendAsync(room.Id, "after the removal");
        Assert.Equal(first.Message.Epoch + 1, after.NewEpoch);
        Assert.Equal(after.NewEpoch, after.Message.Epoch);

        // The server no longer serves them the room...
        var gone = await Assert.ThrowsAsync<ParleyApiException>(() => analyst.SyncAsync(room.Id));
        Assert.Equal(ApiProblemKind.NotFound, gone.Kind);
        // ...and with the whole log in hand (as a curious server could give it), their keys open nothing new.
        var log = await head.Api.GetRoomLogAsync(room.Id, 0);
        var update = await analyst.ApplyEntriesAsync(room, log.Entries, CancellationToken.None);
        var unread = Assert.Single(update.Messages);
        Assert.Null(unread.Text);
        Assert.Equal(RoomErrorCode.NoKeyPackage, unread.Error!.Code);
        Assert.Contains(update.Notices, n => n.Kind == RoomNoticeKind.NoKeyForEpoch && n.Epoch == after.NewEpoch);
    }

    [Fact]
    public async Task A_server_that_slips_an_uncleared_or_unknown_device_into_a_room_never_gets_a_key_for_it_and_the_sender_is_told_why()
    {
        var tampering = new TamperingHandler();
        await using var head = await world.RoomsAsync(world.AtlHead, null, tampering);
        await using var borHead = await world.RoomsAsync(world.BorHead);
        var room = await world.RoomAsync(head, JointLabel, ["ATL", "BOR"], world.BorHead);

        // The server claims the interpreter (cleared CONFIDENTIAL) is a member, lists her device, and adds the
        // analyst's device to the head of BOR's entry (signed by another identity: unknown for that person).
        var interpreter = await head.Api.GetDirectoryEntryAsync(world.AtlInterpreter.Email);
        var analyst = await head.Api.GetDirectoryEntryAsync(world.BorAnalyst.Email);
        tampering.Rewrite($"/api/rooms/{room.Id}", ApiJson.Default.RoomView, view => view with
        {
            Members = [.. view.Members, new RoomMemberView(interpreter.User.Id, interpreter.User.Email, interpreter.User.DisplayName, "ATL", DateTimeOffset.UtcNow, world.AtlHead.UserId)],
        });
        tampering.Rewrite($"/api/rooms/{room.Id}/devices", ApiJson.Default.IReadOnlyListDirectoryEntry, entries =>
        [
            .. entries.Select(e => e.User.Id == world.BorHead.UserId ? e with { DeviceCertificates = [.. e.DeviceCertificates, analyst.DeviceCertificates[0]] } : e),
            interpreter,
        ]);

        var sent = await head.SendAsync(room.Id, "for cleared eyes only");
        var interpreterDevice = Signed<DeviceCertificate>.Decode(interpreter.DeviceCertificates[0]).Value.Body.DeviceId;
        var analystDevice = Signed<DeviceCertificate>.Decode(analyst.DeviceCertificates[0]).Value.Body.DeviceId;
        var uncleared = Assert.Single(sent.Refused, n => n.DeviceId == interpreterDevice);
        Assert.Equal(RoomNoticeKind.DeviceRefused, uncleared.Kind);
        Assert.Equal(RoomErrorCode.LabelAboveClearance, uncleared.Reason);
        var unknown = Assert.Single(sent.Refused, n => n.DeviceId == analystDevice);
        Assert.Equal(RoomErrorCode.Untrusted, unknown.Reason);

        // The roster the head signed holds neither device, and the head of BOR (not lied to) reads the message.
        tampering.Clear();
        var epoch = (await head.Api.GetRoomLogAsync(room.Id, 0)).Entries.Last(e => e.Kind == RoomEntryKind.Epoch);
        var roster = DeviceSigned<Roster>.Decode(epoch.Roster!).Value.Body;
        Assert.Null(roster.Find(interpreterDevice));
        Assert.Null(roster.Find(analystDevice));
        Assert.Equal(2, roster.Members.Length);
        Assert.Equal(["for cleared eyes only"], (await borHead.SyncAsync(room.Id)).Messages.Select(m => m.Text));
    }

    [Fact]
    public async Task A_client_that_follows_the_ledger_gives_no_key_to_a_device_whose_keys_the_log_does_not_hold()
    {
        var tampering = new TamperingHandler();
        await using var head = await world.RoomsAsync(world.AtlHead, null, tampering);
        using var ledgerHttp = new HttpClient { BaseAddress = world.Url };
        head.Api.Ledger = new ProfileLedger(ledgerHttp, world.AtlHead.Store, new MemoryCheckpointStore());
        var room = await world.RoomAsync(head, JointLabel, ["ATL", "BOR"], world.BorHead);

        // A device of the head of BOR, genuinely certified by his identity key and cleared, that the server
        // shows this client but never registered, so the log holds no entry for its keys.
        var identity = world.BorHead.Enrolled.Account.Identity;
        using var keys = await DeviceKeys.GenerateAsync(IdentityServer.Suite, default);
        var hidden = await identity.SignAsync(IdentityServer.Suite, keys.Certificate(identity, "hidden", DateTimeOffset.UtcNow), default);
        tampering.Rewrite($"/api/rooms/{room.Id}/devices", ApiJson.Default.IReadOnlyListDirectoryEntry, entries =>
            [.. entries.Select(e => e.User.Id == world.BorHead.UserId ? e with { DeviceCertificates = [.. e.DeviceCertificates, hidden.Encode()] } : e)]);

        var sent = await head.SendAsync(room.Id, "only for logged keys");
        var refused = Assert.Single(sent.Refused, n => n.DeviceId == keys.DeviceId);
        Assert.Equal(RoomErrorCode.Untrusted, refused.Reason);
        Assert.Contains("ledger", refused.Message);

        // The roster holds the logged devices only.
        tampering.Clear();
        var epoch = (await head.Api.GetRoomLogAsync(room.Id, 0)).Entries.Last(e => e.Kind == RoomEntryKind.Epoch);
        var roster = DeviceSigned<Roster>.Decode(epoch.Roster!).Value.Body;
        Assert.Null(roster.Find(keys.DeviceId));
        Assert.Equal(2, roster.Members.Length);
    }

    [Fact]
    public async Task A_member_whose_clearance_fell_below_the_rooms_label_is_told_why_they_cannot_read()
    {
        var person = await world.InviteAsync(world.AtlOfficer, $"lowered-{Guid.NewGuid():N}"[..16] + "@atl.example", Roles.Member, "SECRET");
        await using var head = await world.RoomsAsync(world.AtlHead);
        await using var lowered = await world.RoomsAsync(person);
        var room = await world.RoomAsync(head, JointLabel, ["ATL", "BOR"], person);
        await head.SendAsync(room.Id, "while cleared");
        Assert.Equal(["while cleared"], (await lowered.SyncAsync(room.Id)).Messages.Select(m => m.Text));

        // The officer revokes their SECRET clearance and certifies them at CONFIDENTIAL: the next epoch leaves
        // their device out, and the sender is told why.
        var entry = await head.Api.GetDirectoryEntryAsync(person.Email);
        var serial = Signed<ClearanceCertificate>.Decode(entry.ClearanceCertificates[^1]).Value.Body.Serial;
        await new SecurityOfficer(world.AtlOfficer.Client, IdentityServer.Suite).RevokeClearanceAsync(world.AtlOfficer.Enrolled.Account.Identity, "ATL", serial, "downgraded");
        await world.CertifyAsync(world.AtlOfficer, person, "CONFIDENTIAL");
        var sent = await head.SendAsync(room.Id, "above them now");
        Assert.NotNull(sent.NewEpoch);
        Assert.Equal(RoomErrorCode.LabelAboveClearance, Assert.Single(sent.Refused).Reason);

        // The server's policy no longer lets them read the room, and says why...
        var denied = await Assert.ThrowsAsync<ParleyApiException>(() => lowered.SyncAsync(room.Id));
        Assert.Equal(ApiProblemKind.Denied, denied.Kind);
        Assert.Contains("Cleared to CONFIDENTIAL; SECRET is needed.", denied.Reason);
        // ...and their client, handed the log, explains each message it cannot open the same way.
        var log = await head.Api.GetRoomLogAsync(room.Id, 0);
        var update = await lowered.ApplyEntriesAsync(room, log.Entries, CancellationToken.None);
        var unread = Assert.Single(update.Messages, m => m.Text is null);
        Assert.Null(unread.Text);
        Assert.Equal(RoomErrorCode.LabelAboveClearance, unread.Error!.Code);
        Assert.Contains("SECRET", unread.Error.Detail);
        Assert.Contains(update.Notices, n => n.Kind == RoomNoticeKind.NoKeyForEpoch && n.Reason == RoomErrorCode.LabelAboveClearance);
    }

    [Fact]
    public async Task A_revoked_device_gets_no_key_for_what_follows_and_its_client_says_it_was_revoked()
    {
        var person = await world.InviteAsync(world.BorOfficer, $"revoked-{Guid.NewGuid():N}"[..16] + "@bor.example", Roles.Member, "SECRET");
        await using var head = await world.RoomsAsync(world.AtlHead);
        await using var revoked = await world.RoomsAsync(person);
        var room = await world.RoomAsync(head, JointLabel, ["ATL", "BOR"], person);
        await head.SendAsync(room.Id, "before the revocation");
        Assert.Single((await revoked.SyncAsync(room.Id)).Messages);

        await new SecurityOfficer(world.BorOfficer.Client, IdentityServer.Suite).RevokeDeviceAsync(world.BorOfficer.Enrolled.Account.Identity, "BOR", person.Device.Id, "laptop lost");
        var sent = await head.SendAsync(room.Id, "after the revocation");
        Assert.NotNull(sent.NewEpoch);
        var roster = DeviceSigned<Roster>.Decode((await head.Api.GetRoomLogAsync(room.Id, 0)).Entries.Last(e => e.Kind == RoomEntryKind.Epoch).Roster!).Value.Body;
        Assert.Null(roster.Find(person.Device.Id));

        // Its own session is refused from now on; given the log, it explains that the device is revoked.
        var refused = await Assert.ThrowsAsync<ParleyApiException>(() => revoked.SyncAsync(room.Id));
        Assert.Contains("revoked", refused.Reason, StringComparison.OrdinalIgnoreCase);
        var log = await head.Api.GetRoomLogAsync(room.Id, 0);
        var unread = Assert.Single((await revoked.ApplyEntriesAsync(room, log.Entries, CancellationToken.None)).Messages);
        Assert.Null(unread.Text);
        Assert.Equal(RoomErrorCode.DeviceRevoked, unread.Error!.Code);
    }

    [Fact]
    public async Task Tampered_replayed_and_cross_room_entries_are_rejected_with_a_typed_reason()
    {
        var tampering = new TamperingHandler();
        await using var head = await world.RoomsAsync(world.AtlHead);
        await using var reader = await world.RoomsAsync(world.BorHead, null, tampering);
        var room = await world.RoomAsync(head, JointLabel, ["ATL", "BOR"], world.BorHead);
        var other = await world.RoomAsync(head, JointLabel, ["ATL", "BOR"], world.BorHead);
        await head.SendAsync(room.Id, "genuine");
        await head.SendAsync(room.Id, "to be tampered with");
        await head.SendAsync(other.Id, "from the other room");
        var otherMessage = (await head.Api.GetRoomLogAsync(other.Id, 0)).Entries.Last(e => e.Kind == RoomEntryKind.Message);

        // The stored ciphertext of the second message has one byte flipped; the first is served again after
        // it (a replay), and the other room's message is served as if it were this room's.
        tampering.Rewrite($"/api/rooms/{room.Id}/log", ApiJson.Default.RoomLogView, page =>
        {
            if (page.Entries.Count == 0) return page;
            var messages = page.Entries.Where(e => e.Kind == RoomEntryKind.Message).ToList();
            var entries = page.Entries.Select(e =>
            {
                if (e.Sequence != messages[1].Sequence) return e;
                var bytes = (byte[])e.Message!.Clone();
                bytes[^20] ^= 0x01;
                return e with { Message = bytes };
            }).ToList();
            var last = entries[^1].Sequence;
            entries.Add(messages[0] with { Sequence = last + 1 });
            entries.Add(otherMessage with { RoomId = room.Id, Sequence = last + 2 });
            return page with { Entries = entries, LastSequence = last + 2 };
        });
        var update = await reader.SyncAsync(room.Id);
        var byText = update.Messages.ToList();
        Assert.Equal(4, byText.Count);
        Assert.Equal("genuine", byText[0].Text);
        Assert.Equal(RoomErrorCode.Tampered, byText[1].Error!.Code);
        Assert.Null(byText[1].Text);
        Assert.Equal(RoomErrorCode.Replayed, byText[2].Error!.Code);
        Assert.NotNull(byText[3].Error);
        Assert.Null(byText[3].Text);
        Assert.Contains(byText[3].Error!.Code, new[] { RoomErrorCode.WrongRoom, RoomErrorCode.NoKeyPackage });
        Assert.DoesNotContain(await reader.GetMessagesAsync(room.Id), m => m.Text is "to be tampered with" or "from the other room");
    }

    [Fact]
    public async Task Two_people_compare_the_same_safety_number_and_a_changed_key_of_a_verified_contact_is_warned_about()
    {
        var headContacts = new ContactVerification(world.AtlHead.Client, world.AtlHead.Store, IdentityServer.Suite);
        var borContacts = new ContactVerification(world.BorHead.Client, world.BorHead.Store, IdentityServer.Suite);
        var seen = await headContacts.CheckAsync(world.BorHead.Email);
        var theirs = await borContacts.CheckAsync(world.AtlHead.Email);
        Assert.Equal(seen.SafetyNumber!.Digits, theirs.SafetyNumber!.Digits);
        Assert.Equal(60, seen.SafetyNumber.Digits.Length);
        Assert.Equal(VerificationState.Unverified, seen.State);
        Assert.Equal(VerificationState.Verified, (await headContacts.ConfirmAsync(world.BorHead.Email)).State);
        try
        {
            await KeyChangeAsync(headContacts, seen.SafetyNumber.Digits);
        }
        finally
        {
            // The people are shared: the head's profile goes back to not having verified anyone.
            await headContacts.ForgetAsync(world.BorHead.UserId);
        }
    }

    private async Task KeyChangeAsync(ContactVerification headContacts, string honestDigits)
    {

        // The directory now presents another identity key for the head of BOR.
        var impostor = await world.AtlHead.Client.GetDirectoryEntryAsync(world.BorAnalyst.Email);
        TamperingHandler Lying()
        {
            var handler = new TamperingHandler();
            handler.Rewrite("/api/directory/users/" + Uri.EscapeDataString(world.BorHead.Email), ApiJson.Default.DirectoryEntry,
                entry => entry with { User = entry.User with { IdentityPublicKey = impostor.User.IdentityPublicKey } });
            handler.Rewrite("/api/directory/users/" + world.BorHead.UserId, ApiJson.Default.DirectoryEntry,
                entry => entry with { User = entry.User with { IdentityPublicKey = impostor.User.IdentityPublicKey } });
            return handler;
        }
        var lied = world.NewClient(Lying());
        lied.Session = world.AtlHead.Client.Session;
        var changed = await new ContactVerification(lied, world.AtlHead.Store, IdentityServer.Suite).CheckAsync(world.BorHead.Email);
        Assert.Equal(VerificationState.KeyChanged, changed.State);
        Assert.NotNull(changed.Warning);
        Assert.Contains(world.BorHead.Email, changed.Warning!.Message, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(honestDigits, changed.SafetyNumber!.Digits);

        // A message of theirs read through that directory: not decrypted, and the warning is raised with it.
        await using var borHead = await world.RoomsAsync(world.BorHead);
        await using var headLied = await world.RoomsAsync(world.AtlHead, null, Lying());
        var room = await world.RoomAsync(borHead, JointLabel, ["ATL", "BOR"], world.AtlHead);
        await borHead.SendAsync(room.Id, "signed by the real key");
        var update = await headLied.SyncAsync(room.Id);
        Assert.Null(Assert.Single(update.Messages).Text);

        // Seen again through the honest directory, the key is the verified one.
        Assert.Equal(VerificationState.Verified, (await headContacts.CheckAsync(world.BorHead.Email)).State);
    }
}
