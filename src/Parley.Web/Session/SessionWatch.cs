using System.Net;
using System.Text.Json;

namespace Parley.Web.Session;

/// <summary>
/// Watches every answer from the server for the one that says the session is gone (401 with the
/// problem type <c>unauthenticated</c>: expired, idle too long, ended elsewhere) and tells
/// <see cref="WebSession"/>, so whichever page made the request, the user lands on the sign-in page
/// with the server's reason. Wrong credentials at sign-in are another problem type and pass through.
/// </summary>
public sealed class SessionWatch : DelegatingHandler
{
    private const string UnauthenticatedProblem = "urn:parley:problem:unauthenticated";

    /// <summary>Raised with the server's explanation when it refuses the session.</summary>
    public event Action<string>? SessionRefused;

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(true);
        if (response.StatusCode != HttpStatusCode.Unauthorized) return response;
        // Buffered, so the client that made the request still reads the same problem details.
        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(true);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(true);
        if (Refusal(text) is { } reason) SessionRefused?.Invoke(reason);
        return response;
    }

    private static string? Refusal(string text)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.GetString() != UnauthenticatedProblem) return null;
            return root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String ? detail.GetString() : "Sign in again.";
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
