using System.Text;
using Microsoft.Extensions.Time.Testing;
using Parley.Server.Identity.Mfa;

namespace Parley.Server.Tests.Identity;

/// <summary>The server's TOTP check against RFC 6238 Appendix B (SHA-1; six digits are the last six of the eight given there).</summary>
public sealed class TotpAuthenticatorTests
{
    private static readonly byte[] RfcSecret = Encoding.ASCII.GetBytes("12345678901234567890");

    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111109L, "07081804")]
    [InlineData(1111111111L, "14050471")]
    [InlineData(1234567890L, "89005924")]
    [InlineData(2000000000L, "69279037")]
    [InlineData(20000000000L, "65353130")]
    public void RFC_6238_vectors_verify_at_their_time_and_not_twice(long unixTime, string eightDigits)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(unixTime));
        var totp = new TotpAuthenticator(clock);
        var code = eightDigits[^6..];
        var step = totp.Verify(RfcSecret, code, lastAcceptedStep: -1);
        Assert.Equal(unixTime / 30, step);
        Assert.Null(totp.Verify(RfcSecret, code, lastAcceptedStep: step!.Value));
    }

    [Fact]
    public void The_window_is_one_step_each_way()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1111111111));
        var totp = new TotpAuthenticator(clock);
        var code = "050471"; // valid for the step of 1111111111
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.NotNull(totp.Verify(RfcSecret, code, -1));
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(totp.Verify(RfcSecret, code, -1));
        var early = new TotpAuthenticator(new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1111111111 - 30)));
        Assert.NotNull(early.Verify(RfcSecret, code, -1));
        var tooEarly = new TotpAuthenticator(new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1111111111 - 60)));
        Assert.Null(tooEarly.Verify(RfcSecret, code, -1));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("05047")]
    [InlineData("0504711")]
    [InlineData("05o471")]
    public void Malformed_codes_are_refused(string? code)
    {
        var totp = new TotpAuthenticator(new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1111111111)));
        Assert.Null(totp.Verify(RfcSecret, code, -1));
    }

    [Fact]
    public void The_enrollment_description_is_an_otpauth_uri_and_an_svg_qr_code()
    {
        var described = TotpAuthenticator.Describe(RfcSecret, "ana@atl.example");
        Assert.Equal("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", described.Secret);
        Assert.Equal("otpauth://totp/Parley%3Aana%40atl.example?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Parley&algorithm=SHA1&digits=6&period=30", described.OtpAuthUri);
        Assert.StartsWith("<svg", described.QrSvg.TrimStart());
        Assert.Contains("</svg>", described.QrSvg);
    }
}
