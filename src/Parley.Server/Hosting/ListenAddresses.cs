using System.Net;

namespace Parley.Server.Hosting;

/// <summary>A listening address the server will bind.</summary>
/// <param name="Url">The address as given.</param>
/// <param name="IsHttps">True for https.</param>
/// <param name="IsLoopback">True when only this machine can connect.</param>
public sealed record ListenAddress(Uri Url, bool IsHttps, bool IsLoopback);

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
            if (!Uri.TryCreate(part, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || url.AbsolutePath != "/")
                return (null, $"'{part}' is not a listening address; use e.g. http://127.0.0.1:5080 or https://0.0.0.0:443.");
            var https = url.Scheme == Uri.UriSchemeHttps;
            var loopback = IsLoopback(url.Host);
            if (https && !tlsConfigured)
                return (null, $"'{part}' is https, but no certificate is configured; pass --tls-cert and --tls-key.");
            if (!https && !loopback)
                return (null, $"Refusing to serve plain HTTP on '{part}', which is reachable from other machines. Use https with --tls-cert and --tls-key, or bind to 127.0.0.1.");
            addresses.Add(new ListenAddress(url, https, loopback));
        }
        return addresses.Count == 0 ? (null, "No listening address was given.") : (addresses, null);
    }

    private static bool IsLoopback(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }
}
