using Parley.Protocol.Crypto.Backends;
using Parley.Protocol.Streams;

namespace Parley.Protocol.Crypto;

/// <summary>
/// PARLEY-PQ1: the one place that puts the primitives together. Every operation of the suite goes
/// through an instance, so the backend is chosen once.
/// </summary>
public sealed class CryptoSuite
{
    /// <summary>The suite identifier carried by formats that name their algorithms.</summary>
    public const string Id = "PARLEY-PQ1";

    /// <summary>A suite over <paramref name="backend"/>.</summary>
    public CryptoSuite(ICryptoBackend backend)
    {
        Backend = backend ?? throw new ArgumentNullException(nameof(backend));
        Kem = new HybridKem(backend);
        Signatures = new CompositeSigner(backend);
        Boxes = new SealedBox(backend);
        Keys = new KeySchedule(backend);
        Streams = new ChunkedEncryption(backend);
    }

    /// <summary>The suite on the best backend of this platform: System.Security.Cryptography where it
    /// provides AES-GCM and P-384, BouncyCastle elsewhere. The web client builds its own suite on WebCrypto.</summary>
    public static CryptoSuite Default { get; } = new(SelectBackend());

    /// <summary>The backend in use.</summary>
    public ICryptoBackend Backend { get; }

    /// <summary>Hybrid ML-KEM-1024 + ECDH P-384 key encapsulation.</summary>
    public HybridKem Kem { get; }

    /// <summary>Composite ML-DSA-87 + ECDSA P-384 signatures.</summary>
    public CompositeSigner Signatures { get; }

    /// <summary>AES-256-GCM sealing of small payloads and key wrapping.</summary>
    public SealedBox Boxes { get; }

    /// <summary>HKDF-SHA-384 with context labels.</summary>
    public KeySchedule Keys { get; }

    /// <summary>Cobblestone-256 streaming encryption.</summary>
    public ChunkedEncryption Streams { get; }

    /// <summary>The automatic choice of backend.</summary>
    public static ICryptoBackend SelectBackend() =>
        !OperatingSystem.IsBrowser() && PlatformBackend.IsSupported ? new PlatformBackend() : new BouncyCastleBackend();
}
