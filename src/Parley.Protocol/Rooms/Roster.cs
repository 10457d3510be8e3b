using System.Collections.Immutable;
using System.Formats.Cbor;
using Parley.Protocol.Classification;
using Parley.Protocol.Formats;
using Parley.Protocol.Identity;

namespace Parley.Protocol.Rooms;

/// <summary>One device of an epoch's roster.</summary>
/// <param name="DeviceId">The device.</param>
/// <param name="UserId">Its owner.</param>
/// <param name="Delegation">The owner's delegation, a party of the room.</param>
/// <param name="CertificateHash">SHA-256 of the canonical encoding of the device certificate
/// (<see cref="RoomDevice.CertificateHash"/>): the keys the creator encrypted to.</param>
public sealed record RosterMember(Guid DeviceId, Guid UserId, string Delegation, ImmutableArray<byte> CertificateHash)
{
    /// <summary>Equal when every field is, the certificate hash compared by its bytes.</summary>
    public bool Equals(RosterMember? other) =>
        other is not null && DeviceId == other.DeviceId && UserId == other.UserId && Delegation == other.Delegation
        && CertificateHash.AsSpan().SequenceEqual(other.CertificateHash.AsSpan());

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(DeviceId, UserId, Delegation);

    internal void WriteTo(CborWriter writer)
    {
        writer.WriteStartArray(4);
        Cbor.WriteGuid(writer, DeviceId);
        Cbor.WriteGuid(writer, UserId);
        writer.WriteTextString(Delegation);
        writer.WriteByteString(CertificateHash.AsSpan());
        writer.WriteEndArray();
    }

    internal static RosterMember ReadFrom(CborReader reader)
    {
        if (reader.ReadStartArray() != 4) throw new CanonicalFormatException("A roster member has 4 elements.");
        var device = Cbor.ReadGuid(reader, "device id");
        var user = Cbor.ReadGuid(reader, "user id");
        var delegation = DelegationCode.Read(reader);
        var hash = Canonical.ReadBytes(reader, 32, "certificate hash");
        reader.ReadEndArray();
        return new RosterMember(device, user, delegation, [.. hash]);
    }
}

/// <summary>
/// Who holds the keys of one epoch of a room, signed by the device that made the epoch:
/// <c>["parley/room-roster", 1, room id, epoch, label, parties, creator device id, members, created at, previous roster hash, secret commitment]</c>.
/// The roster is fixed for the epoch: adding or removing a device is a new epoch. Its hash (SHA-256 of
/// the encoding) enters every key of the epoch, and the next roster names it, so epochs form a chain.
/// The commitment to the epoch secret lets every member check it got the same secret as the others,
/// and makes two epochs with the same members different rosters.
/// </summary>
public sealed class Roster : ISignedBody<Roster>
{
    /// <summary>Most devices one epoch may hold.</summary>
    public const int MaxMembers = 1024;

    /// <summary>Size of a roster hash.</summary>
    public const int HashSize = 32;

    internal Roster(Guid roomId, long epoch, string label, ImmutableArray<string> parties, Guid creatorDeviceId,
        ImmutableArray<RosterMember> members, long createdAt, ImmutableArray<byte> previousHash, ImmutableArray<byte> secretCommitment)
    {
        RoomId = roomId;
        Epoch = epoch;
        Label = label;
        Parties = parties;
        CreatorDeviceId = creatorDeviceId;
        Members = members;
        CreatedAt = createdAt;
        PreviousHash = previousHash;
        SecretCommitment = secretCommitment;
        var problem = Validate();
        if (problem is not null) throw new CanonicalFormatException(problem);
    }

    /// <inheritdoc />
    public static string TypeName => "parley/room-roster";

    /// <summary>The room.</summary>
    public Guid RoomId { get; }

    /// <summary>The epoch number: 1 for the room's first epoch, then one more each time.</summary>
    public long Epoch { get; }

    /// <summary>The room's label as its canonical string (banner).</summary>
    public string Label { get; }

    /// <summary>The room's parties, in ordinal order.</summary>
    public ImmutableArray<string> Parties { get; }

    /// <summary>The device that made the epoch secret and signed this roster.</summary>
    public Guid CreatorDeviceId { get; }

    /// <summary>The devices of the epoch, ordered by the bytes of their ids.</summary>
    public ImmutableArray<RosterMember> Members { get; }

    /// <summary>When the creator made the epoch, Unix seconds (the creator's clock).</summary>
    public long CreatedAt { get; }

    /// <summary>The hash of the previous epoch's roster; empty for epoch 1.</summary>
    public ImmutableArray<byte> PreviousHash { get; }

    /// <summary><c>Derive(epoch secret, "room-epoch-commitment v1", room id (16) || epoch (8))</c>, 32 bytes:
    /// what the secret in every key package of the epoch must yield.</summary>
    public ImmutableArray<byte> SecretCommitment { get; }

    /// <summary>The member entry of <paramref name="deviceId"/>, or null.</summary>
    public RosterMember? Find(Guid deviceId)
    {
        foreach (var member in Members)
        {
            if (member.DeviceId == deviceId) return member;
        }
        return null;
    }

