using Parley.Protocol.Crypto;
using Parley.Protocol.Crypto.Backends;

namespace Parley.Protocol.Tests;

/// <summary>Every native backend, for theories that must hold in each.</summary>
public static class Backends
{
    public static ICryptoBackend Platform { get; } = new PlatformBackend();

    public static ICryptoBackend BouncyCastle { get; } = new BouncyCastleBackend();

    public static TheoryData<string> Names => new() { "platform", "bouncycastle" };

    public static ICryptoBackend Get(string name) => name switch
    {
        "platform" => Platform,
        "bouncycastle" => BouncyCastle,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    public static CryptoSuite Suite(string name) => new(Get(name));
}
