using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http.Connections.Client;

namespace Parley.Client.Api;

/// <summary>How requests prove the session: a bearer token (CLI) or the browser's cookie plus the
/// antiforgery token bound to it (web).</summary>
public abstract class SessionCredentials
{
    private protected SessionCredentials()
    {
    }

    /// <summary>Header that carries the antiforgery token of a cookie session.</summary>
    public const string CsrfHeader = "X-CSRF-TOKEN";

    internal abstract void Apply(HttpRequestMessage request);

    /// <summary>Makes a real-time (SignalR) connection carry the same session.</summary>
    internal abstract void Apply(HttpConnectionOptions options);

    /// <summary>A session whose token travels as <c>Authorization: Bearer</c>.</summary>
    public static SessionCredentials Bearer(string token) => new BearerCredentials(token);

    /// <summary>A session whose cookie the browser holds; unsafe requests carry the antiforgery token.</summary>
    public static SessionCredentials Cookie(string csrfToken) => new CookieCredentials(csrfToken);

    private sealed class BearerCredentials : SessionCredentials
    {
        private readonly string _token;

        public BearerCredentials(string token)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(token);
            _token = token;
        }

        internal override void Apply(HttpRequestMessage request) =>
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);

        internal override void Apply(HttpConnectionOptions options) => options.AccessTokenProvider = () => Task.FromResult<string?>(_token);

        public override string ToString() => "BearerSession(private)";
    }

    private sealed class CookieCredentials : SessionCredentials
    {
        private readonly string _csrfToken;

        public CookieCredentials(string csrfToken)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(csrfToken);
            _csrfToken = csrfToken;
        }

        internal override void Apply(HttpRequestMessage request)
        {
            // Safe methods change nothing, so only they may go without the token (the server checks the rest).
            if (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Options) return;
            request.Headers.Remove(CsrfHeader);
            request.Headers.Add(CsrfHeader, _csrfToken);
        }

        // The browser sends the cookie itself; the negotiation is a POST, which needs the antiforgery token.
        internal override void Apply(HttpConnectionOptions options) => options.Headers[CsrfHeader] = _csrfToken;

        public override string ToString() => "CookieSession(private)";
    }
}
