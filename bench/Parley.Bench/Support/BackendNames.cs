using Parley.Bench.Quick;
using Parley.Protocol.Crypto;
using Parley.Protocol.Crypto.Backends;

namespace Parley.Bench.Support;

public static class BackendNames
{
    public const string Platform = "platform";
    public const string BouncyCastle = "bouncycastle";

    public static string Check(string name) =>
        name is Platform or BouncyCastle ? name : throw new UsageException($"Unknown backend '{name}': use {Platform} or {BouncyCastle}.");

    public static ICryptoBackend Create(string name) => name switch
    {
        Platform when PlatformBackend.IsSupported => new PlatformBackend(),
        Platform => throw new PlatformNotSupportedException("This platform lacks native AES-GCM or P-384."),
        BouncyCastle => new BouncyCastleBackend(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown backend."),
    };
}
