namespace Parley.Server.Identity.SignIn;

/// <summary>A rate limit: <paramref name="Permits"/> attempts per <paramref name="Window"/>, refilled evenly.</summary>
public sealed record AttemptLimit(string Name, int Permits, TimeSpan Window)
{
    /// <summary>Sign-in (password + second factor, or the WebAuthn pair) from one address.</summary>
    public static readonly AttemptLimit SignInPerAddress = new("sign-in/address", 10, TimeSpan.FromMinutes(1));
    /// <summary>Sign-in to one account, from anywhere.</summary>
    public static readonly AttemptLimit SignInPerAccount = new("sign-in/account", 5, TimeSpan.FromMinutes(1));
    /// <summary>Prelogin from one address (each sign-in starts with one).</summary>
    public static readonly AttemptLimit PreloginPerAddress = new("prelogin/address", 20, TimeSpan.FromMinutes(1));
    /// <summary>Step-up attempts of one account.</summary>
    public static readonly AttemptLimit StepUpPerAccount = new("step-up/account", 5, TimeSpan.FromMinutes(1));
    /// <summary>Enrollment calls from one address (tokens are unguessable; this stops hammering).</summary>
    public static readonly AttemptLimit EnrollPerAddress = new("enroll/address", 10, TimeSpan.FromMinutes(1));
}

/// <summary>
/// Token buckets in memory, keyed by limit and subject (an address, an account), on the server's
/// clock. Kept here rather than in ASP.NET Core's rate limiter because the account is only known
/// once the body is read, and because the clock must be the server's <see cref="TimeProvider"/>.
/// </summary>
public sealed class AttemptLimiter(TimeProvider time)
{
    private const int MaxTrackedKeys = 100_000;
    private readonly Dictionary<(string Limit, string Key), Bucket> _buckets = new();
    private readonly Lock _lock = new();

    /// <summary>Takes one permit; null when allowed, otherwise how long until the next permit.</summary>
    public TimeSpan? TryAcquire(AttemptLimit limit, string key)
    {
        var now = time.GetUtcNow();
        var perSecond = limit.Permits / limit.Window.TotalSeconds;
        lock (_lock)
        {
            if (_buckets.Count >= MaxTrackedKeys) Prune(now);
            var bucket = _buckets.TryGetValue((limit.Name, key), out var existing)
                ? existing.Refill(now, perSecond, limit.Permits)
                : new Bucket(limit.Permits, now);
            if (bucket.Tokens >= 1)
            {
                _buckets[(limit.Name, key)] = bucket with { Tokens = bucket.Tokens - 1 };
                return null;
            }
            _buckets[(limit.Name, key)] = bucket;
            return TimeSpan.FromSeconds(Math.Ceiling((1 - bucket.Tokens) / perSecond));
        }
    }

    // Buckets idle for more than an hour are full again (no limit's window is that long) and can go.
    private void Prune(DateTimeOffset now)
    {
        foreach (var key in _buckets.Where(b => now - b.Value.Updated > TimeSpan.FromHours(1)).Select(b => b.Key).ToList())
            _buckets.Remove(key);
    }

    private readonly record struct Bucket(double Tokens, DateTimeOffset Updated)
    {
        public Bucket Refill(DateTimeOffset now, double perSecond, int capacity)
        {
            var elapsed = Math.Max(0, (now - Updated).TotalSeconds);
            return new Bucket(Math.Min(capacity, Tokens + elapsed * perSecond), now);
        }
    }
}
