using Parley.Client.Api;
using Parley.Client.Flows;
using Parley.Client.Keys;
using Parley.Client.Profiles;
using Parley.Protocol.Crypto;

namespace Parley.Cli.Identity;

/// <summary>A profile folder, an HTTP client for its server and the SDK client, for one command.</summary>
internal sealed class CliSession : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    private CliSession(FileProfileStore store, LocalProfile? profile, Uri server)
    {
        Store = store;
        Profile = profile;
        Http = new HttpClient { BaseAddress = server, Timeout = RequestTimeout };
        Client = new ParleyClient(Http);
        if (profile?.SessionToken is { } token && profile.Server == server) Client.Session = SessionCredentials.Bearer(token);
    }

    public static CryptoSuite Suite => CryptoSuite.Default;

    public FileProfileStore Store { get; }

    /// <summary>The profile as loaded when the command started (flows may save newer versions).</summary>
    public LocalProfile? Profile { get; }

    public HttpClient Http { get; }

    public ParleyClient Client { get; }

    /// <summary>
    /// For commands that name the server themselves (login, enroll, admin init). A profile holds one
    /// account's device keys: it is never silently given to another account, whose sign-in would
    /// replace them. <paramref name="email"/> is the account signing in, or null for a new account.
    /// </summary>
    public static async Task<CliSession> ForServerAsync(string profileDirectory, Uri server, string? email, CancellationToken cancellationToken)
    {
        var store = new FileProfileStore(profileDirectory);
        var profile = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (profile?.Email is { } owner && (email is null || !string.Equals(owner, email, StringComparison.OrdinalIgnoreCase) || profile.Server != server))
            throw new UsageException($"The profile {store.Directory} belongs to {owner} on {profile.Server}; use another --profile DIR for {email ?? "a new account"}{(email is null ? "" : $" on {server}")}.");
        return new CliSession(store, profile, server);
    }

    /// <summary>For commands that act in the profile's signed-in session.</summary>
    public static async Task<CliSession> SignedInAsync(string profileDirectory, CancellationToken cancellationToken)
    {
        var store = new FileProfileStore(profileDirectory);
        var profile = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (profile is null) throw new UsageException($"There is no profile in {store.Directory}; run 'parley login --server URL --user EMAIL' first.");
        if (!profile.SignedIn) throw new UsageException($"The profile {store.Directory} is signed out; run 'parley login --server {profile.Server} --user {profile.Email}'.");
        return new CliSession(store, profile, profile.Server);
    }

    /// <summary>The profile's delegation; a usage error for accounts outside any delegation.</summary>
    public string Delegation => Profile?.Delegation
        ?? throw new UsageException($"{Profile?.Email ?? "This account"} belongs to no delegation; name one with --delegation CODE where the command takes it.");

    /// <summary>Re-derives the master key from the password and opens the identity key.</summary>
    public async Task<UnlockedIdentity> UnlockAsync(bool passwordFromStdin, CancellationToken cancellationToken)
    {
        var password = await Terminal.PasswordAsync(passwordFromStdin, cancellationToken).ConfigureAwait(false);
        return await new ProfileUnlock(Store, Suite).UnlockAsync(password, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => Http.Dispose();
}
