using Parley.Client.Keys;
using Parley.Client.Profiles;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;

namespace Parley.Client.Flows;

/// <summary>
/// Opens a profile's keys with the password, without the server: the KDF parameters and the sealed
/// identity key are in the profile, so commands that sign re-derive the master key locally.
/// </summary>
public sealed class ProfileUnlock(IProfileStore store, CryptoSuite suite)
{
    /// <summary>The identity key of the profile's account; a <see cref="ProfileException"/> if the password does not open it.</summary>
    public async Task<UnlockedIdentity> UnlockAsync(string password, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var profile = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (profile?.Account is not { } account || profile.UserId is not { } userId)
            throw new ProfileException("This profile is not signed in to an account; run 'parley login' first.");
        using var keys = await PasswordKeys.DeriveAsync(suite, password, account.Kdf, cancellationToken).ConfigureAwait(false);
        var identity = await UnlockedIdentity.UnsealAsync(suite, userId, keys.MasterKey, account.SealedIdentityKey, account.IdentityPublicKey, cancellationToken).ConfigureAwait(false);
        if (!identity.TryGetValue(out var unlocked, out var error))
            throw new ProfileException($"The password does not open this profile's keys ({error.Message})");
        return unlocked;
    }

    /// <summary>This profile's device keys, opened with the account's master key.</summary>
    public async Task<DeviceKeys> OpenDeviceAsync(UnlockedIdentity identity, CancellationToken cancellationToken = default)
    {
        var profile = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (profile?.Device is not { } device || profile.UserId != identity.UserId)
            throw new ProfileException("This profile has no device for this account; run 'parley login' first.");
        var keys = await DeviceKeys.UnsealAsync(suite, identity.MasterKey, identity.UserId, device.Id, device.SealedKeys, cancellationToken).ConfigureAwait(false);
        if (!keys.TryGetValue(out var opened, out var error)) throw new ProfileException(error.Message);
        return opened;
    }
}
