using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Parley.Cli.Tests;

/// <summary><c>parley serve</c> as a real process: start, answer, stop on SIGTERM (<c>parley demo</c>: <see cref="DemoTests"/>).</summary>
public sealed partial class ServeTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private readonly string _temp = Directory.CreateTempSubdirectory("parley-cli-tests-").FullName;

    private string Data => Path.Combine(_temp, "data");

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Serve_refuses_plain_http_on_all_interfaces()
    {
        var (exit, _, stderr) = await ParleyProcess.RunAsync("serve", "--data", Data, "--urls", "http://0.0.0.0:5080");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("TLS", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.False(Directory.Exists(Data), "a refused configuration created the data folder");
    }

    [Fact]
    public async Task Serve_refuses_https_without_a_certificate()
    {
        var (exit, _, stderr) = await ParleyProcess.RunAsync("serve", "--data", Data, "--urls", "https://127.0.0.1:0");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("certificate", stderr);
    }

    [Fact]
    public async Task Serve_announces_its_address_answers_and_stops_cleanly_on_sigterm()
    {
        await using var parley = ParleyProcess.Start("serve", "--data", Data, "--urls", "http://127.0.0.1:0", "--log-format", "text");
        var listening = await parley.WaitForOutputAsync(ListeningLine(), StartTimeout);
        var address = new Uri(listening.Groups["url"].Value);
        Assert.Equal(IPAddress.Loopback, IPAddress.Parse(address.Host));
        Assert.NotEqual(0, address.Port);

        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        using (var json = JsonDocument.Parse(await http.GetStringAsync("/healthz")))
            Assert.Equal("ok", json.RootElement.GetProperty("status").GetString());

        parley.Terminate();
        Assert.Equal(ExitCodes.Success, await parley.WaitForExitAsync(StopTimeout));
        Assert.True(File.Exists(Path.Combine(Data, "parley.db")));
        // Stopped means stopped: the port no longer answers.
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/healthz"));
    }

    [Fact]
    public async Task Serve_logs_json_lines_by_default()
    {
        await using var parley = ParleyProcess.Start("serve", "--data", Data, "--urls", "http://127.0.0.1:0");
        await parley.WaitForOutputAsync(ListeningLine(), StartTimeout);
        var lifetime = await parley.WaitForOutputAsync(JsonLifetimeLine(), StartTimeout);
        using var json = JsonDocument.Parse(lifetime.Value);
        Assert.Equal("Microsoft.Hosting.Lifetime", json.RootElement.GetProperty("Category").GetString());
        parley.Terminate();
        Assert.Equal(ExitCodes.Success, await parley.WaitForExitAsync(StopTimeout));
    }

    [Fact]
    public async Task A_port_in_use_is_one_clear_line_and_details_only_with_verbose()
    {
        using var occupied = new TcpListener(IPAddress.Loopback, 0);
        occupied.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)occupied.LocalEndpoint).Port}";

        var (exit, _, stderr) = await ParleyProcess.RunAsync("serve", "--data", Data, "--urls", url, "--log-format", "text");
        Assert.Equal(ExitCodes.Failure, exit);
        Assert.StartsWith("parley: ", stderr);
        Assert.Contains("address already in use", stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("--verbose", stderr);
        Assert.DoesNotContain("   at ", stderr);

        var (verboseExit, _, verbose) = await ParleyProcess.RunAsync("serve", "--data", Data, "--urls", url, "--log-format", "text", "--verbose");
        Assert.Equal(ExitCodes.Failure, verboseExit);
        Assert.Contains("   at ", verbose);
    }

    [GeneratedRegex(@"^Listening on (?<url>http://127\.0\.0\.1:\d+/)$")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"^\{.*""Category"":""Microsoft\.Hosting\.Lifetime"".*\}$")]
    private static partial Regex JsonLifetimeLine();
}
