using System.Collections.Immutable;
using System.Security.Cryptography;
using Parley.Protocol;
using Parley.Protocol.Classification;
using Parley.Protocol.Crypto;
using Parley.Protocol.Documents;
using Parley.Protocol.Identity;

namespace Parley.Client.Documents;

/// <summary>Why a stored version could not be opened. Every code means: discard whatever was written.</summary>
public enum DocumentErrorCode
{
    /// <summary>The envelope is not a well-formed envelope.</summary>
    Malformed = 1,
    /// <summary>The manifest is for another document or version than the one asked for.</summary>
    WrongDocument,
    /// <summary>The author's signature over the manifest does not verify with the author's key.</summary>
    BadAuthorSignature,
    /// <summary>The label does not parse under the deployment's scheme, or does not cover the portions.</summary>
    BadLabel,
    /// <summary>No wrap for this recipient, or it would not open (another recipient, version or label, or modified).</summary>
    NoKey,
    /// <summary>The ciphertext is not the one the author signed: modified, truncated, extended, or replaced.</summary>
    Tampered,
    /// <summary>The document was destroyed: its keys are gone; the destruction certificate says by whom, when and why.</summary>
    Destroyed,
    /// <summary>The version is not a text (or too large a one) for the marked view, printing or tracing.</summary>
    NotText,
    /// <summary>This account may not do this (not a head of delegation, not a security officer, a label that may not be printed).</summary>
    NotPermitted,
}

