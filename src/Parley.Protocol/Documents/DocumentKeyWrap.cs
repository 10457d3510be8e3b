using System.Collections.Immutable;
using System.Formats.Cbor;
using Parley.Protocol.Crypto;
using Parley.Protocol.Formats;
using Parley.Protocol.Identity;

namespace Parley.Protocol.Documents;

/// <summary>Who a document key is wrapped for.</summary>
public enum KeyWrapRecipient
{
    /// <summary>One device, through its certified hybrid KEM key: restricted documents, named recipients only.</summary>
    Device = 1,
    /// <summary>Every device holding one epoch of a room, through the epoch's document key.</summary>
    RoomEpoch = 2,
}

/// <summary>
/// A document version's key wrapped for one recipient:
/// <c>["parley/document-key-wrap", 1, kind, document id, version, version hash, recipient id, epoch, encapsulation, wrapped key]</c>.
/// The recipient id is a device id (kind 1, epoch 0, a 1665-byte hybrid KEM encapsulation) or a room id
/// (kind 2, epoch from 1, no encapsulation). The wrapped key is a key-wrap sealed box (61 bytes) bound to
/// <see cref="DocumentKeys.Context"/>, which also binds the version's label. Destruction deletes every wrap.
/// </summary>
public sealed class DocumentKeyWrap : ICanonical<DocumentKeyWrap>
{
    private const string Type = "parley/document-key-wrap";

    /// <summary>Size of a wrapped 32-byte key.</summary>
    public const int WrappedKeySize = SealedBox.Overhead + DocumentKeys.KeySize;

    internal DocumentKeyWrap(KeyWrapRecipient kind, Guid documentId, int version, ImmutableArray<byte> versionHash, Guid recipientId, long epoch,
        ImmutableArray<byte> encapsulation, ImmutableArray<byte> wrappedKey)
    {
        if (version < 1) throw new CanonicalFormatException("Document versions start at 1.");
        if (versionHash.Length != DocumentVersion.HashSize) throw new CanonicalFormatException("The version hash is 32 bytes.");
        if (kind == KeyWrapRecipient.Device && (epoch != 0 || encapsulation.Length != HybridKem.EncapsulationSize))
            throw new CanonicalFormatException("A wrap for a device has epoch 0 and a hybrid KEM encapsulation.");
        if (kind == KeyWrapRecipient.RoomEpoch && (epoch < 1 || encapsulation.Length != 0))
            throw new CanonicalFormatException("A wrap for a room epoch names an epoch from 1 and has no encapsulation.");
        if (wrappedKey.Length != WrappedKeySize) throw new CanonicalFormatException($"The wrapped key is {WrappedKeySize} bytes.");
        Kind = kind;
        DocumentId = documentId;
        Version = version;
        VersionHash = versionHash;
        RecipientId = recipientId;
        Epoch = epoch;
        Encapsulation = encapsulation;
        WrappedKey = wrappedKey;
    }

    /// <summary>Device or room epoch.</summary>
    public KeyWrapRecipient Kind { get; }

    /// <summary>The document.</summary>
    public Guid DocumentId { get; }

    /// <summary>The version.</summary>
    public int Version { get; }

    /// <summary>The version hash (<see cref="DocumentVersion.Hash"/>).</summary>
    public ImmutableArray<byte> VersionHash { get; }

    /// <summary>The recipient device, or the room.</summary>
    public Guid RecipientId { get; }

    /// <summary>The room epoch; 0 for a device.</summary>
    public long Epoch { get; }

    /// <summary>Hybrid KEM encapsulation to the device; empty for a room epoch.</summary>
    public ImmutableArray<byte> Encapsulation { get; }

    /// <summary>The wrapped key.</summary>
    public ImmutableArray<byte> WrappedKey { get; }

    /// <summary>The canonical encoding.</summary>
    public byte[] Encode() => Canonical.Encode(this);

    /// <summary>Parses a wrap; a typed error for anything malformed.</summary>
    public static Result<DocumentKeyWrap> Decode(ReadOnlyMemory<byte> encoded) => Canonical.Decode<DocumentKeyWrap>(encoded);

    /// <inheritdoc />
    public void WriteTo(CborWriter writer)
    {
        Canonical.WriteHeader(writer, Type, 1, 8);
        writer.WriteInt32((int)Kind);
        Cbor.WriteGuid(writer, DocumentId);
        writer.WriteInt32(Version);
        writer.WriteByteString(VersionHash.AsSpan());
        Cbor.WriteGuid(writer, RecipientId);
        writer.WriteInt64(Epoch);
        writer.WriteByteString(Encapsulation.AsSpan());
        writer.WriteByteString(WrappedKey.AsSpan());
        writer.WriteEndArray();
    }

