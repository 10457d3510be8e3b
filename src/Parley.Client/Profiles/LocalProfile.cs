using System.Text;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;

namespace Parley.Client.Profiles;

/// <summary>
/// What a client keeps between runs for one account on one server. Nothing in it opens without
/// the password: it holds the session token, public facts, pinned roots and keys sealed under the
/// password-derived master key; never the password or the master key.
/// </summary>
/// <param name="Server">The server's root address.</param>
/// <param name="Email">The signed-in account's address, once known.</param>
/// <param name="UserId">The account's id, once known.</param>
/// <param name="Delegation">The account's delegation, if any.</param>
/// <param name="SessionToken">The bearer token of the current session (CLI), or null when signed out or when the browser holds a cookie.</param>
/// <param name="Account">The account's KDF parameters, identity public key and sealed identity key.</param>
/// <param name="Device">This profile's device, once registered.</param>
/// <param name="PinnedRoots">Delegation code → the signed delegation root pinned for it (canonical envelope bytes).</param>
/// <param name="Rooms">Room id → this device's state of the room (epoch keys, the messages it read and
/// sent), sealed under the master key (<see cref="Rooms.RoomVault"/>); null in profiles written before rooms.</param>
/// <param name="Contacts">User id → what this profile knows of a person's identity key and whether the
/// person at this profile compared safety numbers with them; null in profiles written before rooms.</param>
/// <param name="MarkingScheme">The server's marking scheme (JSON) as first seen, pinned: a server that later
/// presents levels or compartments in another order could otherwise have this client release keys to
/// devices cleared too low. Null until rooms are first used.</param>
public sealed record LocalProfile(
    Uri Server,
    string? Email,
    Guid? UserId,
    string? Delegation,
    string? SessionToken,
    ProfileAccount? Account,
    ProfileDevice? Device,
    IReadOnlyDictionary<string, byte[]> PinnedRoots,
    IReadOnlyDictionary<Guid, byte[]>? Rooms = null,
    IReadOnlyDictionary<Guid, ProfileContact>? Contacts = null,
    string? MarkingScheme = null)
{
    /// <summary>A profile that knows only its server.</summary>
    public static LocalProfile For(Uri server) => new(server, null, null, null, null, null, null, new Dictionary<string, byte[]>());

    /// <summary>The server's ledger verifier keys (note verifier key strings), pinned at the profile's first
    /// contact with the server (trust on first use, like a delegation root); null before.</summary>
    public IReadOnlyList<string>? LedgerKeys { get; init; }

    /// <summary>This profile's own logged actions: pending ones wait to be proven in the ledger, proven ones carry their index.</summary>
    public IReadOnlyList<LedgerAction>? LedgerActions { get; init; }

    /// <summary>True when the profile holds a session token.</summary>
    public bool SignedIn => SessionToken is not null;

    /// <summary>The profile with another pinned root for <paramref name="code"/>.</summary>
    public LocalProfile WithPinnedRoot(string code, byte[] root) =>
        this with { PinnedRoots = new Dictionary<string, byte[]>(PinnedRoots) { [code] = root } };

    /// <summary>The profile with the sealed state of <paramref name="roomId"/> replaced, or removed when <paramref name="sealedState"/> is null.</summary>
    public LocalProfile WithRoom(Guid roomId, byte[]? sealedState)
    {
        var rooms = Rooms is null ? new Dictionary<Guid, byte[]>() : new Dictionary<Guid, byte[]>(Rooms);
        if (sealedState is null) rooms.Remove(roomId);
        else rooms[roomId] = sealedState;
        return this with { Rooms = rooms };
    }

    /// <summary>The profile with <paramref name="contact"/> recorded.</summary>
    public LocalProfile WithContact(ProfileContact contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        var contacts = Contacts is null ? new Dictionary<Guid, ProfileContact>() : new Dictionary<Guid, ProfileContact>(Contacts);
        contacts[contact.UserId] = contact;
        return this with { Contacts = contacts };
    }

    // Records print every property; a session token must never reach a log.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Server = {Server}, Email = {Email}, UserId = {UserId}, Delegation = {Delegation}, SignedIn = {SignedIn}, Device = {Device?.Id}, PinnedRoots = {PinnedRoots.Count}, Rooms = {Rooms?.Count ?? 0}, Contacts = {Contacts?.Count ?? 0}");
        return true;
    }
}

/// <summary>The account facts a profile needs to unseal its keys without asking the server.</summary>
/// <param name="Kdf">Argon2id parameters of the password.</param>
/// <param name="IdentityPublicKey">The composite identity public key.</param>
/// <param name="SealedIdentityKey">The identity private key sealed under the master key.</param>
public sealed record ProfileAccount(KdfParameters Kdf, byte[] IdentityPublicKey, byte[] SealedIdentityKey);

/// <summary>This profile's device.</summary>
/// <param name="Id">The device id.</param>
/// <param name="Name">The name in its certificate.</param>
/// <param name="Certificate">The signed device certificate (canonical envelope bytes).</param>
/// <param name="SealedKeys">The device private keys sealed under the master key.</param>
public sealed record ProfileDevice(Guid Id, string Name, byte[] Certificate, byte[] SealedKeys);

/// <summary>
/// An action this profile took that the server logs: the ledger must come to hold an entry of
/// <paramref name="Type"/> about <paramref name="Subject"/> (with <paramref name="FieldName"/> =
/// <paramref name="FieldValue"/> when given) at an index of at least <paramref name="AfterSize"/>, the
/// size of the last checkpoint the profile had verified before acting.
/// </summary>
/// <param name="Type">The entry's event type.</param>
/// <param name="Subject">The entry's subject, e.g. <c>device:&lt;id&gt;</c>.</param>
/// <param name="FieldName">A field that singles the entry out among others about the subject (e.g. <c>grant</c>), or null.</param>
/// <param name="FieldValue">That field's value.</param>
/// <param name="At">When the server acknowledged the action (this machine's clock).</param>
/// <param name="AfterSize">The entry's index is at least this.</param>
/// <param name="Index">The entry's proven index, once proven included; null while pending.</param>
public sealed record LedgerAction(LedgerEventType Type, string Subject, string? FieldName, string? FieldValue, DateTimeOffset At, long AfterSize, long? Index);

/// <summary>
/// A person as this profile knows them: the identity key it last saw for them and, once the person at
/// this profile compared safety numbers with them, the key that was verified then. A verified key that
/// no longer matches the directory is the loud warning of <see cref="Verification.ContactVerification"/>.
/// </summary>
/// <param name="UserId">The person.</param>
/// <param name="Email">Their address when last seen.</param>
/// <param name="Delegation">Their delegation when last seen.</param>
/// <param name="IdentityPublicKey">The composite identity public key last seen in the directory.</param>
/// <param name="VerifiedKey">The identity key whose safety number was compared and confirmed; null when never verified.</param>
/// <param name="VerifiedAt">When it was confirmed.</param>
public sealed record ProfileContact(Guid UserId, string Email, string? Delegation, byte[] IdentityPublicKey, byte[]? VerifiedKey, DateTimeOffset? VerifiedAt);
