using Parley.Client.Api;
using Parley.Client.Flows;
using Parley.Client.Keys;
using Parley.Client.Profiles;
using Parley.Protocol.Crypto;

namespace Parley.Cli.Demo;

/// <summary>A seeded person acting through their own profile: signed in and bound to its device since seeding.</summary>
internal sealed record DemoPerson(ParleyClient Client, FileProfileStore Store, UnlockedIdentity Identity);

internal static class DemoPeople
{
    /// <summary>Opens <paramref name="email"/>'s seeded profile and unlocks its keys with the password in demo.json; the caller owns the identity.</summary>
    public static async Task<DemoPerson> OpenAsync(HttpClient http, DemoManifest manifest, string email, CryptoSuite suite, CancellationToken cancellationToken)
    {
        var user = manifest.Users.SingleOrDefault(u => string.Equals(u.Email, email, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"demo.json has no account {email}.");
        var store = new FileProfileStore(user.Profile);
        var profile = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (profile?.SessionToken is not { } token)
            throw new InvalidOperationException($"The seeded profile of {email} ({user.Profile}) is not signed in; start the demo on a new folder.");
        var client = new ParleyClient(http) { Session = SessionCredentials.Bearer(token) };
        var identity = await new ProfileUnlock(store, suite).UnlockAsync(user.Password, cancellationToken).ConfigureAwait(false);
        return new DemoPerson(client, store, identity);
    }
}
