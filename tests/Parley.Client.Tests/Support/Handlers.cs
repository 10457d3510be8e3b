using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;

namespace Parley.Client.Tests.Support;

/// <summary>Keeps a copy of every request body the client sends, to check what reaches the server.</summary>
public sealed class RecordingHandler : DelegatingHandler
{
    private readonly List<(string Path, byte[] Body)> _requests = [];

    public IReadOnlyList<(string Path, byte[] Body)> Requests
    {
        get { lock (_requests) return [.. _requests]; }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var headers = string.Join("\n", request.Headers.Select(h => $"{h.Key}: {string.Join(",", h.Value)}"));
        lock (_requests) _requests.Add((request.RequestUri!.AbsolutePath, [.. System.Text.Encoding.UTF8.GetBytes(headers + "\n\n"), .. body]));
        return await base.SendAsync(request, cancellationToken);
    }
}

/// <summary>A server that lies: rewrites the JSON answers of chosen paths before the client sees them.</summary>
public sealed class TamperingHandler : DelegatingHandler
{
    private readonly List<Func<HttpRequestMessage, HttpResponseMessage, CancellationToken, Task<HttpResponseMessage?>>> _rules = [];

    /// <summary>Rewrites successful answers of GET requests whose path ends with <paramref name="pathSuffix"/>.</summary>
    public void Rewrite<T>(string pathSuffix, JsonTypeInfo<T> type, Func<T, T> change)
    {
        _rules.Add(async (request, response, cancellationToken) =>
        {
            if (request.Method != HttpMethod.Get || !response.IsSuccessStatusCode || !request.RequestUri!.AbsolutePath.EndsWith(pathSuffix, StringComparison.Ordinal)) return null;
            var value = await response.Content.ReadFromJsonAsync(type, cancellationToken) ?? throw new InvalidOperationException("empty answer");
            return new HttpResponseMessage(response.StatusCode) { Content = JsonContent.Create(change(value), type), RequestMessage = request };
        });
    }

    public void Clear() => _rules.Clear();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        foreach (var rule in _rules)
        {
            var replaced = await rule(request, response, cancellationToken);
            if (replaced is null) continue;
            response.Dispose();
            return replaced;
        }
        return response;
    }
}
