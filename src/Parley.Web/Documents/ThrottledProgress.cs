namespace Parley.Web.Documents;

/// <summary>
/// Progress of a transfer in bytes for a progress bar: keeps the latest count, and asks the page to
/// render at most every <see cref="Interval"/> (and at the end), since the SDK reports every chunk.
/// </summary>
public sealed class ThrottledProgress(long total, Action render) : IProgress<long>
{
    /// <summary>Shortest time between two renders.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private long _lastRender;

    /// <summary>Bytes expected.</summary>
    public long Total { get; } = total;

    /// <summary>Bytes done so far.</summary>
    public long Done { get; private set; }

    /// <summary>Whole percent done (100 only when every byte is done).</summary>
    public int Percent => Total <= 0 ? (Done > 0 ? 100 : 0) : Done >= Total ? 100 : (int)(Done * 100 / Total);

    public void Report(long value)
    {
        Done = value;
        var now = Environment.TickCount64;
        if (value >= Total || now - _lastRender >= Interval.TotalMilliseconds)
        {
            _lastRender = now;
            render();
        }
    }
}
