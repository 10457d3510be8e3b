using System.Net;
using System.Text;
using Parley.Protocol.Api;
using Parley.Protocol.Classification;
using Parley.Protocol.Crypto;
using Parley.Protocol.Formats;
using Parley.Protocol.Identity;
using Parley.Protocol.Rooms;
using Parley.Server.Tests.Identity.Support;

namespace Parley.Server.Tests.Rooms.Support;

/// <summary>A delegation made for one test: its code and its first officer.</summary>
public sealed record Party(string Code, TestAccount Officer);

/// <summary>A person with a cleared account and one registered device whose session is bound to it: everything a client holds.</summary>
public sealed class RoomUser(TestAccount account, string delegation, TestDevice device, LocalDevice local)
{
    public TestAccount Account { get; } = account;

    public string Delegation { get; } = delegation;

    public TestDevice Device { get; } = device;

    public LocalDevice Local { get; } = local;

    public Guid Id => Account.UserId;

    public string Email => Account.Email;

    public string Token => Account.Token ?? throw new InvalidOperationException($"{Email} is not signed in.");

    /// <summary>What this device's client knows of each room.</summary>
    public Dictionary<Guid, RoomReader> Rooms { get; } = [];

    public RoomReader Room(Guid id) => Rooms.TryGetValue(id, out var reader) ? reader : Rooms[id] = new RoomReader(id);

    public override string ToString() => Email;
}

/// <summary>The client's state of one room: how far it read, the latest roster it accepted, its epoch states, and what it read.</summary>
public sealed class RoomReader(Guid roomId)
{
    public Guid RoomId { get; } = roomId;

    public long LastSequence { get; set; }

    public DeviceSigned<Roster>? Roster { get; set; }

    public Dictionary<long, EpochState> States { get; } = [];

    /// <summary>The rosters of the epochs this device holds.</summary>
    public Dictionary<long, DeviceSigned<Roster>> Rosters { get; } = [];

    /// <summary>Plaintexts read from other devices, in log order.</summary>
    public List<string> Read { get; } = [];

    /// <summary>Why entries could not be read, in log order.</summary>
    public List<RoomError> Refusals { get; } = [];

    public List<RoomEntry> Entries { get; } = [];

    public long CurrentEpoch => Roster?.Body.Epoch ?? 0;
}

/// <summary>
/// The client side of rooms, done by the test with Parley.Protocol against a real server: people and
/// devices through the identity API, admission from the directory, epochs, messages, and reading the log
/// in order (docs/PROTOCOL.md §12, "What the client must do" in the rooms design).
/// </summary>
public sealed class RoomsWorld(IdentityHostFixture fixture)
{
    public static CryptoSuite Suite => CryptoSuite.Default;

    public IGroupKeySchedule Schedule { get; } = new SenderChainSchedule(Suite);

    public RoomAdmission Admission { get; } = new(Suite);

    public IdentityHost Host => fixture.Host;

    public ClientDriver Client { get; } = new(fixture.Host);

    public static MarkingScheme Scheme => MarkingScheme.Generic;

    public DateTimeOffset Now => Host.Clock.GetUtcNow();

    public static Label Label(string banner) => Scheme.ParseBanner(banner).Value;

    // ---- People ----

    public async Task<Party> PartyAsync(char prefix)
    {
        var admin = await fixture.AdministratorAsync(Client);
        var code = fixture.NextCode(prefix);
        var (officer, _) = await Client.DelegationWithOfficerAsync(admin, code, $"Delegation {code}");
        return new Party(code, officer);
    }

