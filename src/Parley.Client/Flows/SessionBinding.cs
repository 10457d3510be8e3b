using Parley.Client.Api;
using Parley.Client.Keys;
using Parley.Client.Profiles;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;

namespace Parley.Client.Flows;

/// <summary>
/// Binds the signed-in session to this profile's device: asks the server for a one-time challenge,
/// signs <see cref="DeviceBinding.Message"/> with the device's P-384 key (opened from the profile
/// with the master key, then dropped), and sends the signature. The server checks it with the key
/// in the device certificate; content needs a bound session.
/// </summary>
internal sealed class SessionBinding(ParleyClient client, CryptoSuite suite)
{
    public async Task<SessionView> BindAsync(UnlockedIdentity identity, ProfileDevice device, CancellationToken cancellationToken)
    {
        var opened = await DeviceKeys.UnsealAsync(suite, identity.MasterKey, identity.UserId, device.Id, device.SealedKeys, cancellationToken).ConfigureAwait(false);
        if (!opened.TryGetValue(out var keys, out var error)) throw new TrustException(error);
        using (keys)
        {
            var challenge = await client.GetDeviceBindingChallengeAsync(cancellationToken).ConfigureAwait(false);
            var message = DeviceBinding.Message(challenge.Challenge, identity.UserId, device.Id);
            if (!message.TryGetValue(out var bytes, out error)) throw new TrustException(error);
            var signature = await suite.Backend.P384SignAsync(keys.Signing, bytes, cancellationToken).ConfigureAwait(false);
            return await client.BindDeviceAsync(new BindDeviceRequest(device.Id, signature), cancellationToken).ConfigureAwait(false);
        }
    }
}
