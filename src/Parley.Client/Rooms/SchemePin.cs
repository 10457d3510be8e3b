using Parley.Client.Api;
using Parley.Client.Profiles;
using Parley.Protocol;
using Parley.Protocol.Classification;

namespace Parley.Client.Rooms;

/// <summary>
/// The server's marking scheme, pinned in the profile on first use (like a delegation root): labels
/// decide who gets a room's keys, so a server that later presents levels or compartments in another
/// order is refused loudly rather than believed.
/// </summary>
public static class SchemePin
{
    /// <summary>The pinned scheme; pins the server's on first use, refuses one that is not compatible with the pin.</summary>
    public static async Task<MarkingScheme> ResolveAsync(ParleyClient client, IProfileStore store, CancellationToken cancellationToken)
    {
        var view = await client.GetPolicySchemeAsync(cancellationToken).ConfigureAwait(false);
        var offered = MarkingScheme.Create(view.Scheme);
        if (!offered.TryGetValue(out var scheme, out var error))
            throw new Flows.TrustException(new ProtocolError(ProtocolErrorCode.Malformed, $"The server's marking scheme is not valid: {error.Message}"));
        var profile = await store.LoadAsync(cancellationToken).ConfigureAwait(false) ?? throw new ProfileException("There is no profile; sign in first.");
        if (profile.MarkingScheme is { } pinnedJson)
        {
            var pinned = MarkingScheme.FromJson(pinnedJson);
            if (!pinned.TryGetValue(out var pinnedScheme, out error))
                throw new ProfileException($"The marking scheme pinned in this profile is damaged: {error.Message}");
            if (!pinnedScheme.IsCompatibleWith(scheme))
                throw new Flows.TrustException(new ProtocolError(ProtocolErrorCode.Untrusted,
                    $"WARNING: THE SERVER'S MARKING SCHEME HAS CHANGED (pinned {pinnedScheme.Name}, now {scheme.Name}); levels or compartments differ, so no room key is handed out until a person sorts it out."));
            return pinnedScheme;
        }
        await store.SaveAsync(profile with { MarkingScheme = scheme.ToJson() }, cancellationToken).ConfigureAwait(false);
        return scheme;
    }

}