    /// <summary>A member of <paramref name="party"/> (or its officer), cleared as given, with a registered device bound to a fresh session.</summary>
    public async Task<RoomUser> UserAsync(Party party, string name, string level = "CONFIDENTIAL", string[]? compartments = null, bool officer = false, params string[] roles)
    {
        var account = officer ? party.Officer : await Client.MemberAsync(party.Officer, party.Code, $"{name}@{party.Code.ToLowerInvariant()}.example", roles);
        await ClearAsync(party, account, level, compartments ?? []);
        var device = await Client.NewDeviceAsync(account, $"{name}'s laptop");
        await ClientDriver.ReadAsync<DeviceView>(await Client.PostAsync("/api/devices", new RegisterDeviceRequest(device.Certificate), account.Token), HttpStatusCode.Created);
        var body = Signed<DeviceCertificate>.Decode(device.Certificate).Value.Body;
        var user = new RoomUser(account, party.Code, device, await LocalDevice.CreateAsync(Suite.Backend, body, device.Kem, device.Signing));
        await BindAsync(user);
        return user;
    }

    /// <summary>Issues (through the officer) a clearance certificate for <paramref name="account"/>.</summary>
    public async Task ClearAsync(Party party, TestAccount account, string level, string[] compartments)
    {
        await Client.LoginAsync(party.Officer);
        var certificate = await Client.ClearanceAsync(party.Officer, account, party.Code, level, compartments);
        await ClientDriver.ReadAsync<ClearanceView>(await Client.PostAsync($"/api/delegations/{party.Code}/clearances", new IssueClearanceRequest(certificate), party.Officer.Token), HttpStatusCode.Created);
    }

    /// <summary>Binds the user's current session to their device (content needs a bound session).</summary>
    public async Task BindAsync(RoomUser user)
    {
        var challenge = await ClientDriver.ReadAsync<DeviceBindingChallenge>(await Client.PostEmptyAsync("/api/auth/device-binding/challenge", user.Token));
        var message = DeviceBinding.Message(challenge.Challenge, user.Id, user.Device.Id).Value;
        var signature = await Suite.Backend.P384SignAsync(user.Device.Signing, message);
        await ClientDriver.ReadAsync<SessionView>(await Client.PostAsync("/api/auth/device-binding", new BindDeviceRequest(user.Device.Id, signature), user.Token));
    }

    /// <summary>A new session, bound to the device (after the clock moved past the old one's limits).</summary>
    public async Task SignInAsync(RoomUser user)
    {
        await Client.LoginAsync(user.Account);
        await BindAsync(user);
    }

    // ---- Rooms ----

    public async Task<RoomView> CreateRoomAsync(RoomUser creator, string label, IEnumerable<string> parties, int? retentionDays = null, string? name = null) =>
        await ClientDriver.ReadAsync<RoomView>(await CreateRoomResponseAsync(creator, label, parties, retentionDays, name), HttpStatusCode.Created);

    public Task<HttpResponseMessage> CreateRoomResponseAsync(RoomUser creator, string label, IEnumerable<string> parties, int? retentionDays = null, string? name = null) =>
        Client.PostAsync("/api/rooms", new CreateRoomRequest(name ?? $"Room {Guid.NewGuid():N}", label, parties.ToList(), retentionDays), creator.Token);

    public Task<HttpResponseMessage> AddResponseAsync(string? token, Guid room, string user) =>
        Client.SendAsync(HttpMethod.Put, $"/api/rooms/{room}/members/{Uri.EscapeDataString(user)}", null, token);

    public async Task<RoomView> AddAsync(RoomUser by, Guid room, RoomUser who) =>
        await ClientDriver.ReadAsync<RoomView>(await AddResponseAsync(by.Token, room, who.Email));

    public Task<HttpResponseMessage> RemoveResponseAsync(string? token, Guid room, string user) =>
        Client.DeleteAsync($"/api/rooms/{room}/members/{Uri.EscapeDataString(user)}", token);

    public async Task RemoveAsync(RoomUser by, Guid room, RoomUser who) =>
        Assert.Equal(HttpStatusCode.NoContent, (await RemoveResponseAsync(by.Token, room, who.Email)).StatusCode);

    public async Task<RoomView> GetRoomAsync(RoomUser user, Guid room) =>
        await ClientDriver.ReadAsync<RoomView>(await Client.GetAsync($"/api/rooms/{room}", user.Token));

