using System.Text;
using Parley.Client.Api;
using Parley.Client.Keys;
using Parley.Client.Profiles;
using Parley.Client.Trust;
using Parley.Client.Verification;
using Parley.Protocol;
using Parley.Protocol.Api;
using Parley.Protocol.Classification;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;
using Parley.Protocol.Rooms;

namespace Parley.Client.Rooms;

/// <summary>
/// End-to-end encrypted rooms for one signed-in account on this device (DESIGN §5, issue 6): rooms
/// and their members over the rooms API, the room log processed in order (keys opened, messages
/// decrypted or refused with their reason), sending (new epochs when the policy or the server asks,
/// every recipient device admitted first), and the device's state kept sealed in the profile.
/// Browser-safe. Operations run one at a time; real time comes from <see cref="RoomsLiveConnection"/>.
/// </summary>
public sealed partial class RoomsClient : IAsyncDisposable
{
    private const int MaxAttempts = 6;

    private readonly ParleyClient _client;
    private readonly IProfileStore _store;
    private readonly CryptoSuite _suite;
    private readonly TimeProvider _time;
    private readonly EpochPolicy _policy;
    private readonly SecretKey _masterKey;
    private readonly DeviceKeys _deviceKeys;
    private readonly LocalDevice _self;
    private readonly MarkingScheme _scheme;
    private readonly DeviceAdmissions _admissions;
    private readonly ContactVerification _contacts;
    private readonly RoomLogReader _reader;
    private readonly IGroupKeySchedule _schedule;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<Guid, RoomState> _rooms = [];
    private readonly Dictionary<Guid, RoomView> _views = [];
    private bool _disposed;

    private RoomsClient(ParleyClient client, IProfileStore store, CryptoSuite suite, TimeProvider time, EpochPolicy policy, SecretKey masterKey, DeviceKeys deviceKeys,
        LocalDevice self, LocalProfile profile, MarkingScheme scheme)
    {
        _client = client;
        _store = store;
        _suite = suite;
        _time = time;
        _policy = policy;
        _masterKey = masterKey;
        _deviceKeys = deviceKeys;
        _self = self;
        _scheme = scheme;
        UserId = profile.UserId!.Value;
        Email = profile.Email;
        Delegation = profile.Delegation;
        var directory = new DirectoryVerifier(client, new TrustStore(store, suite), suite, time);
        Directory = directory;
        _admissions = new DeviceAdmissions(client, directory, suite, time);
        _contacts = new ContactVerification(client, store, suite, time);
        _schedule = new SenderChainSchedule(suite);
        _reader = new RoomLogReader(_schedule, _admissions, self, UserId, Email, Delegation, scheme, suite);
    }

    /// <summary>This account.</summary>
    public Guid UserId { get; }

    /// <summary>This account's address.</summary>
    public string? Email { get; }

    /// <summary>This account's delegation.</summary>
    public string? Delegation { get; }

    /// <summary>This device.</summary>
    public Guid DeviceId => _self.DeviceId;

    /// <summary>The marking scheme labels are read in (the server's, pinned in the profile on first use).</summary>
    public MarkingScheme Scheme => _scheme;

    /// <summary>The SDK client this one talks through.</summary>
    public ParleyClient Api => _client;

