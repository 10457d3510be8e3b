using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Parley.Protocol.Crypto;
using Parley.Protocol.SelfTest;

namespace Parley.Bench.Quick;

/// <summary>
/// <c>browser</c>: the self-test's timed streaming round trip in headless Chromium (the web client's
/// <c>/selftest?mib=N</c> on WebCrypto, served by a running <c>parley serve</c>) against the same round
/// trip natively (<see cref="SelfTestSuite"/> on <see cref="CryptoSuite.Default"/>, which is what
/// <c>parley selftest --mib N</c> runs). Runs alternate, native then browser, so both see the same load;
/// the best of each is compared. Both figures are wall clock, as the self-test reports them. The
/// target is the browser at 30 % of native or more.
/// </summary>
public static partial class BrowserComparison
{
    public const double Target = 0.30;
    public const int DefaultMib = 64;

    // The page's own limit (Pages/SelfTest.razor): it holds plaintext, ciphertext and output.
    private const int MaxMib = 512;

    // Startup of the WebAssembly runtime and the post-quantum checks in the interpreter come first.
    private const float PageTimeoutMs = 600_000;

    public static async Task<int> RunAsync(Options options)
    {
        if (options.Url is null) throw new UsageException("browser needs --url, the address of a running 'parley serve' (Release build).");
        if (options.Mib > MaxMib) throw new UsageException($"browser takes --mib up to {MaxMib}, the self-test page's limit.");
        var bytes = options.Mib * 1024 * 1024;
        var page = new Uri(new Uri(options.Url), $"selftest?mib={options.Mib.ToString(CultureInfo.InvariantCulture)}");
        Console.WriteLine($"browser: {options.Mib} MiB round trip, {page} against native {CryptoSuite.Default.Backend.Name}, best of {options.Runs}; {Measure.Load()}, {Environment.ProcessorCount} cores");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        // Warm both up once, untimed: the first native run JITs, the first page load fills the cache.
        await NativeAsync(bytes);
        await BrowserAsync(browser, page, options.Mib);

        RoundTrip native = default, web = default;
        for (var run = 1; run <= options.Runs; run++)
        {
            var n = await NativeAsync(bytes);
            Console.WriteLine($"  native  run {run}: encrypt {n.Encrypt,7:F0} MB/s, decrypt {n.Decrypt,7:F0} MB/s");
            var b = await BrowserAsync(browser, page, options.Mib);
            Console.WriteLine($"  browser run {run}: encrypt {b.Encrypt,7:F0} MB/s, decrypt {b.Decrypt,7:F0} MB/s");
            native = RoundTrip.Max(native, n);
            web = RoundTrip.Max(web, b);
        }
        Console.WriteLine();
        Console.WriteLine($"{"",-8} {"encrypt",12} {"decrypt",12}   (best of {options.Runs}, MB/s by wall clock)");
        Console.WriteLine($"{"native",-8} {native.Encrypt,12:F0} {native.Decrypt,12:F0}");
        Console.WriteLine($"{"browser",-8} {web.Encrypt,12:F0} {web.Decrypt,12:F0}");
        Console.WriteLine($"{"share",-8} {web.Encrypt / native.Encrypt,12:P0} {web.Decrypt / native.Decrypt,12:P0}   target {Target:P0}: encryption {(web.Encrypt / native.Encrypt >= Target ? "met" : "NOT met")}");
        Console.WriteLine(Measure.Load());
        return 0;
    }

    private readonly record struct RoundTrip(double Encrypt, double Decrypt)
    {
        public static RoundTrip Max(RoundTrip a, RoundTrip b) => new(Math.Max(a.Encrypt, b.Encrypt), Math.Max(a.Decrypt, b.Decrypt));
    }

    private static async Task<RoundTrip> NativeAsync(int bytes)
    {
        GC.Collect();
        var report = await new SelfTestSuite(CryptoSuite.Default).RunAsync(bytes);
        if (!report.Passed) throw new InvalidOperationException($"The native self-test failed: {report.Summary}");
        return Parse(report.Checks[^1].Detail);
    }

    private static async Task<RoundTrip> BrowserAsync(IBrowser browser, Uri page, int mib)
    {
        // A fresh context each time, as a user opening the page would have.
        await using var context = await browser.NewContextAsync();
        var tab = await context.NewPageAsync();
        await tab.GotoAsync(page.ToString());
        var result = tab.Locator("#selftest-result");
        await Assertions.Expect(result).ToHaveTextAsync(new Regex("^(PASS|FAIL)"), new() { Timeout = PageTimeoutMs });
        var summary = await result.InnerTextAsync();
        if (!summary.StartsWith("PASS", StringComparison.Ordinal)) throw new InvalidOperationException($"The browser self-test failed: {summary}");
        var check = await tab.Locator("#selftest-checks .check-name").Last.InnerTextAsync();
        if (!check.Contains($"({mib} MiB)", StringComparison.Ordinal)) throw new InvalidOperationException($"The page ran \"{check}\", not {mib} MiB.");
        return Parse(await tab.Locator("#selftest-checks .check-detail").Last.InnerTextAsync());
    }

    private static RoundTrip Parse(string detail)
    {
        var match = RoundTripDetail().Match(detail);
        if (!match.Success) throw new InvalidOperationException($"No throughput in the round trip's detail: {detail}");
        return new RoundTrip(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"encrypt (\d+) MB/s, decrypt (\d+) MB/s")]
    private static partial Regex RoundTripDetail();
}