    public async Task<RoomLogView> LogAsync(RoomUser user, Guid room, long after = 0, int? limit = null) =>
        await ClientDriver.ReadAsync<RoomLogView>(await Client.GetAsync($"/api/rooms/{room}/log?after={after}" + (limit is { } l ? $"&limit={l}" : ""), user.Token));

    /// <summary>The room as the client defines it, from the server's view (a client checks every roster against it).</summary>
    public static RoomDefinition Definition(RoomView room) => RoomDefinition.Create(room.Id, Label(room.Label), room.Parties).Value;

    // ---- Admission ----

    private async Task<DelegationTrust> TrustAsync(string code, string token) =>
        Trust(await ClientDriver.ReadAsync<DelegationTrustView>(await Client.GetAsync($"/api/directory/delegations/{code}", token)));

    private static DelegationTrust Trust(DelegationTrustView view) => new(
        Signed<DelegationRoot>.Decode(view.Root).Value,
        view.OfficerCertificates.Select(c => Signed<ClearanceCertificate>.Decode(c).Value).ToList(),
        view.OfficerKeys.Select(k => CompositePublicKey.Decode(k).Value).ToList(),
        view.Revocations.Select(r => Signed<Revocation>.Decode(r).Value).ToList());

    /// <summary>Admits every device of a directory entry to the room, as <paramref name="reader"/>'s client would; returns the admitted and the refusals.</summary>
    public async Task<(List<RoomDevice> Admitted, List<RoomError> Refused)> AdmitAsync(RoomUser reader, RoomDefinition room, DirectoryEntry entry)
    {
        var trust = await TrustAsync(entry.User.Delegation!, reader.Token);
        var identity = CompositePublicKey.Decode(entry.User.IdentityPublicKey).Value;
        var clearance = Signed<ClearanceCertificate>.Decode(entry.ClearanceCertificates[^1]).Value;
        var admitted = new List<RoomDevice>();
        var refused = new List<RoomError>();
        foreach (var bytes in entry.DeviceCertificates)
        {
            var result = await Admission.AdmitAsync(room, trust, entry.User.Id, identity, clearance, Signed<DeviceCertificate>.Decode(bytes).Value, Now);
            if (result.TryGetValue(out var device, out var error)) admitted.Add(device);
            else refused.Add(error);
        }
        return (admitted, refused);
    }

    /// <summary>Admits one device by its user's directory entry.</summary>
    public async Task<RoomResult<RoomDevice>> AdmitDeviceAsync(RoomUser reader, RoomDefinition room, Guid userId, Guid deviceId)
    {
        var entry = await ClientDriver.ReadAsync<DirectoryEntry>(await Client.GetAsync($"/api/directory/users/{userId}", reader.Token));
        var trust = await TrustAsync(entry.User.Delegation!, reader.Token);
        var identity = CompositePublicKey.Decode(entry.User.IdentityPublicKey).Value;
        var clearance = Signed<ClearanceCertificate>.Decode(entry.ClearanceCertificates[^1]).Value;
        var certificate = entry.DeviceCertificates.Select(b => Signed<DeviceCertificate>.Decode(b).Value).Single(c => c.Body.DeviceId == deviceId);
        return await Admission.AdmitAsync(room, trust, userId, identity, clearance, certificate, Now);
    }

    // ---- Epochs ----

    /// <summary>Makes the next epoch for every admissible device of the room's current members (after reading the log up to date).</summary>
    public async Task<NewEpoch> MakeEpochAsync(RoomUser creator, Guid roomId, IEnumerable<RoomDevice>? extra = null)
    {
        await ReadAsync(creator, roomId);
        var room = await GetRoomAsync(creator, roomId);
        var definition = Definition(room);
        var entries = await ClientDriver.ReadAsync<IReadOnlyList<DirectoryEntry>>(await Client.GetAsync($"/api/rooms/{roomId}/devices", creator.Token));
        var devices = new List<RoomDevice>();
        foreach (var entry in entries) devices.AddRange((await AdmitAsync(creator, definition, entry)).Admitted);
        devices.AddRange(extra ?? []);
        var created = await Schedule.CreateEpochAsync(definition, creator.Local, devices, creator.Room(roomId).Roster, Now);
        Assert.True(created.IsOk, created.Error?.ToString());
        return created.Value;
    }

