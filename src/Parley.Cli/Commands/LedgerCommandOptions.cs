using System.CommandLine;
using Parley.Cli.Identity;
using Parley.Protocol.Ledger;

namespace Parley.Cli.Commands;

/// <summary>Options and helpers shared by the ledger and witness commands.</summary>
internal static class LedgerCommandOptions
{
    public static Option<Uri> Server(bool required) => new("--server")
    {
        Description = "The Parley server's base URL, e.g. https://parley.example.org/.",
        HelpName = "URL",
        Required = required,
        CustomParser = result =>
        {
            var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (Uri.TryCreate(token, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Query.Length == 0 && uri.UserInfo.Length == 0)
                return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri + "/");
            result.AddError($"--server takes an http or https URL without query or user info, not '{token}'.");
            return null;
        },
    };

    public static Option<string[]> LogKeys() => new("--log-key")
    {
        Description = "A log verifier key to pin (repeatable; Ed25519 and ML-DSA-87). Without it, the keys the server publishes are used.",
        HelpName = "VKEY",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<string[]> Witnesses() => new("--witness")
    {
        Description = "A witness's cosignature/v1 verifier key whose valid cosignature the checkpoint must carry (repeatable).",
        HelpName = "VKEY",
    };

    public static HttpClient Http(Uri server) => new() { BaseAddress = server, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Parses verifier keys given on the command line; a bad one is a usage error.</summary>
    public static IReadOnlyList<INoteVerifier>? ParseKeys(string[]? keys)
    {
        if (keys is null || keys.Length == 0) return null;
        var parsed = new List<INoteVerifier>();
        foreach (var key in keys)
        {
            var verifier = NoteKeys.ParseVerifierKey(key.Trim());
            if (!verifier.IsOk) throw new UsageException($"'{key}' is not a verifier key: {verifier.Error.Message}");
            parsed.Add(verifier.Value);
        }
        return parsed;
    }
}
