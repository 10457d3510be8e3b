using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Org.BouncyCastle.Crypto.Parameters;
using Parley.Bench.Support;
using Parley.Protocol.Crypto;

namespace Parley.Bench.Benchmarks;

/// <summary>Composite (ML-DSA-87 + ECDSA P-384) and ECDSA P-384 alone, per backend, over a 1 KiB message.</summary>
[Config(typeof(OperationsConfig))]
public class SignatureBenchmarks
{
    private const string Context = "benchmark";
    private readonly byte[] _message = RandomNumberGenerator.GetBytes(1024);
    private ICryptoBackend _backend = null!;
    private CompositeSigner _signer = null!;
    private CompositePrivateKey _composite = null!;
    private byte[] _compositeSignature = [];
    private P384KeyPair _ecdsa = null!;
    private byte[] _ecdsaSignature = [];

    [Params(BackendNames.Platform, BackendNames.BouncyCastle)]
    public string Backend { get; set; } = BackendNames.Platform;

    [GlobalSetup]
    public async Task Setup()
    {
        _backend = BackendNames.Create(Backend);
        _signer = new CompositeSigner(_backend);
        _composite = await _signer.GenerateAsync();
        _compositeSignature = await _signer.SignAsync(_composite, _message, Context);
        _ecdsa = await _backend.GenerateP384KeyPairAsync();
        _ecdsaSignature = await _backend.P384SignAsync(_ecdsa, _message);
        if (!await _signer.VerifyAsync(_composite.PublicKey, _message, _compositeSignature, Context) || !await _backend.P384VerifyAsync(_ecdsa.Q, _message, _ecdsaSignature))
            throw new InvalidOperationException("A fresh signature does not verify.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _composite.Dispose();
        _ecdsa.Dispose();
    }

    [Benchmark(Description = "composite sign")]
    public ValueTask<byte[]> CompositeSign() => _signer.SignAsync(_composite, _message, Context);

    [Benchmark(Description = "composite verify")]
    public ValueTask<bool> CompositeVerify() => _signer.VerifyAsync(_composite.PublicKey, _message, _compositeSignature, Context);

    [Benchmark(Description = "ECDSA P-384 sign")]
    public ValueTask<byte[]> EcdsaSign() => _backend.P384SignAsync(_ecdsa, _message);

    [Benchmark(Description = "ECDSA P-384 verify")]
    public ValueTask<bool> EcdsaVerify() => _backend.P384VerifyAsync(_ecdsa.Q, _message, _ecdsaSignature);
}

/// <summary>ML-DSA-87 alone (BouncyCastle on every platform), hedged signing as Parley uses it.</summary>
[Config(typeof(OperationsConfig))]
public class MlDsaBenchmarks
{
    private static readonly byte[] Context = "benchmark"u8.ToArray();
    private readonly byte[] _message = RandomNumberGenerator.GetBytes(1024);
    private MLDsaPrivateKeyParameters _private = null!;
    private MLDsaPublicKeyParameters _public = null!;
    private byte[] _signature = [];

    [GlobalSetup]
    public void Setup()
    {
        _private = MlDsa87.FromSeed(RandomNumberGenerator.GetBytes(MlDsa87.SeedSize)).Value;
        _public = _private.GetPublicKey();
        _signature = MlDsa87.Sign(_private, _message, Context);
        if (!MlDsa87.Verify(_public, _message, _signature, Context)) throw new InvalidOperationException("A fresh signature does not verify.");
    }

    [Benchmark(Description = "ML-DSA-87 sign")]
    public byte[] Sign() => MlDsa87.Sign(_private, _message, Context);

    [Benchmark(Description = "ML-DSA-87 verify")]
    public bool Verify() => MlDsa87.Verify(_public, _message, _signature, Context);
}
