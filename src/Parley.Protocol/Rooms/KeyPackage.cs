using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Formats.Cbor;
using Parley.Protocol.Crypto;
using Parley.Protocol.Formats;
using Parley.Protocol.Identity;

namespace Parley.Protocol.Rooms;

/// <summary>
/// An epoch secret for one device, signed (as <see cref="DeviceSigned{T}"/>) by the device that made the epoch:
/// <c>["parley/room-key-package", 1, room id, epoch, roster hash, sender device id, recipient device id, encapsulation, sealed secret]</c>.
/// The encapsulation is a hybrid KEM encapsulation (1665 bytes) to the recipient's certified KEM key;
/// the sealed secret a sealed box (61 bytes) of the 32-byte epoch secret under
/// <c>Derive(kem secret, "room-key-package v1", context)</c> with the context as associated data.
/// </summary>
public sealed class KeyPackage : ISignedBody<KeyPackage>
{
    /// <summary>Size of the sealed epoch secret.</summary>
    public const int SealedSecretSize = SealedBox.Overhead + EpochSecret.Size;

    internal KeyPackage(Guid roomId, long epoch, ImmutableArray<byte> rosterHash, Guid senderDeviceId, Guid recipientDeviceId, ImmutableArray<byte> encapsulation, ImmutableArray<byte> sealedSecret)
    {
        if (epoch < 1) throw new CanonicalFormatException("Epochs are numbered from 1.");
        RoomId = roomId;
        Epoch = epoch;
        RosterHash = rosterHash;
        SenderDeviceId = senderDeviceId;
        RecipientDeviceId = recipientDeviceId;
        Encapsulation = encapsulation;
        SealedSecret = sealedSecret;
    }

    /// <inheritdoc />
    public static string TypeName => "parley/room-key-package";

    /// <summary>The room.</summary>
    public Guid RoomId { get; }

    /// <summary>The epoch.</summary>
    public long Epoch { get; }

    /// <summary>Hash of the epoch's roster.</summary>
    public ImmutableArray<byte> RosterHash { get; }

    /// <summary>The device that made the epoch (the roster's creator).</summary>
    public Guid SenderDeviceId { get; }

    /// <summary>The device the package is for. The server delivers each package to this device only.</summary>
    public Guid RecipientDeviceId { get; }

    /// <summary>Hybrid KEM encapsulation to the recipient.</summary>
    public ImmutableArray<byte> Encapsulation { get; }

    /// <summary>The sealed epoch secret.</summary>
    public ImmutableArray<byte> SealedSecret { get; }

    // room id (16) || epoch (8, big-endian) || roster hash (32) || sender device id (16) || recipient device id (16):
    // fixed widths, so the concatenation is unambiguous.
    internal static byte[] Context(Guid roomId, long epoch, ReadOnlySpan<byte> rosterHash, Guid sender, Guid recipient)
    {
        var context = new byte[16 + 8 + Roster.HashSize + 16 + 16];
        roomId.TryWriteBytes(context.AsSpan(0, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteInt64BigEndian(context.AsSpan(16, 8), epoch);
        rosterHash.CopyTo(context.AsSpan(24, Roster.HashSize));
        sender.TryWriteBytes(context.AsSpan(56, 16), bigEndian: true, out _);
        recipient.TryWriteBytes(context.AsSpan(72, 16), bigEndian: true, out _);
        return context;
    }

    internal byte[] Context() => Context(RoomId, Epoch, RosterHash.AsSpan(), SenderDeviceId, RecipientDeviceId);

    /// <inheritdoc />
    public void WriteTo(CborWriter writer)
    {
        Canonical.WriteHeader(writer, TypeName, 1, 7);
        Cbor.WriteGuid(writer, RoomId);
        writer.WriteInt64(Epoch);
        writer.WriteByteString(RosterHash.AsSpan());
        Cbor.WriteGuid(writer, SenderDeviceId);
        Cbor.WriteGuid(writer, RecipientDeviceId);
        writer.WriteByteString(Encapsulation.AsSpan());
        writer.WriteByteString(SealedSecret.AsSpan());
        writer.WriteEndArray();
    }

    /// <inheritdoc />
    public static KeyPackage ReadFrom(CborReader reader)
    {
        Canonical.ReadHeader(reader, TypeName, 7);
        var room = Cbor.ReadGuid(reader, "room id");
        var epoch = reader.ReadInt64();
        var roster = Canonical.ReadBytes(reader, Roster.HashSize, "roster hash");
        var sender = Cbor.ReadGuid(reader, "sender device id");
        var recipient = Cbor.ReadGuid(reader, "recipient device id");
        var encapsulation = Canonical.ReadBytes(reader, HybridKem.EncapsulationSize, "encapsulation");
        var sealedSecret = Canonical.ReadBytes(reader, SealedSecretSize, "sealed secret");
        reader.ReadEndArray();
        return new KeyPackage(room, epoch, [.. roster], sender, recipient, [.. encapsulation], [.. sealedSecret]);
    }
}
