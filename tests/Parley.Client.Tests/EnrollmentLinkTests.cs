using Parley.Client.Flows;
using Parley.Protocol.Api;
using Parley.Protocol.Identity;

namespace Parley.Client.Tests;

public sealed class EnrollmentLinkTests
{
    private static readonly string Root = new('a', 64);

    [Fact]
    public void A_link_gives_the_server_token_and_root()
    {
        var link = EnrollmentLink.Parse($"http://127.0.0.1:5080/enroll#token=abc_DEF-123&root={Root.ToUpperInvariant()}");
        Assert.True(link.IsOk, link.Error?.Message);
        Assert.Equal(new Uri("http://127.0.0.1:5080/"), link.Value.Server);
        Assert.Equal("abc_DEF-123", link.Value.Token);
        Assert.Equal(Root, link.Value.RootFingerprint);
        Assert.DoesNotContain("abc_DEF-123", link.Value.ToString());
    }

    [Fact]
    public void A_server_under_a_path_keeps_its_path()
    {
        var link = EnrollmentLink.Parse("https://venue.example/parley/enroll#token=T");
        Assert.True(link.IsOk, link.Error?.Message);
        Assert.Equal(new Uri("https://venue.example/parley/"), link.Value.Server);
        Assert.Null(link.Value.RootFingerprint);
    }

    [Fact]
    public void A_pending_enrollment_never_prints_its_token_or_totp_secret()
    {
        var link = EnrollmentLink.Parse("http://127.0.0.1:5080/enroll#token=the-one-time-token").Value;
        var pending = new PendingEnrollment(link, new EnrollBeginResponse(Guid.NewGuid(), "a@atl.example", ["member"], null,
            new TotpSetupResponse("JBSWY3DPEHPK3PXP", "otpauth://totp/Parley:a?secret=JBSWY3DPEHPK3PXP", "<svg/>"), KdfParameters.CreateDefault()), null);
        var printed = pending.ToString();
        Assert.Contains("a@atl.example", printed);
        Assert.DoesNotContain("JBSWY3DPEHPK3PXP", printed);
        Assert.DoesNotContain("the-one-time-token", printed);
    }

    [Theory]
    [InlineData("not a link")]
    [InlineData("ftp://127.0.0.1/enroll#token=T")]
    [InlineData("http://127.0.0.1/enrol#token=T")]
    [InlineData("http://127.0.0.1/enroll")]
    [InlineData("http://127.0.0.1/enroll#root=aaaa")]
    [InlineData("http://127.0.0.1/enroll#token=T&root=nothex")]
    public void Malformed_links_are_refused_with_a_reason(string text)
    {
        var link = EnrollmentLink.Parse(text);
        Assert.False(link.IsOk);
        Assert.False(string.IsNullOrWhiteSpace(link.Error.Message));
    }
}
