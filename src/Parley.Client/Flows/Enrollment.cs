using Parley.Client.Api;
using Parley.Client.Keys;
using Parley.Client.Profiles;
using Parley.Client.Trust;
using Parley.Protocol;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;

namespace Parley.Client.Flows;

/// <summary>An enrollment opened with its token and checked against the link, waiting for the password and first TOTP code.</summary>
/// <param name="Link">The link it was opened with.</param>
/// <param name="Details">What the server offered: user id, roles, delegation, TOTP secret, KDF parameters.</param>
/// <param name="DelegationRoot">The delegation's root, verified against the link's fingerprint; null when the delegation has none yet.</param>
public sealed record PendingEnrollment(EnrollmentLink Link, EnrollBeginResponse Details, Signed<DelegationRoot>? DelegationRoot)
{
    /// <summary>True when this enrollee founds the delegation: its first security officer, who signs its root.</summary>
    public bool FoundsDelegation => Details.Delegation is not null && DelegationRoot is null && Details.Roles.Contains(RoleNames.Name(Roles.SecurityOfficer));

    // The details carry the TOTP secret: never in a log.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Email = {Details.Email}, Delegation = {Details.Delegation?.Code}, FoundsDelegation = {FoundsDelegation}");
        return true;
    }
}

/// <summary>A completed enrollment. The recovery codes are shown once and not kept anywhere.</summary>
/// <param name="Account">The new account, signed in.</param>
/// <param name="RecoveryCodes">Ten one-time recovery codes.</param>
public sealed record EnrolledAccount(SignedIn Account, IReadOnlyList<string> RecoveryCodes) : IDisposable
{
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Account = {Account}, RecoveryCodes = {RecoveryCodes.Count} (private)");
        return true;
    }

    /// <inheritdoc />
    public void Dispose() => Account.Dispose();
}

/// <summary>
/// An enrollment whose keys are made (<see cref="Enrollment.PrepareAsync"/>), waiting for the first TOTP
/// code. It holds the password-derived keys and the new identity key: dispose it when done (after a
/// successful completion the identity key belongs to the <see cref="EnrolledAccount"/>).
/// </summary>
public sealed class PreparedEnrollment : IDisposable
{
    private UnlockedIdentity? _identity;

    internal PreparedEnrollment(PendingEnrollment pending, string displayName, PasswordKeys keys, UnlockedIdentity identity, byte[] sealedKey, Signed<DelegationRoot>? root)
    {
        Pending = pending;
        DisplayName = displayName;
        Keys = keys;
        _identity = identity;
        SealedKey = sealedKey;
        Root = root;
    }

    /// <summary>The enrollment it prepares.</summary>
    public PendingEnrollment Pending { get; }

    /// <summary>The chosen display name.</summary>
    public string DisplayName { get; }

    internal PasswordKeys Keys { get; }

    internal byte[] SealedKey { get; }

    internal Signed<DelegationRoot>? Root { get; }

    internal UnlockedIdentity TakeIdentity() => _identity ?? throw new InvalidOperationException("This enrollment is completed already.");

    internal void HandOver() => _identity = null;

