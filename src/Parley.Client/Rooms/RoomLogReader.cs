using System.Text;
using Parley.Client.Profiles;
using Parley.Client.Verification;
using Parley.Protocol.Api;
using Parley.Protocol.Classification;
using Parley.Protocol.Crypto;
using Parley.Protocol.Rooms;

namespace Parley.Client.Rooms;

/// <summary>
/// Processes a room's log in server order, as docs/PROTOCOL.md §12.12 says a client must: at a
/// roster, admit its creator, open this device's key package (or say with
/// <see cref="MissingKey.Explain"/> why there is none) and close the previous epoch; at a message,
/// admit its sender and decrypt it with its epoch's state. Nothing from the server is believed
/// without a check: every refusal becomes a typed reason on the message or a notice.
/// </summary>
internal sealed class RoomLogReader(IGroupKeySchedule schedule, DeviceAdmissions admissions, LocalDevice self, Guid selfUserId, string? selfEmail, string? selfDelegation, MarkingScheme scheme, CryptoSuite suite)
{
    /// <summary>Applies <paramref name="entries"/> (ascending, after <see cref="RoomState.LastSequence"/>) to <paramref name="state"/>.</summary>
    public async Task<RoomUpdate> ApplyAsync(RoomDefinition room, RoomState state, IEnumerable<RoomEntry> entries, LocalProfile profile, CancellationToken cancellationToken)
    {
        var messages = new List<VaultMessage>();
        var notices = new List<RoomNotice>();
        foreach (var entry in entries)
        {
            if (entry.Sequence <= state.LastSequence) continue;
            if (entry.RoomId != room.Id)
            {
                notices.Add(new RoomNotice(room.Id, RoomNoticeKind.EntryRefused, $"Entry {entry.Sequence} belongs to room {entry.RoomId}; ignored.", Reason: RoomErrorCode.WrongRoom));
                continue;
            }
            switch (entry.Kind)
            {
                case RoomEntryKind.Epoch when entry.Roster is { } roster:
                    await ApplyRosterAsync(room, state, entry, roster, notices, cancellationToken).ConfigureAwait(false);
                    break;
                case RoomEntryKind.Message:
                    var read = await ReadAsync(room, state, entry, cancellationToken).ConfigureAwait(false);
                    state.Messages.Add(read);
                    messages.Add(read);
                    break;
                case RoomEntryKind.Expired when entry.ExpiredThrough is { } through:
                    var gone = state.Messages.RemoveAll(m => m.Sequence <= through);
                    messages.RemoveAll(m => m.Sequence <= through);
                    notices.Add(new RoomNotice(room.Id, RoomNoticeKind.MessagesExpired, $"Messages up to entry {through} reached the end of the room's retention and were deleted ({gone} here)."));
                    break;
                case RoomEntryKind.RetentionChanged when entry.RetentionDays is { } days:
                    state.RetentionDays = days;
                    notices.Add(new RoomNotice(room.Id, RoomNoticeKind.RetentionChanged, $"{await NameAsync(entry.Actor, cancellationToken).ConfigureAwait(false)} set the retention to {days} days.", UserId: entry.Actor));
                    break;
                default:
                    if (await EventAsync(room, entry, cancellationToken).ConfigureAwait(false) is { } notice) notices.Add(notice);
                    break;
            }
            state.LastSequence = entry.Sequence;
        }
        return new RoomUpdate(room.Id, messages.Select(m => View(room.Id, m, state.RetentionDays, profile)).ToList(), notices);
    }

