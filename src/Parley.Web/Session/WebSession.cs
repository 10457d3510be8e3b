using System.Runtime.Versioning;
using Parley.Client.Api;
using Parley.Client.Flows;
using Parley.Client.Keys;
using Parley.Client.Profiles;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;
using Parley.Web.Browser;

namespace Parley.Web.Session;

/// <summary>Where the browser stands with the server.</summary>
public enum SessionPhase
{
    /// <summary>Asking the server whether a session exists.</summary>
    Starting,
    /// <summary>No session: the sign-in page.</summary>
    SignedOut,
    /// <summary>The server knows the session (a reload kept the cookie) but the keys are sealed until the password is given again.</summary>
    Locked,
    /// <summary>Signed in, keys open.</summary>
    Ready,
}

/// <summary>
/// The signed-in state of the web client: the server's view of the session, and the identity key
/// while it is open. The password and the master key are never stored: after a reload the session
/// cookie is still valid but the keys stay sealed until the user unlocks them with the password.
/// When the server refuses the session (expired, idle, ended), everything is dropped and the
/// sign-in page shows the server's reason.
/// </summary>
[SupportedOSPlatform("browser")]
public sealed class WebSession : IDisposable
{
    // Not secret: it only says that a session was opened in this browser, so that a fresh page does
    // not ask the server about a session it never had, and can say why one ended.
    private const string OpenMarker = "parley.session-open";

    private readonly ParleyClient _client;
    private readonly IProfileStore _store;
    private readonly CryptoSuite _suite;
    private readonly SessionWatch _watch;

    /// <summary>Listens to <paramref name="watch"/> for refused sessions.</summary>
    public WebSession(ParleyClient client, IProfileStore store, CryptoSuite suite, SessionWatch watch)
    {
        _client = client;
        _store = store;
        _suite = suite;
        _watch = watch;
        _watch.SessionRefused += OnSessionRefused;
    }

    /// <summary>Where the browser stands.</summary>
    public SessionPhase Phase { get; private set; } = SessionPhase.Starting;

    /// <summary>The session as the server last described it; null when signed out.</summary>
    public SessionView? View { get; private set; }

    /// <summary>The open identity key; null unless <see cref="SessionPhase.Ready"/>.</summary>
    public UnlockedIdentity? Identity { get; private set; }

    /// <summary>Why the user is on the sign-in page (a session that ended, a sign-out), if there is a reason to say.</summary>
    public string? Notice { get; private set; }

    /// <summary>Raised whenever the phase, the session view or the notice changes.</summary>
    public event Action? Changed;

    /// <summary>The signed-in user, when there is one.</summary>
    public UserView? User => View?.User;

    /// <summary>True when the signed-in user holds <paramref name="role"/> (a role name such as "security-officer").</summary>
    public bool Holds(Roles role) => User is { } user && user.Roles.Contains(RoleNames.Name(role));

    /// <summary>The open identity key, or an error for a page that needs it.</summary>
    public UnlockedIdentity RequireIdentity() =>
        Identity ?? throw new InvalidOperationException("Your keys are not open; unlock them with your password.");

    /// <summary>Asks the server whether this browser still has a session (after a reload).</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (BrowserInterop.StorageGet(OpenMarker) is null)
        {
            SetPhase(SessionPhase.SignedOut);
            return;
        }
        SessionView view;
        try
        {
            view = await _client.GetSessionAsync(cancellationToken);
        }
        catch (ParleyApiException e) when (e.Kind == ApiProblemKind.Unauthenticated)
        {
            End("Your session has ended: " + (e.Problem.Detail ?? e.Problem.Title));
            return;
        }
        catch (Exception e) when (e is ParleyApiException or HttpRequestException)
        {
            // The server is down or failing: say so; the marker stays, so a later reload tries again.
            Notice = "The server could not be reached to restore your session: " + e.Message;
            SetPhase(SessionPhase.SignedOut);
            return;
        }
        _client.Session = SessionCredentials.Cookie(view.CsrfToken ?? throw new InvalidOperationException("The server gave no antiforgery token."));
        var profile = await _store.LoadAsync(cancellationToken);
        if (profile?.Account is null || profile.UserId != view.User.Id)
        {
            // The session is of someone whose sealed keys this browser does not hold: only a full sign-in fetches them.
            await LogOutQuietlyAsync(cancellationToken);
            End($"This browser does not hold the keys of {view.User.Email}; sign in again.");
            return;
        }
        View = view;
        SetPhase(SessionPhase.Locked);
    }

    /// <summary>Opens the profile's keys with the password, without asking the server.</summary>
    public async Task UnlockAsync(string password, CancellationToken cancellationToken = default)
    {
        if (Phase != SessionPhase.Locked || View is null) throw new InvalidOperationException("There is no locked session to unlock.");
        var unlock = new ProfileUnlock(_store, _suite);
        var identity = await unlock.UnlockAsync(password, cancellationToken);
        try
        {
            // Members hold device keys too; they must open, or this browser's device is not theirs any more.
            if (View.User.Delegation is not null)
            {
                using var device = await unlock.OpenDeviceAsync(identity, cancellationToken);
            }
        }
        catch
        {
            identity.Dispose();
            throw;
        }
        Identity = identity;
        SetPhase(SessionPhase.Ready);
    }

    /// <summary>Takes over a session opened by sign-in or enrollment.</summary>
    public void Accept(SignedIn signedIn)
    {
        ArgumentNullException.ThrowIfNull(signedIn);
        if (!ReferenceEquals(Identity, signedIn.Identity)) Identity?.Dispose();
        Identity = signedIn.Identity;
        View = signedIn.Session;
        Notice = null;
        BrowserInterop.StorageSet(OpenMarker, "1");
        SetPhase(SessionPhase.Ready);
    }

    /// <summary>Shows a newer view of the session (after a step-up, say).</summary>
    public void Update(SessionView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (Phase is not (SessionPhase.Ready or SessionPhase.Locked)) return;
        View = view;
        Changed?.Invoke();
    }

    /// <summary>Fetches the session again (it also slides the server's idle limit).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default) =>
        Update(await _client.GetSessionAsync(cancellationToken));

    /// <summary>Ends the session on the server and here.</summary>
    public async Task SignOutAsync(string notice = "You have signed out.", CancellationToken cancellationToken = default)
    {
        await LogOutQuietlyAsync(cancellationToken);
        End(notice);
    }

    /// <summary>Drops the session and the open keys, and says why on the sign-in page.</summary>
    public void End(string notice)
    {
        Identity?.Dispose();
        Identity = null;
        View = null;
        _client.Session = null;
        BrowserInterop.StorageRemove(OpenMarker);
        Notice = notice;
        SetPhase(SessionPhase.SignedOut);
    }

    /// <summary>Forgets the notice once the sign-in page has shown it and the user moved on.</summary>
    public void ClearNotice() => Notice = null;

    private async Task LogOutQuietlyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.LogoutAsync(cancellationToken);
        }
        catch (Exception e) when (e is ParleyApiException or HttpRequestException)
        {
            // Already gone on the server, or the server is unreachable: the browser forgets it either way.
        }
    }

    private void OnSessionRefused(string reason)
    {
        if (Phase is SessionPhase.Ready or SessionPhase.Locked) End("Your session has ended: " + reason);
    }

    private void SetPhase(SessionPhase phase)
    {
        Phase = phase;
        Changed?.Invoke();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _watch.SessionRefused -= OnSessionRefused;
        Identity?.Dispose();
    }
}
