using Parley.Client.Api;
using Parley.Client.Keys;
using Parley.Client.Profiles;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;

namespace Parley.Client.Flows;

/// <summary>
/// Makes sure the profile has a registered, unrevoked device for the signed-in account: reuses the
/// one it has when its keys open and the server still lists it, else generates hybrid KEM and P-384
/// keys, certifies them with the identity key, registers the certificate and keeps the private keys
/// sealed under the master key in the profile. Accounts outside any delegation (the host
/// administrator) never receive content, so they have no device.
/// </summary>
internal sealed class DeviceRegistration(ParleyClient client, IProfileStore store, CryptoSuite suite, TimeProvider time)
{
    public async Task<ProfileDevice?> EnsureAsync(UnlockedIdentity identity, string? delegation, string deviceName, CancellationToken cancellationToken)
    {
        if (delegation is null) return null;
        var profile = await store.LoadAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new ProfileException("The profile vanished while signing in.");
        if (profile.Device is { } existing && profile.UserId == identity.UserId && await IsUsableAsync(identity, existing, cancellationToken).ConfigureAwait(false))
            return existing;

        using var keys = await DeviceKeys.GenerateAsync(suite, cancellationToken).ConfigureAwait(false);
        var certificate = await identity.SignAsync(suite, keys.Certificate(identity, deviceName, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        var encoded = certificate.Encode();
        var registered = await client.RegisterDeviceAsync(encoded, cancellationToken).ConfigureAwait(false);
        if (registered.Id != keys.DeviceId)
            throw new TrustException(new Protocol.ProtocolError(Protocol.ProtocolErrorCode.Untrusted, $"The server registered device {registered.Id} instead of {keys.DeviceId}."));
        var device = new ProfileDevice(keys.DeviceId, deviceName, encoded, await keys.SealAsync(suite, identity.MasterKey, identity.UserId, cancellationToken).ConfigureAwait(false));
        // Registering may have recorded a pending ledger action in the profile: build on the profile as it is now.
        var latest = await store.LoadAsync(cancellationToken).ConfigureAwait(false) ?? profile;
        await store.SaveAsync(latest with { Device = device, Rooms = null }, cancellationToken).ConfigureAwait(false);
        return device;
    }

    private async Task<bool> IsUsableAsync(UnlockedIdentity identity, ProfileDevice device, CancellationToken cancellationToken)
    {
        var opened = await DeviceKeys.UnsealAsync(suite, identity.MasterKey, identity.UserId, device.Id, device.SealedKeys, cancellationToken).ConfigureAwait(false);
        if (!opened.TryGetValue(out var keys, out _)) return false;
        using (keys)
        {
            var certificate = Signed<DeviceCertificate>.Decode(device.Certificate);
            if (!certificate.IsOk || !keys.Matches(certificate.Value.Body)) return false;
        }
        var listed = await client.ListDevicesAsync(cancellationToken).ConfigureAwait(false);
        return listed.Any(d => d.Id == device.Id && d.RevokedAt is null);
    }
}
