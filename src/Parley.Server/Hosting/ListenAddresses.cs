using System.Net;

namespace Parley.Server.Hosting;

/// <summary>A listening address the server will bind.</summary>
/// <param name="Url">The address as given.</param>
/// <param name="Address">The IP address to bind (<c>localhost</c> binds 127.0.0.1).</param>
/// <param name="IsHttps">True for https.</param>
/// <param name="IsLoopback">True when only this machine can connect.</param>
public sealed record ListenAddress(Uri Url, IPAddress Address, bool IsHttps, bool IsLoopback);

/// <summary>
/// Parses <c>--urls</c> and enforces the rule of DESIGN §7: plain HTTP only on loopback; any other
/// address needs TLS with a configured certificate.
/// </summary>
public static class ListenAddresses
{
    /// <summary>The addresses, or a message that says what is wrong and how to fix it.</summary>
    public static (IReadOnlyList<ListenAddress>? Addresses, string? Error) Parse(string urls, bool tlsConfigured)
    {
        var addresses = new List<ListenAddress>();
        foreach (var part in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
                || url.AbsolutePath != "/" || url.Query.Length > 0 || url.Fragment.Length > 0 || url.UserInfo.Length > 0)
                return (null, $"'{part}' is not a listening address; use e.g. http://127.0.0.1:5080 or https://0.0.0.0:443.");
            // Kestrel binds IP addresses; a host name would resolve to who knows which interfaces.
            var ip = string.Equals(url.Host, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
                : IPAddress.TryParse(url.Host.Trim('[', ']'), out var parsed) ? parsed : null;
            if (ip is null)
                return (null, $"'{part}' names a host; listen on an IP address (e.g. 127.0.0.1, or 0.0.0.0 with TLS) or on localhost.");
            var https = url.Scheme == Uri.UriSchemeHttps;
            var loopback = IPAddress.IsLoopback(ip);
            if (https && !tlsConfigured)
                return (null, $"'{part}' is https, but no TLS certificate is configured; pass --tls-cert and --tls-key.");
            if (!https && !loopback)
                return (null, $"Refusing to serve plain HTTP on '{part}', which other machines can reach: use https with a TLS certificate (--tls-cert and --tls-key), or bind to 127.0.0.1.");
            addresses.Add(new ListenAddress(url, ip, https, loopback));
        }
        return addresses.Count == 0 ? (null, "No listening address was given.") : (addresses, null);
    }
}
