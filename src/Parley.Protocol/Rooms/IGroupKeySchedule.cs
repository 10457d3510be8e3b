using Parley.Protocol.Classification;

namespace Parley.Protocol.Rooms;

/// <summary>A new epoch as its creator made it: the roster and key packages to publish, and the
/// creator's own state for the epoch.</summary>
/// <param name="Roster">The signed roster, for the server to store and every member to fetch.</param>
/// <param name="Packages">One key package per member device other than the creator.</param>
/// <param name="State">The creator's state: its sending chain and every other member's receiving chain.</param>
public sealed record NewEpoch(DeviceSigned<Roster> Roster, IReadOnlyList<DeviceSigned<KeyPackage>> Packages, EpochState State);

/// <summary>
/// The group key schedule of negotiation rooms: epochs, key packages, and message encryption with
/// per-sender chains (DESIGN §5). A seam, so that MLS (RFC 9420) can take its place; callers depend
/// on this interface, not on the implementation. Every refusal is a <see cref="RoomError"/>; none of
/// these methods throws on untrusted input.
/// </summary>
public interface IGroupKeySchedule
{
    /// <summary>
    /// Starts an epoch for <paramref name="members"/> (which must include <paramref name="creator"/>'s
    /// own device): a fresh epoch secret, a roster signed by the creator, and a key package for every
    /// other member. Only <see cref="RoomDevice"/>s, which <see cref="RoomAdmission"/> verified and
    /// cleared for the room, can be members. <paramref name="previous"/> is the room's current roster
    /// (null for the first epoch); the new epoch's number is one more and it names that roster's hash.
    /// </summary>
    ValueTask<RoomResult<NewEpoch>> CreateEpochAsync(RoomDefinition room, LocalDevice creator, IReadOnlyCollection<RoomDevice> members,
        DeviceSigned<Roster>? previous, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens this device's key package for an epoch: checks the roster's and the package's signatures by
    /// <paramref name="creator"/> (the roster's creator, admitted by this client), that both are for
    /// <paramref name="room"/> and this device, that this device is in the roster with its current
    /// certificate, and, given the roster this device knew before (<paramref name="previous"/>), that the
    /// new one is later and, when it is the next, extends it.
    /// </summary>
    ValueTask<RoomResult<EpochState>> OpenKeyPackageAsync(RoomDefinition room, LocalDevice self, DeviceSigned<Roster> roster, DeviceSigned<KeyPackage> package,
        RoomDevice creator, DeviceSigned<Roster>? previous, CancellationToken cancellationToken = default);

    /// <summary>Encrypts and signs a message with the next key of this device's chain, then deletes that
    /// key. Refuses a <paramref name="label"/> the epoch's label does not dominate.</summary>
    ValueTask<RoomResult<RoomMessage>> EncryptAsync(EpochState epoch, LocalDevice self, Label label, ReadOnlyMemory<byte> plaintext,
        DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Checks and decrypts a message from <paramref name="sender"/> (the device its header names,
    /// admitted by this client), advances that sender's chain past it and deletes the keys used or passed
    /// over. Nothing changes when it is refused.</summary>
    ValueTask<RoomResult<DecryptedMessage>> DecryptAsync(EpochState epoch, RoomMessage message, RoomDevice sender, CancellationToken cancellationToken = default);
}