    // Membership and label events: said as they are, and the people concerned are looked up afresh next time.
    private async Task<RoomNotice?> EventAsync(RoomDefinition room, RoomEntry entry, CancellationToken cancellationToken)
    {
        var actor = await NameAsync(entry.Actor, cancellationToken).ConfigureAwait(false);
        switch (entry.Kind)
        {
            case RoomEntryKind.MemberAdded when entry.Subject is { } added:
                admissions.Forget(added);
                return new RoomNotice(room.Id, RoomNoticeKind.MemberAdded, $"{actor} added {await NameAsync(added, cancellationToken).ConfigureAwait(false)}.", UserId: added);
            case RoomEntryKind.MemberRemoved when entry.Subject is { } removed:
                admissions.Forget(removed);
                return new RoomNotice(room.Id, RoomNoticeKind.MemberRemoved, $"{await NameAsync(removed, cancellationToken).ConfigureAwait(false)} was removed by {actor} ({entry.Reason ?? "removed"}).", UserId: removed);
            case RoomEntryKind.PartyWithdrawn:
                return new RoomNotice(room.Id, RoomNoticeKind.PartyWithdrawn, $"{actor} withdrew delegation {entry.Party} from the room.");
            case RoomEntryKind.LabelChanged:
                return new RoomNotice(room.Id, RoomNoticeKind.LabelChanged, $"{actor} changed the room's label to {entry.Label}.");
            case RoomEntryKind.Epoch:
                return new RoomNotice(room.Id, RoomNoticeKind.EntryRefused, $"Entry {entry.Sequence} is an epoch without a roster; ignored.", entry.Epoch, Reason: RoomErrorCode.Malformed);
            default:
                return null;
        }
    }

    private async Task<string> NameAsync(Guid? userId, CancellationToken cancellationToken)
    {
        if (userId is not { } id) return "the server";
        if (id == selfUserId) return selfEmail ?? "you";
        var user = await admissions.UserAsync(id, false, cancellationToken).ConfigureAwait(false);
        return user?.Email ?? id.ToString();
    }

    /// <summary>How a stored message is shown, with its sender's verification state as the profile knows it now.</summary>
    public RoomMessageView View(Guid roomId, VaultMessage message, int? retentionDays, LocalProfile profile)
    {
        var label = scheme.ParseBanner(message.Label);
        var portion = label.TryGetValue(out var parsed, out _) ? parsed.ToPortionMark() : $"({message.Label})";
        var verification = message.FromThisDevice || message.SenderUserId == selfUserId ? VerificationState.Self
            : message.SenderUserId is { } user && profile.Contacts?.GetValueOrDefault(user) is { } contact
                ? ContactVerification.StateOf(profile, user, contact.IdentityPublicKey)
                : VerificationState.Unverified;
        var error = message.Error is { } code ? new CannotDecrypt(code, RoomError.Describe(code), message.ErrorMessage ?? RoomError.Describe(code)) : null;
        DateTimeOffset? expires = retentionDays is > 0 ? message.StoredAt + TimeSpan.FromDays(retentionDays.Value) : null;
        return new RoomMessageView(roomId, message.Sequence, message.Epoch, message.Counter, message.SenderDeviceId, message.SenderUserId, message.SenderEmail,
            message.SenderDelegation, message.Label, portion, message.SentAt, message.StoredAt, message.Text, error, message.FromThisDevice, verification, expires);
    }