/// <summary>A typed failure to open a stored version, with one sentence for the user.</summary>
public sealed record DocumentError(DocumentErrorCode Code, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>The author of a version: who, from which device, with which identity key.</summary>
public sealed record DocumentAuthor(Guid UserId, Guid DeviceId, CompositePrivateKey IdentityKey);

/// <summary>What a new version is: document, number, predecessor, label and portion marks, media type.</summary>
public sealed record VersionSpec(Guid DocumentId, int Version, ImmutableArray<byte> PreviousVersionHash, Label Label, ImmutableArray<string> PortionMarks, string MediaType)
{
    /// <summary>A text version whose label and portion marks come from its text (see <see cref="TextLabel"/>).</summary>
    public static VersionSpec ForText(Guid documentId, int version, ImmutableArray<byte> previous, TextLabel text, string mediaType = "text/markdown") =>
        new(documentId, version, previous, text.Label, text.PortionMarks, mediaType);
}

/// <summary>How this device holds the key of a version: a wrap for one of its devices, or a room epoch key.</summary>
public abstract record KeyHolder
{
    /// <summary>This device, through its hybrid KEM private key.</summary>
    public sealed record Device(Guid DeviceId, HybridKemPrivateKey Key) : KeyHolder;

    /// <summary>A room epoch this device holds.</summary>
    public sealed record Room(RoomDocumentKey Key) : KeyHolder;
}

/// <summary>The result of opening a version: the manifest and the plaintext length, or a typed error.</summary>
public sealed record OpenedVersion(DocumentVersion Manifest, Label Label, long PlaintextLength);

/// <summary>
/// Client-side document encryption (DESIGN §9): a version of any size is encrypted from a stream to a
/// stream in one pass and constant memory (Cobblestone-256, 16 KiB chunks), hashing the ciphertext and
/// MACing the plaintext as it goes; the author signs the manifest and the key is wrapped for each recipient.
/// Opening checks, in order, the envelope, the document asked for, the author's signature, the label, the
/// key, and then while decrypting every chunk, and after the last byte the length, ciphertext hash and
/// plaintext MAC. Plaintext is written as it authenticates: on any error the caller discards it.
/// </summary>
public sealed class DocumentEncryptor(CryptoSuite suite, MarkingScheme scheme)
{
    private readonly CryptoSuite _suite = suite ?? throw new ArgumentNullException(nameof(suite));
    private readonly MarkingScheme _scheme = scheme ?? throw new ArgumentNullException(nameof(scheme));
    private readonly DocumentKeys _keys = new(suite);

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> into <paramref name="ciphertext"/> and returns the envelope to store
    /// beside it. Refuses, with <see cref="ArgumentException"/> and before reading anything, a version with no
    /// recipient, a device admitted for another label, or a room whose label does not dominate the version's.
    /// Reports plaintext bytes read to <paramref name="progress"/>.
    /// </summary>
    public async Task<DocumentEnvelope> EncryptAsync(Stream plaintext, Stream ciphertext, VersionSpec spec, DocumentAuthor author,
        IReadOnlyList<DocumentRecipient> devices, RoomDocumentKey? room, DateTimeOffset now, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        ArgumentNullException.ThrowIfNull(ciphertext);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(author);
        ArgumentNullException.ThrowIfNull(devices);
        if (devices.Count == 0 && room is null) throw new ArgumentException("A version needs at least one recipient: a room epoch or a device.", nameof(devices));
        if (!_scheme.IsCompatibleWith(spec.Label.Scheme)) throw new ArgumentException("The label belongs to another marking scheme.", nameof(spec));
        // Checked before any work, so a refused version leaves no ciphertext behind half-written.
        foreach (var device in devices)
        {
            if (device.Label != spec.Label) throw new ArgumentException($"Device {device.DeviceId} was admitted for {device.Label.ToBanner()}, not {spec.Label.ToBanner()}.", nameof(devices));
        }
        if (room is not null && !room.Label.Dominates(spec.Label))
            throw new ArgumentException($"A {spec.Label.ToBanner()} version cannot be shared with a room labelled {room.Label.ToBanner()}.", nameof(room));
        var context = new Protocol.Streams.DocumentStreamContext(spec.DocumentId, spec.Version, spec.Label.ToCanonicalString());

        using var key = DocumentKeys.Generate();
        using var plaintextHash = await PlaintextMacAsync(key, context, cancellationToken).ConfigureAwait(false);
        using var ciphertextHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var reading = new HashingStream(plaintext, plaintextHash, reading: true);
        var writing = new HashingStream(ciphertext, ciphertextHash, reading: false, keepFirst: DocumentVersion.SaltSize);
        await _suite.Streams.EncryptAsync(key, context.Encode(), reading, writing, progress, cancellationToken).ConfigureAwait(false);
        await writing.FlushAsync(cancellationToken).ConfigureAwait(false);

        var manifest = new DocumentVersion(spec.DocumentId, spec.Version, spec.PreviousVersionHash, spec.Label.ToCanonicalString(), spec.PortionMarks, spec.MediaType,
            reading.Count, [.. writing.First], writing.Count, [.. ciphertextHash.GetHashAndReset()], [.. plaintextHash.GetHashAndReset()],
            author.UserId, author.DeviceId, now.ToUnixTimeSeconds());
        if (!manifest.CheckLabel(_scheme).TryGetValue(out _, out var labelError)) throw new ArgumentException(labelError.Message, nameof(spec));
        var signed = await Signed<DocumentVersion>.SignAsync(_suite, author.IdentityKey, manifest, cancellationToken).ConfigureAwait(false);
        var wraps = new List<DocumentKeyWrap>();
        if (room is not null) wraps.Add(await _keys.WrapForRoomAsync(key, manifest, room, cancellationToken).ConfigureAwait(false));
        foreach (var device in devices)
            wraps.Add(await _keys.WrapForDeviceAsync(key, manifest, device, cancellationToken).ConfigureAwait(false));
        return new DocumentEnvelope(signed, wraps);
    }

    /// <summary>
    /// Opens version <paramref name="version"/> of document <paramref name="documentId"/> from its stored
    /// envelope and ciphertext into <paramref name="plaintext"/>. <paramref name="authorKey"/> is the composite key
    /// of the manifest's author as this client verified it. Reports plaintext bytes written to <paramref name="progress"/>.
    /// </summary>
    public async Task<(OpenedVersion? Opened, DocumentError? Error)> DecryptAsync(ReadOnlyMemory<byte> envelope, Stream ciphertext, Stream plaintext,
        Guid documentId, int version, Func<Guid, CompositePublicKey?> authorKey, KeyHolder holder, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ciphertext);
        ArgumentNullException.ThrowIfNull(plaintext);
        ArgumentNullException.ThrowIfNull(authorKey);
        ArgumentNullException.ThrowIfNull(holder);
        var decoded = DocumentEnvelope.Decode(envelope);
        if (!decoded.TryGetValue(out var stored, out var malformed))
            return Fail(DocumentErrorCode.Malformed, $"The stored document is malformed: {malformed.Message}");
        var manifest = stored.Manifest.Body;
        if (manifest.DocumentId != documentId || manifest.Version != version)
            return Fail(DocumentErrorCode.WrongDocument, $"The server returned version {manifest.Version} of document {manifest.DocumentId}, not version {version} of {documentId}.");
        var author = authorKey(manifest.AuthorUserId);
        if (author is null || !await stored.Manifest.VerifyAsync(_suite, author, cancellationToken).ConfigureAwait(false))
            return Fail(DocumentErrorCode.BadAuthorSignature, "The version is not signed by its author: its manifest was forged or modified.");
        var label = manifest.CheckLabel(_scheme);
        if (!label.TryGetValue(out var parsed, out var labelError))
            return Fail(DocumentErrorCode.BadLabel, $"The version's label is not valid here: {labelError.Message}");

        // Each wrap is authenticated for its own recipient only; what every reader can check is that each
        // names this version, so a wrap moved here from another version is noticed by all.
        var hash = manifest.Hash();
        if (stored.Wraps.Any(w => w.DocumentId != manifest.DocumentId || w.Version != manifest.Version || !w.VersionHash.AsSpan().SequenceEqual(hash)))
            return Fail(DocumentErrorCode.Malformed, "A key wrap stored with the version names another version.");
        var unwrapped = await UnwrapAsync(stored, manifest, holder, cancellationToken).ConfigureAwait(false);
        if (unwrapped is null)
            return Fail(DocumentErrorCode.NoKey, "No key for this device opens the version: it was not shared with this device or room, or the key was modified.");
        using var key = unwrapped;

        var context = manifest.StreamContext;
        using var ciphertextHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var plaintextMac = await PlaintextMacAsync(key, context, cancellationToken).ConfigureAwait(false);
        var reading = new HashingStream(ciphertext, ciphertextHash, reading: true);
        var writing = new HashingStream(plaintext, plaintextMac, reading: false);
        var decrypted = await _suite.Streams.DecryptAsync(key, context.Encode(), reading, writing, progress, cancellationToken).ConfigureAwait(false);
        if (!decrypted.TryGetValue(out var length, out var streamError))
            return Fail(DocumentErrorCode.Tampered, $"The ciphertext does not decrypt ({streamError.Code}): it was modified, cut short or extended. Discard any output.");
        await writing.FlushAsync(cancellationToken).ConfigureAwait(false);
        // The chunks authenticate under the document key, which every recipient holds; only the author's
        // signed hash says the ciphertext is the one the author made.
        var hashOk = CryptographicOperations.FixedTimeEquals(ciphertextHash.GetHashAndReset(), manifest.CiphertextHash.AsSpan());
        var macOk = CryptographicOperations.FixedTimeEquals(plaintextMac.GetHashAndReset(), manifest.PlaintextMac.AsSpan());
        if (reading.Count != manifest.CiphertextLength || length != manifest.ContentLength || !hashOk || !macOk)
            return Fail(DocumentErrorCode.Tampered, "The ciphertext is not the one the author signed. Discard any output.");
        return (new OpenedVersion(manifest, parsed, length), null);
    }

    private async Task<SecretKey?> UnwrapAsync(DocumentEnvelope stored, DocumentVersion manifest, KeyHolder holder, CancellationToken cancellationToken)
    {
        foreach (var wrap in stored.Wraps)
        {
            Result<SecretKey> opened;
            switch (holder)
            {
                case KeyHolder.Device device when wrap.Kind == KeyWrapRecipient.Device && wrap.RecipientId == device.DeviceId:
                    opened = await _keys.UnwrapForDeviceAsync(wrap, manifest, device.DeviceId, device.Key, cancellationToken).ConfigureAwait(false);
                    break;
                case KeyHolder.Room room when wrap.Kind == KeyWrapRecipient.RoomEpoch && wrap.RecipientId == room.Key.RoomId && wrap.Epoch == room.Key.Epoch:
                    opened = await _keys.UnwrapForRoomAsync(wrap, manifest, room.Key, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    continue;
            }
            if (opened.IsOk) return opened.Value;
        }
        return null;
    }

    private async Task<IncrementalHash> PlaintextMacAsync(SecretKey documentKey, Protocol.Streams.DocumentStreamContext context, CancellationToken cancellationToken)
    {
        using var macKey = await _suite.Keys.DeriveAsync(documentKey, Labels.DocumentPlaintext, context.Encode(), 32, cancellationToken: cancellationToken).ConfigureAwait(false);
        var bytes = macKey.Export();
        try
        {
            return IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static (OpenedVersion?, DocumentError?) Fail(DocumentErrorCode code, string message) => (null, new DocumentError(code, message));
}
