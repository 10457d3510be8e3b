using Parley.Client.Profiles;
using Parley.Protocol;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;

namespace Parley.Client.Trust;

/// <summary>
/// The delegation roots this profile trusts. The own delegation's root is pinned at enrollment
/// from the fingerprint in the link (which came from the security officer, not from the server);
/// other delegations' roots are pinned the first time they are seen. A root that differs from the
/// pinned one is refused: either the delegation was re-founded or the server is lying, and only a
/// person can tell which.
/// </summary>
public sealed class TrustStore(IProfileStore store, CryptoSuite suite)
{
    /// <summary>The fingerprint of a delegation root, as enrollment links carry it: lower-case hex of
    /// the root officer's composite key fingerprint (SHA-256 of the key's encoding). The key is what
    /// is trusted, so the same officer re-signing the root is the same root.</summary>
    public static string Fingerprint(Signed<DelegationRoot> root) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(root.Body.OfficerPublicKey));

    /// <summary>The pinned root of <paramref name="code"/>, if any.</summary>
    public async Task<Signed<DelegationRoot>?> PinnedAsync(string code, CancellationToken cancellationToken = default)
    {
        var profile = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (profile is null || !profile.PinnedRoots.TryGetValue(code, out var bytes)) return null;
        var decoded = Signed<DelegationRoot>.Decode(bytes);
        if (!decoded.TryGetValue(out var root, out var error))
            throw new ProfileException($"The pinned root of {code} in this profile is damaged: {error.Message}");
        return root;
    }

    /// <summary>
    /// Checks a root the server presents for <paramref name="code"/> without pinning it: well-formed,
    /// for that delegation, self-signed, equal to <paramref name="expectedFingerprint"/> when given,
    /// and equal to the pinned root when one is pinned.
    /// </summary>
    public async Task<Result<Signed<DelegationRoot>>> CheckAsync(string code, byte[] presented, string? expectedFingerprint = null, CancellationToken cancellationToken = default)
    {
        var decoded = Signed<DelegationRoot>.Decode(presented);
        if (!decoded.TryGetValue(out var root, out var error))
            return Result<Signed<DelegationRoot>>.Fail(ProtocolErrorCode.Untrusted, $"The server sent a malformed root for delegation {code}: {error.Message}");
        if (root.Body.Code != code)
            return Result<Signed<DelegationRoot>>.Fail(ProtocolErrorCode.Untrusted, $"The server sent the root of {root.Body.Code} when asked for {code}.");
        var key = root.Body.OfficerKey();
        if (!key.TryGetValue(out var officerKey, out _) || !await root.VerifyAsync(suite, officerKey, cancellationToken).ConfigureAwait(false))
            return Result<Signed<DelegationRoot>>.Fail(ProtocolErrorCode.BadSignature, $"The root of delegation {code} is not self-signed by its officer.");

        var fingerprint = Fingerprint(root);
        if (expectedFingerprint is not null && !string.Equals(fingerprint, expectedFingerprint, StringComparison.OrdinalIgnoreCase))
            return Result<Signed<DelegationRoot>>.Fail(ProtocolErrorCode.Untrusted,
                $"The root of delegation {code} on the server ({fingerprint}) is NOT the one in your enrollment link ({expectedFingerprint.ToLowerInvariant()}). Do not continue; tell your security officer.");

        var pinned = await PinnedAsync(code, cancellationToken).ConfigureAwait(false);
        if (pinned is not null && Fingerprint(pinned) != fingerprint)
            return Result<Signed<DelegationRoot>>.Fail(ProtocolErrorCode.Untrusted,
                $"WARNING: THE ROOT OF TRUST OF DELEGATION {code} HAS CHANGED. Pinned {Fingerprint(pinned)}, the server now presents {fingerprint}. " +
                "Either the delegation was re-founded or someone is impersonating its security officer; nothing of it is trusted until its officer confirms the new root in person.");
        return root;
    }

    /// <summary>Pins <paramref name="root"/> for its delegation; refuses to replace a different pinned root.</summary>
    public async Task PinAsync(Signed<DelegationRoot> root, CancellationToken cancellationToken = default)
    {
        var profile = await store.LoadAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new ProfileException("There is no profile to pin delegation roots in; sign in first.");
        var code = root.Body.Code;
        if (profile.PinnedRoots.TryGetValue(code, out var existing))
        {
            var pinned = Signed<DelegationRoot>.Decode(existing);
            if (pinned.IsOk && Fingerprint(pinned.Value) == Fingerprint(root)) return;
            throw new ProfileException($"A different root is already pinned for delegation {code}; refusing to replace it.");
        }
        await store.SaveAsync(profile.WithPinnedRoot(code, root.Encode()), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="CheckAsync"/>, then pins the root if nothing was pinned for <paramref name="code"/>
    /// yet (trust on first use).
    /// </summary>
    public async Task<Result<Signed<DelegationRoot>>> ResolveAsync(string code, byte[] presented, string? expectedFingerprint = null, CancellationToken cancellationToken = default)
    {
        var checkedRoot = await CheckAsync(code, presented, expectedFingerprint, cancellationToken).ConfigureAwait(false);
        if (!checkedRoot.TryGetValue(out var root, out var error)) return error;
        await PinAsync(root, cancellationToken).ConfigureAwait(false);
        return root;
    }
}
