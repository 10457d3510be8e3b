using System.Collections.Immutable;
using System.Formats.Cbor;
using Parley.Protocol.Classification;
using Parley.Protocol.Crypto;
using Parley.Protocol.Formats;
using Parley.Protocol.Identity;

namespace Parley.Protocol.Rooms;

/// <summary>
/// The authenticated, unencrypted part of a room message; the associated data of its encryption:
/// <c>["parley/room-message-header", 1, room id, epoch, roster hash, sender device id, counter, label, sent at]</c>.
/// </summary>
/// <param name="RoomId">The room.</param>
/// <param name="Epoch">The epoch whose keys encrypt the message.</param>
/// <param name="RosterHash">Hash of that epoch's roster (32 bytes).</param>
/// <param name="SenderDeviceId">The sending device.</param>
/// <param name="Counter">The step of the sender's chain: 0 for its first message of the epoch, then one more each time.</param>
/// <param name="Label">The message's portion label as a canonical string; the room's label dominates it.</param>
/// <param name="SentAt">When the sender says it sent the message, Unix seconds (the sender's clock).</param>
public sealed record MessageHeader(Guid RoomId, long Epoch, ImmutableArray<byte> RosterHash, Guid SenderDeviceId, long Counter, string Label, long SentAt) : ICanonical<MessageHeader>
{
    private const string Type = "parley/room-message-header";

    /// <summary>Equal when every field is, the roster hash compared by its bytes.</summary>
    public bool Equals(MessageHeader? other) =>
        other is not null && RoomId == other.RoomId && Epoch == other.Epoch && RosterHash.AsSpan().SequenceEqual(other.RosterHash.AsSpan())
        && SenderDeviceId == other.SenderDeviceId && Counter == other.Counter && Label == other.Label && SentAt == other.SentAt;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(RoomId, Epoch, SenderDeviceId, Counter);

    /// <inheritdoc />
    public void WriteTo(CborWriter writer)
    {
        Canonical.WriteHeader(writer, Type, 1, 7);
        Cbor.WriteGuid(writer, RoomId);
        writer.WriteInt64(Epoch);
        writer.WriteByteString(RosterHash.AsSpan());
        Cbor.WriteGuid(writer, SenderDeviceId);
        writer.WriteInt64(Counter);
        writer.WriteTextString(Label);
        writer.WriteInt64(SentAt);
        writer.WriteEndArray();
    }

    /// <inheritdoc />
    public static MessageHeader ReadFrom(CborReader reader)
    {
        Canonical.ReadHeader(reader, Type, 7);
        var room = Cbor.ReadGuid(reader, "room id");
        var epoch = reader.ReadInt64();
        if (epoch < 1) throw new CanonicalFormatException("Epochs are numbered from 1.");
        var roster = Canonical.ReadBytes(reader, Roster.HashSize, "roster hash");
        var sender = Cbor.ReadGuid(reader, "sender device id");
        var counter = reader.ReadInt64();
        if (counter < 0) throw new CanonicalFormatException("A counter is not negative.");
        var label = Canonical.ReadText(reader, Classification.Label.MaxLength, "label");
        var sentAt = reader.ReadInt64();
        reader.ReadEndArray();
        return new MessageHeader(room, epoch, [.. roster], sender, counter, label, sentAt);
    }
}

/// <summary>
/// A room message as the server stores and relays it:
/// <c>["parley/room-message", 1, header, ciphertext, signature]</c>, header being the canonical
/// <see cref="MessageHeader"/> bytes, ciphertext AES-256-GCM of the padded plaintext (a multiple of 32
/// bytes, plus the 16-byte tag) and signature the sender device's ECDSA P-384 signature over header || ciphertext.
/// </summary>
public sealed class RoomMessage : ICanonical<RoomMessage>
{
    /// <summary>Largest plaintext a message carries; documents travel as chunked streams instead.</summary>
    public const int MaxPlaintextSize = 64 * 1024;

    /// <summary>Plaintext is padded to a multiple of this many bytes, so that lengths say less.</summary>
    public const int PaddingBlock = 32;

    /// <summary>The AES-GCM tag size.</summary>
    public const int TagSize = 16;

    /// <summary>Largest ciphertext: the largest plaintext, padded, and its tag.</summary>
    public const int MaxCiphertextSize = (MaxPlaintextSize / PaddingBlock + 1) * PaddingBlock + TagSize;

    private const string Type = "parley/room-message";
    private const int MaxHeaderSize = 2 * 1024;

    internal RoomMessage(MessageHeader header, byte[] headerBytes, byte[] ciphertext, byte[] signature)
    {
        Header = header;
        HeaderBytes = headerBytes;
        Ciphertext = ciphertext;
        Signature = signature;
    }

