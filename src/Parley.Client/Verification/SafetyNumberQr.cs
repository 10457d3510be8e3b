using System.Text;
using Parley.Protocol.Rooms;
using QRCoder;

namespace Parley.Client.Verification;

/// <summary>
/// The safety number as a QR code, for two people side by side: one shows it, the other's client
/// scans it and compares it with <see cref="SafetyNumber.MatchesQrPayload"/>. The code holds
/// <see cref="SafetyNumber.QrPayload"/> (both users and their key fingerprints) in byte mode.
/// </summary>
public static class SafetyNumberQr
{
    /// <summary>An SVG image, as a <c>data:</c> URI an <c>img</c> element can show.</summary>
    public static string SvgDataUri(SafetyNumber number)
    {
        ArgumentNullException.ThrowIfNull(number);
        using var data = Encode(number);
        using var svg = new SvgQRCode(data);
        return "data:image/svg+xml;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes(svg.GetGraphic(4)));
    }

    /// <summary>Text for a terminal: half blocks, two module rows per line, with the quiet zone.</summary>
    public static string Terminal(SafetyNumber number)
    {
        ArgumentNullException.ThrowIfNull(number);
        using var data = Encode(number);
        using var art = new AsciiQRCode(data);
        return art.GetGraphicSmall(drawQuietZones: true, invert: false);
    }

    private static QRCodeData Encode(SafetyNumber number)
    {
        using var generator = new QRCodeGenerator();
        return generator.CreateQrCode(number.QrPayload(), QRCodeGenerator.ECCLevel.M);
    }
}
