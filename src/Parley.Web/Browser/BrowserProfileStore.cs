using System.Runtime.Versioning;
using System.Text.Json;
using Parley.Client;
using Parley.Client.Profiles;

namespace Parley.Web.Browser;

/// <summary>
/// The web client's <see cref="IProfileStore"/>: the profile as JSON in this origin's local storage,
/// which survives a reload. It holds what the SDK puts in a profile and nothing more: public facts,
/// pinned roots, and the identity and device private keys sealed under the password-derived master
/// key. The browser keeps no session token in it (the session is an HttpOnly cookie).
/// </summary>
[SupportedOSPlatform("browser")]
public sealed class BrowserProfileStore : IProfileStore
{
    /// <summary>The local storage key of the profile.</summary>
    public const string StorageKey = "parley.profile.v1";

    /// <inheritdoc />
    public ValueTask<LocalProfile?> LoadAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var json = BrowserInterop.StorageGet(StorageKey);
        if (json is null) return ValueTask.FromResult<LocalProfile?>(null);
        try
        {
            return ValueTask.FromResult(JsonSerializer.Deserialize(json, ClientJson.Default.LocalProfile));
        }
        catch (JsonException)
        {
            // Pinned roots live here: silently starting afresh would trust whatever root the server shows next.
            throw new ProfileException("The Parley profile stored in this browser is damaged. Ask your security officer before clearing this site's data and signing in again.");
        }
    }

    /// <inheritdoc />
    public ValueTask SaveAsync(LocalProfile profile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(profile);
        cancellationToken.ThrowIfCancellationRequested();
        BrowserInterop.StorageSet(StorageKey, JsonSerializer.Serialize(profile, ClientJson.Default.LocalProfile));
        return ValueTask.CompletedTask;
    }
}
