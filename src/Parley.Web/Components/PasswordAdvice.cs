namespace Parley.Web.Components;

/// <summary>
/// A hint about a new password's strength. Its one hard rule is a minimum length; the rest is
/// advice, because length beats composition rules (NIST SP 800-63B). The password protects the keys
/// sealed in this browser and on the server, so the bar is higher than for a web login.
/// </summary>
public static class PasswordAdvice
{
    /// <summary>Shortest password accepted at enrollment.</summary>
    public const int MinimumLength = 12;

    /// <summary>A strength word and a sentence of advice.</summary>
    public static (string Strength, string Advice) Assess(string? password)
    {
        var text = password ?? "";
        if (text.Length == 0) return ("", $"At least {MinimumLength} characters; a passphrase of several unrelated words is best.");
        if (text.Length < MinimumLength) return ("too short", $"{MinimumLength - text.Length} more characters needed.");
        var classes = new[] { text.Any(char.IsLower), text.Any(char.IsUpper), text.Any(char.IsDigit), text.Any(c => !char.IsLetterOrDigit(c)) }.Count(b => b);
        var distinct = text.Distinct().Count();
        if (distinct < 6) return ("weak", "It repeats the same few characters; use more varied words.");
        if (text.Length >= 20 || (text.Length >= 14 && classes >= 3)) return ("strong", "A good password. Do not use it anywhere else.");
        return ("fair", "Acceptable; a longer passphrase would be stronger.");
    }
}
