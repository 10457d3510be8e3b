namespace Parley.Protocol.Rooms;

/// <summary>
/// Why this device holds no key for an epoch, for the "cannot decrypt" line of a message: a device
/// that lacks a key is most often revoked, not cleared for the room's label, or of a delegation that
/// is not a party, and saying which matters more than saying "no key".
/// </summary>
public static class MissingKey
{
    /// <summary>
    /// The reason: the refusal of this device's own admission to the room when there is one
    /// (<see cref="RoomErrorCode.DeviceRevoked"/>, <see cref="RoomErrorCode.LabelAboveClearance"/>,
    /// <see cref="RoomErrorCode.NotAParty"/>, <see cref="RoomErrorCode.Untrusted"/>), else
    /// <see cref="RoomErrorCode.NoKeyPackage"/>, saying whether the epoch's roster left this device out.
    /// </summary>
    /// <param name="selfAdmission">This device's admission to the room, as <see cref="RoomAdmission.AdmitAsync"/> returned it.</param>
    /// <param name="selfDeviceId">This device.</param>
    /// <param name="epoch">The epoch of the message that cannot be read.</param>
    /// <param name="roster">That epoch's roster, when the client has it.</param>
    public static RoomError Explain(RoomResult<RoomDevice> selfAdmission, Guid selfDeviceId, long epoch, Roster? roster)
    {
        if (!selfAdmission.TryGetValue(out _, out var refused)) return refused;
        if (roster is not null && roster.Epoch == epoch && roster.Find(selfDeviceId) is null)
            return new RoomError(RoomErrorCode.NoKeyPackage, $"This device is not in the roster of epoch {epoch}: the epoch was made before it joined, or while it could not be admitted.");
        return new RoomError(RoomErrorCode.NoKeyPackage, $"This device has no key package for epoch {epoch}.");
    }
}
