using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Parley.Server.Hosting;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests;

/// <summary>An https server with a PEM certificate and key, as <c>parley serve --tls-cert --tls-key</c> runs it.</summary>
public sealed class TlsTests
{
    [Fact]
    public async Task Https_server_with_a_pem_certificate_serves_healthz()
    {
        using var temp = new TempFolder();
        using var certificate = SelfSigned(temp, out var certificatePath, out var keyPath);
        var options = TestServer.Options(temp.Child("data"), "https://127.0.0.1:0") with { TlsCertificatePath = certificatePath, TlsKeyPath = keyPath };
        await using var server = await ParleyHost.StartAsync(options);
        var address = Assert.Single(server.Addresses);
        Assert.Equal("https", address.Scheme);

        X509Certificate2? presented = null;
        using var pinned = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                // Trust exactly the certificate made above, nothing else.
                RemoteCertificateValidationCallback = (_, cert, _, _) =>
                {
                    presented = cert is null ? null : new X509Certificate2(cert);
                    return cert is not null && cert.GetCertHash(HashAlgorithmName.SHA256).AsSpan().SequenceEqual(certificate.GetCertHash(HashAlgorithmName.SHA256));
                },
            },
        }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };

        using var response = await pinned.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ok", json.RootElement.GetProperty("status").GetString());
        Assert.NotNull(presented);
        Assert.Equal(certificate.Thumbprint, presented.Thumbprint);
        presented.Dispose();
    }

    [Fact]
    public async Task Https_server_is_not_trusted_without_its_certificate_and_does_not_speak_plain_http()
    {
        using var temp = new TempFolder();
        using var certificate = SelfSigned(temp, out var certificatePath, out var keyPath);
        var options = TestServer.Options(temp.Child("data"), "https://127.0.0.1:0") with { TlsCertificatePath = certificatePath, TlsKeyPath = keyPath };
        await using var server = await ParleyHost.StartAsync(options);
        var address = server.Addresses[0];

        using var strict = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var untrusted = await Assert.ThrowsAsync<HttpRequestException>(() => strict.GetAsync(new Uri(address, "/healthz")));
        Assert.IsType<AuthenticationException>(untrusted.InnerException);

        // Plain HTTP to the TLS port gets no answer at all, let alone the health report.
        await Assert.ThrowsAsync<HttpRequestException>(() => strict.GetAsync(new UriBuilder(address) { Scheme = "http", Path = "/healthz" }.Uri));
    }

    private static X509Certificate2 SelfSigned(TempFolder folder, out string certificatePath, out string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest("CN=parley-test", key, HashAlgorithmName.SHA384);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        certificatePath = folder.Child("cert.pem");
        keyPath = folder.Child("key.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return certificate;
    }
}
