using Spectre.Console;

namespace Parley.Cli.Identity;

/// <summary>
/// Reads what a command needs from the person at the terminal, or from standard input when a
/// script pipes it: lines are read in order, so <c>--password-stdin</c> takes the first line and a
/// TOTP code asked for later takes the next.
/// </summary>
internal static class Terminal
{
    /// <summary>The password: first line of stdin with <paramref name="fromStdin"/>, else $PARLEY_PASSWORD, else a hidden prompt.</summary>
    public static async Task<string> PasswordAsync(bool fromStdin, CancellationToken cancellationToken)
    {
        if (fromStdin)
        {
            var line = await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(line)) throw new UsageException("--password-stdin was given but standard input had no password line.");
            return line;
        }
        if (Environment.GetEnvironmentVariable(CliOptions.PasswordVariable) is { Length: > 0 } password) return password;
        if (!Console.IsInputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
            return await new TextPrompt<string>("Password:").Secret().ShowAsync(AnsiConsole.Console, cancellationToken).ConfigureAwait(false);
        throw new UsageException($"No password: set {CliOptions.PasswordVariable} or pass --password-stdin.");
    }

    /// <summary>A code from the authenticator app, from <paramref name="given"/> or asked for on stdin.</summary>
    public static async Task<string> CodeAsync(string? given, string prompt, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(given)) return given.Trim();
        await Console.Out.WriteLineAsync(prompt.AsMemory(), cancellationToken).ConfigureAwait(false);
        await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        var line = await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(line)) throw new UsageException("No code was entered; pass it with --otp.");
        return line.Trim();
    }
}