    public Task<HttpResponseMessage> PublishResponseAsync(RoomUser creator, Guid roomId, NewEpoch epoch, IEnumerable<byte[]>? packages = null) =>
        Client.PostAsync($"/api/rooms/{roomId}/epochs", new PublishEpochRequest(epoch.Roster.Encode(), (packages ?? epoch.Packages.Select(p => p.Encode())).ToList()), creator.Token);

    /// <summary>Makes and publishes the next epoch; the creator keeps its own state for it.</summary>
    public async Task<RoomEntryReceipt> RotateAsync(RoomUser creator, Guid roomId)
    {
        var epoch = await MakeEpochAsync(creator, roomId);
        var receipt = await ClientDriver.ReadAsync<RoomEntryReceipt>(await PublishResponseAsync(creator, roomId, epoch), HttpStatusCode.Created);
        Accept(creator, roomId, epoch);
        return receipt;
    }

    /// <summary>The creator's own side of an epoch it published.</summary>
    public static void Accept(RoomUser creator, Guid roomId, NewEpoch epoch)
    {
        var reader = creator.Room(roomId);
        foreach (var state in reader.States.Values) state.Close();
        reader.States[epoch.Roster.Body.Epoch] = epoch.State;
        reader.Rosters[epoch.Roster.Body.Epoch] = epoch.Roster;
        reader.Roster = epoch.Roster;
    }

    // ---- Messages ----

    public async Task<RoomMessage> EncryptAsync(RoomUser sender, Guid roomId, string text, string? label = null)
    {
        var reader = sender.Room(roomId);
        var state = reader.States[reader.CurrentEpoch];
        var sent = await Schedule.EncryptAsync(state, sender.Local, Label(label ?? reader.Roster!.Body.Label), Encoding.UTF8.GetBytes(text), Now);
        Assert.True(sent.IsOk, sent.Error?.ToString());
        return sent.Value;
    }

    public Task<HttpResponseMessage> PostResponseAsync(RoomUser sender, Guid roomId, byte[] message, string? query = null) =>
        Client.PostAsync($"/api/rooms/{roomId}/messages{query}", new PostMessageRequest(message), sender.Token);

    public async Task<RoomEntryReceipt> SendAsync(RoomUser sender, Guid roomId, string text, string? label = null) =>
        await ClientDriver.ReadAsync<RoomEntryReceipt>(await PostResponseAsync(sender, roomId, (await EncryptAsync(sender, roomId, text, label)).Encode()), HttpStatusCode.Created);

    /// <summary>A message with any header and a meaningless body: what the policy reads before anything else is checked.</summary>
    public static byte[] MessageWithHeader(MessageHeader header)
    {
        var writer = Canonical.CreateWriter();
        Canonical.WriteHeader(writer, "parley/room-message", 1, 3);
        writer.WriteByteString(Canonical.Encode(header));
        writer.WriteByteString(new byte[48]);
        writer.WriteByteString(new byte[96]);
        writer.WriteEndArray();
        return writer.Encode();
    }

    // ---- Reading ----

    /// <summary>Reads the room's log after what the user read, in order, as a client does: opens its key packages, decrypts messages, records why not.</summary>
    public async Task<List<string>> ReadAsync(RoomUser user, Guid roomId)
    {
        var reader = user.Room(roomId);
        var texts = new List<string>();
        while (true)
        {
            var page = await LogAsync(user, roomId, reader.LastSequence);
            foreach (var entry in page.Entries) texts.AddRange(await ApplyAsync(user, entry));
            if (!page.More) return texts;
        }
    }

