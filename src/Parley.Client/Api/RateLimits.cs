namespace Parley.Client.Api;

/// <summary>Obeys the server's Retry-After: for batch work (seeding, scripts) that would rather wait than fail.</summary>
public static class RateLimits
{
    /// <summary>
    /// Runs <paramref name="action"/>; when the server answers 429 with a Retry-After of at most
    /// <paramref name="longestWait"/>, waits that long and runs it again (the action is re-run whole,
    /// so it may recompute what went stale, such as a TOTP code). Gives up after <paramref name="attempts"/>.
    /// </summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> action, TimeSpan longestWait, int attempts = 20, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action().ConfigureAwait(false);
            }
            catch (ParleyApiException e) when (e.Kind == ApiProblemKind.RateLimited && attempt < attempts && e.Problem.RetryAfter is { } wait && wait <= longestWait)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
