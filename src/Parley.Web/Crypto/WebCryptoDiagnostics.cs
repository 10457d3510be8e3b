using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Versioning;
using Parley.Protocol;
using Parley.Protocol.Crypto;

namespace Parley.Web.Crypto;

/// <summary>
/// Drives the WebCrypto backend from page script, with hex strings, through the same C# and
/// JavaScript path the client uses. The browser tests call it to check the failure paths end to
/// end (tampered ciphertext, off-curve points, forged signatures) and to compare segment batches
/// with the native backend. It works only on inputs it is given and touches no key of the client.
/// Failures come back as "fail:" and the protocol error code, exactly as the backend reports them.
/// </summary>
[SupportedOSPlatform("browser")]
public static partial class WebCryptoDiagnostics
{
    private static WebCryptoBackend? _backend;

    private static async Task<WebCryptoBackend> BackendAsync() =>
        _backend ??= await WebCryptoBackend.TryCreateAsync().ConfigureAwait(false)
            ?? throw new InvalidOperationException("SubtleCrypto is not available in this page.");

    /// <summary>Imports a key and seals; ciphertext || tag in hex.</summary>
    [JSExport]
    public static async Task<string> AesGcmSeal(string key, string nonce, string plaintext, string associatedData)
    {
        var imported = await (await BackendAsync()).ImportAesGcmKeyAsync(Hex(key));
        if (!imported.TryGetValue(out var aes, out var error)) return Fail(error.Code);
        using (aes)
        {
            var input = Hex(plaintext);
            var output = new byte[input.Length + 16];
            await aes.SealAsync(Hex(nonce), input, Hex(associatedData), output);
            return Convert.ToHexStringLower(output);
        }
    }

    /// <summary>Imports a key and opens; the plaintext in hex, or "fail:AuthenticationFailed".</summary>
    [JSExport]
    public static async Task<string> AesGcmOpen(string key, string nonce, string ciphertext, string associatedData)
    {
        var imported = await (await BackendAsync()).ImportAesGcmKeyAsync(Hex(key));
        if (!imported.TryGetValue(out var aes, out var error)) return Fail(error.Code);
        using (aes)
        {
            var input = Hex(ciphertext);
            var output = new byte[Math.Max(0, input.Length - 16)];
            return await aes.OpenAsync(Hex(nonce), input, Hex(associatedData), output)
                ? Convert.ToHexStringLower(output)
                : Fail(ProtocolErrorCode.AuthenticationFailed);
        }
    }

    /// <summary>Seals <paramref name="segmentCount"/> segments in one batch; the output in hex.</summary>
    [JSExport]
    public static async Task<string> AesGcmSealSegments(string key, string baseNonce, [JSMarshalAs<JSType.Number>] long firstCounter, int segmentSize, int segmentCount, string plaintext)
    {
        var imported = await (await BackendAsync()).ImportAesGcmKeyAsync(Hex(key));
        if (!imported.TryGetValue(out var aes, out var error)) return Fail(error.Code);
        using (aes)
        {
            var input = Hex(plaintext);
            var output = new byte[input.Length + segmentCount * 16];
            await aes.SealSegmentsAsync(Hex(baseNonce), checked((ulong)firstCounter), segmentSize, segmentCount, input, output);
            return Convert.ToHexStringLower(output);
        }
    }

    /// <summary>Opens a batch of segments: "N:" (segments that authenticated) and the plaintext in hex,
    /// zeroed from the first segment that failed.</summary>
    [JSExport]
    public static async Task<string> AesGcmOpenSegments(string key, string baseNonce, [JSMarshalAs<JSType.Number>] long firstCounter, int segmentSize, int segmentCount, string ciphertext)
    {
        var imported = await (await BackendAsync()).ImportAesGcmKeyAsync(Hex(key));
        if (!imported.TryGetValue(out var aes, out var error)) return Fail(error.Code);
        using (aes)
        {
            var input = Hex(ciphertext);
            var output = new byte[input.Length - segmentCount * 16];
            var opened = await aes.OpenSegmentsAsync(Hex(baseNonce), checked((ulong)firstCounter), segmentSize, segmentCount, input, output);
            return $"{opened}:{Convert.ToHexStringLower(output)}";
        }
    }

    /// <summary>HKDF-Expand; the output in hex or "fail:…".</summary>
    [JSExport]
    public static async Task<string> HkdfExpand(string hash, string prk, string info, int length)
    {
        var okm = await (await BackendAsync()).HkdfExpandAsync(Enum.Parse<HashName>(hash, ignoreCase: true), Hex(prk), Hex(info), length);
        return okm.TryGetValue(out var value, out var error) ? Convert.ToHexStringLower(value) : Fail(error.Code);
    }

    /// <summary>HKDF; the output in hex or "fail:…".</summary>
    [JSExport]
    public static async Task<string> Hkdf(string hash, string ikm, string salt, string info, int length)
    {
        var okm = await (await BackendAsync()).HkdfAsync(Enum.Parse<HashName>(hash, ignoreCase: true), Hex(ikm), Hex(salt), Hex(info), length);
        return okm.TryGetValue(out var value, out var error) ? Convert.ToHexStringLower(value) : Fail(error.Code);
    }

    /// <summary>ECDH on P-384 with our key pair (d, Q) and the peer's point; the secret in hex or "fail:InvalidKey".</summary>
    [JSExport]
    public static async Task<string> P384Agree(string privateKey, string publicKey, string peerPublicKey)
    {
        using var own = new P384KeyPair(Hex(privateKey), Hex(publicKey));
        var shared = await (await BackendAsync()).P384AgreeAsync(own, Hex(peerPublicKey));
        return shared.TryGetValue(out var value, out var error) ? Convert.ToHexStringLower(value) : Fail(error.Code);
    }

    /// <summary>Verifies an ECDSA P-384 SHA-384 signature (r || s).</summary>
    [JSExport]
    public static async Task<bool> P384Verify(string publicKey, string message, string signature) =>
        await (await BackendAsync()).P384VerifyAsync(Hex(publicKey), Hex(message), Hex(signature));

    private static string Fail(ProtocolErrorCode code) => $"fail:{code}";

    private static byte[] Hex(string hex) => Convert.FromHexString(hex);
}
