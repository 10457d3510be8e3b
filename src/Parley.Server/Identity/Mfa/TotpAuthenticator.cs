using OtpNet;
using Parley.Protocol.Api;
using QRCoder;

namespace Parley.Server.Identity.Mfa;

/// <summary>
/// TOTP per RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, one step of skew each way. A code is
/// accepted only for a time step later than the last one accepted for the account, so a code (or an
/// older one) cannot be used twice, and a code two steps old is outside the window.
/// </summary>
public sealed class TotpAuthenticator(TimeProvider time)
{
    public const int StepSeconds = 30;
    public const int Digits = 6;
    private const string Issuer = "Parley";
    private static readonly VerificationWindow Window = new(previous: 1, future: 1);

    /// <summary>A new 160-bit secret (RFC 4226's recommended length).</summary>
    public static byte[] NewSecret() => KeyGeneration.GenerateRandomKey(20);

    /// <summary>The secret in base32, the otpauth URI and its QR code as SVG.</summary>
    public static TotpSetupResponse Describe(byte[] secret, string email)
    {
        var base32 = Base32Encoding.ToString(secret).TrimEnd('=');
        var label = Uri.EscapeDataString($"{Issuer}:{email}");
        var uri = $"otpauth://totp/{label}?secret={base32}&issuer={Issuer}&algorithm=SHA1&digits={Digits}&period={StepSeconds}";
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        using var svg = new SvgQRCode(data);
        return new TotpSetupResponse(base32, uri, svg.GetGraphic(4));
    }

    /// <summary>The matched time step when <paramref name="code"/> is valid now and later than
    /// <paramref name="lastAcceptedStep"/>; otherwise null.</summary>
    public long? Verify(byte[] secret, string? code, long lastAcceptedStep)
    {
        if (code is null) return null;
        code = code.Trim().Replace(" ", "", StringComparison.Ordinal);
        if (code.Length != Digits || !code.All(char.IsAsciiDigit)) return null;
        var totp = new Totp(secret, StepSeconds, OtpHashMode.Sha1, Digits);
        var now = time.GetUtcNow().UtcDateTime;
        if (!totp.VerifyTotp(now, code, out var step, Window)) return null;
        return step > lastAcceptedStep ? step : null;
    }
}