    /// <summary>True when this roster's room, label and parties are those of <paramref name="room"/>.</summary>
    public bool Matches(RoomDefinition room)
    {
        ArgumentNullException.ThrowIfNull(room);
        return RoomId == room.Id && Label == room.Label.ToCanonicalString() && Parties.SequenceEqual(room.Parties, StringComparer.Ordinal);
    }

    /// <summary>
    /// The roster's members that are not among <paramref name="admitted"/> (same device id and
    /// certificate hash): devices this client has not itself verified and cleared for the room.
    /// A client shows them, so that no device joins an epoch unnoticed.
    /// </summary>
    public IReadOnlyList<RosterMember> Unverified(IEnumerable<RoomDevice> admitted)
    {
        ArgumentNullException.ThrowIfNull(admitted);
        var known = admitted.Where(d => d.Room.Id == RoomId).ToDictionary(d => d.DeviceId, d => d.Member);
        return Members.Where(m => !known.TryGetValue(m.DeviceId, out var k) || !k.CertificateHash.AsSpan().SequenceEqual(m.CertificateHash.AsSpan())).ToList();
    }

    /// <inheritdoc />
    public void WriteTo(CborWriter writer)
    {
        Canonical.WriteHeader(writer, TypeName, 1, 9);
        Cbor.WriteGuid(writer, RoomId);
        writer.WriteInt64(Epoch);
        writer.WriteTextString(Label);
        Cbor.WriteTexts(writer, Parties);
        Cbor.WriteGuid(writer, CreatorDeviceId);
        writer.WriteStartArray(Members.Length);
        foreach (var member in Members) member.WriteTo(writer);
        writer.WriteEndArray();
        writer.WriteInt64(CreatedAt);
        writer.WriteByteString(PreviousHash.AsSpan());
        writer.WriteByteString(SecretCommitment.AsSpan());
        writer.WriteEndArray();
    }

    /// <inheritdoc />
    public static Roster ReadFrom(CborReader reader)
    {
        Canonical.ReadHeader(reader, TypeName, 9);
        var room = Cbor.ReadGuid(reader, "room id");
        var epoch = reader.ReadInt64();
        var label = Canonical.ReadText(reader, Classification.Label.MaxLength, "label");
        var parties = Cbor.ReadTexts(reader, RoomDefinition.MaxParties, 8, "parties");
        var creator = Cbor.ReadGuid(reader, "creator device id");
        var count = reader.ReadStartArray() ?? throw new CanonicalFormatException("Members must have a definite length.");
        if (count > MaxMembers) throw new CanonicalFormatException($"A roster has at most {MaxMembers} members.");
        var members = ImmutableArray.CreateBuilder<RosterMember>(count);
        for (var i = 0; i < count; i++) members.Add(RosterMember.ReadFrom(reader));
        reader.ReadEndArray();
        var created = reader.ReadInt64();
        var previous = Canonical.ReadBytesUpTo(reader, HashSize, "previous roster hash");
        var commitment = Canonical.ReadBytes(reader, HashSize, "secret commitment");
        reader.ReadEndArray();
        return new Roster(room, epoch, label, [.. parties], creator, members.MoveToImmutable(), created, [.. previous], [.. commitment]);
    }

    // The rules a roster keeps whoever made it, so that a Roster in hand is always well formed.
    private string? Validate()
    {
        if (RoomId == Guid.Empty) return "The roster names no room.";
        if (Epoch < 1) return "Epochs are numbered from 1.";
        if (Epoch == 1 && PreviousHash.Length != 0) return "The first epoch has no previous roster.";
        if (Epoch > 1 && PreviousHash.Length != HashSize) return $"Epoch {Epoch} must name the previous roster's {HashSize}-byte hash.";
        if (SecretCommitment.Length != HashSize) return $"The secret commitment is {HashSize} bytes.";
        if (Label.Length == 0) return "The roster has no label.";
        if (Parties.Length == 0) return "The roster has no parties.";
        for (var i = 0; i < Parties.Length; i++)
        {
            if (!DelegationCode.IsValid(Parties[i])) return $"'{Parties[i]}' is not a delegation code.";
            if (i > 0 && string.CompareOrdinal(Parties[i - 1], Parties[i]) >= 0) return "Parties must be sorted and unique.";
        }
        if (Members.Length == 0) return "The roster has no members.";
        var creatorFound = false;
        for (var i = 0; i < Members.Length; i++)
        {
            var member = Members[i];
            if (member.CertificateHash.Length != 32) return "A certificate hash is 32 bytes.";
            if (!Parties.Contains(member.Delegation, StringComparer.Ordinal)) return $"Device {member.DeviceId} belongs to {member.Delegation}, which is not a party.";
            if (i > 0 && DeviceOrder.Compare(Members[i - 1].DeviceId, member.DeviceId) >= 0) return "Members must be sorted by device id and unique.";
            creatorFound |= member.DeviceId == CreatorDeviceId;
        }
        if (!creatorFound) return "The creator of the epoch is not among its members.";
        return null;
    }
}

/// <summary>The order of device ids in rosters: their 16 bytes (RFC 9562 order), compared as unsigned bytes.</summary>
internal static class DeviceOrder
{
    public static int Compare(Guid a, Guid b) =>
        a.ToByteArray(bigEndian: true).AsSpan().SequenceCompareTo(b.ToByteArray(bigEndian: true));

    public static IComparer<Guid> Comparer { get; } = Comparer<Guid>.Create(Compare);
}
