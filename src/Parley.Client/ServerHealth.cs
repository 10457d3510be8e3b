using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace Parley.Client;

/// <summary>What <c>GET /healthz</c> reports.</summary>
/// <param name="Status">"ok" when the server can serve requests.</param>
/// <param name="Version">The server's version.</param>
/// <param name="Storage">The state of its storage.</param>
public sealed record ServerHealth(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("storage")] StorageHealth Storage);

/// <summary>Storage part of <see cref="ServerHealth"/>.</summary>
/// <param name="Provider">"sqlite" or "postgresql".</param>
/// <param name="Database">"ok" or the problem.</param>
/// <param name="Blobs">"ok" or the problem.</param>
public sealed record StorageHealth(
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("database")] string Database,
    [property: JsonPropertyName("blobs")] string Blobs);

/// <summary>Reads a server's health.</summary>
public static class ServerHealthClient
{
    /// <summary>Fetches <c>/healthz</c> from <paramref name="http"/>'s base address.</summary>
    public static async Task<ServerHealth> GetAsync(HttpClient http, CancellationToken cancellationToken = default) =>
        await http.GetFromJsonAsync("healthz", ClientJson.Default.ServerHealth, cancellationToken).ConfigureAwait(false)
        ?? throw new HttpRequestException("The server sent an empty health report.");
}