    /// <summary>
    /// Opens rooms for the signed-in account of <paramref name="store"/>'s profile: the device keys are
    /// opened with <paramref name="identity"/>'s master key (a copy of which stays here to seal room
    /// states, until disposal), and the server's marking scheme is checked against the one pinned in the
    /// profile (pinned now on first use): a server that changed the order of levels could otherwise have
    /// this client hand keys to devices cleared too low.
    /// </summary>
    public static async Task<RoomsClient> OpenAsync(ParleyClient client, IProfileStore store, CryptoSuite suite, UnlockedIdentity identity,
        TimeProvider? time = null, EpochPolicy? policy = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(identity);
        var profile = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (profile?.Device is not { } device || profile.UserId != identity.UserId)
            throw new ProfileException("This profile has no device for this account; sign in first.");
        var certificate = Signed<DeviceCertificate>.Decode(device.Certificate);
        if (!certificate.TryGetValue(out var signedCertificate, out var certificateError))
            throw new ProfileException($"This profile's device certificate is damaged: {certificateError.Message}");
        var scheme = await SchemePin.ResolveAsync(client, store, cancellationToken).ConfigureAwait(false);
        var keys = await new Flows.ProfileUnlock(store, suite).OpenDeviceAsync(identity, cancellationToken).ConfigureAwait(false);
        try
        {
            var self = await LocalDevice.CreateAsync(suite.Backend, signedCertificate.Body, keys.Kem, keys.Signing, cancellationToken).ConfigureAwait(false);
            var masterBytes = identity.MasterKey.Export();
            SecretKey master;
            try
            {
                master = SecretKey.Import(masterBytes);
            }
            finally
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(masterBytes);
            }
            profile = await store.LoadAsync(cancellationToken).ConfigureAwait(false) ?? profile;
            return new RoomsClient(client, store, suite, time ?? TimeProvider.System, policy ?? EpochPolicy.Default, master, keys, self, profile, scheme);
        }
        catch
        {
            keys.Dispose();
            throw;
        }
    }

    // ---- Rooms and members ----

    /// <summary>The rooms this account is a member of.</summary>
    public Task<IReadOnlyList<RoomSummary>> ListRoomsAsync(CancellationToken cancellationToken = default) => _client.ListRoomsAsync(cancellationToken);

    /// <summary>A room by id.</summary>
    public Task<RoomView> GetRoomAsync(Guid roomId, CancellationToken cancellationToken = default) => _client.GetRoomAsync(roomId, cancellationToken);

    /// <summary>A room by its id or its name (names are matched exactly, then without regard to case); a
    /// <see cref="RoomOperationException"/> when none or several match.</summary>
    public async Task<RoomSummary> FindRoomAsync(string nameOrId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrId);
        var rooms = await _client.ListRoomsAsync(cancellationToken).ConfigureAwait(false);
        return RoomLookup.Find(rooms, nameOrId);
    }

    /// <summary>Creates a room with this account as its first member (<see cref="RoomCreation.CreateAsync"/>).</summary>
    public Task<RoomView> CreateRoomAsync(string name, string label, IEnumerable<string> parties, int? retentionDays = null, CancellationToken cancellationToken = default) =>
        RoomCreation.CreateAsync(_client, _scheme, name, label, parties, retentionDays, cancellationToken);

    /// <summary>Adds a member (the room's creator or the member's security officer may). Their devices get
    /// keys from the next epoch on, never for what was said before.</summary>
    public Task<RoomView> AddMemberAsync(Guid roomId, string email, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        return _client.AddRoomMemberAsync(roomId, email.Trim(), cancellationToken);
    }

    /// <summary>Removes a member; the server then requires a new epoch, which leaves their devices out.</summary>
    public async Task<RoomView> RemoveMemberAsync(Guid roomId, string email, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        var room = await _client.GetRoomAsync(roomId, cancellationToken).ConfigureAwait(false);
        var member = room.Members.FirstOrDefault(m => string.Equals(m.Email, email.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new RoomOperationException(new RoomError(RoomErrorCode.UnknownSender, $"{email} is not a member of {room.Name}."));
        await _client.RemoveRoomMemberAsync(roomId, member.UserId, cancellationToken).ConfigureAwait(false);
        return await _client.GetRoomAsync(roomId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The room's members with their verification state and this client's verdict on each of their
    /// devices (admitted, or refused with the reason).</summary>
    public async Task<IReadOnlyList<MemberStatus>> GetMembersAsync(Guid roomId, CancellationToken cancellationToken = default)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var room = await _client.GetRoomAsync(roomId, cancellationToken).ConfigureAwait(false);
            return await RoomMembers.StatusAsync(_client, _admissions, _contacts, room, Define(room), UserId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    // ---- Reading ----

    /// <summary>Fetches the room's log after the last entry this device processed, processes it in order and
    /// saves the device's state: the new messages (decrypted, or with the reason they cannot be) and notices.</summary>
    public async Task<RoomUpdate> SyncAsync(Guid roomId, CancellationToken cancellationToken = default)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var room = await _client.GetRoomAsync(roomId, cancellationToken).ConfigureAwait(false);
            var state = await StateAsync(roomId, cancellationToken).ConfigureAwait(false);
            return await SyncCoreAsync(room, state, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Every message this device holds for the room (after a <see cref="SyncAsync"/>), oldest first;
    /// messages past the room's retention are gone.</summary>
    public async Task<IReadOnlyList<RoomMessageView>> GetMessagesAsync(Guid roomId, CancellationToken cancellationToken = default)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = await StateAsync(roomId, cancellationToken).ConfigureAwait(false);
            var profile = await LoadProfileAsync(cancellationToken).ConfigureAwait(false);
            if (state.Expire(_time.GetUtcNow()) > 0) await SaveAsync(state, cancellationToken).ConfigureAwait(false);
            return state.Messages.Select(m => _reader.View(roomId, m, state.RetentionDays, profile)).ToList();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Processes entries obtained some other way than from this client's own session (tests hand a removed
    /// member's device the log another member fetched), exactly as the log would be processed.</summary>
    internal async Task<RoomUpdate> ApplyEntriesAsync(RoomView room, IReadOnlyList<RoomEntry> entries, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = await StateAsync(room.Id, cancellationToken).ConfigureAwait(false);
            var profile = await LoadProfileAsync(cancellationToken).ConfigureAwait(false);
            var update = await _reader.ApplyAsync(Define(room), state, entries, profile, cancellationToken).ConfigureAwait(false);
            await SaveAsync(state, cancellationToken).ConfigureAwait(false);
            return update;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Applies an entry pushed by the real-time connection: directly when it is the next one in the
    /// log, else by fetching the log from where this device stopped (so a missed or reordered push
    /// changes nothing: the log decides the order).
    /// </summary>
    internal async Task<RoomUpdate> ApplyPushedAsync(RoomEntry entry, CancellationToken cancellationToken)
    {
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = await StateAsync(entry.RoomId, cancellationToken).ConfigureAwait(false);
            if (entry.Sequence <= state.LastSequence) return new RoomUpdate(entry.RoomId, [], []);
            if (!_views.TryGetValue(entry.RoomId, out var room) || entry.Kind is not (RoomEntryKind.Epoch or RoomEntryKind.Message) || entry.Sequence != state.LastSequence + 1)
            {
                room = await _client.GetRoomAsync(entry.RoomId, cancellationToken).ConfigureAwait(false);
                return await SyncCoreAsync(room, state, cancellationToken).ConfigureAwait(false);
            }
            var profile = await LoadProfileAsync(cancellationToken).ConfigureAwait(false);
            var update = await _reader.ApplyAsync(Define(room), state, [entry], profile, cancellationToken).ConfigureAwait(false);
            await SaveAsync(state, cancellationToken).ConfigureAwait(false);
            var warnings = await KeyWarningsAsync(room, update.Messages, cancellationToken).ConfigureAwait(false);
            return warnings.Count == 0 ? update : update with { Notices = [.. update.Notices, .. warnings] };
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<RoomUpdate> SyncCoreAsync(RoomView room, RoomState state, CancellationToken cancellationToken)
    {
        _views[room.Id] = room;
        var definition = Define(room);
        state.RetentionDays = room.RetentionDays;
        var messages = new List<RoomMessageView>();
        var notices = new List<RoomNotice>();
        var expired = state.Expire(_time.GetUtcNow());
        while (true)
        {
            var page = await _client.GetRoomLogAsync(room.Id, state.LastSequence, cancellationToken).ConfigureAwait(false);
            if (page.Entries.Count == 0) break;
            var profile = await LoadProfileAsync(cancellationToken).ConfigureAwait(false);
            var update = await _reader.ApplyAsync(definition, state, page.Entries, profile, cancellationToken).ConfigureAwait(false);
            messages.AddRange(update.Messages);
            notices.AddRange(update.Notices);
            await SaveAsync(state, cancellationToken).ConfigureAwait(false);
            if (!page.More) break;
        }
        if (expired > 0 && messages.Count == 0) await SaveAsync(state, cancellationToken).ConfigureAwait(false);
        notices.AddRange(await KeyWarningsAsync(room, messages, cancellationToken).ConfigureAwait(false));
        return new RoomUpdate(room.Id, messages, notices);
    }

    // A verified sender whose identity key changed is said loudly, once per pass.
    private async Task<IReadOnlyList<RoomNotice>> KeyWarningsAsync(RoomView room, IEnumerable<RoomMessageView> messages, CancellationToken cancellationToken)
    {
        var notices = new List<RoomNotice>();
        foreach (var userId in messages.Where(m => m.SenderUserId is { } u && u != UserId).Select(m => m.SenderUserId!.Value).Distinct())
        {
            var user = await _admissions.UserAsync(userId, false, cancellationToken).ConfigureAwait(false);
            if (user is null) continue;
            var status = await _contacts.ObserveAsync(user, cancellationToken).ConfigureAwait(false);
            if (status.Warning is { } warning) notices.Add(new RoomNotice(room.Id, RoomNoticeKind.KeyChanged, warning.Message, UserId: userId, Warning: warning));
        }
        return notices;
    }

    // ---- Sending ----

    /// <summary>
    /// Encrypts and posts <paramref name="text"/>, labelled <paramref name="label"/> (a banner or portion
    /// mark; the room's label when null). First catches up with the log; starts a new epoch when the
    /// epoch policy, the server ("rekey required") or a missing key says so, after admitting every member
    /// device (refused devices get no key, and are reported); retries when another member's epoch or
    /// message won a race. The text is kept sealed in the profile: this device cannot decrypt it later.
    /// </summary>
    public async Task<SendResult> SendAsync(Guid roomId, string text, string? label = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var plaintext = Encoding.UTF8.GetBytes(text);
        if (plaintext.Length > RoomMessage.MaxPlaintextSize)
            throw new RoomOperationException(new RoomError(RoomErrorCode.MessageTooLarge, $"A room message carries at most {RoomMessage.MaxPlaintextSize} bytes, not {plaintext.Length}."));
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var room = await _client.GetRoomAsync(roomId, cancellationToken).ConfigureAwait(false);
            var definition = Define(room);
            var messageLabel = label is null ? definition.Label : ParseLabel(label);
            if (!definition.Label.Dominates(messageLabel))
                throw new RoomOperationException(new RoomError(RoomErrorCode.LabelAboveRoom, $"A message labelled {messageLabel.ToBanner()} cannot be posted in {room.Name}, labelled {definition.Label.ToBanner()}."));
            var state = await StateAsync(roomId, cancellationToken).ConfigureAwait(false);
            var refused = new List<RoomNotice>();
            long? newEpoch = null;
            var rekey = false;
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
            {
                if (attempt > 0)
                {
                    room = await _client.GetRoomAsync(roomId, cancellationToken).ConfigureAwait(false);
                    definition = Define(room);
                }
                await SyncCoreAsync(room, state, cancellationToken).ConfigureAwait(false);
                var current = state.Current;
                var needed = rekey || room.RekeyRequired.Count > 0 || current?.State is not { IsClosed: false } || current.Epoch != room.Epoch?.Epoch
                    || await RotationNeededAsync(room, definition, current, cancellationToken).ConfigureAwait(false);
                if (needed)
                {
                    var rotated = await RotateAsync(room, definition, state, refused, cancellationToken).ConfigureAwait(false);
                    rekey = false;
                    if (rotated is null) continue;
                    newEpoch = rotated;
                    current = state.Current;
                    if (current?.Epoch != rotated || current.State is null) continue;
                }

                var epochState = current!.State!;
                var encrypted = await _schedule.EncryptAsync(epochState, _self, messageLabel, plaintext, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                if (!encrypted.TryGetValue(out var message, out var error))
                {
                    if (error.Code == RoomErrorCode.EpochSuperseded) continue;
                    throw new RoomOperationException(error);
                }
                var header = message.Header;
                var kept = new VaultSent(header.Epoch, header.Counter, header.Label, text, DateTimeOffset.FromUnixTimeSeconds(header.SentAt));
                // Saved before it is posted: the key is gone, and a crash after posting must not reuse the counter.
                state.Sent.Add(kept);
                await SaveAsync(state, cancellationToken).ConfigureAwait(false);
                try
                {
                    await _client.PostRoomMessageAsync(roomId, new PostMessageRequest(message.Encode()), cancellationToken).ConfigureAwait(false);
                }
                catch (ParleyApiException e)
                {
                    // Not posted: the copy goes (the chain step stays spent, so its counter is never used twice).
                    state.Sent.Remove(kept);
                    await SaveAsync(state, cancellationToken).ConfigureAwait(false);
                    if (e.Kind != ApiProblemKind.Conflict) throw;
                    // A new epoch is required first, or another member's epoch came first: catch up and try again.
                    rekey = IsRekeyRequired(e);
                    continue;
                }
                var update = await SyncCoreAsync(room, state, cancellationToken).ConfigureAwait(false);
                var shown = update.Messages.FirstOrDefault(m => m.FromThisDevice && m.Epoch == header.Epoch && m.Counter == header.Counter)
                    ?? Pending(room, header, text);
                return new SendResult(shown, newEpoch, refused);
            }
            throw new RoomOperationException(new RoomError(RoomErrorCode.EpochSuperseded, $"The message could not be posted after {MaxAttempts} attempts: the room's epoch kept changing."));
        }
        finally
        {
            _gate.Release();
        }
    }

    private static bool IsRekeyRequired(ParleyApiException e) =>
        e.Problem.Type?.EndsWith("rekey-required", StringComparison.Ordinal) == true
        || e.Problem.Message.Contains("rekey", StringComparison.OrdinalIgnoreCase) || e.Problem.Message.Contains("new epoch", StringComparison.OrdinalIgnoreCase);

    private RoomMessageView Pending(RoomView room, MessageHeader header, string text) =>
        new(room.Id, 0, header.Epoch, header.Counter, DeviceId, UserId, Email, Delegation, header.Label,
            _scheme.ParseBanner(header.Label).TryGetValue(out var l, out _) ? l.ToPortionMark() : header.Label,
            DateTimeOffset.FromUnixTimeSeconds(header.SentAt), _time.GetUtcNow(), text, null, true, VerificationState.Self, null);

    // The policy over what the room should be now: its members' devices as the directory lists them,
    // each admitted by this client (a device it refuses is not wanted, which leaves it out of the next epoch).
    private async Task<bool> RotationNeededAsync(RoomView room, RoomDefinition definition, EpochRecord current, CancellationToken cancellationToken)
    {
        if (current.Roster is not { } roster) return true;
        var (wanted, _, revoked) = await WantedDevicesAsync(room, definition, refresh: false, cancellationToken).ConfigureAwait(false);
        var messages = Math.Max(current.State?.MessagesSeen ?? 0, room.Epoch?.Messages ?? 0);
        return _policy.Evaluate(roster.Body, messages, definition, wanted.Select(d => d.Member), revoked, _time.GetUtcNow()).Required;
    }

    private async Task<(List<RoomDevice> Wanted, List<RoomNotice> Refused, List<Guid> Revoked)> WantedDevicesAsync(RoomView room, RoomDefinition definition, bool refresh, CancellationToken cancellationToken)
    {
        var entries = await _client.GetRoomDevicesAsync(room.Id, cancellationToken).ConfigureAwait(false);
        await _admissions.SeedAsync(entries, refresh, cancellationToken).ConfigureAwait(false);
        var members = room.Members.Select(m => m.UserId).ToHashSet();
        var wanted = new List<RoomDevice>();
        var refused = new List<RoomNotice>();
        var revoked = new List<Guid>();
        foreach (var userId in entries.Select(e => e.User.Id).Distinct())
        {
            foreach (var (deviceId, admission) in await _admissions.AdmitAllAsync(definition, userId, false, cancellationToken).ConfigureAwait(false))
            {
                var who = admission.User?.Email ?? userId.ToString();
                if (!admission.Result.TryGetValue(out var device, out var error))
                {
                    if (error.Code == RoomErrorCode.DeviceRevoked) revoked.Add(deviceId);
                    else refused.Add(new RoomNotice(room.Id, RoomNoticeKind.DeviceRefused, $"No key for device {deviceId} of {who}: {error}", DeviceId: deviceId, UserId: userId, Reason: error.Code));
                    continue;
                }
                if (!members.Contains(userId))
                {
                    refused.Add(new RoomNotice(room.Id, RoomNoticeKind.DeviceRefused, $"No key for device {deviceId} of {who}: they are not a member of {room.Name}.", DeviceId: deviceId, UserId: userId, Reason: RoomErrorCode.UnknownSender));
                    continue;
                }
                wanted.Add(device);
            }
        }
        return (wanted, refused, revoked);
    }

    /// <summary>Makes and publishes the next epoch; returns its number, or null when another member's epoch won the race.</summary>
    private async Task<long?> RotateAsync(RoomView room, RoomDefinition definition, RoomState state, List<RoomNotice> refusedNotices, CancellationToken cancellationToken)
    {
        var current = state.Current;
        var previous = current?.Roster;
        if (room.Epoch is { } serverEpoch && (previous is null || previous.Body.Epoch < serverEpoch.Epoch))
            previous = await ServerRosterAsync(room, serverEpoch, cancellationToken).ConfigureAwait(false) ?? previous;
        if (previous is not null && !definition.Label.Dominates(Label(previous.Body.Label)))
            throw new RoomOperationException(new RoomError(RoomErrorCode.RosterMismatch,
                $"The server says {room.Name} is labelled {definition.Label.ToBanner()}, below the {previous.Body.Label} its keys are bound to; this client does not lower a room's label."));

        var own = await _admissions.AdmitAsync(definition, UserId, DeviceId, true, cancellationToken).ConfigureAwait(false);
        if (!own.Result.TryGetValue(out var self, out var selfRefused))
            throw new RoomOperationException(new RoomError(selfRefused.Code, $"This device may not hold the keys of {room.Name}: {selfRefused.Message}") { ClearanceFailures = selfRefused.ClearanceFailures });

        // Keys go out now: the directory entries and the delegations' trust are fetched afresh.
        var (wanted, refused, _) = await WantedDevicesAsync(room, definition, refresh: true, cancellationToken).ConfigureAwait(false);
        refusedNotices.Clear();
        refusedNotices.AddRange(refused);
        var members = new Dictionary<Guid, RoomDevice> { [self.DeviceId] = self };
        foreach (var device in wanted) members.TryAdd(device.DeviceId, device);

        var made = await _schedule.CreateEpochAsync(definition, _self, members.Values.ToList(), previous, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (!made.TryGetValue(out var epoch, out var error)) throw new RoomOperationException(error);
        try
        {
            var request = new PublishEpochRequest(epoch.Roster.Encode(), epoch.Packages.Select(p => p.Encode()).ToList());
            await _client.PublishEpochAsync(room.Id, request, cancellationToken).ConfigureAwait(false);
        }
        catch (ParleyApiException e) when (e.Kind == ApiProblemKind.Conflict)
        {
            // Another member's epoch came first: fetch it, open it, and evaluate again.
            epoch.State.Dispose();
            return null;
        }
        catch
        {
            epoch.State.Dispose();
            throw;
        }
        state.PendingOwnEpoch?.Dispose();
        state.PendingOwnEpoch = epoch.State;
        await SaveAsync(state, cancellationToken).ConfigureAwait(false);
        await SyncCoreAsync(room, state, cancellationToken).ConfigureAwait(false);
        return epoch.Roster.Body.Epoch;
    }

    // The room's current roster, when this device's log does not hold it (it joined after that epoch
    // was made): the next epoch must name it as its previous one.
    private async Task<DeviceSigned<Roster>?> ServerRosterAsync(RoomView room, RoomEpochView epoch, CancellationToken cancellationToken)
    {
        var page = await _client.GetRoomLogAsync(room.Id, Math.Max(0, epoch.Sequence - 1), cancellationToken).ConfigureAwait(false);
        var entry = page.Entries.FirstOrDefault(e => e.Sequence == epoch.Sequence && e.Kind == RoomEntryKind.Epoch);
        if (entry?.Roster is null) return null;
        var decoded = DeviceSigned<Roster>.Decode(entry.Roster);
        if (!decoded.TryGetValue(out var roster, out _) || roster.Body.RoomId != room.Id || roster.Body.Epoch != epoch.Epoch) return null;
        var hash = await roster.HashAsync(_suite.Backend, cancellationToken).ConfigureAwait(false);
        return hash.AsSpan().SequenceEqual(epoch.RosterHash) ? roster : null;
    }

    // ---- State ----

    private RoomDefinition Define(RoomView room)
    {
        var label = Label(room.Label);
        var definition = RoomDefinition.Create(room.Id, label, room.Parties);
        if (!definition.TryGetValue(out var value, out var error))
            throw new RoomOperationException(new RoomError(RoomErrorCode.RosterMismatch, $"The server describes room {room.Name} in a way no room can be: {error.Message}"));
        return value;
    }

    private Label Label(string banner)
    {
        var parsed = _scheme.ParseBanner(banner);
        if (!parsed.TryGetValue(out var label, out var error))
            throw new RoomOperationException(new RoomError(RoomErrorCode.Malformed, $"The label '{banner}' does not parse: {error.Message}"));
        return label;
    }

    private Label ParseLabel(string text) => RoomCreation.ParseLabel(_scheme, text);

    private async Task<RoomState> StateAsync(Guid roomId, CancellationToken cancellationToken)
    {
        if (_rooms.TryGetValue(roomId, out var cached)) return cached;
        var profile = await LoadProfileAsync(cancellationToken).ConfigureAwait(false);
        RoomState state;
        if (profile.Rooms?.GetValueOrDefault(roomId) is { } sealedState)
        {
            var opened = await RoomVault.OpenAsync(_suite, _masterKey, UserId, DeviceId, roomId, sealedState, cancellationToken).ConfigureAwait(false);
            if (!opened.TryGetValue(out var data, out var error)) throw new ProfileException(error.Message);
            var loaded = await RoomState.FromVaultAsync(roomId, data, _suite.Backend, _scheme, cancellationToken).ConfigureAwait(false);
            if (!loaded.TryGetValue(out state!, out error)) throw new ProfileException(error.Message);
        }
        else
        {
            state = new RoomState(roomId);
        }
        _rooms[roomId] = state;
        return state;
    }

    private async Task SaveAsync(RoomState state, CancellationToken cancellationToken)
    {
        var data = await state.ToVaultAsync(cancellationToken).ConfigureAwait(false);
        byte[] sealedState;
        try
        {
            sealedState = await RoomVault.SealAsync(_suite, _masterKey, UserId, DeviceId, state.RoomId, data, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var epoch in data.Epochs) if (epoch.State is { } keys) System.Security.Cryptography.CryptographicOperations.ZeroMemory(keys);
            if (data.PendingEpoch is { } pending) System.Security.Cryptography.CryptographicOperations.ZeroMemory(pending);
        }
        var profile = await LoadProfileAsync(cancellationToken).ConfigureAwait(false);
        await _store.SaveAsync(profile.WithRoom(state.RoomId, sealedState), cancellationToken).ConfigureAwait(false);
    }

    private async Task<LocalProfile> LoadProfileAsync(CancellationToken cancellationToken) =>
        await _store.LoadAsync(cancellationToken).ConfigureAwait(false) ?? throw new ProfileException("The profile vanished.");

    private async Task EnterAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Zeroes the keys this client holds (device keys, master key copy, epoch states).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            foreach (var state in _rooms.Values) state.Dispose();
            _rooms.Clear();
            _deviceKeys.Dispose();
            _masterKey.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"RoomsClient({Email}, device {DeviceId}, private)";
}