    private async Task ApplyRosterAsync(RoomDefinition room, RoomState state, RoomEntry entry, byte[] rosterBytes, List<RoomNotice> notices, CancellationToken cancellationToken)
    {
        var decoded = DeviceSigned<Roster>.Decode(rosterBytes);
        if (!decoded.TryGetValue(out var roster, out var parseError))
        {
            notices.Add(new RoomNotice(room.Id, RoomNoticeKind.EntryRefused, $"Entry {entry.Sequence} of the room's log is not a valid roster: {parseError.Message}", Reason: RoomErrorCode.Malformed));
            return;
        }
        var body = roster.Body;
        var hash = await roster.HashAsync(suite.Backend, cancellationToken).ConfigureAwait(false);
        if (body.RoomId != room.Id)
        {
            notices.Add(new RoomNotice(room.Id, RoomNoticeKind.EntryRefused, $"Entry {entry.Sequence} is a roster of another room ({body.RoomId}); ignored.", body.Epoch, Reason: RoomErrorCode.WrongRoom));
            return;
        }
        if (state.Epochs.TryGetValue(body.Epoch, out var known))
        {
            var same = known.RosterHash.AsSpan().SequenceEqual(hash);
            notices.Add(new RoomNotice(room.Id, RoomNoticeKind.EntryRefused,
                same ? $"The roster of epoch {body.Epoch} was served again (entry {entry.Sequence}); ignored."
                     : $"Entry {entry.Sequence} is a second, different roster for epoch {body.Epoch}: the server's history forked; ignored.",
                body.Epoch, Reason: same ? RoomErrorCode.Replayed : RoomErrorCode.ForkedHistory));
            return;
        }
        var current = state.Current;
        if (current is not null && body.Epoch < current.Epoch)
        {
            notices.Add(new RoomNotice(room.Id, RoomNoticeKind.EntryRefused, $"Entry {entry.Sequence} is a roster of epoch {body.Epoch}, older than the current epoch {current.Epoch}; ignored.", body.Epoch, Reason: RoomErrorCode.EpochSuperseded));
            return;
        }

        var opened = await OpenAsync(room, state, roster, hash, entry, current, cancellationToken).ConfigureAwait(false);
        current?.State?.Close();
        var record = new EpochRecord(body.Epoch, hash, roster, opened.State, opened.Problem, entry.Sequence);
        state.Epochs[body.Epoch] = record;

        var creator = body.Find(body.CreatorDeviceId);
        var creatorUser = creator is null ? null : await admissions.UserAsync(creator.UserId, false, cancellationToken).ConfigureAwait(false);
        notices.Add(new RoomNotice(room.Id, RoomNoticeKind.EpochStarted,
            $"Epoch {body.Epoch} started by {creatorUser?.Email ?? body.CreatorDeviceId.ToString()}: {body.Members.Length} device(s) of {body.Members.Select(m => m.UserId).Distinct().Count()} member(s).",
            body.Epoch, body.CreatorDeviceId, creator?.UserId));
        if (opened.Problem is { } problem)
            notices.Add(new RoomNotice(room.Id, RoomNoticeKind.NoKeyForEpoch, $"No key for epoch {body.Epoch}: {problem}", body.Epoch, self.DeviceId, selfUserId, problem.Code));

        // Every device the roster lists, checked by this client too: none joins unnoticed.
        foreach (var member in body.Members)
        {
            if (member.DeviceId == self.DeviceId) continue;
            var admitted = await admissions.AdmitAsync(room, member.UserId, member.DeviceId, false, cancellationToken).ConfigureAwait(false);
            if (!admitted.Result.TryGetValue(out var device, out var refused))
            {
                notices.Add(new RoomNotice(room.Id, RoomNoticeKind.UnverifiedDevice,
                    $"Epoch {body.Epoch} lists device {member.DeviceId} of {admitted.User?.Email ?? member.UserId.ToString()}, which this client does not admit: {refused}",
                    body.Epoch, member.DeviceId, member.UserId, refused.Code));
            }
            else if (!device.CertificateHash.AsSpan().SequenceEqual(member.CertificateHash.AsSpan()))
            {
                notices.Add(new RoomNotice(room.Id, RoomNoticeKind.UnverifiedDevice,
                    $"Epoch {body.Epoch} lists device {member.DeviceId} of {admitted.User?.Email} with other keys than its certificate in the directory.",
                    body.Epoch, member.DeviceId, member.UserId, RoomErrorCode.Untrusted));
            }
        }
    }