    /// <summary>Applies one entry (from the log or the hub) to the user's state; returns the plaintext it yielded, if any.</summary>
    public async Task<List<string>> ApplyAsync(RoomUser user, RoomEntry entry)
    {
        var reader = user.Room(entry.RoomId);
        if (entry.Sequence <= reader.LastSequence) return [];
        reader.LastSequence = entry.Sequence;
        reader.Entries.Add(entry);
        switch (entry.Kind)
        {
            case RoomEntryKind.Epoch:
                await OpenEpochAsync(user, reader, entry);
                return [];
            case RoomEntryKind.Message:
                var text = await DecryptAsync(user, reader, entry);
                if (text is not null) reader.Read.Add(text);
                return text is null ? [] : [text];
            default:
                return [];
        }
    }

    private async Task OpenEpochAsync(RoomUser user, RoomReader reader, RoomEntry entry)
    {
        var roster = DeviceSigned<Roster>.Decode(entry.Roster!).Value;
        if (reader.States.ContainsKey(roster.Body.Epoch)) return; // made by this device
        var definition = RoomDefinition.Create(entry.RoomId, Label(roster.Body.Label), roster.Body.Parties).Value;
        if (entry.KeyPackage is null)
        {
            reader.Refusals.Add(new RoomError(RoomErrorCode.NoKeyPackage, $"No key package for epoch {roster.Body.Epoch}."));
            return;
        }
        var creatorEntry = roster.Body.Find(roster.Body.CreatorDeviceId)!;
        var creator = await AdmitDeviceAsync(user, definition, creatorEntry.UserId, creatorEntry.DeviceId);
        if (!creator.TryGetValue(out var creatorDevice, out var refusal))
        {
            reader.Refusals.Add(refusal);
            return;
        }
        var package = DeviceSigned<KeyPackage>.Decode(entry.KeyPackage).Value;
        var previous = reader.Roster is { } known && known.Body.Epoch < roster.Body.Epoch ? known : null;
        var opened = await Schedule.OpenKeyPackageAsync(definition, user.Local, roster, package, creatorDevice, previous);
        if (!opened.TryGetValue(out var state, out var error))
        {
            reader.Refusals.Add(error);
            return;
        }
        foreach (var old in reader.States.Values) old.Close();
        reader.States[roster.Body.Epoch] = state;
        reader.Rosters[roster.Body.Epoch] = roster;
        reader.Roster = roster;
    }

    private async Task<string?> DecryptAsync(RoomUser user, RoomReader reader, RoomEntry entry)
    {
        var message = RoomMessage.Decode(entry.Message!).Value;
        if (message.Header.SenderDeviceId == user.Device.Id) return null; // its own: the sender keeps its plaintext itself
        if (!reader.States.TryGetValue(message.Header.Epoch, out var state))
        {
            reader.Refusals.Add(new RoomError(RoomErrorCode.NoKeyPackage, $"No key for epoch {message.Header.Epoch}."));
            return null;
        }
        var roster = reader.Rosters[message.Header.Epoch].Body;
        var senderEntry = roster.Find(message.Header.SenderDeviceId);
        if (senderEntry is null)
        {
            reader.Refusals.Add(new RoomError(RoomErrorCode.UnknownSender, "The sender is not in the roster."));
            return null;
        }
        var definition = RoomDefinition.Create(entry.RoomId, Label(roster.Label), roster.Parties).Value;
        var sender = await AdmitDeviceAsync(user, definition, senderEntry.UserId, senderEntry.DeviceId);
        if (!sender.TryGetValue(out var senderDevice, out var refusal))
        {
            reader.Refusals.Add(refusal);
            return null;
        }
        var decrypted = await Schedule.DecryptAsync(state, message, senderDevice);
        if (!decrypted.TryGetValue(out var plain, out var error))
        {
            reader.Refusals.Add(error);
            return null;
        }
        return Encoding.UTF8.GetString(plain.Plaintext);
    }
}
