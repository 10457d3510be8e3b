using Parley.Protocol;

namespace Parley.Client.Flows;

/// <summary>
/// A one-time enrollment link, <c>BASE/enroll#token=T&amp;root=FINGERPRINT</c>. The token and the
/// root fingerprint travel in the fragment, which browsers neither send nor log; the fingerprint
/// is what the enrollee's security officer saw, so the enrollee pins that root and not whatever
/// the server presents.
/// </summary>
/// <param name="Server">The server's root address.</param>
/// <param name="Token">The one-time token.</param>
/// <param name="RootFingerprint">The delegation root's fingerprint (lower-case hex), when the delegation has a root.</param>
public sealed record EnrollmentLink(Uri Server, string Token, string? RootFingerprint)
{
    /// <summary>The path segment of enrollment links.</summary>
    public const string PathSegment = "enroll";

    /// <summary>Parses a link; a typed error saying what is wrong with it.</summary>
    public static Result<EnrollmentLink> Parse(string? text)
    {
        if (!Uri.TryCreate(text?.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return Result<EnrollmentLink>.Fail(ProtocolErrorCode.Malformed, "An enrollment link is an http(s) address ending in /enroll#token=...");
        var path = uri.AbsolutePath.TrimEnd('/');
        if (!path.EndsWith("/" + PathSegment, StringComparison.Ordinal))
            return Result<EnrollmentLink>.Fail(ProtocolErrorCode.Malformed, $"The link's path should end in /{PathSegment}, not '{uri.AbsolutePath}'.");
        string? token = null, root = null;
        foreach (var part in uri.Fragment.TrimStart('#').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0) continue;
            var value = Uri.UnescapeDataString(part[(equals + 1)..]);
            switch (part[..equals])
            {
                case "token": token = value; break;
                case "root": root = value; break;
            }
        }
        if (string.IsNullOrWhiteSpace(token))
            return Result<EnrollmentLink>.Fail(ProtocolErrorCode.Malformed, "The enrollment link carries no token (it is in the part after '#'; copy the whole link).");
        if (root is not null && (root.Length != 64 || !root.All(Uri.IsHexDigit)))
            return Result<EnrollmentLink>.Fail(ProtocolErrorCode.Malformed, "The root fingerprint in the link is not 64 hexadecimal digits.");
        var server = new Uri(uri.GetLeftPart(UriPartial.Authority) + path[..^PathSegment.Length]);
        return new EnrollmentLink(server, token, root?.ToLowerInvariant());
    }

    /// <summary>The link for the bootstrap token of a new server (no delegation, no root).</summary>
    public static EnrollmentLink Bootstrap(Uri server, string token) => new(server, token, null);

    /// <inheritdoc />
    public override string ToString() => $"EnrollmentLink({Server}, token private, root {RootFingerprint ?? "none"})";
}
