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
public sealed record LocalProfile(
    Uri Server,
    string? Email,
    Guid? UserId,
    string? Delegation,
    string? SessionToken,
    ProfileAccount? Account,
    ProfileDevice? Device,
    IReadOnlyDictionary<string, byte[]> PinnedRoots)
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

    // Records print every property; a session token must never reach a log.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Server = {Server}, Email = {Email}, UserId = {UserId}, Delegation = {Delegation}, SignedIn = {SignedIn}, Device = {Device?.Id}, PinnedRoots = {PinnedRoots.Count}");
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
