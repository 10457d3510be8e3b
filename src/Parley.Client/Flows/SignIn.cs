using System.Text.Json;
using Parley.Client.Api;
using Parley.Client.Keys;
using Parley.Client.Profiles;
using Parley.Protocol;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;

namespace Parley.Client.Flows;

/// <summary>The second factor offered at sign-in.</summary>
public abstract record SecondFactor
{
    private SecondFactor()
    {
    }

    /// <summary>A TOTP code from the authenticator app.</summary>
    public sealed record Totp(string Code) : SecondFactor
    {
        /// <inheritdoc />
        public override string ToString() => "Totp(private)";
    }

    /// <summary>One of the ten one-time recovery codes.</summary>
    public sealed record RecoveryCode(string Code) : SecondFactor
    {
        /// <inheritdoc />
        public override string ToString() => "RecoveryCode(private)";
    }

    /// <summary>
    /// A WebAuthn security key or passkey (AAL3). After the password is checked the server sends
    /// request options (the JSON of <c>PublicKeyCredentialRequestOptions</c>, base64url fields);
    /// <paramref name="Authenticate"/> has the authenticator answer them (in the browser,
    /// <c>navigator.credentials.get</c>) and returns the assertion as the JSON form of the
    /// <c>PublicKeyCredential</c>.
    /// </summary>
    public sealed record SecurityKey(Func<JsonElement, CancellationToken, Task<JsonElement>> Authenticate) : SecondFactor
    {
        /// <inheritdoc />
        public override string ToString() => "SecurityKey";
    }
}

/// <summary>A password turned into keys (<see cref="SignIn.PrepareAsync"/>), waiting for the second factor. Dispose it when done.</summary>
public sealed class PreparedSignIn : IDisposable
{
    internal PreparedSignIn(string email, PasswordKeys keys)
    {
        Email = email;
        Keys = keys;
    }

    /// <summary>The account's address.</summary>
    public string Email { get; }

    internal PasswordKeys Keys { get; }

    /// <inheritdoc />
    public void Dispose() => Keys.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"PreparedSignIn({Email}, private)";
}

/// <summary>A signed-in account with its identity key open. Dispose it as soon as the keys are no longer needed.</summary>
/// <param name="Session">The server's view of the session.</param>
/// <param name="Identity">The unsealed identity key and master key.</param>
/// <param name="Device">This profile's registered device; null for accounts outside any delegation (the
/// host administrator), which never hold content and so have no devices.</param>
public sealed record SignedIn(SessionView Session, UnlockedIdentity Identity, ProfileDevice? Device) : IDisposable
{
    // The session view carries the antiforgery token: never in a log.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"User = {Session.User.Email}, Aal = {Session.Aal}, Device = {Device?.Id}");
        return true;
    }

    /// <inheritdoc />
    public void Dispose() => Identity.Dispose();
}