    /// <summary>The header. Unauthenticated until the message decrypts: a client reads
    /// <see cref="MessageHeader.SenderDeviceId"/> and <see cref="MessageHeader.Epoch"/> only to find the
    /// sender's certificates and the epoch's keys.</summary>
    public MessageHeader Header { get; }

    /// <summary>The exact header bytes: associated data and first part of the signed input.</summary>
    public byte[] HeaderBytes { get; }

    /// <summary>The ciphertext and tag.</summary>
    public byte[] Ciphertext { get; }

    /// <summary>The sender device's signature.</summary>
    public byte[] Signature { get; }

    /// <summary>The canonical encoding.</summary>
    public byte[] Encode() => Canonical.Encode(this);

    /// <summary>True when the signature over header and ciphertext verifies under <paramref name="signingPublicKey"/>
    /// (the sender's device certificate's signing key). Lets a relay refuse what its sender did not sign; it proves
    /// nothing about the content, which only a member can check (<see cref="IGroupKeySchedule.DecryptAsync"/>).</summary>
    public ValueTask<bool> VerifyAsync(ICryptoBackend backend, ReadOnlyMemory<byte> signingPublicKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return backend.P384VerifyAsync(signingPublicKey, DeviceSignature.Input(Type, HeaderBytes, Ciphertext), Signature, cancellationToken);
    }

    /// <summary>Parses a message; a typed error for anything malformed. Verifies nothing.</summary>
    public static Result<RoomMessage> Decode(ReadOnlyMemory<byte> encoded) => Canonical.Decode<RoomMessage>(encoded);

    /// <inheritdoc />
    public void WriteTo(CborWriter writer)
    {
        Canonical.WriteHeader(writer, Type, 1, 3);
        writer.WriteByteString(HeaderBytes);
        writer.WriteByteString(Ciphertext);
        writer.WriteByteString(Signature);
        writer.WriteEndArray();
    }

    /// <inheritdoc />
    public static RoomMessage ReadFrom(CborReader reader)
    {
        Canonical.ReadHeader(reader, Type, 3);
        var headerBytes = Canonical.ReadBytesUpTo(reader, MaxHeaderSize, "header");
        var ciphertext = Canonical.ReadBytesUpTo(reader, MaxCiphertextSize, "ciphertext");
        if (ciphertext.Length < PaddingBlock + TagSize || (ciphertext.Length - TagSize) % PaddingBlock != 0)
            throw new CanonicalFormatException($"A ciphertext is a positive multiple of {PaddingBlock} bytes plus a {TagSize}-byte tag.");
        var signature = Canonical.ReadBytes(reader, DeviceSignature.Size, "signature");
        reader.ReadEndArray();
        var header = Canonical.Decode<MessageHeader>(headerBytes);
        if (!header.TryGetValue(out var value, out var error)) throw new CanonicalFormatException(error.Message);
        return new RoomMessage(value, headerBytes, ciphertext, signature);
    }
}

/// <summary>A message that decrypted and passed every check.</summary>
/// <param name="Header">The authenticated header.</param>
/// <param name="Label">The message's portion label, parsed.</param>
/// <param name="Sender">The sending device, as admitted by this client.</param>
/// <param name="Plaintext">The content.</param>
public sealed record DecryptedMessage(MessageHeader Header, Label Label, RoomDevice Sender, byte[] Plaintext)
{
    /// <inheritdoc />
    public override string ToString() => $"message {Header.Counter} from {Sender.DeviceId} in epoch {Header.Epoch} ({Label.ToPortionMark()}, {Plaintext.Length} bytes)";
}

/// <summary>ISO/IEC 7816-4 padding to a multiple of <see cref="RoomMessage.PaddingBlock"/>: 0x80, then
/// zeros; always at least one byte, so every plaintext has exactly one padded form.</summary>
internal static class MessagePadding
{
    public static byte[] Pad(ReadOnlySpan<byte> plaintext)
    {
        var padded = new byte[(plaintext.Length / RoomMessage.PaddingBlock + 1) * RoomMessage.PaddingBlock];
        plaintext.CopyTo(padded);
        padded[plaintext.Length] = 0x80;
        return padded;
    }

    /// <summary>The plaintext, or null when the padding is malformed.</summary>
    public static byte[]? Unpad(byte[] padded)
    {
        var end = padded.AsSpan().LastIndexOfAnyExcept((byte)0);
        if (end < 0 || padded[end] != 0x80 || padded.Length - end > RoomMessage.PaddingBlock) return null;
        return padded[..end];
    }
}