    /// <inheritdoc />
    public void Dispose()
    {
        _identity?.Dispose();
        _identity = null;
        Keys.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"PreparedEnrollment({Pending.Details.Email}, private)";
}

/// <summary>
/// Completes an enrollment link: begin with the token, check the delegation root against the
/// fingerprint in the link, derive keys from the new password, generate the identity key and seal
/// it, sign the delegation root when founding the delegation, complete with the first TOTP code,
/// pin the root, and register this profile's device.
/// </summary>
public sealed class Enrollment(ParleyClient client, IProfileStore store, CryptoSuite suite, ClientKind kind = ClientKind.Cli, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// Opens the enrollment and refuses it if the server's root is not the link's.
    /// <paramref name="email"/> is for the bootstrap token only: the host administrator names their address.
    /// </summary>
    public async Task<PendingEnrollment> BeginAsync(EnrollmentLink link, string? email = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(link);
        var details = await client.BeginEnrollmentAsync(link.Token, email, cancellationToken).ConfigureAwait(false);
        if (details.Kdf.Validate() is { } weak)
            throw new TrustException(new ProtocolError(ProtocolErrorCode.Untrusted, $"The server suggests unsafe password derivation parameters: {weak.Message}"));
        var delegation = details.Delegation;
        if (delegation?.Root is null)
        {
            if (link.RootFingerprint is not null)
                throw new TrustException(new ProtocolError(ProtocolErrorCode.Untrusted,
                    $"Your link names the root {link.RootFingerprint} but the server presents none for {delegation?.Code ?? "this enrollment"}. Do not continue; tell your security officer."));
            return new PendingEnrollment(link, details, null);
        }
        if (link.RootFingerprint is null)
            throw new TrustException(new ProtocolError(ProtocolErrorCode.Untrusted,
                $"Delegation {delegation.Code} has a root of trust but your link does not name it, so it cannot be checked. Ask your security officer for the complete link."));
        var trust = new TrustStore(new ReadOnlyView(store, link.Server), suite);
        var root = await trust.CheckAsync(delegation.Code, delegation.Root, link.RootFingerprint, cancellationToken).ConfigureAwait(false);
        if (!root.TryGetValue(out var verified, out var error)) throw new TrustException(error);
        return new PendingEnrollment(link, details, verified);
    }

    /// <summary>Creates the account with <paramref name="password"/> and the first <paramref name="totpCode"/>.</summary>
    public async Task<EnrolledAccount> CompleteAsync(PendingEnrollment pending, string password, string displayName, string totpCode, string deviceName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(totpCode);
        using var prepared = await PrepareAsync(pending, password, displayName, cancellationToken).ConfigureAwait(false);
        return await CompleteAsync(prepared, totpCode, deviceName, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The first half of completing an enrollment, all on the client: derives the password's keys,
    /// generates the identity key and seals it, and signs the delegation root when founding the
    /// delegation. It is slow in a browser, so a client asks for the first TOTP code afterwards, and
    /// a mistyped code can be retried without deriving again.
    /// </summary>
    public async Task<PreparedEnrollment> PrepareAsync(PendingEnrollment pending, string password, string displayName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pending);
        ArgumentException.ThrowIfNullOrEmpty(password);
        ArgumentException.ThrowIfNullOrWhiteSpace(displayName);
        var details = pending.Details;
        var keys = await PasswordKeys.DeriveAsync(suite, password, details.Kdf, cancellationToken).ConfigureAwait(false);
        UnlockedIdentity? identity = null;
        try
        {
            identity = await UnlockedIdentity.GenerateAsync(suite, details.UserId, keys.MasterKey, cancellationToken).ConfigureAwait(false);
            var sealedKey = await identity.SealAsync(suite, cancellationToken).ConfigureAwait(false);
            var root = pending.DelegationRoot;
            if (pending.FoundsDelegation)
            {
                var delegation = details.Delegation!;
                root = await identity.SignAsync(suite, new DelegationRoot(delegation.Code, delegation.Name, details.UserId, identity.PublicKey.Encode(), _time.GetUtcNow().ToUnixTimeSeconds()), cancellationToken).ConfigureAwait(false);
            }
            return new PreparedEnrollment(pending, displayName, keys, identity, sealedKey, root);
        }
        catch
        {
            identity?.Dispose();
            keys.Dispose();
            throw;
        }
    }

    /// <summary>The second half: sends the prepared account with the first <paramref name="totpCode"/>,
    /// pins the root and registers this profile's device. If the server refuses the code, the prepared
    /// enrollment stays usable for another attempt.</summary>
    public async Task<EnrolledAccount> CompleteAsync(PreparedEnrollment prepared, string totpCode, string deviceName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentException.ThrowIfNullOrWhiteSpace(totpCode);
        var pending = prepared.Pending;
        var details = pending.Details;
        var identity = prepared.TakeIdentity();
        var handedOver = false;
        try
        {
            var root = prepared.Root;
            var request = new EnrollCompleteRequest(pending.Link.Token, prepared.DisplayName, details.Kdf, prepared.Keys.AuthSecret.ToArray(), identity.PublicKey.Encode(), prepared.SealedKey, totpCode,
                pending.FoundsDelegation ? root!.Encode() : null, kind);
            var completed = await client.CompleteEnrollmentAsync(request, cancellationToken).ConfigureAwait(false);
            var login = completed.Login;
            if (login.Session.User.Id != details.UserId)
                throw new TrustException(new ProtocolError(ProtocolErrorCode.Untrusted, $"The server created account {login.Session.User.Id} instead of {details.UserId}."));
            // From here the account exists: the identity belongs to the result, whatever happens next.
            handedOver = true;
            prepared.HandOver();
            client.Session = SignIn.Credentials(login, kind);

            var existing = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
            var profile = existing is not null && existing.Server == pending.Link.Server ? LocalProfile.For(pending.Link.Server) with { PinnedRoots = existing.PinnedRoots } : LocalProfile.For(pending.Link.Server);
            await store.SaveAsync(profile with
            {
                Email = details.Email,
                UserId = details.UserId,
                Delegation = details.Delegation?.Code,
                SessionToken = kind == ClientKind.Cli ? login.BearerToken : null,
                Account = new ProfileAccount(details.Kdf, identity.PublicKey.Encode(), prepared.SealedKey),
            }, cancellationToken).ConfigureAwait(false);
            if (root is not null) await new TrustStore(store, suite).PinAsync(root, cancellationToken).ConfigureAwait(false);

            var device = await new DeviceRegistration(client, store, suite, _time).EnsureAsync(identity, details.Delegation?.Code, deviceName, cancellationToken).ConfigureAwait(false);
            var session = device is null ? login.Session : await new SessionBinding(client, suite).BindAsync(identity, device, cancellationToken).ConfigureAwait(false);
            return new EnrolledAccount(new SignedIn(session, identity, device), completed.RecoveryCodes);
        }
        catch when (handedOver)
        {
            identity.Dispose();
            throw;
        }
    }

    // Checking a root before the account exists must not write a profile; pins of the same
    // server still count, so a link cannot smuggle in a different root for a pinned delegation.
    private sealed class ReadOnlyView(IProfileStore inner, Uri server) : IProfileStore
    {
        public async ValueTask<LocalProfile?> LoadAsync(CancellationToken cancellationToken = default)
        {
            var profile = await inner.LoadAsync(cancellationToken).ConfigureAwait(false);
            return profile is not null && profile.Server == server ? profile : LocalProfile.For(server);
        }

        public ValueTask SaveAsync(LocalProfile profile, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("Checking an enrollment does not change the profile.");
    }
}
