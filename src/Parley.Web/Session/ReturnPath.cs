using Parley.Protocol.Identity;

namespace Parley.Web.Session;

/// <summary>Where to go after signing in or unlocking: the page that sent the user, if it is a page of
/// this client, else the user's home page.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("browser")]
public static class ReturnPath
{
    /// <summary>A safe local path from the ?return= parameter, or null.</summary>
    public static string? Parse(string? value)
    {
        // Only "/page" forms: "//host" and "/\host" would leave this origin.
        if (string.IsNullOrEmpty(value) || value[0] != '/' || value.Length > 200) return null;
        if (value.Length > 1 && (value[1] == '/' || value[1] == '\\')) return null;
        if (value.StartsWith("/signin", StringComparison.Ordinal) || value.StartsWith("/unlock", StringComparison.Ordinal)) return null;
        return value.All(c => c > ' ' && c != '\\') ? value : null;
    }

    /// <summary>The page a user starts on: the host administrator's console, the officer's, or the account.</summary>
    public static string Home(WebSession session) =>
        session.Holds(Roles.HostAdministrator) ? "admin" : session.Holds(Roles.SecurityOfficer) ? "officer" : "account";

    /// <summary>Base-relative form of a local path for NavigationManager.</summary>
    public static string Relative(string path) => path.TrimStart('/');
}