    private async Task<(EpochState? State, RoomError? Problem)> OpenAsync(RoomDefinition room, RoomState state, DeviceSigned<Roster> roster, byte[] hash, RoomEntry entry, EpochRecord? current, CancellationToken cancellationToken)
    {
        var body = roster.Body;
        if (!body.Matches(room))
            return (null, new RoomError(RoomErrorCode.RosterMismatch, $"The roster of epoch {body.Epoch} is for label {body.Label} and parties {string.Join(", ", body.Parties)}; the room is {room.Label.ToBanner()} with {string.Join(", ", room.Parties)}."));
        if (body.CreatorDeviceId == self.DeviceId)
        {
            // This device made the epoch: its state was kept when the roster was published.
            var own = state.PendingOwnEpoch;
            if (own is not null && own.Epoch == body.Epoch && own.RosterHash.AsSpan().SequenceEqual(hash))
            {
                state.PendingOwnEpoch = null;
                return (own, null);
            }
            return (null, new RoomError(RoomErrorCode.NoKeyPackage, $"This device made epoch {body.Epoch} but no longer holds its state (it was not saved); the next message starts a new epoch."));
        }
        var creatorMember = body.Find(body.CreatorDeviceId)!;
        var creator = await admissions.AdmitAsync(room, creatorMember.UserId, body.CreatorDeviceId, false, cancellationToken).ConfigureAwait(false);
        if (!creator.Result.TryGetValue(out var creatorDevice, out var refused))
            return (null, new RoomError(refused.Code is RoomErrorCode.DeviceRevoked ? RoomErrorCode.DeviceRevoked : RoomErrorCode.UnknownSender,
                $"Epoch {body.Epoch} was made by device {body.CreatorDeviceId}, which this client does not admit: {refused.Message}"));

        if (entry.KeyPackage is null) return (null, await ExplainAsync(room, body.Epoch, body, cancellationToken).ConfigureAwait(false));
        var package = DeviceSigned<KeyPackage>.Decode(entry.KeyPackage);
        if (!package.TryGetValue(out var signedPackage, out var packageError))
            return (null, new RoomError(RoomErrorCode.Malformed, $"The key package of epoch {body.Epoch} is malformed: {packageError.Message}"));
        var opened = await schedule.OpenKeyPackageAsync(room, self, roster, signedPackage, creatorDevice, current?.Roster, cancellationToken).ConfigureAwait(false);
        if (opened.TryGetValue(out var epochState, out var error)) return (epochState, null);
        if (error.Code == RoomErrorCode.NoKeyPackage) return (null, await ExplainAsync(room, body.Epoch, body, cancellationToken).ConfigureAwait(false));
        return (null, error);
    }

    private async Task<RoomError> ExplainAsync(RoomDefinition room, long epoch, Roster? roster, CancellationToken cancellationToken)
    {
        var own = await admissions.AdmitAsync(room, selfUserId, self.DeviceId, false, cancellationToken).ConfigureAwait(false);
        return MissingKey.Explain(own.Result, self.DeviceId, epoch, roster);
    }

