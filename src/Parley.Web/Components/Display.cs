using System.Globalization;

namespace Parley.Web.Components;

/// <summary>How the web client writes times and codes: UTC, as the server's messages do, so that
/// people in different time zones read the same thing.</summary>
public static class Display
{
    /// <summary>"2026-11-28 19:15:02 UTC", or an em dash.</summary>
    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC" : "—";

    /// <summary>"2026-11-28", or an em dash.</summary>
    public static string Date(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "—";

    /// <summary>A fingerprint in groups of four, easier to read aloud and compare.</summary>
    public static string Fingerprint(string? hex) =>
        string.IsNullOrEmpty(hex) ? "—" : string.Join(' ', Enumerable.Range(0, (hex.Length + 3) / 4).Select(i => hex.Substring(i * 4, Math.Min(4, hex.Length - i * 4))));

    /// <summary>Role names as people read them.</summary>
    public static string Roles(IEnumerable<string> roles) => string.Join(", ", roles.Select(Role));

    /// <summary>"security-officer" → "security officer".</summary>
    public static string Role(string role) => role.Replace('-', ' ');
}
