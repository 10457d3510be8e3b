namespace Parley.Web.Tests;

/// <summary>
/// The server's clock in the web tests: real time plus an offset that tests only ever increase. Time
/// keeps flowing (the browser, timers and certificates see a consistent present), and a test jumps
/// ahead to reach an idle limit, to let a rate limit refill or to reach a fresh TOTP step.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>Moves the server's present forward.</summary>
    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by), "The clock never goes back.");
        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }
}
