using BenchmarkDotNet.Attributes;
using Org.BouncyCastle.Crypto.Parameters;
using Parley.Bench.Support;
using Parley.Protocol.Crypto;

namespace Parley.Bench.Benchmarks;

/// <summary>Hybrid KEM (ML-KEM-1024 + ECDH P-384) and ECDH P-384 alone, per backend.</summary>
[Config(typeof(OperationsConfig))]
public class KemBenchmarks
{
    private ICryptoBackend _backend = null!;
    private HybridKem _kem = null!;
    private HybridKemPrivateKey _recipient = null!;
    private byte[] _encapsulation = [];
    private P384KeyPair _own = null!;
    private byte[] _peer = [];

    [Params(BackendNames.Platform, BackendNames.BouncyCastle)]
    public string Backend { get; set; } = BackendNames.Platform;

    [GlobalSetup]
    public async Task Setup()
    {
        _backend = BackendNames.Create(Backend);
        _kem = new HybridKem(_backend);
        _recipient = await _kem.GenerateAsync();
        var (encapsulation, secret) = await _kem.EncapsulateAsync(_recipient.PublicKey);
        secret.Dispose();
        _encapsulation = encapsulation;
        _own = await _backend.GenerateP384KeyPairAsync();
        using var peer = await _backend.GenerateP384KeyPairAsync();
        _peer = peer.Q.ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _recipient.Dispose();
        _own.Dispose();
    }

    [Benchmark(Description = "hybrid KEM generate")]
    public async Task HybridGenerate()
    {
        using var key = await _kem.GenerateAsync();
    }

    [Benchmark(Description = "hybrid KEM encapsulate")]
    public async Task<byte[]> HybridEncapsulate()
    {
        var (encapsulation, secret) = await _kem.EncapsulateAsync(_recipient.PublicKey);
        secret.Dispose();
        return encapsulation;
    }

    [Benchmark(Description = "hybrid KEM decapsulate")]
    public async Task HybridDecapsulate()
    {
        using var secret = (await _kem.DecapsulateAsync(_recipient, _encapsulation)).Value;
    }

    [Benchmark(Description = "ECDH P-384 generate")]
    public async Task EcdhGenerate()
    {
        using var pair = await _backend.GenerateP384KeyPairAsync();
    }

    [Benchmark(Description = "ECDH P-384 agree")]
    public async Task<byte[]> EcdhAgree() => (await _backend.P384AgreeAsync(_own, _peer)).Value;
}

/// <summary>ML-KEM-1024 alone (BouncyCastle on every platform, so no backend parameter).</summary>
[Config(typeof(OperationsConfig))]
public class MlKemBenchmarks
{
    private MLKemPrivateKeyParameters _private = null!;
    private MLKemPublicKeyParameters _public = null!;
    private byte[] _ciphertext = [];

    [GlobalSetup]
    public void Setup()
    {
        _private = MlKem1024.FromSeed(MlKem1024.GenerateSeed()).Value;
        _public = _private.GetPublicKey();
        (_ciphertext, _) = MlKem1024.Encapsulate(_public);
    }

    [Benchmark(Description = "ML-KEM-1024 generate (seed expansion)")]
    public MLKemPrivateKeyParameters Generate() => MlKem1024.FromSeed(MlKem1024.GenerateSeed()).Value;

    [Benchmark(Description = "ML-KEM-1024 encapsulate")]
    public byte[] Encapsulate() => MlKem1024.Encapsulate(_public).Ciphertext;

    [Benchmark(Description = "ML-KEM-1024 decapsulate")]
    public byte[] Decapsulate() => MlKem1024.Decapsulate(_private, _ciphertext).Value;
}
