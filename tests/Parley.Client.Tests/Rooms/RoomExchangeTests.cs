using System.Text;
using Parley.Client.Api;
using Parley.Client.Profiles;
using Parley.Client.Rooms;
using Parley.Client.Verification;
using Parley.Protocol.Rooms;

namespace Parley.Client.Tests.Rooms;

/// <summary>
/// Rooms end to end through the SDK against a real server: four people of two delegations talk both
/// ways over SignalR; a member who was away catches up; what the server and the profiles keep on disk
/// holds none of what was said.
/// </summary>
[Collection(RoomsCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RoomExchangeTests(RoomsWorld world)
{
    private const string JointLabel = "SECRET//REL TO ATL, BOR";

    [Fact]
    public async Task Four_users_of_two_delegations_exchange_messages_both_ways_in_real_time_and_nothing_readable_reaches_disk()
    {
        var people = new[] { world.AtlHead, world.AtlAnalyst, world.BorHead, world.BorAnalyst };
        var clients = new List<RoomsClient>();
        var connections = new List<RoomsLiveConnection>();
        var inboxes = new List<Inbox>();
        try
        {
            foreach (var person in people) clients.Add(await world.RoomsAsync(person));
            var room = await world.RoomAsync(clients[0], JointLabel, ["ATL", "BOR"], world.AtlAnalyst, world.BorHead, world.BorAnalyst);
            Assert.Equal(4, room.Members.Count);
            foreach (var client in clients)
            {
                var inbox = new Inbox();
                var live = RoomsLiveConnection.Create(client);
                live.Updated += inbox.OnUpdate;
                await live.StartAsync();
                connections.Add(live);
                inboxes.Add(inbox);
            }

            // Each person says something distinctive; every other person receives it live, decrypted.
            var texts = people.Select((p, i) => $"zephyr-{i}-{Guid.NewGuid():N} from {p.Email}").ToList();
            for (var i = 0; i < people.Length; i++)
            {
                var sent = await clients[i].SendAsync(room.Id, texts[i]);
                Assert.True(sent.Message.FromThisDevice);
                Assert.Equal(texts[i], sent.Message.Text);
                Assert.Empty(sent.Refused);
                for (var j = 0; j < people.Length; j++)
                {
                    if (j == i) continue;
                    var received = await inboxes[j].WaitForAsync(texts[i]);
                    Assert.Equal(people[i].Email, received.SenderEmail);
                    Assert.Equal(people[i].Delegation, received.SenderDelegation);
                    Assert.Equal(JointLabel, received.Label);
                    Assert.Equal("(S//REL TO ATL, BOR)", received.PortionMark);
                    Assert.Equal(VerificationState.Unverified, received.SenderVerification);
                    Assert.Null(received.Error);
                    Assert.False(received.FromThisDevice);
                }
            }

            // A portion below the room's label is a write-down: the server's policy refuses it and says why, and
            // the sender keeps no copy of what was not posted. One above the room's label is refused before anything is sent.
            var below = await Assert.ThrowsAsync<ParleyApiException>(() => clients[2].SendAsync(room.Id, "CONFIDENTIAL portion " + texts[2], "(C//REL TO ATL, BOR)"));
            Assert.Equal(ApiProblemKind.Denied, below.Kind);
            Assert.Contains("forbid.write-down", below.Rules);
            Assert.Contains("write-down", below.Reason);
            var above = await Assert.ThrowsAsync<RoomOperationException>(() => clients[2].SendAsync(room.Id, "no", "SECRET//BOR EYES ONLY"));
            Assert.Equal(RoomErrorCode.LabelAboveRoom, above.Error.Code);

            // The whole history, read back from each device: own messages from the copy kept when sent.
            foreach (var (client, index) in clients.Select((c, i) => (c, i)))
            {
                var history = await client.GetMessagesAsync(room.Id);
                Assert.Equal(texts, history.Select(m => m.Text));
                Assert.All(history, m => Assert.Equal(m.SenderUserId == people[index].UserId, m.FromThisDevice));
            }

            foreach (var live in connections) await live.StopAsync();
            await AssertNothingReadableOnDiskAsync(texts);
        }
        finally
        {
            foreach (var live in connections) await live.DisposeAsync();
            foreach (var client in clients) await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_member_who_was_away_catches_up_in_order_when_they_connect()
    {
        await using var head = await world.RoomsAsync(world.AtlHead);
        await using var away = await world.RoomsAsync(world.BorAnalyst);
        var room = await world.RoomAsync(head, JointLabel, ["ATL", "BOR"], world.BorAnalyst);
        var texts = Enumerable.Range(1, 3).Select(i => $"while you were away {i} {Guid.NewGuid():N}").ToList();
        foreach (var text in texts) await head.SendAsync(room.Id, text);

        var inbox = new Inbox();
        await using var live = RoomsLiveConnection.Create(away);
        live.Updated += inbox.OnUpdate;
        await live.StartAsync();
        await inbox.WaitForAsync(texts[^1]);
        Assert.Equal(texts, inbox.Messages.Where(m => m.RoomId == room.Id).Select(m => m.Text));
        Assert.Contains(inbox.Notices, n => n.Kind == RoomNoticeKind.EpochStarted && n.RoomId == room.Id);

        // And then live: the next message arrives without asking.
        var next = $"now live {Guid.NewGuid():N}";
        await head.SendAsync(room.Id, next);
        Assert.Equal(next, (await inbox.WaitForAsync(next)).Text);
    }

    [Fact]
    public async Task A_device_picks_up_its_rooms_from_the_sealed_profile_after_a_restart()
    {
        var room = await NewRoomAsync();
        // Each step in a new client, as each `parley` command is a new process.
        await SendOnceAsync(world.AtlHead, room.Id, "first, from the creator");
        await SendOnceAsync(world.BorHead, room.Id, "second, from BOR");
        await SendOnceAsync(world.AtlHead, room.Id, "third, from the creator again");
        await SendOnceAsync(world.BorHead, room.Id, "fourth, from BOR again");
        foreach (var person in new[] { world.AtlHead, world.BorHead })
        {
            await using var client = await world.RoomsAsync(person);
            await client.SyncAsync(room.Id);
            var history = await client.GetMessagesAsync(room.Id);
            Assert.Equal(["first, from the creator", "second, from BOR", "third, from the creator again", "fourth, from BOR again"], history.Select(m => m.Text));
        }
    }

    private async Task<Protocol.Api.RoomView> NewRoomAsync()
    {
        await using var head = await world.RoomsAsync(world.AtlHead);
        return await world.RoomAsync(head, JointLabel, ["ATL", "BOR"], world.BorHead);
    }

    private async Task SendOnceAsync(Support.Account person, Guid roomId, string text)
    {
        await using var client = await world.RoomsAsync(person);
        await client.SendAsync(roomId, text);
    }

    // The server's data folder (database, its journal, blobs) and every profile hold ciphertext only.
    private async Task AssertNothingReadableOnDiskAsync(IReadOnlyList<string> texts)
    {
        var needles = texts.SelectMany(t => new[] { Encoding.UTF8.GetBytes(t), Encoding.Unicode.GetBytes(t) }).ToList();
        var files = Directory.EnumerateFiles(world.DataDirectory, "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(world.ProfilesDirectory, "*", SearchOption.AllDirectories)).ToList();
        Assert.Contains(files, f => f.EndsWith(FileProfileStore.FileName, StringComparison.Ordinal));
        Assert.Contains(files, f => f.StartsWith(world.DataDirectory, StringComparison.Ordinal));
        foreach (var file in files)
        {
            byte[] content;
            await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                content = new byte[stream.Length];
                await stream.ReadExactlyAsync(content);
            }
            foreach (var needle in needles)
                Assert.True(content.AsSpan().IndexOf(needle) < 0, $"{file} holds a message's text.");
        }
        // The profiles do hold the rooms: sealed.
        var profile = await world.AtlHead.Store.LoadAsync();
        Assert.NotEmpty(profile!.Rooms!);
    }
}
