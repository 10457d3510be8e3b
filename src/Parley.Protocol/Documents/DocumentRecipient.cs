using Parley.Protocol.Classification;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;

namespace Parley.Protocol.Documents;

/// <summary>
/// A device a version's key may be wrapped for: its chain verified by <see cref="TrustVerifier"/> (only a
/// <see cref="VerifiedDevice"/> is accepted) and its owner's clearance satisfying the version's label
/// (DESIGN §2: a client releases a document key only to a device cleared for it). Only <see cref="Admit"/>
/// makes one, for one label, so a key cannot be wrapped for a device that was not checked against it.
/// </summary>
public sealed class DocumentRecipient
{
    private DocumentRecipient(VerifiedDevice device, Label label, HybridKemPublicKey kemKey)
    {
        Device = device;
        Label = label;
        KemKey = kemKey;
    }

    /// <summary>The verified device.</summary>
    public VerifiedDevice Device { get; }

    /// <summary>The device id.</summary>
    public Guid DeviceId => Device.Device.DeviceId;

    /// <summary>The label the device was admitted for.</summary>
    public Label Label { get; }

    internal HybridKemPublicKey KemKey { get; }

    /// <summary>
    /// Admits <paramref name="device"/> for <paramref name="label"/>, or says why not: its clearance does not
    /// read under the scheme (<see cref="ProtocolErrorCode.Malformed"/>), it is not cleared for the label
    /// (<see cref="ProtocolErrorCode.Untrusted"/>, with each failed condition), or its KEM key is invalid.
    /// </summary>
    public static Result<DocumentRecipient> Admit(VerifiedDevice device, Label label, MarkingScheme scheme)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(scheme);
        var clearance = Clearance.FromCertificate(scheme, device.Member.Clearance);
        if (!clearance.TryGetValue(out var cleared, out var error)) return error;
        var check = cleared.Check(label);
        if (!check.IsSatisfied)
            return Result<DocumentRecipient>.Fail(ProtocolErrorCode.Untrusted, $"Device {device.Device.DeviceId} of user {device.Member.UserId} is not cleared for {label.ToBanner()}: {check}");
        var kem = HybridKemPublicKey.Decode(device.Device.KemPublicKey);
        if (!kem.TryGetValue(out var key, out error)) return error;
        return new DocumentRecipient(device, label, key);
    }
}
