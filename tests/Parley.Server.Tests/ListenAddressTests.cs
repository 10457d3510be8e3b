using System.Net;
using Parley.Server.Hosting;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests;

/// <summary>DESIGN §7: plain HTTP on loopback only; anything reachable from elsewhere needs TLS with a certificate.</summary>
public sealed class ListenAddressTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5080", "127.0.0.1")]
    [InlineData("http://127.0.0.1:0", "127.0.0.1")]
    [InlineData("http://[::1]:5080", "::1")]
    [InlineData("http://localhost:5080", "127.0.0.1")]
    [InlineData("http://LOCALHOST:5080", "127.0.0.1")]
    [InlineData("http://127.0.0.2:5080", "127.0.0.2")]
    public void Loopback_http_is_accepted(string url, string bound)
    {
        var (addresses, error) = ListenAddresses.Parse(url, tlsConfigured: false);
        Assert.Null(error);
        var address = Assert.Single(addresses!);
        Assert.True(address.IsLoopback);
        Assert.False(address.IsHttps);
        Assert.Equal(IPAddress.Parse(bound), address.Address);
    }

    [Theory]
    [InlineData("http://0.0.0.0:5080")]
    [InlineData("http://192.168.1.20:5080")]
    [InlineData("http://10.0.0.5")]
    [InlineData("http://[::]:5080")]
    [InlineData("http://[2001:db8::1]:5080")]
    [InlineData("http://127.0.0.1:5080;http://0.0.0.0:5081")]
    public void Plain_http_reachable_from_other_machines_is_refused_naming_tls(string urls)
    {
        var (addresses, error) = ListenAddresses.Parse(urls, tlsConfigured: true);
        Assert.Null(addresses);
        Assert.Contains("TLS", error);
        Assert.Contains("Refusing", error);
    }

    [Theory]
    [InlineData("https://127.0.0.1:5443")]
    [InlineData("https://0.0.0.0:443")]
    public void Https_without_a_certificate_is_refused(string url)
    {
        var (addresses, error) = ListenAddresses.Parse(url, tlsConfigured: false);
        Assert.Null(addresses);
        Assert.Contains("certificate", error);
    }

    [Theory]
    [InlineData("https://0.0.0.0:443", false)]
    [InlineData("https://192.168.1.20:8443", false)]
    [InlineData("https://[::1]:8443", true)]
    public void Https_with_a_certificate_is_accepted_anywhere(string url, bool loopback)
    {
        var (addresses, error) = ListenAddresses.Parse(url, tlsConfigured: true);
        Assert.Null(error);
        var address = Assert.Single(addresses!);
        Assert.True(address.IsHttps);
        Assert.Equal(loopback, address.IsLoopback);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("127.0.0.1:5080")]
    [InlineData("ftp://127.0.0.1:21")]
    [InlineData("http://127.0.0.1:5080/parley")]
    [InlineData("http://127.0.0.1:5080/?debug=1")]
    [InlineData("http://user:pass@127.0.0.1:5080")]
    [InlineData("http://127.0.0.1:99999")]
    [InlineData("http://example.org:80")]
    [InlineData("https://parley.example.org:443")]
    [InlineData("")]
    [InlineData(" ; ")]
    public void Malformed_addresses_are_refused_with_a_message(string urls)
    {
        var (addresses, error) = ListenAddresses.Parse(urls, tlsConfigured: true);
        Assert.Null(addresses);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Theory]
    [InlineData("http://0.0.0.0:0", "TLS")]
    [InlineData("https://127.0.0.1:0", "certificate")]
    [InlineData("not a url", "not a listening address")]
    public async Task The_host_refuses_to_start_and_creates_nothing(string urls, string expected)
    {
        using var temp = new TempFolder();
        var data = temp.Child("data");
        var refused = await Assert.ThrowsAsync<ServerConfigurationException>(() => ParleyHost.StartAsync(TestServer.Options(data, urls)));
        Assert.Contains(expected, refused.Message);
        Assert.False(Directory.Exists(data), "a refused configuration created the data folder");
    }

    [Fact]
    public async Task A_certificate_without_its_key_is_refused()
    {
        using var temp = new TempFolder();
        var options = TestServer.Options(temp.Child("data"), "https://127.0.0.1:0") with { TlsCertificatePath = temp.Child("cert.pem") };
        var refused = await Assert.ThrowsAsync<ServerConfigurationException>(() => ParleyHost.StartAsync(options));
        Assert.Contains("--tls-key", refused.Message);
    }

    [Fact]
    public async Task An_unreadable_certificate_is_a_configuration_error()
    {
        using var temp = new TempFolder();
        await File.WriteAllTextAsync(temp.Child("cert.pem"), "not a certificate");
        await File.WriteAllTextAsync(temp.Child("key.pem"), "not a key");
        var options = TestServer.Options(temp.Child("data"), "https://127.0.0.1:0") with
        {
            TlsCertificatePath = temp.Child("cert.pem"),
            TlsKeyPath = temp.Child("key.pem"),
        };
        var refused = await Assert.ThrowsAsync<ServerConfigurationException>(() => ParleyHost.StartAsync(options));
        Assert.Contains("TLS certificate", refused.Message);
    }
}
