using System.Net;
using Parley.Protocol.Api;
using Parley.Protocol.Rooms;
using Parley.Server.Tests.Identity.Support;
using Parley.Server.Tests.Rooms.Support;

namespace Parley.Server.Tests.Rooms;

/// <summary>Rooms as things: creating, listing and reading them, and who may change who is in them.</summary>
public sealed class RoomManagementTests(IdentityHostFixture fixture) : IClassFixture<IdentityHostFixture>
{
    private readonly RoomsWorld _world = new(fixture);

    [Fact]
    public async Task Create_list_and_get_show_the_label_parties_and_members()
    {
        var a = await _world.PartyAsync('A');
        var b = await _world.PartyAsync('B');
        var alice = await _world.UserAsync(a, "alice");
        var bob = await _world.UserAsync(b, "bob");
        var label = $"CONFIDENTIAL//REL TO {Order(a.Code, b.Code)}";

        var room = await _world.CreateRoomAsync(alice, label, [b.Code, a.Code], retentionDays: 30, name: $"Treaty talks {a.Code}");
        Assert.Equal(label, room.Label);
        Assert.Equal([.. new[] { a.Code, b.Code }.Order(StringComparer.Ordinal)], room.Parties);
        Assert.Equal(30, room.RetentionDays);
        Assert.Equal(alice.Id, room.CreatedBy);
        Assert.Equal([alice.Id], room.Members.Select(m => m.UserId));
        Assert.Null(room.Epoch);
        Assert.Equal([RotationReason.NoEpoch], room.RekeyRequired);

        var mine = await ClientDriver.ReadAsync<IReadOnlyList<RoomSummary>>(await _world.Client.GetAsync("/api/rooms", alice.Token));
        var listed = Assert.Single(mine, r => r.Id == room.Id);
        Assert.Equal(label, listed.Label);
        Assert.Equal(1, listed.Members);
        Assert.DoesNotContain(await ClientDriver.ReadAsync<IReadOnlyList<RoomSummary>>(await _world.Client.GetAsync("/api/rooms", bob.Token)), r => r.Id == room.Id);

        // By id and by name, for a member; a room the caller may not know about answers 404 either way.
        Assert.Equal(room.Id, (await _world.GetRoomAsync(alice, room.Id)).Id);
        Assert.Equal(room.Id, (await ClientDriver.ReadAsync<RoomView>(await _world.Client.GetAsync($"/api/rooms/{Uri.EscapeDataString(room.Name)}", alice.Token))).Id);
        await ClientDriver.ProblemAsync(await _world.Client.GetAsync($"/api/rooms/{room.Id}", bob.Token), HttpStatusCode.NotFound);
        await ClientDriver.ProblemAsync(await _world.Client.GetAsync($"/api/rooms/{Uri.EscapeDataString(room.Name)}", bob.Token), HttpStatusCode.NotFound);
        await ClientDriver.ProblemAsync(await _world.Client.GetAsync($"/api/rooms/{room.Id}/log", bob.Token), HttpStatusCode.NotFound);
        await ClientDriver.ProblemAsync(await _world.Client.GetAsync($"/api/rooms/{Guid.NewGuid()}", alice.Token), HttpStatusCode.NotFound);

        // After bob is added, he lists it too.
        await _world.AddAsync(alice, room.Id, bob);
        Assert.Contains(await ClientDriver.ReadAsync<IReadOnlyList<RoomSummary>>(await _world.Client.GetAsync("/api/rooms", bob.Token)), r => r.Id == room.Id && r.Label == label);

        // The officers of a party see it with its members; another delegation's officer does not.
        var ofB = await ClientDriver.ReadAsync<IReadOnlyList<RoomView>>(await _world.Client.GetAsync($"/api/delegations/{b.Code}/rooms", b.Officer.Token));
        Assert.Equal([alice.Id, bob.Id], Assert.Single(ofB, r => r.Id == room.Id).Members.Select(m => m.UserId));
        var c = await _world.PartyAsync('C');
        Assert.DoesNotContain(await ClientDriver.ReadAsync<IReadOnlyList<RoomView>>(await _world.Client.GetAsync($"/api/delegations/{c.Code}/rooms", c.Officer.Token)), r => r.Id == room.Id);
        await ClientDriver.ProblemAsync(await _world.Client.GetAsync($"/api/delegations/{b.Code}/rooms", c.Officer.Token), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Bad_room_requests_are_refused_with_a_reason_and_create_nothing()
    {
        var a = await _world.PartyAsync('A');
        var b = await _world.PartyAsync('B');
        var alice = await _world.UserAsync(a, "alice", level: "CONFIDENTIAL");
        var rel = $"REL TO {Order(a.Code, b.Code)}";
        var before = await Host.CountAsync("SELECT count(*) FROM rooms");

        var badLabel = await ClientDriver.ProblemAsync(await _world.CreateRoomResponseAsync(alice, "CONFIDENTAL", [a.Code]), HttpStatusCode.BadRequest);
        Assert.Contains("CONFIDENTIAL", badLabel.GetProperty("detail").GetString());
        var notParty = await ClientDriver.ProblemAsync(await _world.CreateRoomResponseAsync(alice, $"CONFIDENTIAL//{rel}", [b.Code]), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("must be one of its parties", notParty.GetProperty("detail").GetString());
        var outside = await ClientDriver.ProblemAsync(await _world.CreateRoomResponseAsync(alice, $"CONFIDENTIAL//REL TO {a.Code}", [a.Code, b.Code]), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("releasability", outside.GetProperty("detail").GetString());
        await ClientDriver.ProblemAsync(await _world.CreateRoomResponseAsync(alice, "CONFIDENTIAL", [a.Code, "ZZZZZZ"]), HttpStatusCode.UnprocessableEntity);
        await ClientDriver.ProblemAsync(await _world.CreateRoomResponseAsync(alice, "CONFIDENTIAL", [a.Code], retentionDays: 0), HttpStatusCode.BadRequest);

        // A label above the creator's clearance: the policy refuses it, saying which rule and why.
        var above = await ClientDriver.ProblemAsync(await _world.CreateRoomResponseAsync(alice, $"SECRET//{rel}", [a.Code]), HttpStatusCode.Forbidden);
        Assert.Contains("forbid.room-label-above-clearance", above.GetProperty("rules").EnumerateArray().Select(r => r.GetString()));
        Assert.Contains("Cleared to CONFIDENTIAL", above.GetProperty("detail").GetString());

        Assert.Equal(before, await Host.CountAsync("SELECT count(*) FROM rooms"));
        var name = $"Unique {a.Code}";
        await _world.CreateRoomAsync(alice, "CONFIDENTIAL", [a.Code], name: name);
        await ClientDriver.ProblemAsync(await _world.CreateRoomResponseAsync(alice, "CONFIDENTIAL", [a.Code], name: name.ToUpperInvariant()), HttpStatusCode.Conflict);
        Assert.Equal(before + 1, await Host.CountAsync("SELECT count(*) FROM rooms"));
    }

    [Fact]
    public async Task Only_cleared_members_of_party_delegations_can_be_added()
    {
        var a = await _world.PartyAsync('A');
        var b = await _world.PartyAsync('B');
        var c = await _world.PartyAsync('C');
        var alice = await _world.UserAsync(a, "alice", level: "SECRET");
        var room = await _world.CreateRoomAsync(alice, $"CONFIDENTIAL//REL TO {Order(a.Code, b.Code, c.Code)}", [a.Code, b.Code]);

        var outsider = await _world.UserAsync(c, "carol");
        var refused = await ClientDriver.ProblemAsync(await _world.AddResponseAsync(alice.Token, room.Id, outsider.Email), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("not of a party", refused.GetProperty("detail").GetString());

        var uncleared = await _world.Client.MemberAsync(b.Officer, b.Code, $"nobody@{b.Code.ToLowerInvariant()}.example");
        refused = await ClientDriver.ProblemAsync(await _world.AddResponseAsync(alice.Token, room.Id, uncleared.Email), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("no current clearance", refused.GetProperty("detail").GetString());

        var low = await _world.UserAsync(b, "lowly", level: "RESTRICTED");
        refused = await ClientDriver.ProblemAsync(await _world.AddResponseAsync(alice.Token, room.Id, low.Email), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("Cleared to RESTRICTED; CONFIDENTIAL is needed.", refused.GetProperty("detail").GetString());

        var auditor = await _world.Client.MemberAsync(b.Officer, b.Code, $"audit@{b.Code.ToLowerInvariant()}.example", "auditor");
        await _world.ClearAsync(b, auditor, "SECRET", []);
        refused = await ClientDriver.ProblemAsync(await _world.AddResponseAsync(alice.Token, room.Id, auditor.Email), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("not a member or head of delegation", refused.GetProperty("detail").GetString());

        await ClientDriver.ProblemAsync(await _world.AddResponseAsync(alice.Token, room.Id, "nobody@nowhere.example"), HttpStatusCode.UnprocessableEntity);
        Assert.Equal([alice.Id], (await _world.GetRoomAsync(alice, room.Id)).Members.Select(m => m.UserId));

        var bob = await _world.UserAsync(b, "bob", level: "CONFIDENTIAL");
        var added = await _world.AddAsync(alice, room.Id, bob);
        Assert.Equal([alice.Id, bob.Id], added.Members.Select(m => m.UserId));
        await ClientDriver.ProblemAsync(await _world.AddResponseAsync(alice.Token, room.Id, bob.Email), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task The_creator_and_the_members_officers_manage_members_and_others_are_refused()
    {
        var a = await _world.PartyAsync('A');
        var b = await _world.PartyAsync('B');
        var c = await _world.PartyAsync('C');
        var alice = await _world.UserAsync(a, "alice");
        var anna = await _world.UserAsync(a, "anna");
        var bob = await _world.UserAsync(b, "bob");
        var bert = await _world.UserAsync(b, "bert");
        var room = await _world.CreateRoomAsync(alice, $"CONFIDENTIAL//REL TO {Order(a.Code, b.Code)}", [a.Code, b.Code]);

        // The creator adds from any party; B's officer (not in the room) adds B's people.
        await _world.AddAsync(alice, room.Id, anna);
        await ClientDriver.ReadAsync<RoomView>(await _world.AddResponseAsync(b.Officer.Token, room.Id, bob.Email));
        await _world.RotateAsync(alice, room.Id);
        Assert.Empty((await _world.GetRoomAsync(alice, room.Id)).RekeyRequired);

        // A member who did not create the room, an officer for another delegation's person, and an
        // officer of a delegation that is not a party: refused, as if the room did not exist.
        await ClientDriver.ProblemAsync(await _world.AddResponseAsync(anna.Token, room.Id, bert.Email), HttpStatusCode.NotFound);
        var amy = await _world.UserAsync(a, "amy");
        await ClientDriver.ProblemAsync(await _world.AddResponseAsync(b.Officer.Token, room.Id, amy.Email), HttpStatusCode.NotFound);
        await ClientDriver.ProblemAsync(await _world.RemoveResponseAsync(b.Officer.Token, room.Id, anna.Email), HttpStatusCode.NotFound);
        await ClientDriver.ProblemAsync(await _world.AddResponseAsync(c.Officer.Token, room.Id, bert.Email), HttpStatusCode.NotFound);
        await ClientDriver.ProblemAsync(await _world.RemoveResponseAsync(anna.Token, room.Id, bob.Email), HttpStatusCode.NotFound);
        var admin = await fixture.AdministratorAsync(_world.Client);
        await ClientDriver.ProblemAsync(await _world.RemoveResponseAsync(admin.Token, room.Id, bob.Email), HttpStatusCode.NotFound);
        Assert.Equal([alice.Id, anna.Id, bob.Id], (await _world.GetRoomAsync(alice, room.Id)).Members.Select(m => m.UserId));

        // B's officer removes B's member; a member leaves on their own.
        Assert.Equal(HttpStatusCode.NoContent, (await _world.RemoveResponseAsync(b.Officer.Token, room.Id, bob.Email)).StatusCode);
        await _world.RemoveAsync(anna, room.Id, anna);
        var now = await _world.GetRoomAsync(alice, room.Id);
        Assert.Equal([alice.Id], now.Members.Select(m => m.UserId));
        Assert.Contains(RotationReason.MemberRemoved, now.RekeyRequired);
        // Once out, they see nothing of it.
        await ClientDriver.ProblemAsync(await _world.Client.GetAsync($"/api/rooms/{room.Id}", anna.Token), HttpStatusCode.NotFound);
        await ClientDriver.ProblemAsync(await _world.Client.GetAsync($"/api/rooms/{room.Id}/log", bob.Token), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_partys_officer_withdraws_the_party_with_its_members()
    {
        var a = await _world.PartyAsync('A');
        var b = await _world.PartyAsync('B');
        var alice = await _world.UserAsync(a, "alice");
        var bob = await _world.UserAsync(b, "bob");
        var room = await _world.CreateRoomAsync(alice, $"CONFIDENTIAL//REL TO {Order(a.Code, b.Code)}", [a.Code, b.Code]);
        await _world.AddAsync(alice, room.Id, bob);
        await _world.RotateAsync(alice, room.Id);

        // A member is not an officer; an officer of a party withdraws only their own delegation.
        await ClientDriver.ProblemAsync(await _world.Client.PostEmptyAsync($"/api/rooms/{room.Id}/withdraw", bob.Token), HttpStatusCode.NotFound);
        var after = await ClientDriver.ReadAsync<RoomView>(await _world.Client.PostEmptyAsync($"/api/rooms/{room.Id}/withdraw", b.Officer.Token));
        Assert.Equal([a.Code], after.Parties);
        Assert.Equal([alice.Id], after.Members.Select(m => m.UserId));
        Assert.Contains(RotationReason.PartiesChanged, after.RekeyRequired);
        Assert.Contains(RotationReason.MemberRemoved, after.RekeyRequired);
        await ClientDriver.ProblemAsync(await _world.Client.GetAsync($"/api/rooms/{room.Id}", bob.Token), HttpStatusCode.NotFound);

        // B is no longer a party: its people cannot be added back, and the last party cannot withdraw.
        await ClientDriver.ProblemAsync(await _world.AddResponseAsync(alice.Token, room.Id, bob.Email), HttpStatusCode.UnprocessableEntity);
        await ClientDriver.ProblemAsync(await _world.Client.PostEmptyAsync($"/api/rooms/{room.Id}/withdraw", b.Officer.Token), HttpStatusCode.NotFound);
        await ClientDriver.ProblemAsync(await _world.Client.PostEmptyAsync($"/api/rooms/{room.Id}/withdraw", a.Officer.Token), HttpStatusCode.Conflict);

        var log = await _world.LogAsync(alice, room.Id);
        Assert.Contains(log.Entries, e => e.Kind == RoomEntryKind.PartyWithdrawn && e.Party == b.Code);
        Assert.Contains(log.Entries, e => e.Kind == RoomEntryKind.MemberRemoved && e.Subject == bob.Id && e.Reason == "party-withdrawn");
    }

    private IdentityHost Host => fixture.Host;

    internal static string Order(params string[] codes) => string.Join(", ", codes.Order(StringComparer.Ordinal));
}