    private async Task<VaultMessage> ReadAsync(RoomDefinition room, RoomState state, RoomEntry entry, CancellationToken cancellationToken)
    {
        if (entry.Message is null) return Failed(entry, null, null, new RoomError(RoomErrorCode.Malformed, "The entry carries no message."));
        var decoded = RoomMessage.Decode(entry.Message);
        if (!decoded.TryGetValue(out var message, out var parseError))
            return Failed(entry, null, null, new RoomError(RoomErrorCode.Malformed, $"The message is malformed: {parseError.Message}"));
        var header = message.Header;

        if (header.SenderDeviceId == self.DeviceId) return Own(state, entry, header);

        if (!state.Epochs.TryGetValue(header.Epoch, out var record))
        {
            var current = state.Current;
            if (current is not null && header.Epoch < state.Epochs.Keys.First())
                return Failed(entry, header, null, await ExplainAsync(room, header.Epoch, null, cancellationToken).ConfigureAwait(false));
            if (current is not null && header.Epoch < current.Epoch)
                return Failed(entry, header, null, new RoomError(RoomErrorCode.EpochSuperseded, $"The message claims epoch {header.Epoch}, which a later epoch superseded."));
            return Failed(entry, header, null, await ExplainAsync(room, header.Epoch, null, cancellationToken).ConfigureAwait(false));
        }
        var member = record.Roster?.Body.Find(header.SenderDeviceId);
        var senderUser = member is null ? null : await admissions.UserAsync(member.UserId, false, cancellationToken).ConfigureAwait(false);
        if (record.State is not { } epochState)
            return Failed(entry, header, senderUser, record.Problem ?? await ExplainAsync(room, header.Epoch, record.Roster?.Body, cancellationToken).ConfigureAwait(false));
        if (member is null)
            return Failed(entry, header, null, new RoomError(RoomErrorCode.UnknownSender, $"Device {header.SenderDeviceId} is not in the roster of epoch {header.Epoch}."));

        var admitted = await admissions.AdmitAsync(room, member.UserId, header.SenderDeviceId, false, cancellationToken).ConfigureAwait(false);
        if (!admitted.Result.TryGetValue(out var sender, out var refused))
            return Failed(entry, header, admitted.User, refused.Code == RoomErrorCode.DeviceRevoked ? refused
                : new RoomError(RoomErrorCode.UnknownSender, $"The sender's device {header.SenderDeviceId} is not admitted by this client: {refused.Message}"));
        var result = await schedule.DecryptAsync(epochState, message, sender, cancellationToken).ConfigureAwait(false);
        if (!result.TryGetValue(out var decrypted, out var error)) return Failed(entry, header, admitted.User, error);
        var text = new UTF8Encoding(false, false).GetString(decrypted.Plaintext);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(decrypted.Plaintext);
        return new VaultMessage(entry.Sequence, header.Epoch, header.Counter, header.SenderDeviceId, sender.UserId, admitted.User?.Email, sender.Delegation,
            decrypted.Label.ToBanner(), DateTimeOffset.FromUnixTimeSeconds(header.SentAt), entry.At, text, null, null, false);
    }

    // Its own messages a device cannot decrypt (their keys went when they were sent): the copy it kept serves.
    private VaultMessage Own(RoomState state, RoomEntry entry, MessageHeader header)
    {
        if (state.Messages.Any(m => m.FromThisDevice && m.Epoch == header.Epoch && m.Counter == header.Counter && m.Text is not null))
            return Failed(entry, header, null, new RoomError(RoomErrorCode.Replayed, $"Message {header.Counter} of this device in epoch {header.Epoch} was already received."), fromThisDevice: true);
        var index = state.Sent.FindIndex(s => s.Epoch == header.Epoch && s.Counter == header.Counter);
        if (index < 0)
            return Failed(entry, header, null, new RoomError(RoomErrorCode.SentByThisDevice, "This device sent the message and kept no copy of it (sent from another session of this profile, or the copy expired)."), fromThisDevice: true);
        var sent = state.Sent[index];
        state.Sent.RemoveAt(index);
        if (sent.Label != header.Label)
            return Failed(entry, header, null, new RoomError(RoomErrorCode.Tampered, "The message the server holds under this device's name is not the one it sent."), fromThisDevice: true);
        return new VaultMessage(entry.Sequence, header.Epoch, header.Counter, header.SenderDeviceId, selfUserId, selfEmail, selfDelegation,
            header.Label, DateTimeOffset.FromUnixTimeSeconds(header.SentAt), entry.At, sent.Text, null, null, true);
    }

    private static VaultMessage Failed(RoomEntry entry, MessageHeader? header, DirectoryUser? sender, RoomError error, bool fromThisDevice = false) =>
        new(entry.Sequence, header?.Epoch ?? 0, header?.Counter ?? 0, header?.SenderDeviceId ?? Guid.Empty, sender?.Id, sender?.Email, sender?.Delegation,
            header?.Label ?? "", header is null ? entry.At : DateTimeOffset.FromUnixTimeSeconds(header.SentAt), entry.At, null, error.Code, error.Message, fromThisDevice);
}
