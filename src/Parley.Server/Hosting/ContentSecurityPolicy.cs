using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.FileProviders;

namespace Parley.Server.Hosting;

/// <summary>
/// The Content-Security-Policy of every response. Scripts load only from this origin; the one
/// inline script of the web client, the import map that the build writes into index.html (it maps
/// module names to fingerprinted files with their integrity hashes), is allowed by its SHA-256
/// hash, computed from the file actually served, so no other inline script can run.
/// </summary>
internal static partial class ContentSecurityPolicy
{
    /// <summary>The policy for the web client found in <paramref name="webRoot"/> (index.html).</summary>
    public static string For(IFileProvider webRoot)
    {
        var index = webRoot.GetFileInfo("index.html");
        var hashes = index.Exists ? InlineScriptHashes(Read(index)) : [];
        var scriptSources = string.Concat(hashes.Select(h => " " + h));
        // Blazor WebAssembly compiles its runtime with WebAssembly.instantiate: 'wasm-unsafe-eval'.
        return $"default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{scriptSources}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
    }

    /// <summary>CSP source expressions ('sha256-…') for the inline scripts of an HTML page.</summary>
    public static IReadOnlyList<string> InlineScriptHashes(string html)
    {
        var hashes = new List<string>();
        foreach (Match match in InlineScript().Matches(html))
        {
            if (SourceAttribute().IsMatch(match.Groups["attributes"].Value)) continue;
            // Browsers hash the script's text after the HTML parser has normalised line breaks.
            var text = match.Groups["body"].Value.Replace("\r\n", "\n").Replace('\r', '\n');
            hashes.Add($"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)))}'");
        }
        return hashes;
    }

    private static string Read(IFileInfo file)
    {
        using var stream = file.CreateReadStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"<script\b(?<attributes>[^>]*)>(?<body>.*?)</script\s*>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"\bsrc\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex SourceAttribute();
}
