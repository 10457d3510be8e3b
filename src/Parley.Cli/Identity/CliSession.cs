using Parley.Client.Api;
using Parley.Client.Flows;
using Parley.Client.Keys;
using Parley.Client.Ledger;
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
        Ledger = new ProfileLedger(Http, store, new ProfileCheckpoints(store));
        Client.Ledger = Ledger;
    }

    /// <summary>The folder inside the profile that keeps the last verified checkpoint and any fork evidence.</summary>
    public const string LedgerFolder = "ledger";

    public static CryptoSuite Suite => CryptoSuite.Default;

    public FileProfileStore Store { get; }

    /// <summary>The profile as loaded when the command started, after the ledger check (flows may save newer versions).</summary>
    public LocalProfile? Profile { get; private set; }

    public HttpClient Http { get; }

    public ParleyClient Client { get; }

    /// <summary>The profile's view of the server's ledger; <see cref="Client"/> records its logged actions there.</summary>
    public ProfileLedger Ledger { get; }

    /// <summary>What the last <see cref="SyncLedgerAsync"/> found.</summary>
    public LedgerSyncResult? LedgerState { get; private set; }

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
        var session = new CliSession(store, profile, server);
        // A profile that follows this server's ledger already refuses a forked server before signing in to it.
        if (profile?.LedgerKeys is not null && profile.Server == server) await session.OpenAsync(Console.Error, cancellationToken).ConfigureAwait(false);
        return session;
    }

    /// <summary>For commands that act in the profile's signed-in session.</summary>
    public static async Task<CliSession> SignedInAsync(string profileDirectory, CancellationToken cancellationToken)
    {
        var store = new FileProfileStore(profileDirectory);
        var profile = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (profile is null) throw new UsageException($"There is no profile in {store.Directory}; run 'parley login --server URL --user EMAIL' first.");
        if (!profile.SignedIn) throw new UsageException($"The profile {store.Directory} is signed out; run 'parley login --server {profile.Server} --user {profile.Email}'.");
        var session = new CliSession(store, profile, profile.Server);
        // Notices go to standard error, so that --json output stays JSON.
        await session.OpenAsync(Console.Error, cancellationToken).ConfigureAwait(false);
        return session;
    }

    private async Task OpenAsync(TextWriter notices, CancellationToken cancellationToken)
    {
        try
        {
            await SyncLedgerAsync(notices, cancellationToken).ConfigureAwait(false);
            Profile = await Store.LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks the server's ledger for this profile (<see cref="ProfileLedger.SyncAsync"/>): pins its keys at first contact
    /// and says so on <paramref name="notices"/>, moves the persisted checkpoint forward, proves the profile's own actions
    /// included and warns loudly about those the server left out. A ledger that does not verify (a fork, a rollback, another
    /// key) throws <see cref="LedgerVerificationException"/>: the command stops.
    /// </summary>
    public async Task<LedgerSyncResult> SyncLedgerAsync(TextWriter notices, CancellationToken cancellationToken)
    {
        LedgerSyncResult state;
        try
        {
            state = await Ledger.SyncAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (LedgerVerificationException e)
        {
            var folder = Path.Combine(Store.Directory, LedgerFolder);
            var detail = e.IsFork
                ? $"{e.Message} The evidence is kept in {folder}; this profile refuses the server until it is dealt with."
                : e.Message;
            throw new LedgerVerificationException(e.Error with { Message = detail });
        }
        LedgerState = state;
        if (state.NewlyPinned)
            await notices.WriteLineAsync($"Pinned the ledger keys of {Http.BaseAddress} ({string.Join(", ", state.PinnedKeys.Select(KeyName))}): trust on first use; compare them with what your security officer publishes.".AsMemory(), cancellationToken).ConfigureAwait(false);
        foreach (var action in state.Missing)
            await notices.WriteLineAsync($"WARNING: the server's ledger does not hold your action {action.Type} on {action.Subject} of {Output.Time(action.At)}, {ProfileLedger.Grace.TotalMinutes:F0}+ minutes later. An omitted entry means the server hid an action; tell your security officer. ('parley ledger mine' lists your actions.)".AsMemory(), cancellationToken).ConfigureAwait(false);
        return state;
    }

    // name+keyid: the part people compare; the key itself is long.
    private static string KeyName(string verifierKey) => string.Join('+', verifierKey.Split('+').Take(2));

    /// <summary>The profile's delegation; a usage error for accounts outside any delegation.</summary>
    public string Delegation => Profile?.Delegation
        ?? throw new UsageException($"{Profile?.Email ?? "This account"} belongs to no delegation; name one with --delegation CODE where the command takes it.");

    /// <summary>Re-derives the master key from the password and opens the identity key.</summary>
    public async Task<UnlockedIdentity> UnlockAsync(bool passwordFromStdin, CancellationToken cancellationToken)
    {
        var password = await Terminal.PasswordAsync(passwordFromStdin, cancellationToken).ConfigureAwait(false);
        var unlocked = await new ProfileUnlock(Store, Suite).UnlockAsync(password, cancellationToken).ConfigureAwait(false);
        // Argon2id's 64 MiB are garbage now: give them back before the command's own work (a 2 GiB
        // document streams through buffers of a few MiB), so the process's peak stays that of the unlock.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return unlocked;
    }

    public void Dispose() => Http.Dispose();

    // The checkpoint folder is made inside the profile folder only once the profile exists, so that the
    // profile folder is created private by the profile store, not as a side effect.
    private sealed class ProfileCheckpoints(FileProfileStore store) : ICheckpointStore
    {
        private FileCheckpointStore? _files;

        private FileCheckpointStore Files => _files ??= new FileCheckpointStore(Path.Combine(store.Directory, LedgerFolder));

        public Task<StoredLogState> LoadAsync(string origin, CancellationToken cancellationToken) => Files.LoadAsync(origin, cancellationToken);

        public Task SaveCheckpointAsync(string origin, string note, CancellationToken cancellationToken) => Files.SaveCheckpointAsync(origin, note, cancellationToken);

        public Task SaveForkAsync(string origin, string evidence, CancellationToken cancellationToken) => Files.SaveForkAsync(origin, evidence, cancellationToken);
    }
}
