using Parley.Client.Api;
using Parley.Client.Keys;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;

namespace Parley.Client.Flows;

/// <summary>The signed-in user's own devices: list them and revoke one with a revocation signed by the identity key.</summary>
public sealed class Devices(ParleyClient client, CryptoSuite suite, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The user's devices, revoked ones included.</summary>
    public Task<IReadOnlyList<DeviceView>> ListAsync(CancellationToken cancellationToken = default) => client.ListDevicesAsync(cancellationToken);

    /// <summary>Revokes one of the user's devices.</summary>
    public async Task<DeviceView> RevokeAsync(UnlockedIdentity owner, string delegation, Guid deviceId, string reason, CancellationToken cancellationToken = default)
    {
        var revocation = await SecurityOfficer.SignRevocationAsync(suite, owner, RevocationKind.Device, deviceId, delegation, reason, _time, cancellationToken).ConfigureAwait(false);
        return await client.RevokeDeviceAsync(deviceId, revocation.Encode(), cancellationToken).ConfigureAwait(false);
    }
}
