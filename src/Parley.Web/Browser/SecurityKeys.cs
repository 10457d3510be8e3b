using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Versioning;
using System.Text.Json;

namespace Parley.Web.Browser;

/// <summary>The browser refused or abandoned a WebAuthn ceremony; the message says what to do.</summary>
public sealed class SecurityKeyException(string message) : Exception(message);

/// <summary>
/// WebAuthn in this browser: passes the server's options to <c>navigator.credentials</c> and hands
/// back the credential as the JSON the server reads. The browser, not this code, talks to the key
/// and checks the relying party against the page's origin.
/// </summary>
[SupportedOSPlatform("browser")]
public static class SecurityKeys
{
    /// <summary>True when this page can use security keys (a secure context: https, or http on localhost).</summary>
    public static bool Available => BrowserInterop.WebAuthnAvailable();

    /// <summary>Registers a new credential: the attestation for <c>POST /api/account/security-keys</c>.</summary>
    public static Task<JsonElement> CreateAsync(JsonElement options) => RunAsync(() => BrowserInterop.CreateCredential(options.GetRawText()));

    /// <summary>Answers a challenge: the assertion for sign-in or step-up.</summary>
    public static Task<JsonElement> GetAsync(JsonElement options) => RunAsync(() => BrowserInterop.GetAssertion(options.GetRawText()));

    private static async Task<JsonElement> RunAsync(Func<Task<string>> ceremony)
    {
        if (!Available)
            throw new SecurityKeyException("This page cannot use security keys: open Parley over https, or at http://localhost.");
        string json;
        try
        {
            json = await ceremony().ConfigureAwait(true);
        }
        catch (JSException e)
        {
            throw new SecurityKeyException(Explain(e.Message));
        }
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    // The module prefixes the DOMException's name; the names are those of the WebAuthn specification.
    private static string Explain(string message) => message switch
    {
        _ when message.Contains("NotAllowedError", StringComparison.Ordinal) =>
            "The security key did not answer: the request was cancelled, timed out, or no registered key was used.",
        _ when message.Contains("InvalidStateError", StringComparison.Ordinal) =>
            "This security key is registered to your account already.",
        _ when message.Contains("SecurityError", StringComparison.Ordinal) =>
            "The browser refused to use a security key for this address. Open Parley by its host name (for example http://localhost:PORT), not by an IP address.",
        _ when message.Contains("NotSupportedError", StringComparison.Ordinal) =>
            "This security key does not support what the server asks for.",
        _ => "The security key could not be used: " + message,
    };
}
