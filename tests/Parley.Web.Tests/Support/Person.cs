using OtpNet;
using Parley.Client.Api;
using Parley.Client.Flows;

namespace Parley.Web.Tests;

/// <summary>
/// Plays a person's authenticator app (RFC 6238: SHA-1, 6 digits, 30 s) on the server's clock. The
/// server refuses a time step it has accepted before (replay), so each code comes from a step it has
/// not seen for this account, moving the clock on when needed.
/// </summary>
public sealed class AuthenticatorApp(string secret, long lastStep)
{
    private long _lastStep = lastStep;

    /// <summary>The base32 secret, as the enrollment page shows it.</summary>
    public string Secret { get; } = secret.Replace(" ", "", StringComparison.Ordinal);

    /// <summary>The next code the server will accept.</summary>
    public string NextCode(TestClock clock)
    {
        var step = Step(clock);
        if (step <= _lastStep)
        {
            clock.Advance(TimeSpan.FromSeconds(30 * (_lastStep - step + 1)));
            step = Step(clock);
        }
        _lastStep = step;
        return Code(Secret, clock);
    }

    /// <summary>The code for <paramref name="secret"/> at the server's present.</summary>
    public static string Code(string secret, TimeProvider clock) =>
        new Totp(Base32Encoding.ToBytes(secret.Replace(" ", "", StringComparison.Ordinal))).ComputeTotp(clock.GetUtcNow().UtcDateTime);

    /// <summary>The TOTP time step at the server's present.</summary>
    public static long Step(TimeProvider clock) => clock.GetUtcNow().ToUnixTimeSeconds() / 30;
}

/// <summary>
/// Someone the tests enrolled through the SDK, with what they know: password, authenticator,
/// recovery codes. Tests sign them in through the browser; the SDK client (signed in from the test
/// process with a bearer token) is for arranging and checking.
/// </summary>
public sealed class Person(string email, string password, AuthenticatorApp app, IReadOnlyList<string> recoveryCodes, string? delegation, ParleyClient client, EnrolledAccount enrolled) : IDisposable
{
    public string Email { get; } = email;
    public string Password { get; } = password;
    public AuthenticatorApp App { get; } = app;
    public IReadOnlyList<string> RecoveryCodes { get; } = recoveryCodes;
    public string? Delegation { get; } = delegation;
    public ParleyClient Client { get; } = client;
    public EnrolledAccount Enrolled { get; } = enrolled;
    public Guid UserId => Enrolled.Account.Session.User.Id;

    /// <summary>The test process's profile of this person (its device keys), for an SDK client of theirs.</summary>
    public Parley.Client.Profiles.IProfileStore Store { get; init; } = new Parley.Client.Profiles.MemoryProfileStore();

    /// <summary>The next authenticator code the server accepts for this person.</summary>
    public string NextCode(TestClock clock) => App.NextCode(clock);

    public void Dispose() => Enrolled.Dispose();
}
