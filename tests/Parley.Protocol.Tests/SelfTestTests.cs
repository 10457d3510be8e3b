using Parley.Protocol.SelfTest;

namespace Parley.Protocol.Tests;

public class SelfTestTests
{
    [Theory]
    [MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public async Task Every_check_passes(string backend)
    {
        var report = await new SelfTestSuite(Backends.Suite(backend)).RunAsync(streamBytes: 1024 * 1024);
        Assert.True(report.Passed, report.Summary);
        Assert.StartsWith("PASS", report.Summary);
        Assert.Equal(12, report.Checks.Count);
    }
}