    /// <inheritdoc />
    public static DocumentKeyWrap ReadFrom(CborReader reader)
    {
        Canonical.ReadHeader(reader, Type, 8);
        var kind = reader.ReadInt32();
        if (kind is not ((int)KeyWrapRecipient.Device or (int)KeyWrapRecipient.RoomEpoch)) throw new CanonicalFormatException($"Unknown key wrap kind {kind}.");
        var document = Cbor.ReadGuid(reader, "document id");
        var version = reader.ReadInt32();
        var hash = Canonical.ReadBytes(reader, DocumentVersion.HashSize, "version hash");
        var recipient = Cbor.ReadGuid(reader, "recipient id");
        var epoch = reader.ReadInt64();
        var encapsulation = Canonical.ReadBytesUpTo(reader, HybridKem.EncapsulationSize, "encapsulation");
        var wrapped = Canonical.ReadBytes(reader, WrappedKeySize, "wrapped key");
        reader.ReadEndArray();
        return new DocumentKeyWrap((KeyWrapRecipient)kind, document, version, [.. hash], recipient, epoch, [.. encapsulation], [.. wrapped]);
    }
}

/// <summary>
/// The key of a room epoch that document keys are wrapped under. The room's key schedule provides it
/// to every device of the epoch; this type only carries it with the room and epoch it belongs to.
/// </summary>
public sealed class RoomDocumentKey : IDisposable
{
    /// <summary>Takes ownership of <paramref name="key"/> (32 bytes) of epoch <paramref name="epoch"/> of a room labelled <paramref name="label"/>.</summary>
    public RoomDocumentKey(Guid roomId, long epoch, Classification.Label label, SecretKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentOutOfRangeException.ThrowIfLessThan(epoch, 1);
        if (key.Length != DocumentKeys.KeySize) throw new ArgumentException("A room document key is 32 bytes.", nameof(key));
        RoomId = roomId;
        Epoch = epoch;
        Label = label;
        Key = key;
    }

    /// <summary>The room's label for the epoch: every device holding the epoch was admitted against it.</summary>
    public Classification.Label Label { get; }

    /// <summary>The room.</summary>
    public Guid RoomId { get; }

    /// <summary>The epoch.</summary>
    public long Epoch { get; }

    internal SecretKey Key { get; }

    /// <inheritdoc />
    public void Dispose() => Key.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"RoomDocumentKey(room {RoomId}, epoch {Epoch}, private)";
}

/// <summary>
/// Document keys: a fresh 32-byte key per version, wrapped for each recipient device (hybrid KEM) or
/// for a room epoch, each wrap bound by its context to the document, the version hash, the label and
/// the recipient, so that a wrap moved to another version, label or recipient does not open.
/// </summary>
public sealed class DocumentKeys(CryptoSuite suite)
{
    /// <summary>Size of a document key.</summary>
    public const int KeySize = 32;

    private readonly CryptoSuite _suite = suite ?? throw new ArgumentNullException(nameof(suite));

    /// <summary>A fresh document key.</summary>
    public static SecretKey Generate() => SecretKey.Generate(KeySize);

    /// <summary>
    /// The wrap context: canonical CBOR <c>["parley/document-key-context", 1, kind, document id, version, version hash, label, recipient id, epoch]</c>.
    /// </summary>
    public static byte[] Context(KeyWrapRecipient kind, DocumentVersion version, ReadOnlySpan<byte> versionHash, Guid recipientId, long epoch)
    {
        ArgumentNullException.ThrowIfNull(version);
        var writer = Canonical.CreateWriter();
        Canonical.WriteHeader(writer, "parley/document-key-context", 1, 7);
        writer.WriteInt32((int)kind);
        Cbor.WriteGuid(writer, version.DocumentId);
        writer.WriteInt32(version.Version);
        writer.WriteByteString(versionHash);
        writer.WriteTextString(version.Label);
        Cbor.WriteGuid(writer, recipientId);
        writer.WriteInt64(epoch);
        writer.WriteEndArray();
        return writer.Encode();
    }

    /// <summary>Wraps <paramref name="documentKey"/> for one admitted device. Throws <see cref="ArgumentException"/>
    /// when the device was admitted for another label than the version's (classifications are never mixed).</summary>
    public ValueTask<DocumentKeyWrap> WrapForDeviceAsync(SecretKey documentKey, DocumentVersion version, DocumentRecipient recipient, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(recipient);
        if (recipient.Label.ToCanonicalString() != version.Label)
            throw new ArgumentException($"Device {recipient.DeviceId} was admitted for {recipient.Label.ToBanner()}, not {version.Label}.", nameof(recipient));
        return WrapForDeviceAsync(documentKey, version, recipient.DeviceId, recipient.KemKey, cancellationToken);
    }

