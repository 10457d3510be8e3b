namespace Parley.Server.Identity;

/// <summary>Email addresses compare case-insensitively, without surrounding space.</summary>
public static class Emails
{
    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    /// <summary>A plausible address: something@something, at most 254 characters, no spaces or control characters.</summary>
    public static bool IsPlausible(string? email)
    {
        if (email is null) return false;
        var trimmed = email.Trim();
        var at = trimmed.IndexOf('@');
        return trimmed.Length is > 2 and <= 254 && at > 0 && at == trimmed.LastIndexOf('@') && at < trimmed.Length - 1
            && !trimmed.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));
    }
}
