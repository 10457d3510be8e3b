using System.Security.Cryptography;
using Parley.Client.Api;
using Parley.Client.Profiles;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;
using Parley.Protocol.Rooms;

namespace Parley.Client.Verification;

/// <summary>Whether the person at this profile has checked a contact's identity key out of band.</summary>
public enum VerificationState
{
    /// <summary>Never compared: the key is trusted only through the contact's security officer (and the server that relays it).</summary>
    Unverified,
    /// <summary>The safety number was compared and confirmed, and the key is still the one confirmed.</summary>
    Verified,
    /// <summary>The safety number was confirmed once, but the contact's identity key has changed since: warn loudly.</summary>
    KeyChanged,
    /// <summary>The profile's own account.</summary>
    Self,
}

/// <summary>
/// The loud warning for a verified contact whose identity key changed: either they re-enrolled, or
/// someone (the server, or whoever controls it) is presenting another key under their name. Only a
/// new comparison of safety numbers, in person or over a trusted channel, tells which.
/// </summary>
/// <param name="UserId">The contact.</param>
/// <param name="Email">Their address.</param>
/// <param name="VerifiedFingerprint">Hex SHA-256 of the key that was verified.</param>
/// <param name="CurrentFingerprint">Hex SHA-256 of the key the directory presents now.</param>
/// <param name="VerifiedAt">When the old key was verified.</param>
public sealed record KeyChangeWarning(Guid UserId, string Email, string VerifiedFingerprint, string CurrentFingerprint, DateTimeOffset? VerifiedAt)
{
    /// <summary>What to show, in capitals on purpose.</summary>
    public string Message =>
        $"WARNING: THE IDENTITY KEY OF {Email.ToUpperInvariant()} HAS CHANGED since you verified it{(VerifiedAt is { } at ? $" on {at.UtcDateTime:yyyy-MM-dd}" : "")} " +
        $"(verified {Short(VerifiedFingerprint)}, now {Short(CurrentFingerprint)}). They may have re-enrolled, or someone may be impersonating them. " +
        "Compare safety numbers again in person before trusting anything they send, and before sending them anything.";

    private static string Short(string fingerprint) => fingerprint.Length > 16 ? fingerprint[..16] : fingerprint;

    /// <inheritdoc />
    public override string ToString() => Message;
}

/// <summary>A contact's verification state, with the safety number when it was computed.</summary>
/// <param name="UserId">The contact.</param>
/// <param name="Email">Their address.</param>
/// <param name="Delegation">Their delegation.</param>
/// <param name="State">Verified, unverified, or verified with a key that has changed since.</param>
/// <param name="SafetyNumber">The safety number of this profile's account and the contact's current key (null when not computed).</param>
/// <param name="Warning">Set when <paramref name="State"/> is <see cref="VerificationState.KeyChanged"/>.</param>
public sealed record ContactStatus(Guid UserId, string Email, string? Delegation, VerificationState State, SafetyNumber? SafetyNumber, KeyChangeWarning? Warning);