    // Unchecked: for callers that admitted the device themselves.
    internal async ValueTask<DocumentKeyWrap> WrapForDeviceAsync(SecretKey documentKey, DocumentVersion version, Guid deviceId, HybridKemPublicKey deviceKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documentKey);
        ArgumentNullException.ThrowIfNull(deviceKey);
        var hash = version.Hash();
        var context = Context(KeyWrapRecipient.Device, version, hash, deviceId, 0);
        var (encapsulation, secret) = await _suite.Kem.EncapsulateAsync(deviceKey, cancellationToken).ConfigureAwait(false);
        using (secret)
        {
            using var wrapping = await _suite.Keys.DeriveAsync(secret, Labels.DocumentKey, context, KeySize, cancellationToken: cancellationToken).ConfigureAwait(false);
            var wrapped = await _suite.Boxes.WrapKeyAsync(wrapping, documentKey, context, cancellationToken).ConfigureAwait(false);
            return new DocumentKeyWrap(KeyWrapRecipient.Device, version.DocumentId, version.Version, [.. hash], deviceId, 0, [.. encapsulation], [.. wrapped]);
        }
    }

    /// <summary>Wraps <paramref name="documentKey"/> for every device of one room epoch. Throws
    /// <see cref="ArgumentException"/> when the room's label does not dominate the version's: its members
    /// were admitted against the room's label only.</summary>
    public async ValueTask<DocumentKeyWrap> WrapForRoomAsync(SecretKey documentKey, DocumentVersion version, RoomDocumentKey room, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documentKey);
        ArgumentNullException.ThrowIfNull(room);
        var label = room.Label.Scheme.ParseBanner(version.Label);
        if (!label.IsOk || !room.Label.Dominates(label.Value))
            throw new ArgumentException($"A {version.Label} version cannot be shared with a room labelled {room.Label.ToBanner()}.", nameof(room));
        var hash = version.Hash();
        var context = Context(KeyWrapRecipient.RoomEpoch, version, hash, room.RoomId, room.Epoch);
        using var wrapping = await _suite.Keys.DeriveAsync(room.Key, Labels.DocumentKey, context, KeySize, cancellationToken: cancellationToken).ConfigureAwait(false);
        var wrapped = await _suite.Boxes.WrapKeyAsync(wrapping, documentKey, context, cancellationToken).ConfigureAwait(false);
        return new DocumentKeyWrap(KeyWrapRecipient.RoomEpoch, version.DocumentId, version.Version, [.. hash], room.RoomId, room.Epoch, [], [.. wrapped]);
    }

    /// <summary>Opens a wrap made for this device. Fails with <see cref="ProtocolErrorCode.AuthenticationFailed"/>
    /// (one message whatever the cause) for a wrong key, another version, label or recipient, or a modified wrap.</summary>
    public async ValueTask<Result<SecretKey>> UnwrapForDeviceAsync(DocumentKeyWrap wrap, DocumentVersion version, Guid deviceId, HybridKemPrivateKey deviceKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(wrap);
        ArgumentNullException.ThrowIfNull(deviceKey);
        var hash = version.Hash();
        if (wrap.Kind != KeyWrapRecipient.Device || wrap.RecipientId != deviceId || !IsFor(wrap, version, hash)) return Refused();
        var context = Context(KeyWrapRecipient.Device, version, hash, deviceId, 0);
        var decapsulated = await _suite.Kem.DecapsulateAsync(deviceKey, wrap.Encapsulation.AsMemory(), cancellationToken).ConfigureAwait(false);
        if (!decapsulated.TryGetValue(out var secret, out _)) return Refused();
        using (secret)
        {
            using var wrapping = await _suite.Keys.DeriveAsync(secret, Labels.DocumentKey, context, KeySize, cancellationToken: cancellationToken).ConfigureAwait(false);
            return Checked(await _suite.Boxes.UnwrapKeyAsync(wrapping, wrap.WrappedKey.AsMemory(), context, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>Opens a wrap made for a room epoch this device holds.</summary>
    public async ValueTask<Result<SecretKey>> UnwrapForRoomAsync(DocumentKeyWrap wrap, DocumentVersion version, RoomDocumentKey room, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(wrap);
        ArgumentNullException.ThrowIfNull(room);
        var hash = version.Hash();
        if (wrap.Kind != KeyWrapRecipient.RoomEpoch || wrap.RecipientId != room.RoomId || wrap.Epoch != room.Epoch || !IsFor(wrap, version, hash)) return Refused();
        var context = Context(KeyWrapRecipient.RoomEpoch, version, hash, room.RoomId, room.Epoch);
        using var wrapping = await _suite.Keys.DeriveAsync(room.Key, Labels.DocumentKey, context, KeySize, cancellationToken: cancellationToken).ConfigureAwait(false);
        return Checked(await _suite.Boxes.UnwrapKeyAsync(wrapping, wrap.WrappedKey.AsMemory(), context, cancellationToken).ConfigureAwait(false));
    }

    // The context is rebuilt from the manifest, so the wrap's own copies of these fields would not
    // fail authentication if changed; they are checked here so that a wrap says truthfully what it is for.
    private static bool IsFor(DocumentKeyWrap wrap, DocumentVersion version, byte[] hash) =>
        wrap.DocumentId == version.DocumentId && wrap.Version == version.Version && wrap.VersionHash.AsSpan().SequenceEqual(hash);

    private static Result<SecretKey> Checked(Result<SecretKey> unwrapped)
    {
        if (!unwrapped.TryGetValue(out var key, out _)) return Refused();
        if (key.Length == KeySize) return key;
        key.Dispose();
        return Refused();
    }

    private static Result<SecretKey> Refused() =>
        Result<SecretKey>.Fail(ProtocolErrorCode.AuthenticationFailed, "The document key could not be unwrapped: not for this recipient, version or label, or modified.");
}
