using Microsoft.Extensions.FileProviders;
using Parley.Server.Hosting;

namespace Parley.Server.Tests;

public sealed class ContentSecurityPolicyTests
{
    [Fact]
    public void An_inline_script_is_allowed_by_the_hash_browsers_compute()
    {
        // The example of the CSP Level 3 specification, §8.3 (hash-source).
        var hashes = ContentSecurityPolicy.InlineScriptHashes("<html><script>alert('Hello, world.');</script></html>");
        Assert.Equal(["'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"], hashes);
    }

    [Fact]
    public void Line_breaks_are_hashed_as_the_html_parser_normalises_them()
    {
        var unix = ContentSecurityPolicy.InlineScriptHashes("<script type=\"importmap\">\n{\"imports\": {}}\n</script>");
        var windows = ContentSecurityPolicy.InlineScriptHashes("<script type=\"importmap\">\r\n{\"imports\": {}}\r\n</script>");
        Assert.Equal(["'sha256-wBjgJ1q49INf4XJc48CRHMrPhgBsUuiOyhCsPoUMBwo='"], unix);
        Assert.Equal(unix, windows);
    }

    [Fact]
    public void Scripts_loaded_from_a_file_get_no_hash()
    {
        var hashes = ContentSecurityPolicy.InlineScriptHashes("""
            <head><script type="importmap">{}</script></head>
            <body><script src="_framework/blazor.webassembly.js"></script><SCRIPT SRC='x.js' defer></SCRIPT></body>
            """);
        Assert.Single(hashes);
    }

    [Fact]
    public void The_policy_allows_exactly_the_inline_scripts_of_the_served_index_page()
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "index.html"), "<script type=\"importmap\">\n{\"imports\": {}}\n</script><script src=\"app.js\"></script>");
        using var files = new PhysicalFileProvider(folder.Path);
        var policy = ContentSecurityPolicy.For(files);
        Assert.Contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-wBjgJ1q49INf4XJc48CRHMrPhgBsUuiOyhCsPoUMBwo=';", policy);
        Assert.DoesNotContain("unsafe-inline", policy.Split("script-src")[1].Split(';')[0]);
        Assert.Contains("frame-ancestors 'none'", policy);
    }

    [Fact]
    public void Without_a_web_client_no_inline_script_is_allowed()
    {
        using var folder = new TempFolder();
        using var files = new PhysicalFileProvider(folder.Path);
        Assert.Contains("script-src 'self' 'wasm-unsafe-eval';", ContentSecurityPolicy.For(files));
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "parley-csp-" + Guid.NewGuid().ToString("N"))).FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