/// <summary>
/// Safety numbers between this profile's account and other people (docs/PROTOCOL.md §12.11), the
/// local "verified" mark, and the warning when a verified contact's identity key changes. The marks
/// live in the profile (<see cref="ProfileContact"/>): they are this person's own observations and
/// never go to the server.
/// </summary>
public sealed class ContactVerification(ParleyClient client, IProfileStore store, CryptoSuite suite, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Hex SHA-256 of an encoded composite identity public key.</summary>
    public static string Fingerprint(ReadOnlySpan<byte> identityPublicKey) => Convert.ToHexStringLower(SHA256.HashData(identityPublicKey));

    /// <summary>The state of a contact as the profile knows it, for a key just seen; no I/O.</summary>
    public static VerificationState StateOf(LocalProfile profile, Guid userId, ReadOnlySpan<byte> identityPublicKey)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.UserId == userId) return VerificationState.Self;
        if (profile.Contacts is null || !profile.Contacts.TryGetValue(userId, out var contact) || contact.VerifiedKey is null) return VerificationState.Unverified;
        return contact.VerifiedKey.AsSpan().SequenceEqual(identityPublicKey) ? VerificationState.Verified : VerificationState.KeyChanged;
    }

    /// <summary>
    /// Records that <paramref name="user"/>'s identity key was seen (so a later change is noticed) and
    /// returns their state; a <see cref="KeyChangeWarning"/> when a verified key changed.
    /// </summary>
    public async Task<ContactStatus> ObserveAsync(DirectoryUser user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var profile = await LoadAsync(cancellationToken).ConfigureAwait(false);
        var status = Status(profile, user, null);
        if (status.State == VerificationState.Self) return status;
        var known = profile.Contacts?.GetValueOrDefault(user.Id);
        if (known is null || !known.IdentityPublicKey.AsSpan().SequenceEqual(user.IdentityPublicKey) || known.Email != user.Email || known.Delegation != user.Delegation)
        {
            var contact = known is null
                ? new ProfileContact(user.Id, user.Email, user.Delegation, user.IdentityPublicKey, null, null)
                : known with { Email = user.Email, Delegation = user.Delegation, IdentityPublicKey = user.IdentityPublicKey };
            await store.SaveAsync(profile.WithContact(contact), cancellationToken).ConfigureAwait(false);
        }
        return status;
    }

    /// <summary>
    /// Fetches <paramref name="email"/>'s identity key from the directory and computes the safety number
    /// of this profile's account and them, for the two people to compare (read aloud, or scan the QR payload).
    /// </summary>
    public async Task<ContactStatus> CheckAsync(string email, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        var user = await FetchAsync(email, cancellationToken).ConfigureAwait(false);
        var observed = await ObserveAsync(user, cancellationToken).ConfigureAwait(false);
        var number = await ComputeAsync(user, cancellationToken).ConfigureAwait(false);
        return observed with { SafetyNumber = number };
    }

    /// <summary>
    /// Marks <paramref name="email"/> verified with the key the directory presents now: call it only
    /// after the person confirmed that both see the same safety number. Returns the new state.
    /// </summary>
    public async Task<ContactStatus> ConfirmAsync(string email, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        var user = await FetchAsync(email, cancellationToken).ConfigureAwait(false);
        var number = await ComputeAsync(user, cancellationToken).ConfigureAwait(false);
        var profile = await LoadAsync(cancellationToken).ConfigureAwait(false);
        if (profile.UserId == user.Id) throw new InvalidOperationException("Your own key needs no verification.");
        var contact = new ProfileContact(user.Id, user.Email, user.Delegation, user.IdentityPublicKey, user.IdentityPublicKey, _time.GetUtcNow());
        profile = profile.WithContact(contact);
        await store.SaveAsync(profile, cancellationToken).ConfigureAwait(false);
        return Status(profile, user, number);
    }

    /// <summary>Removes the verified mark of a contact (e.g. after a key change the person wants to look into).</summary>
    public async Task ForgetAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var profile = await LoadAsync(cancellationToken).ConfigureAwait(false);
        if (profile.Contacts?.GetValueOrDefault(userId) is not { } contact) return;
        await store.SaveAsync(profile.WithContact(contact with { VerifiedKey = null, VerifiedAt = null }), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The state of <paramref name="user"/> for the key the directory gave, with the warning if it changed.</summary>
    public static ContactStatus Status(LocalProfile profile, DirectoryUser user, SafetyNumber? number)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(user);
        var state = StateOf(profile, user.Id, user.IdentityPublicKey);
        KeyChangeWarning? warning = null;
        if (state == VerificationState.KeyChanged)
        {
            var contact = profile.Contacts![user.Id];
            warning = new KeyChangeWarning(user.Id, user.Email, Fingerprint(contact.VerifiedKey), Fingerprint(user.IdentityPublicKey), contact.VerifiedAt);
        }
        return new ContactStatus(user.Id, user.Email, user.Delegation, state, number, warning);
    }

    private async Task<DirectoryUser> FetchAsync(string email, CancellationToken cancellationToken)
    {
        var entry = await client.GetDirectoryEntryAsync(email, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(entry.User.Email, email, StringComparison.OrdinalIgnoreCase))
            throw new Flows.TrustException(new Protocol.ProtocolError(Protocol.ProtocolErrorCode.Untrusted, $"The directory answered with {entry.User.Email} when asked for {email}."));
        return entry.User;
    }

    private async Task<SafetyNumber> ComputeAsync(DirectoryUser user, CancellationToken cancellationToken)
    {
        var profile = await LoadAsync(cancellationToken).ConfigureAwait(false);
        if (profile.UserId is not { } self || profile.Account is not { } account)
            throw new ProfileException("This profile is not signed in to an account; run 'parley login' first.");
        if (self == user.Id) throw new InvalidOperationException("A safety number is between you and someone else.");
        var own = CompositePublicKey.Decode(account.IdentityPublicKey);
        var theirs = CompositePublicKey.Decode(user.IdentityPublicKey);
        if (!own.IsOk) throw new ProfileException($"This profile's identity key is damaged: {own.Error.Message}");
        if (!theirs.IsOk)
            throw new Flows.TrustException(new Protocol.ProtocolError(Protocol.ProtocolErrorCode.InvalidKey, $"The directory's identity key for {user.Email} is not a valid key: {theirs.Error.Message}"));
        return await SafetyNumber.ComputeAsync(suite.Backend, self, own.Value, user.Id, theirs.Value, cancellationToken).ConfigureAwait(false);
    }

    private async Task<LocalProfile> LoadAsync(CancellationToken cancellationToken) =>
        await store.LoadAsync(cancellationToken).ConfigureAwait(false) ?? throw new ProfileException("There is no profile; sign in first.");
}
