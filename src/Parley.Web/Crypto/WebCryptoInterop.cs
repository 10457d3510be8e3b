using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Versioning;

namespace Parley.Web.Crypto;

/// <summary>
/// The functions of <c>wwwroot/js/parley-crypto.js</c>. Byte arguments are Span MemoryViews over the
/// .NET heap, valid only while the call runs synchronously; the module copies them before its first
/// await. A Span cannot be passed to an import that returns a Task, so each operation is imported
/// as a synchronous call that returns its Promise as a <see cref="JSObject"/>, and <see cref="Settle"/>
/// or <see cref="SettleBoolean"/> awaits it. Byte results stay in JS until <see cref="CopyTo"/> or
/// <see cref="CopyParts"/> moves them into a span, again synchronously.
/// </summary>
/// <remarks>
/// Settling goes through callbacks rather than the Task that [JSImport] can make of a Promise: that
/// Task runs its continuations on the .NET thread pool, which in the browser is a setTimeout, and
/// chained timeouts are clamped to 4 ms each. One such hop per 1 MiB batch held streaming
/// encryption to about 240 MB/s; a callback resumes the awaiting code at once.
/// </remarks>
[SupportedOSPlatform("browser")]
internal static partial class WebCryptoInterop
{
    public const string ModuleName = "parley-crypto";

    // Resolved by the runtime relative to _framework/, where dotnet.js lives.
    public const string ModuleUrl = "../js/parley-crypto.js";

    /// <summary>Awaits a Promise that resolves to an object (or null).</summary>
    public static Task<JSObject?> Settle(JSObject promise)
    {
        // No RunContinuationsAsynchronously: the continuation should run inside the callback.
        var completion = new TaskCompletionSource<JSObject?>();
        using (promise)
            ObserveObject(promise, result => completion.TrySetResult(result), error => completion.TrySetException(new JSException(error)));
        return completion.Task;
    }

    /// <summary>Awaits a Promise that resolves to a boolean.</summary>
    public static Task<bool> SettleBoolean(JSObject promise)
    {
        var completion = new TaskCompletionSource<bool>();
        using (promise)
            ObserveBoolean(promise, result => completion.TrySetResult(result), error => completion.TrySetException(new JSException(error)));
        return completion.Task;
    }

    [JSImport("observe", ModuleName)]
    private static partial void ObserveObject(JSObject promise, [JSMarshalAs<JSType.Function<JSType.Object>>] Action<JSObject?> onResult, [JSMarshalAs<JSType.Function<JSType.String>>] Action<string> onError);

    [JSImport("observe", ModuleName)]
    private static partial void ObserveBoolean(JSObject promise, [JSMarshalAs<JSType.Function<JSType.Boolean>>] Action<bool> onResult, [JSMarshalAs<JSType.Function<JSType.String>>] Action<string> onError);

    [JSImport("copyTo", ModuleName)]
    public static partial void CopyTo(JSObject source, [JSMarshalAs<JSType.MemoryView>] Span<byte> target);

    [JSImport("copyParts", ModuleName)]
    public static partial int CopyParts(JSObject parts, [JSMarshalAs<JSType.MemoryView>] Span<byte> target, bool wipeParts);

    [JSImport("importAesGcmKey", ModuleName)]
    public static partial JSObject ImportAesGcmKey([JSMarshalAs<JSType.MemoryView>] Span<byte> key);

    [JSImport("aesGcmSeal", ModuleName)]
    public static partial JSObject AesGcmSeal(JSObject key, [JSMarshalAs<JSType.MemoryView>] Span<byte> nonce, [JSMarshalAs<JSType.MemoryView>] Span<byte> plaintext, [JSMarshalAs<JSType.MemoryView>] Span<byte> associatedData);

    [JSImport("aesGcmOpen", ModuleName)]
    public static partial JSObject AesGcmOpen(JSObject key, [JSMarshalAs<JSType.MemoryView>] Span<byte> nonce, [JSMarshalAs<JSType.MemoryView>] Span<byte> ciphertext, [JSMarshalAs<JSType.MemoryView>] Span<byte> associatedData);

    [JSImport("aesGcmSealSegments", ModuleName)]
    public static partial JSObject AesGcmSealSegments(JSObject key, [JSMarshalAs<JSType.MemoryView>] Span<byte> nonces, nint plaintextAddress, int plaintextLength, int segmentSize);

    [JSImport("aesGcmOpenSegments", ModuleName)]
    public static partial JSObject AesGcmOpenSegments(JSObject key, [JSMarshalAs<JSType.MemoryView>] Span<byte> nonces, nint ciphertextAddress, int ciphertextLength, int segmentSize);

    [JSImport("digest", ModuleName)]
    public static partial JSObject Digest(string hash, [JSMarshalAs<JSType.MemoryView>] Span<byte> data);

    [JSImport("hkdf", ModuleName)]
    public static partial JSObject Hkdf(string hash, [JSMarshalAs<JSType.MemoryView>] Span<byte> ikm, [JSMarshalAs<JSType.MemoryView>] Span<byte> salt, [JSMarshalAs<JSType.MemoryView>] Span<byte> info, int length);

    [JSImport("hkdfExpand", ModuleName)]
    public static partial JSObject HkdfExpand(string hash, [JSMarshalAs<JSType.MemoryView>] Span<byte> prk, [JSMarshalAs<JSType.MemoryView>] Span<byte> info, int length, int hashLength);

    [JSImport("p384Generate", ModuleName)]
    public static partial JSObject P384Generate();

    [JSImport("p384Agree", ModuleName)]
    public static partial JSObject P384Agree([JSMarshalAs<JSType.MemoryView>] Span<byte> d, [JSMarshalAs<JSType.MemoryView>] Span<byte> q, [JSMarshalAs<JSType.MemoryView>] Span<byte> peer);

    [JSImport("p384Sign", ModuleName)]
    public static partial JSObject P384Sign([JSMarshalAs<JSType.MemoryView>] Span<byte> d, [JSMarshalAs<JSType.MemoryView>] Span<byte> q, [JSMarshalAs<JSType.MemoryView>] Span<byte> data);

    [JSImport("p384Verify", ModuleName)]
    public static partial JSObject P384Verify([JSMarshalAs<JSType.MemoryView>] Span<byte> q, [JSMarshalAs<JSType.MemoryView>] Span<byte> data, [JSMarshalAs<JSType.MemoryView>] Span<byte> signature);
}
