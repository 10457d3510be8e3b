using System.Collections.Immutable;
using System.Security.Cryptography;
using Parley.Protocol.Classification;
using Parley.Protocol.Crypto;

namespace Parley.Protocol.Rooms;

/// <summary>
/// PARLEY-PQ1's group key schedule: an epoch secret per roster, sent in hybrid-KEM key packages, and a
/// hash-ratchet chain per sender derived from it (Signal's sender keys, with one secret per epoch).
/// Formats and derivations: docs/PROTOCOL.md §12.
/// </summary>
public sealed class SenderChainSchedule(CryptoSuite suite) : IGroupKeySchedule
{
    private readonly CryptoSuite _suite = suite ?? throw new ArgumentNullException(nameof(suite));

    private ICryptoBackend Backend => _suite.Backend;

    /// <inheritdoc />
    public async ValueTask<RoomResult<NewEpoch>> CreateEpochAsync(RoomDefinition room, LocalDevice creator, IReadOnlyCollection<RoomDevice> members,
        DeviceSigned<Roster>? previous, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(creator);
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count > Roster.MaxMembers)
            return Fail<NewEpoch>(RoomErrorCode.InvalidRoster, $"An epoch holds at most {Roster.MaxMembers} devices, not {members.Count}.");
        var byDevice = new SortedDictionary<Guid, RoomDevice>(DeviceOrder.Comparer);
        foreach (var member in members)
        {
            ArgumentNullException.ThrowIfNull(member, nameof(members));
            if (!member.Room.Equals(room))
                return Fail<NewEpoch>(RoomErrorCode.WrongRoom, $"Device {member.DeviceId} was admitted to {member.Room}, not to {room}; admit it again.");
            if (!byDevice.TryAdd(member.DeviceId, member))
                return Fail<NewEpoch>(RoomErrorCode.InvalidRoster, $"Device {member.DeviceId} is listed twice.");
        }
        if (!byDevice.TryGetValue(creator.DeviceId, out var self) || !self.CertificateHash.AsSpan().SequenceEqual(creator.CertificateHash.AsSpan()))
            return Fail<NewEpoch>(RoomErrorCode.InvalidRoster, "The creating device must be a member of the epoch it creates, with its current certificate.");

        long epoch = 1;
        ImmutableArray<byte> previousHash = [];
        if (previous is not null)
        {
            if (previous.Body.RoomId != room.Id)
                return Fail<NewEpoch>(RoomErrorCode.WrongRoom, $"The previous roster belongs to room {previous.Body.RoomId}, not {room.Id}.");
            epoch = previous.Body.Epoch + 1;
            previousHash = [.. await previous.HashAsync(Backend, cancellationToken).ConfigureAwait(false)];
        }

        using var epochSecret = SecretKey.Generate(EpochSecret.Size);
        var commitment = await SenderChain.CommitmentAsync(_suite.Keys, epochSecret, room.Id, epoch, cancellationToken).ConfigureAwait(false);
        var roster = new Roster(room.Id, epoch, room.Label.ToCanonicalString(), [.. room.Parties], creator.DeviceId,
            [.. byDevice.Values.Select(d => d.Member)], now.ToUnixTimeSeconds(), previousHash, [.. commitment]);
        var signedRoster = await DeviceSigned<Roster>.SignAsync(Backend, creator.Signing, roster, cancellationToken).ConfigureAwait(false);
        var rosterHash = await signedRoster.HashAsync(Backend, cancellationToken).ConfigureAwait(false);

