using OtpNet;

namespace Parley.Client.Tests.Support;

/// <summary>Plays the user's authenticator app (RFC 6238: SHA-1, 6 digits, 30 s).</summary>
public static class Authenticator
{
    /// <summary>The code of the current step shifted by <paramref name="steps"/> (the server accepts one step of skew each way).</summary>
    public static string Code(string base32Secret, int steps = 0) =>
        new Totp(Base32Encoding.ToBytes(base32Secret)).ComputeTotp(DateTime.UtcNow.AddSeconds(30 * steps));
}
