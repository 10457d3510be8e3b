using Parley.Protocol.Crypto;
using static Parley.Protocol.Tests.Robustness.Mutations;

namespace Parley.Protocol.Tests.Robustness;

/// <summary>Parsers of keys from untrusted bytes answer every input with a value or a typed error,
/// never with another exception.</summary>
public class KeyParsingRobustnessTests
{
    [Fact]
    public async Task Hybrid_KEM_public_keys()
    {
        using var key = await Backends.Suite("platform").Kem.GenerateAsync();
        foreach (var input in Of(key.PublicKey.Encode(), 400, seed: 1))
            Typed(input, () => HybridKemPublicKey.Decode(input).ToString());
    }

    [Fact]
    public async Task Composite_public_keys()
    {
        using var key = await Backends.Suite("platform").Signatures.GenerateAsync();
        foreach (var input in Of(key.PublicKey.Encode(), 400, seed: 2))
            Typed(input, () => CompositePublicKey.Decode(input).ToString());
    }

    [Fact]
    public async Task Hybrid_KEM_private_keys()
    {
        using var key = await Backends.Suite("platform").Kem.GenerateAsync();
        foreach (var input in Of(key.Export(), 100, seed: 3))
            Typed(input, () =>
            {
                var imported = HybridKemPrivateKey.Import(input);
                if (imported.IsOk) imported.Value.Dispose();
            });
    }

    [Fact]
    public async Task Composite_private_keys()
    {
        using var key = await Backends.Suite("platform").Signatures.GenerateAsync();
        foreach (var input in Of(key.Export(), 100, seed: 4))
            Typed(input, () =>
            {
                var imported = CompositePrivateKey.Import(input);
                if (imported.IsOk) imported.Value.Dispose();
            });
    }

    [Fact]
    public void ML_KEM_encapsulation_and_expanded_decapsulation_keys()
    {
        var key = MlKem1024.FromSeed(new byte[MlKem1024.SeedSize]).Value;
        foreach (var input in Of(key.GetPublicKeyEncoded(), 300, seed: 5))
            Typed(input, () => MlKem1024.ParsePublicKey(input).ToString());
        var expanded = key.WithPreferredFormat(Org.BouncyCastle.Crypto.Parameters.MLKemPrivateKeyParameters.Format.EncodingOnly).GetEncoded();
        foreach (var input in Of(expanded, 300, seed: 6))
            Typed(input, () => MlKem1024.FromExpanded(input).ToString());
    }

    [Fact]
    public void ML_DSA_public_keys_and_signatures()
    {
        var key = MlDsa87.FromSeed(new byte[MlDsa87.SeedSize]).Value;
        var publicKey = MlDsa87.ParsePublicKey(key.GetPublicKeyEncoded()).Value;
        foreach (var input in Of(key.GetPublicKeyEncoded(), 300, seed: 7))
            Typed(input, () => MlDsa87.ParsePublicKey(input).ToString());
        var signature = MlDsa87.Sign(key, "m"u8, "c"u8, deterministic: true);
        foreach (var input in Of(signature, 100, seed: 8))
            Typed(input, () => MlDsa87.Verify(publicKey, "m"u8, input, "c"u8));
    }

    [Fact]
    public void Ed25519_signatures_and_keys()
    {
        var privateKey = new byte[Protocol.Crypto.Ed25519.PrivateKeySize];
        var publicKey = Protocol.Crypto.Ed25519.PublicKey(privateKey);
        var signature = Protocol.Crypto.Ed25519.Sign(privateKey, "m"u8);
        foreach (var input in Of(signature, 200, seed: 9))
            Typed(input, () => Protocol.Crypto.Ed25519.Verify(publicKey, "m"u8, input));
        foreach (var input in Of(publicKey, 200, seed: 10))
            Typed(input, () => Protocol.Crypto.Ed25519.Verify(input, "m"u8, signature));
    }

    [Theory]
    [MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public async Task P384_agreement_with_random_points(string backend)
    {
        var ecdh = Backends.Get(backend);
        using var own = await ecdh.GenerateP384KeyPairAsync();
        var random = new Random(11);
        for (var i = 0; i < 300; i++)
        {
            var point = Bytes(random, P384KeyPair.PublicKeySize);
            if (i % 2 == 0) point[0] = 0x04;
            var result = await TypedAsync(point, async () => await ecdh.P384AgreeAsync(own, point));
            Assert.False(result.IsOk, $"a random point was accepted: {Show(point)}");
        }
        foreach (var input in Of(own.Q.ToArray(), 100, seed: 12))
            await TypedAsync(input, async () => await ecdh.P384AgreeAsync(own, input));
    }

    internal static void Typed(byte[] input, Action parse)
    {
        try
        {
            parse();
        }
        catch (Exception e)
        {
            Assert.Fail($"{e.GetType().Name} on {Show(input)}: {e.Message}");
        }
    }

    internal static async Task<T> TypedAsync<T>(byte[] input, Func<Task<T>> parse)
    {
        try
        {
            return await parse();
        }
        catch (Exception e)
        {
            Assert.Fail($"{e.GetType().Name} on {Show(input)}: {e.Message}");
            throw;
        }
    }
}