        var packages = new List<DeviceSigned<KeyPackage>>(byDevice.Count - 1);
        foreach (var recipient in byDevice.Values)
        {
            if (recipient.DeviceId == creator.DeviceId) continue;
            packages.Add(await SealPackageAsync(creator, recipient, room.Id, epoch, rosterHash, epochSecret, cancellationToken).ConfigureAwait(false));
        }
        var state = await StartStateAsync(signedRoster, [.. rosterHash], room.Label, creator.DeviceId, epochSecret, cancellationToken).ConfigureAwait(false);
        return new NewEpoch(signedRoster, packages, state);
    }

    /// <inheritdoc />
    public async ValueTask<RoomResult<EpochState>> OpenKeyPackageAsync(RoomDefinition room, LocalDevice self, DeviceSigned<Roster> roster, DeviceSigned<KeyPackage> package,
        RoomDevice creator, DeviceSigned<Roster>? previous, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(self);
        ArgumentNullException.ThrowIfNull(roster);
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(creator);
        var body = roster.Body;

        // Who signed first, so that any changed byte reads as tampering rather than as a claim.
        if (body.CreatorDeviceId != creator.DeviceId)
            return Fail<EpochState>(RoomErrorCode.UnknownSender, $"The roster was made by device {body.CreatorDeviceId}, not by {creator.DeviceId}.");
        if (!await roster.VerifyAsync(Backend, creator.SigningPublicKey, cancellationToken).ConfigureAwait(false))
            return Fail<EpochState>(RoomErrorCode.Tampered, $"The roster of epoch {body.Epoch} is not signed by device {creator.DeviceId}: it was altered or forged.");
        if (!await package.VerifyAsync(Backend, creator.SigningPublicKey, cancellationToken).ConfigureAwait(false))
            return Fail<EpochState>(RoomErrorCode.Tampered, $"The key package is not signed by device {creator.DeviceId}: it was altered or forged.");

        if (body.RoomId != room.Id || creator.Room.Id != room.Id)
            return Fail<EpochState>(RoomErrorCode.WrongRoom, $"The roster belongs to room {body.RoomId}, not {room.Id}.");
        if (!body.Matches(room))
            return Fail<EpochState>(RoomErrorCode.RosterMismatch, $"The roster of epoch {body.Epoch} is for label {body.Label} and parties {string.Join(", ", body.Parties)}; the room is {room.Label.ToBanner()} with {string.Join(", ", room.Parties)}.");
        var creatorEntry = body.Find(creator.DeviceId);
        if (creatorEntry is null || !creatorEntry.CertificateHash.AsSpan().SequenceEqual(creator.CertificateHash.AsSpan()))
            return Fail<EpochState>(RoomErrorCode.UnknownSender, $"The roster lists its creator {creator.DeviceId} with another certificate than the one verified.");
        var rosterHash = await roster.HashAsync(Backend, cancellationToken).ConfigureAwait(false);
        if (previous is not null)
        {
            var link = await CheckLinkAsync(room, body, previous, cancellationToken).ConfigureAwait(false);
            if (link is not null) return link;
        }

        var selfEntry = body.Find(self.DeviceId);
        if (selfEntry is null)
            return Fail<EpochState>(RoomErrorCode.NoKeyPackage, $"This device is not in the roster of epoch {body.Epoch}: it was given no key.");
        if (!selfEntry.CertificateHash.AsSpan().SequenceEqual(self.CertificateHash.AsSpan()))
            return Fail<EpochState>(RoomErrorCode.NoKeyPackage, $"The roster of epoch {body.Epoch} names this device with another certificate: its key went to other keys.");

        var keys = package.Body;
        if (keys.RoomId != room.Id)
            return Fail<EpochState>(RoomErrorCode.WrongRoom, $"The key package belongs to room {keys.RoomId}, not {room.Id}.");
        if (keys.RecipientDeviceId != self.DeviceId)
            return Fail<EpochState>(RoomErrorCode.NoKeyPackage, $"The key package is for device {keys.RecipientDeviceId}, not this device.");
        if (keys.Epoch != body.Epoch)
            return Fail<EpochState>(RoomErrorCode.NoKeyPackage, $"The key package is for epoch {keys.Epoch}, not epoch {body.Epoch}.");
        if (keys.SenderDeviceId != creator.DeviceId)
            return Fail<EpochState>(RoomErrorCode.UnknownSender, $"The key package names device {keys.SenderDeviceId} as its sender, not the roster's creator.");
        if (!CryptographicOperations.FixedTimeEquals(keys.RosterHash.AsSpan(), rosterHash))
            return Fail<EpochState>(RoomErrorCode.ForkedHistory, $"The key package was made for another roster of epoch {body.Epoch}.");

        var opened = await OpenSecretAsync(self, keys, cancellationToken).ConfigureAwait(false);
        if (!opened.TryGetValue(out var epochSecret, out var error)) return error;
        using (epochSecret)
        {
            var commitment = await SenderChain.CommitmentAsync(_suite.Keys, epochSecret, body.RoomId, body.Epoch, cancellationToken).ConfigureAwait(false);
            if (!CryptographicOperations.FixedTimeEquals(commitment, body.SecretCommitment.AsSpan()))
                return Fail<EpochState>(RoomErrorCode.Tampered, $"The secret in the key package is not the one the roster of epoch {body.Epoch} commits to: its creator gave members different keys.");
            return await StartStateAsync(roster, [.. rosterHash], room.Label, self.DeviceId, epochSecret, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<RoomResult<RoomMessage>> EncryptAsync(EpochState epoch, LocalDevice self, Label label, ReadOnlyMemory<byte> plaintext,
        DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        ArgumentNullException.ThrowIfNull(self);
        ArgumentNullException.ThrowIfNull(label);
        if (self.DeviceId != epoch.SelfDeviceId)
            throw new ArgumentException($"The epoch state belongs to device {epoch.SelfDeviceId}, not {self.DeviceId}.", nameof(self));
        if (plaintext.Length > RoomMessage.MaxPlaintextSize)
            return Fail<RoomMessage>(RoomErrorCode.MessageTooLarge, $"A room message carries at most {RoomMessage.MaxPlaintextSize} bytes, not {plaintext.Length}; send a document instead.");
        if (!Dominated(epoch.Label, label))
            return Fail<RoomMessage>(RoomErrorCode.LabelAboveRoom, $"A message labelled {label.ToBanner()} cannot be posted in a room labelled {epoch.Label.ToBanner()}.");

        await epoch.EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (epoch.IsClosed)
                return Fail<RoomMessage>(RoomErrorCode.EpochSuperseded, $"Epoch {epoch.Epoch} is closed; send in the current epoch.");
            var chain = epoch.Chain(self.DeviceId)!;
            var counter = chain.Next;
            var header = new MessageHeader(epoch.RoomId, epoch.Epoch, epoch.RosterHash, self.DeviceId, counter, label.ToCanonicalString(), now.ToUnixTimeSeconds());
            var headerBytes = Formats.Canonical.Encode(header);
            using var messageKey = await SenderChain.MessageKeyAsync(_suite.Keys, chain.Key!, counter, cancellationToken).ConfigureAwait(false);
            SecretKey? pending = await SenderChain.StepAsync(_suite.Keys, chain.Key!, counter, cancellationToken).ConfigureAwait(false);
            var padded = MessagePadding.Pad(plaintext.Span);
            try
            {
                var ciphertext = new byte[padded.Length + RoomMessage.TagSize];
                using (var aead = (await Backend.ImportAesGcmKeyAsync(messageKey.Memory[..SenderChain.MessageKeySize], cancellationToken).ConfigureAwait(false)).Value)
                    await aead.SealAsync(messageKey.Memory[SenderChain.MessageKeySize..], padded, Labels.Bind(Labels.RoomMessage, headerBytes), ciphertext, cancellationToken).ConfigureAwait(false);
                var signature = await Backend.P384SignAsync(self.Signing, DeviceSignature.Input("parley/room-message", headerBytes, ciphertext), cancellationToken).ConfigureAwait(false);
                chain.Advance(counter, pending);
                pending = null;
                return new RoomMessage(header, headerBytes, ciphertext, signature);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(padded);
                pending?.Dispose();
            }
        }
        finally
        {
            epoch.Exit();
        }
    }

    /// <inheritdoc />
    public async ValueTask<RoomResult<DecryptedMessage>> DecryptAsync(EpochState epoch, RoomMessage message, RoomDevice sender, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(sender);
        var header = message.Header;
        if (header.SenderDeviceId != sender.DeviceId)
            return Fail<DecryptedMessage>(RoomErrorCode.UnknownSender, $"The message names device {header.SenderDeviceId} as its sender, not {sender.DeviceId}.");
        if (!await Backend.P384VerifyAsync(sender.SigningPublicKey, DeviceSignature.Input("parley/room-message", message.HeaderBytes, message.Ciphertext), message.Signature, cancellationToken).ConfigureAwait(false))
            return Fail<DecryptedMessage>(RoomErrorCode.Tampered, $"The message is not signed by device {sender.DeviceId}: it was altered or forged.");
        if (header.RoomId != epoch.RoomId || sender.Room.Id != epoch.RoomId)
            return Fail<DecryptedMessage>(RoomErrorCode.WrongRoom, $"The message belongs to room {header.RoomId}, not {epoch.RoomId}.");
        if (header.Epoch < epoch.Epoch)
            return Fail<DecryptedMessage>(RoomErrorCode.EpochSuperseded, $"The message claims epoch {header.Epoch}, which epoch {epoch.Epoch} superseded.");
        if (header.Epoch > epoch.Epoch)
            return Fail<DecryptedMessage>(RoomErrorCode.NoKeyPackage, $"The message is in epoch {header.Epoch}; this device holds keys of epoch {epoch.Epoch} only.");
        if (!CryptographicOperations.FixedTimeEquals(header.RosterHash.AsSpan(), epoch.RosterHash.AsSpan()))
            return Fail<DecryptedMessage>(RoomErrorCode.ForkedHistory, $"The message was sent under another roster of epoch {header.Epoch} than this device received.");
        var entry = epoch.Roster.Body.Find(sender.DeviceId);
        if (entry is null || !entry.CertificateHash.AsSpan().SequenceEqual(sender.CertificateHash.AsSpan()))
            return Fail<DecryptedMessage>(RoomErrorCode.UnknownSender, $"Device {sender.DeviceId} is not a member of epoch {epoch.Epoch} with the certificate verified.");
        if (sender.DeviceId == epoch.SelfDeviceId)
            return Fail<DecryptedMessage>(RoomErrorCode.SentByThisDevice, "This device sent the message and deleted its key when it did; the client keeps what it sent.");
        var parsedLabel = epoch.Label.Scheme.ParseBanner(header.Label);
        if (!parsedLabel.TryGetValue(out var label, out var labelError))
            return Fail<DecryptedMessage>(RoomErrorCode.Malformed, $"The message's label does not parse: {labelError.Message}");
        if (!Dominated(epoch.Label, label))
            return Fail<DecryptedMessage>(RoomErrorCode.LabelAboveRoom, $"The message is labelled {label.ToBanner()}, above the room's {epoch.Label.ToBanner()}.");

        await epoch.EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (epoch.IsClosed)
                return Fail<DecryptedMessage>(RoomErrorCode.EpochSuperseded, $"Epoch {epoch.Epoch} is closed: a newer epoch started before this message.");
            var chain = epoch.Chain(sender.DeviceId)!;
            var counter = header.Counter;
            if (counter < chain.Next)
            {
                return chain.Skipped.Contains(counter)
                    ? Fail<DecryptedMessage>(RoomErrorCode.OutOfOrder, $"Message {counter} from device {sender.DeviceId} arrived after message {chain.Next - 1}; its key was deleted.")
                    : Fail<DecryptedMessage>(RoomErrorCode.Replayed, $"Message {counter} from device {sender.DeviceId} was already received.");
            }
            if (counter - chain.Next > SenderChain.MaxGap)
                return Fail<DecryptedMessage>(RoomErrorCode.CounterGapTooLarge, $"Message {counter} from device {sender.DeviceId} would skip {counter - chain.Next} messages; at most {SenderChain.MaxGap} are stepped over.");

            // Derive into temporaries; the chain moves only once the message authenticates, and
            // whatever does not become the chain's next key is zeroed on every way out.
            SecretKey? pending = null;
            var key = chain.Key!;
            try
            {
                for (var step = chain.Next; step < counter; step++)
                {
                    var next = await SenderChain.StepAsync(_suite.Keys, key, step, cancellationToken).ConfigureAwait(false);
                    if (!ReferenceEquals(key, chain.Key)) key.Dispose();
                    key = next;
                }
                using var messageKey = await SenderChain.MessageKeyAsync(_suite.Keys, key, counter, cancellationToken).ConfigureAwait(false);
                pending = await SenderChain.StepAsync(_suite.Keys, key, counter, cancellationToken).ConfigureAwait(false);

                var padded = new byte[message.Ciphertext.Length - RoomMessage.TagSize];
                using (var aead = (await Backend.ImportAesGcmKeyAsync(messageKey.Memory[..SenderChain.MessageKeySize], cancellationToken).ConfigureAwait(false)).Value)
                {
                    if (!await aead.OpenAsync(messageKey.Memory[SenderChain.MessageKeySize..], message.Ciphertext, Labels.Bind(Labels.RoomMessage, message.HeaderBytes), padded, cancellationToken).ConfigureAwait(false))
                        return Fail<DecryptedMessage>(RoomErrorCode.Tampered, "The message does not decrypt under its sender's key: it was altered, or encrypted with other keys.");
                }
                var plaintext = MessagePadding.Unpad(padded);
                CryptographicOperations.ZeroMemory(padded);
                if (plaintext is null)
                    return Fail<DecryptedMessage>(RoomErrorCode.Malformed, $"Device {sender.DeviceId} sent a message whose padding is malformed.");
                chain.Advance(counter, pending);
                pending = null;
                return new DecryptedMessage(header, label, sender, plaintext);
            }
            finally
            {
                pending?.Dispose();
                if (!ReferenceEquals(key, chain.Key)) key.Dispose();
            }
        }
        finally
        {
            epoch.Exit();
        }
    }

    private async ValueTask<DeviceSigned<KeyPackage>> SealPackageAsync(LocalDevice creator, RoomDevice recipient, Guid roomId, long epoch, byte[] rosterHash, SecretKey epochSecret, CancellationToken cancellationToken)
    {
        var (encapsulation, sharedSecret) = await _suite.Kem.EncapsulateAsync(recipient.KemPublicKey, cancellationToken).ConfigureAwait(false);
        using (sharedSecret)
        {
            var context = KeyPackage.Context(roomId, epoch, rosterHash, creator.DeviceId, recipient.DeviceId);
            using var sealingKey = await _suite.Keys.DeriveAsync(sharedSecret, Labels.RoomKeyPackage, context, cancellationToken: cancellationToken).ConfigureAwait(false);
            var sealedSecret = await _suite.Boxes.SealAsync(sealingKey, epochSecret.Memory, context, cancellationToken).ConfigureAwait(false);
            var package = new KeyPackage(roomId, epoch, [.. rosterHash], creator.DeviceId, recipient.DeviceId, [.. encapsulation], [.. sealedSecret]);
            return await DeviceSigned<KeyPackage>.SignAsync(Backend, creator.Signing, package, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<RoomResult<SecretKey>> OpenSecretAsync(LocalDevice self, KeyPackage package, CancellationToken cancellationToken)
    {
        const string failure = "The key package does not open with this device's key: it was altered, or made for other keys.";
        var decapsulated = await _suite.Kem.DecapsulateAsync(self.Kem, package.Encapsulation.AsMemory(), cancellationToken).ConfigureAwait(false);
        if (!decapsulated.TryGetValue(out var sharedSecret, out _)) return Fail<SecretKey>(RoomErrorCode.Tampered, failure);
        using (sharedSecret)
        {
            var context = package.Context();
            using var sealingKey = await _suite.Keys.DeriveAsync(sharedSecret, Labels.RoomKeyPackage, context, cancellationToken: cancellationToken).ConfigureAwait(false);
            var opened = await _suite.Boxes.OpenAsync(sealingKey, package.SealedSecret.AsMemory(), context, cancellationToken).ConfigureAwait(false);
            if (!opened.TryGetValue(out var secret, out _)) return Fail<SecretKey>(RoomErrorCode.Tampered, failure);
            if (secret.Length != EpochSecret.Size)
            {
                CryptographicOperations.ZeroMemory(secret);
                return Fail<SecretKey>(RoomErrorCode.Malformed, "The key package holds a secret of the wrong size.");
            }
            return SecretKey.Adopt(secret);
        }
    }

    private async ValueTask<RoomError?> CheckLinkAsync(RoomDefinition room, Roster roster, DeviceSigned<Roster> previous, CancellationToken cancellationToken)
    {
        if (previous.Body.RoomId != room.Id)
            return new RoomError(RoomErrorCode.WrongRoom, $"The roster this device knew belongs to room {previous.Body.RoomId}, not {room.Id}.");
        if (roster.Epoch <= previous.Body.Epoch)
            return new RoomError(RoomErrorCode.EpochSuperseded, $"The roster is for epoch {roster.Epoch}; this device already holds epoch {previous.Body.Epoch}.");
        if (roster.Epoch == previous.Body.Epoch + 1)
        {
            var previousHash = await previous.HashAsync(Backend, cancellationToken).ConfigureAwait(false);
            if (!CryptographicOperations.FixedTimeEquals(roster.PreviousHash.AsSpan(), previousHash))
                return new RoomError(RoomErrorCode.ForkedHistory, $"The roster of epoch {roster.Epoch} does not follow the roster of epoch {previous.Body.Epoch} this device knows: the room's history was forked.");
        }
        return null;
    }

    private async ValueTask<EpochState> StartStateAsync(DeviceSigned<Roster> roster, ImmutableArray<byte> rosterHash, Label label, Guid self, SecretKey epochSecret, CancellationToken cancellationToken)
    {
        var body = roster.Body;
        using var epochKey = await SenderChain.EpochKeyAsync(_suite.Keys, epochSecret, rosterHash.AsMemory(), cancellationToken).ConfigureAwait(false);
        var chains = new Dictionary<Guid, SenderChain>(body.Members.Length);
        foreach (var member in body.Members)
        {
            var start = await SenderChain.StartAsync(_suite.Keys, epochKey, body.RoomId, body.Epoch, member.DeviceId, cancellationToken).ConfigureAwait(false);
            chains.Add(member.DeviceId, new SenderChain(member.DeviceId, start, 0));
        }
        var documentKey = await SenderChain.DocumentKeyAsync(_suite.Keys, epochKey, body.RoomId, body.Epoch, cancellationToken).ConfigureAwait(false);
        return new EpochState(roster, rosterHash, label, self, chains, documentKey, closed: false);
    }

    private static bool Dominated(Label room, Label label) =>
        room.Scheme.IsCompatibleWith(label.Scheme) && room.Dominates(label);

    private static RoomResult<T> Fail<T>(RoomErrorCode code, string message) => RoomResult<T>.Fail(code, message);
}
