using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Parley.Protocol;
using Parley.Protocol.Crypto;
using Parley.Protocol.Crypto.Backends;
using Interop = Parley.Web.Crypto.WebCryptoInterop;

namespace Parley.Web.Crypto;

/// <summary>
/// The browser's WebCrypto (SubtleCrypto) behind <see cref="ICryptoBackend"/>: AES-256-GCM, HKDF,
/// SHA-2 and P-384 ECDH/ECDSA run natively in the browser instead of in managed WebAssembly code.
/// Shapes are checked here, before anything crosses into JavaScript; the rejections WebCrypto
/// reports for bad input come back as the interface's failure values.
/// </summary>
[SupportedOSPlatform("browser")]
public sealed class WebCryptoBackend : ICryptoBackend
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int AesKeySize = 32;
    private const int SignatureSize = 96;

    private WebCryptoBackend()
    {
    }

    /// <inheritdoc />
    public string Name => "webcrypto";

    /// <summary>True when the page can use SubtleCrypto: browsers expose it only in secure contexts
    /// (https, or http on a loopback address).</summary>
    public static bool IsAvailable =>
        JSHost.GlobalThis.GetPropertyAsJSObject("crypto") is { } crypto
        && crypto.GetTypeOfProperty("subtle") == "object";

    /// <summary>Loads the JavaScript module and returns the backend, or null when SubtleCrypto is not
    /// available in this page.</summary>
    public static async Task<WebCryptoBackend?> TryCreateAsync()
    {
        if (!IsAvailable) return null;
        await JSHost.ImportAsync(Interop.ModuleName, Interop.ModuleUrl).ConfigureAwait(false);
        return new WebCryptoBackend();
    }

    /// <inheritdoc />
    public async ValueTask<Result<IAesGcmKey>> ImportAesGcmKeyAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default)
    {
        if (key.Length != AesKeySize) return Result<IAesGcmKey>.Fail(ProtocolErrorCode.InvalidKey, "AES-256-GCM keys are 32 bytes.");
        cancellationToken.ThrowIfCancellationRequested();
        var handle = await Interop.Settle(Interop.ImportAesGcmKey(View(key))).ConfigureAwait(false);
        return new AesGcmKey(handle!);
    }

    /// <inheritdoc />
    public async ValueTask<byte[]> HashAsync(HashName hash, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var output = new byte[Hkdf.HashLength(hash)];
        cancellationToken.ThrowIfCancellationRequested();
        using var result = await Interop.Settle(Interop.Digest(Algorithm(hash), View(data))).ConfigureAwait(false);
        Interop.CopyTo(result!, output);
        return output;
    }

    /// <inheritdoc />
    public async ValueTask<Result<byte[]>> HkdfAsync(HashName hash, ReadOnlyMemory<byte> ikm, ReadOnlyMemory<byte> salt, ReadOnlyMemory<byte> info, int length, CancellationToken cancellationToken = default)
    {
        if (Hkdf.CheckLength(hash, length) is { } error) return error;
        // WebCrypto refuses to derive zero bits; the empty output needs no derivation.
        if (length == 0) return Array.Empty<byte>();
        cancellationToken.ThrowIfCancellationRequested();
        using var result = await Interop.Settle(Interop.Hkdf(Algorithm(hash), View(ikm), View(salt), View(info), length)).ConfigureAwait(false);
        var okm = new byte[length];
        Interop.CopyTo(result!, okm);
        return okm;
    }

    /// <inheritdoc />
    public async ValueTask<Result<byte[]>> HkdfExpandAsync(HashName hash, ReadOnlyMemory<byte> prk, ReadOnlyMemory<byte> info, int length, CancellationToken cancellationToken = default)
    {
        if (Hkdf.CheckLength(hash, length) is { } error) return error;
        if (prk.IsEmpty) return Result<byte[]>.Fail(ProtocolErrorCode.InvalidKey, "The HKDF PRK is empty.");
        if (length == 0) return Array.Empty<byte>();
        cancellationToken.ThrowIfCancellationRequested();
        using var result = await Interop.Settle(Interop.HkdfExpand(Algorithm(hash), View(prk), View(info), length, Hkdf.HashLength(hash))).ConfigureAwait(false);
        var okm = new byte[length];
        Interop.CopyTo(result!, okm);
        return okm;
    }

    /// <inheritdoc />
    public async ValueTask<P384KeyPair> GenerateP384KeyPairAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var result = await Interop.Settle(Interop.P384Generate()).ConfigureAwait(false);
        var both = new byte[P384KeyPair.PrivateKeySize + P384KeyPair.PublicKeySize];
        try
        {
            Interop.CopyTo(result!, both);
            return new P384KeyPair(both.AsSpan(0, P384KeyPair.PrivateKeySize), both.AsSpan(P384KeyPair.PrivateKeySize));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(both);
        }
    }

    /// <inheritdoc />
    public async ValueTask<Result<byte[]>> P384AgreeAsync(P384KeyPair own, ReadOnlyMemory<byte> peerPublicKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(own);
        if (!IsUncompressedPoint(peerPublicKey.Span))
            return Result<byte[]>.Fail(ProtocolErrorCode.InvalidKey, "The peer's P-384 public key is not an uncompressed point.");
        cancellationToken.ThrowIfCancellationRequested();
        using var result = await Interop.Settle(Interop.P384Agree(View(own.D), View(own.Q), View(peerPublicKey))).ConfigureAwait(false);
        if (result is null)
            return Result<byte[]>.Fail(ProtocolErrorCode.InvalidKey, "The peer's P-384 public key is not on the curve.");
        var shared = new byte[P384KeyPair.PrivateKeySize];
        Interop.CopyTo(result, shared);
        return shared;
    }

    /// <inheritdoc />
    public async ValueTask<byte[]> P384SignAsync(P384KeyPair key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        using var result = await Interop.Settle(Interop.P384Sign(View(key.D), View(key.Q), View(data))).ConfigureAwait(false);
        // P384KeyPair does not check that D and Q belong together; WebCrypto does, on import.
        if (result is null) throw new CryptographicException("The P-384 key pair is inconsistent: its public point is not d·G.");
        var signature = new byte[SignatureSize];
        Interop.CopyTo(result, signature);
        return signature;
    }

    /// <inheritdoc />
    public async ValueTask<bool> P384VerifyAsync(ReadOnlyMemory<byte> publicKey, ReadOnlyMemory<byte> data, ReadOnlyMemory<byte> signature, CancellationToken cancellationToken = default)
    {
        if (signature.Length != SignatureSize || !IsUncompressedPoint(publicKey.Span)) return false;
        cancellationToken.ThrowIfCancellationRequested();
        return await Interop.SettleBoolean(Interop.P384Verify(View(publicKey), View(data), View(signature))).ConfigureAwait(false);
    }

    private static bool IsUncompressedPoint(ReadOnlySpan<byte> q) => q.Length == P384KeyPair.PublicKeySize && q[0] == 0x04;

    private static string Algorithm(HashName hash) => hash switch
    {
        HashName.Sha256 => "SHA-256",
        HashName.Sha384 => "SHA-384",
        HashName.Sha512 => "SHA-512",
        _ => throw new ArgumentOutOfRangeException(nameof(hash)),
    };

    // The module only reads its inputs; a MemoryView needs a mutable span.
    private static Span<byte> View(ReadOnlyMemory<byte> memory) => MemoryMarshal.AsMemory(memory).Span;

    /// <summary>An AES-256-GCM key held by the browser as a non-extractable CryptoKey.</summary>
    private sealed class AesGcmKey(JSObject key) : IAesGcmKey
    {
        public async ValueTask SealAsync(ReadOnlyMemory<byte> nonce, ReadOnlyMemory<byte> plaintext, ReadOnlyMemory<byte> associatedData, Memory<byte> output, CancellationToken cancellationToken = default)
        {
            if (nonce.Length != NonceSize) throw new ArgumentException("AES-GCM nonces are 12 bytes.", nameof(nonce));
            if (output.Length != plaintext.Length + TagSize) throw new ArgumentException("Output must be plaintext length + 16.", nameof(output));
            if (plaintext.Span.Overlaps(output.Span)) throw new ArgumentException("Output may not overlap the input.", nameof(output));
            cancellationToken.ThrowIfCancellationRequested();
            using var result = await Interop.Settle(Interop.AesGcmSeal(key, View(nonce), View(plaintext), View(associatedData))).ConfigureAwait(false);
            Interop.CopyTo(result!, output.Span);
        }

        public async ValueTask<bool> OpenAsync(ReadOnlyMemory<byte> nonce, ReadOnlyMemory<byte> ciphertext, ReadOnlyMemory<byte> associatedData, Memory<byte> plaintext, CancellationToken cancellationToken = default)
        {
            if (nonce.Length != NonceSize || ciphertext.Length < TagSize || plaintext.Length != ciphertext.Length - TagSize)
            {
                plaintext.Span.Clear();
                return false;
            }
            if (ciphertext.Span.Overlaps(plaintext.Span)) throw new ArgumentException("Output may not overlap the input.", nameof(plaintext));
            cancellationToken.ThrowIfCancellationRequested();
            using var result = await Interop.Settle(Interop.AesGcmOpen(key, View(nonce), View(ciphertext), View(associatedData))).ConfigureAwait(false);
            if (result is null)
            {
                plaintext.Span.Clear();
                return false;
            }
            Interop.CopyTo(result, plaintext.Span);
            return true;
        }

        public async ValueTask SealSegmentsAsync(ReadOnlyMemory<byte> baseNonce, ulong firstCounter, int segmentSize, int segmentCount, ReadOnlyMemory<byte> plaintext, Memory<byte> output, CancellationToken cancellationToken = default)
        {
            Segments.CheckShape(baseNonce.Length, segmentSize, segmentCount, plaintext.Length, output.Length);
            if (plaintext.Span.Overlaps(output.Span)) throw new ArgumentException("Output may not overlap the input.", nameof(output));
            cancellationToken.ThrowIfCancellationRequested();
            var pending = StartSegments(seal: true, baseNonce.Span, firstCounter, segmentCount, plaintext.Span, segmentSize);
            using var parts = await Interop.Settle(pending).ConfigureAwait(false) ?? throw new InvalidOperationException("WebCrypto returned no ciphertext.");
            var sealedCount = Interop.CopyParts(parts, output.Span, wipeParts: false);
            if (sealedCount != segmentCount) throw new InvalidOperationException($"WebCrypto sealed {sealedCount} of {segmentCount} segments.");
        }

        public async ValueTask<int> OpenSegmentsAsync(ReadOnlyMemory<byte> baseNonce, ulong firstCounter, int segmentSize, int segmentCount, ReadOnlyMemory<byte> ciphertext, Memory<byte> plaintext, CancellationToken cancellationToken = default)
        {
            Segments.CheckShape(baseNonce.Length, segmentSize, segmentCount, plaintext.Length, ciphertext.Length);
            if (ciphertext.Span.Overlaps(plaintext.Span)) throw new ArgumentException("Output may not overlap the input.", nameof(plaintext));
            cancellationToken.ThrowIfCancellationRequested();
            var pending = StartSegments(seal: false, baseNonce.Span, firstCounter, segmentCount, ciphertext.Span, segmentSize);
            using var parts = await Interop.Settle(pending).ConfigureAwait(false) ?? throw new InvalidOperationException("WebCrypto returned no plaintext.");
            var opened = Interop.CopyParts(parts, plaintext.Span, wipeParts: true);
            if (opened < segmentCount) plaintext.Span[(opened * segmentSize)..].Clear();
            return opened;
        }

        // Starts a batch. The module copies the nonces and reads the input in place, by address, during
        // this synchronous call only (WebCrypto copies its input before returning); the fixed
        // statement keeps the GC from moving the input meanwhile. Nonces are not secret, so a pooled
        // buffer holds them.
        private unsafe JSObject StartSegments(bool seal, ReadOnlySpan<byte> baseNonce, ulong firstCounter, int count, ReadOnlySpan<byte> input, int segmentSize)
        {
            var nonces = ArrayPool<byte>.Shared.Rent(count * NonceSize);
            try
            {
                for (var i = 0; i < count; i++)
                    Segments.Nonce(baseNonce, firstCounter + (ulong)i, nonces.AsSpan(i * NonceSize, NonceSize));
                var nonceView = nonces.AsSpan(0, count * NonceSize);
                fixed (byte* address = input)
                {
                    return seal
                        ? Interop.AesGcmSealSegments(key, nonceView, (nint)address, input.Length, segmentSize)
                        : Interop.AesGcmOpenSegments(key, nonceView, (nint)address, input.Length, segmentSize);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(nonces);
            }
        }

        // The CryptoKey is non-extractable and lives in the browser; releasing the proxy lets the
        // browser collect it. JS offers no way to wipe it sooner.
        public void Dispose() => key.Dispose();
    }
}
