using System.Collections.Immutable;
using Parley.Protocol.Classification;
using Parley.Protocol.Crypto;
using Parley.Protocol.Formats;
using Parley.Protocol.Identity;

namespace Parley.Protocol.Rooms;

/// <summary>
/// A device admitted to one room: its certificate chain (security officer → user → device) verified
/// by <see cref="TrustVerifier"/>, not revoked, its delegation a party, and its owner's clearance
/// satisfying the room's label. Only <see cref="RoomAdmission"/> makes one, so a key package can be
/// made, and a signature checked, only for a device that passed every check.
/// </summary>
public sealed class RoomDevice
{
    internal RoomDevice(RoomDefinition room, VerifiedDevice verified, RosterMember member)
    {
        Room = room;
        Verified = verified;
        Member = member;
        KemPublicKey = HybridKemPublicKey.Decode(verified.Device.KemPublicKey).Value;
    }

    /// <summary>The room the device was admitted to, as it was then.</summary>
    public RoomDefinition Room { get; }

    /// <summary>The verified chain.</summary>
    public VerifiedDevice Verified { get; }

    /// <summary>The device's entry in a roster.</summary>
    public RosterMember Member { get; }

    /// <summary>The device.</summary>
    public Guid DeviceId => Member.DeviceId;

    /// <summary>Its owner.</summary>
    public Guid UserId => Member.UserId;

    /// <summary>The owner's delegation.</summary>
    public string Delegation => Member.Delegation;

    /// <summary>SHA-256 of the canonical encoding of the device certificate.</summary>
    public ImmutableArray<byte> CertificateHash => Member.CertificateHash;

    internal HybridKemPublicKey KemPublicKey { get; }

    internal ReadOnlyMemory<byte> SigningPublicKey => Verified.Device.SigningPublicKey;

    /// <summary>SHA-256 of the canonical encoding of <paramref name="certificate"/>: what rosters name a device's keys by.</summary>
    public static ValueTask<byte[]> CertificateHashAsync(ICryptoBackend backend, DeviceCertificate certificate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(certificate);
        return backend.HashAsync(HashName.Sha256, Canonical.Encode(certificate), cancellationToken);
    }

    /// <inheritdoc />
    public override string ToString() => $"device {DeviceId} of user {UserId} ({Delegation})";
}

/// <summary>
/// Decides which devices may hold a room's keys (DESIGN §2, issue 6): it verifies the device's chain
/// with <see cref="TrustVerifier"/> itself, from the signed material, rather than accepting a
/// <see cref="VerifiedDevice"/> any code could construct, then checks the room's parties and label.
/// Every refusal is a <see cref="RoomError"/> with its reason.
/// </summary>
public sealed class RoomAdmission(CryptoSuite suite)
{
    private readonly TrustVerifier _verifier = new(suite ?? throw new ArgumentNullException(nameof(suite)));

    /// <summary>
    /// Admits a device to <paramref name="room"/>, or says why not: <see cref="RoomErrorCode.DeviceRevoked"/>
    /// (device or clearance revoked), <see cref="RoomErrorCode.Untrusted"/> (chain does not verify, expired,
    /// unknown level), <see cref="RoomErrorCode.NotAParty"/>, <see cref="RoomErrorCode.LabelAboveClearance"/>
    /// (with each failed condition in <see cref="RoomError.ClearanceFailures"/>).
    /// </summary>
    public async ValueTask<RoomResult<RoomDevice>> AdmitAsync(RoomDefinition room, DelegationTrust trust, Guid userId, CompositePublicKey identityKey,
        Signed<ClearanceCertificate> clearance, Signed<DeviceCertificate> device, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(trust);
        ArgumentNullException.ThrowIfNull(identityKey);
        ArgumentNullException.ThrowIfNull(clearance);
        ArgumentNullException.ThrowIfNull(device);
        var verified = await _verifier.VerifyDeviceAsync(trust, userId, identityKey, clearance, device, now, cancellationToken).ConfigureAwait(false);
        if (!verified.TryGetValue(out var chain, out var error))
        {
            var code = error.Code == ProtocolErrorCode.Revoked ? RoomErrorCode.DeviceRevoked : RoomErrorCode.Untrusted;
            return RoomResult<RoomDevice>.Fail(code, $"Device {device.Body.DeviceId} cannot be trusted: {error.Message}");
        }
        var delegation = chain.Member.Delegation;
        var held = Clearance.FromCertificate(room.Label.Scheme, chain.Member.Clearance);
        if (!held.TryGetValue(out var clearanceHeld, out var clearanceError))
            return RoomResult<RoomDevice>.Fail(RoomErrorCode.Untrusted, $"The clearance of device {chain.Device.DeviceId}'s owner cannot be read: {clearanceError.Message}");
        var check = clearanceHeld.Check(room.Label);
        if (!check.IsSatisfied)
            return new RoomError(RoomErrorCode.LabelAboveClearance, $"Device {chain.Device.DeviceId} may not hold keys of a room labelled {room.Label.ToBanner()}: {check}") { ClearanceFailures = check.Failures };
        // After the label: a delegation outside the releasability is refused for that, the more
        // specific reason; one within it may still not have been made a party.
        if (!room.Parties.Contains(delegation))
            return RoomResult<RoomDevice>.Fail(RoomErrorCode.NotAParty, $"Device {chain.Device.DeviceId} belongs to delegation {delegation}, which is not a party to the room ({string.Join(", ", room.Parties)}).");
        if (!HybridKemPublicKey.Decode(chain.Device.KemPublicKey).IsOk)
            return RoomResult<RoomDevice>.Fail(RoomErrorCode.Untrusted, $"Device {chain.Device.DeviceId} certifies a KEM key that is not valid.");
        var hash = await RoomDevice.CertificateHashAsync(suite.Backend, chain.Device, cancellationToken).ConfigureAwait(false);
        return new RoomDevice(room, chain, new RosterMember(chain.Device.DeviceId, chain.Device.UserId, delegation, [.. hash]));
    }
}
