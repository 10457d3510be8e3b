using Parley.Protocol.Crypto;

namespace Parley.Protocol.Identity;

/// <summary>
/// What a device signs to bind a session to itself: the server's one-time challenge for that
/// session, the user and the device, under the <see cref="Labels.DeviceBinding"/> label:
/// <c>Bind("device-binding v1", challenge (32) || user id (16, big-endian) || device id (16, big-endian))</c>,
/// signed with ECDSA P-384 / SHA-384 by the device's certified signing key. The challenge lives on
/// the server's session record only, so a signature made for one session binds no other.
/// </summary>
public static class DeviceBinding
{
    /// <summary>Size of a binding challenge in bytes.</summary>
    public const int ChallengeSize = 32;

    /// <summary>The message to sign. Fails for a challenge of the wrong size.</summary>
    public static Result<byte[]> Message(ReadOnlySpan<byte> challenge, Guid userId, Guid deviceId)
    {
        if (challenge.Length != ChallengeSize)
            return Result<byte[]>.Fail(ProtocolErrorCode.InvalidLength, $"A device binding challenge is {ChallengeSize} bytes, not {challenge.Length}.");
        var context = new byte[ChallengeSize + 32];
        challenge.CopyTo(context);
        userId.TryWriteBytes(context.AsSpan(ChallengeSize, 16), bigEndian: true, out _);
        deviceId.TryWriteBytes(context.AsSpan(ChallengeSize + 16, 16), bigEndian: true, out _);
        return Labels.Bind(Labels.DeviceBinding, context);
    }
}
