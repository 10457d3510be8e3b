namespace Parley.Server.Identity.Sessions;

/// <summary>The web client's session cookie: Secure, HttpOnly, SameSite=Strict, Path=/.</summary>
public static class SessionCookie
{
    public const string Name = "parley_session";
    public const string CsrfHeader = "X-CSRF-TOKEN";

    public static void Write(HttpResponse response, string token, DateTimeOffset expires) =>
        response.Cookies.Append(Name, token, Options(expires));

    public static void Delete(HttpResponse response) => response.Cookies.Delete(Name, Options(null));

    private static CookieOptions Options(DateTimeOffset? expires) => new()
    {
        // Browsers accept Secure cookies from http://127.0.0.1 and localhost, the only plain-HTTP addresses the server binds.
        Secure = true,
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };
}