/// <summary>
/// Signs in: prelogin → derive <see cref="PasswordKeys"/> from the password → login with the
/// authentication secret and a second factor (a TOTP or recovery code, or the WebAuthn pair of calls) → unseal the identity key → make sure this profile
/// has a registered device, after checking the delegation's root against the pinned one → bind the
/// session to that device (it signs a one-time challenge). The password and the master key never leave this object; the server
/// gets only the authentication secret. On success <paramref name="client"/> carries the session.
/// </summary>
public sealed class SignIn(ParleyClient client, IProfileStore store, CryptoSuite suite, ClientKind kind = ClientKind.Cli, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Signs <paramref name="email"/> in; <paramref name="deviceName"/> names a device this profile registers if it has none.</summary>
    public async Task<SignedIn> SignInAsync(string email, string password, SecondFactor factor, string deviceName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(factor);
        using var prepared = await PrepareAsync(email, password, cancellationToken).ConfigureAwait(false);
        return await CompleteAsync(prepared, factor, deviceName, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The first half of a sign-in: fetches the account's KDF parameters and derives the password's
    /// keys, which is slow in a browser. A client that asks for the second factor afterwards gets a
    /// one-time code that is still fresh when <see cref="CompleteAsync"/> sends it, and can retry a
    /// mistyped code without deriving again. Nothing is sent to the server but the email.
    /// </summary>
    public async Task<PreparedSignIn> PrepareAsync(string email, string password, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        ArgumentException.ThrowIfNullOrEmpty(password);
        var prelogin = await client.PreloginAsync(email, cancellationToken).ConfigureAwait(false);
        if (prelogin.Kdf.Validate() is { } weak)
            throw new TrustException(new ProtocolError(ProtocolErrorCode.Untrusted, $"The server asks for unsafe password derivation parameters: {weak.Message}"));
        return new PreparedSignIn(email, await PasswordKeys.DeriveAsync(suite, password, prelogin.Kdf, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The second half of a sign-in: logs in with the prepared keys and <paramref name="factor"/>;
    /// the prepared sign-in stays usable for another attempt if this one is refused.</summary>
    public async Task<SignedIn> CompleteAsync(PreparedSignIn prepared, SecondFactor factor, string deviceName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(factor);
        var server = client.BaseAddress ?? throw new InvalidOperationException("The client has no server address.");
        var email = prepared.Email;
        var keys = prepared.Keys;

        LoginResponse login;
        if (factor is SecondFactor.SecurityKey securityKey)
        {
            var options = await client.WebAuthnLoginOptionsAsync(new WebAuthnLoginOptionsRequest(email, keys.AuthSecret.ToArray()), cancellationToken).ConfigureAwait(false);
            var assertion = await securityKey.Authenticate(options, cancellationToken).ConfigureAwait(false);
            login = await client.WebAuthnLoginAsync(new WebAuthnLoginRequest(email, keys.AuthSecret.ToArray(), assertion, kind), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var request = new LoginRequest(email, keys.AuthSecret.ToArray(), (factor as SecondFactor.Totp)?.Code, (factor as SecondFactor.RecoveryCode)?.Code, kind);
            login = await client.LoginAsync(request, cancellationToken).ConfigureAwait(false);
        }
        client.Session = Credentials(login, kind);

        var user = login.Session.User;
        var profile = await Reconcile(server, user, cancellationToken).ConfigureAwait(false);
        // A profile that knew this account knows its identity key: a server that swapped it is caught here.
        var expectedKey = profile.Account?.IdentityPublicKey ?? login.Keys.IdentityPublicKey;
        var unsealed = await UnlockedIdentity.UnsealAsync(suite, user.Id, keys.MasterKey, login.Keys.SealedIdentityKey, expectedKey, cancellationToken).ConfigureAwait(false);
        if (!unsealed.TryGetValue(out var identity, out var error)) throw new TrustException(error);
        try
        {
            profile = profile with
            {
                Email = user.Email,
                UserId = user.Id,
                Delegation = user.Delegation,
                SessionToken = kind == ClientKind.Cli ? login.BearerToken : null,
                Account = new ProfileAccount(login.Keys.Kdf, login.Keys.IdentityPublicKey, login.Keys.SealedIdentityKey),
            };
            await store.SaveAsync(profile, cancellationToken).ConfigureAwait(false);
            if (user.Delegation is { } code) await CheckOwnRootAsync(code, cancellationToken).ConfigureAwait(false);
            var device = await new DeviceRegistration(client, store, suite, _time).EnsureAsync(identity, user.Delegation, deviceName, cancellationToken).ConfigureAwait(false);
            // Content needs a session bound to a certified device: prove this profile holds its key.
            var session = device is null ? login.Session : await new SessionBinding(client, suite).BindAsync(identity, device, cancellationToken).ConfigureAwait(false);
            return new SignedIn(session, identity, device);
        }
        catch
        {
            identity.Dispose();
            throw;
        }
    }

    // The own delegation's root: pinned on a profile's first sign-in (a profile that enrolled pinned
    // it from the link), and held to on every later one, so a changed root stops the sign-in loudly.
    private async Task CheckOwnRootAsync(string code, CancellationToken cancellationToken)
    {
        var view = await client.GetDelegationTrustAsync(code, cancellationToken).ConfigureAwait(false);
        var root = await new Trust.TrustStore(store, suite).ResolveAsync(code, view.Root, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!root.IsOk) throw new TrustException(root.Error);
    }

    internal static SessionCredentials Credentials(LoginResponse login, ClientKind kind) => kind switch
    {
        ClientKind.Cli => SessionCredentials.Bearer(login.BearerToken ?? throw MissingToken("bearer token")),
        _ => SessionCredentials.Cookie(login.Session.CsrfToken ?? throw MissingToken("antiforgery token")),
    };

    private static TrustException MissingToken(string what) =>
        new(new ProtocolError(ProtocolErrorCode.Malformed, $"The server signed in without giving a {what}."));

    // The profile belongs to one account on one server: signing in as someone else, or elsewhere,
    // starts afresh (roots pinned for the same server are kept; they are facts about delegations).
    private async Task<LocalProfile> Reconcile(Uri server, UserView user, CancellationToken cancellationToken)
    {
        var profile = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (profile is null) return LocalProfile.For(server);
        if (profile.Server != server) return LocalProfile.For(server);
        if (profile.UserId is { } known && known != user.Id) return LocalProfile.For(server) with { PinnedRoots = profile.PinnedRoots };
        return profile;
    }
}
