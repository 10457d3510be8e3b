using Org.BouncyCastle.Crypto.Parameters;
using Parley.Protocol.Crypto;

namespace Parley.Protocol.Conformance;

/// <summary>Group checks shared by the ML-KEM-1024 files.</summary>
internal abstract class MlKemSuite : BouncyCastleOnlySuite
{
    public override string Algorithm => "ML-KEM";

    protected override string DisplayName => "ML-KEM-1024";

    public sealed override ValueTask RunGroupAsync(VectorGroup group, CaseLog log, CancellationToken cancellationToken)
    {
        Require(group.Fields, "parameterSet", "ML-KEM-1024");
        return RunEachAsync(group, log, test => ValueTask.FromResult(Check(test)), cancellationToken);
    }

    protected abstract Verdict Check(VectorCase test);

    /// <summary>Decapsulates <paramref name="ciphertext"/> and compares with the vector's K.</summary>
    protected static Verdict Decapsulate(VectorCase test, MLKemPrivateKeyParameters key, byte[] ciphertext)
    {
        var secret = MlKem1024.Decapsulate(key, ciphertext);
        if (!secret.TryGetValue(out var k, out var error)) return test.Rejected($"decapsulation: {error}");
        return test.Accepted(k, test.Fields.Hex("K"), "K");
    }

    protected static Verdict SamePublicKey(VectorCase test, MLKemPrivateKeyParameters key, byte[] ek) =>
        key.GetPublicKeyEncoded().AsSpan().SequenceEqual(ek)
            ? Verdict.Pass
            : Verdict.Fail($"encapsulation key {Convert.ToHexStringLower(ek)[..32]}...", $"{Convert.ToHexStringLower(key.GetPublicKeyEncoded())[..32]}...");
}

/// <summary>mlkem_1024_keygen_seed_test.json: ML-KEM.KeyGen_internal(d, z) gives the vector's ek and dk,
/// and the expanded dk imports back (with its hash check) to the same key.</summary>
internal sealed class MlKemKeyGenVectors : MlKemSuite
{
    public override string GroupType => "MLKEMKeyGen";

    protected override Verdict Check(VectorCase test)
    {
        var key = MlKem1024.FromSeed(test.Fields.Hex("seed"));
        if (!key.TryGetValue(out var generated, out var error)) return test.Rejected($"seed: {error}");
        var ek = test.Fields.Hex("ek");
        var dk = test.Fields.Hex("dk");
        var samePublic = SamePublicKey(test, generated, ek);
        if (samePublic.Kind != VerdictKind.Passed) return samePublic;
        var expanded = generated.WithPreferredFormat(MLKemPrivateKeyParameters.Format.EncodingOnly).GetEncoded();
        var sameExpanded = test.Accepted(expanded, dk, "decapsulation key");
        if (sameExpanded.Kind != VerdictKind.Passed) return sameExpanded;
        var imported = MlKem1024.FromExpanded(dk);
        if (!imported.TryGetValue(out var reimported, out error)) return test.Rejected($"expanded key import: {error}");
        return SamePublicKey(test, reimported, ek);
    }
}

/// <summary>mlkem_1024_encaps_test.json: encapsulation with the vector's message m (drawn through
/// BouncyCastle's randomness parameter), and the FIPS 203 §7.2 modulus check on every ek.</summary>
internal sealed class MlKemEncapsulationVectors : MlKemSuite
{
    public override string GroupType => "MLKEMEncapsTest";

    protected override Verdict Check(VectorCase test)
    {
        var publicKey = MlKem1024.ParsePublicKey(test.Fields.Hex("ek"));
        if (!publicKey.TryGetValue(out var ek, out var error)) return test.Rejected($"encapsulation key: {error}");
        var m = test.Fields.Hex("m");
        if (m.Length != 32) throw new MalformedVectorException($"m is {m.Length} bytes, not 32.");
        var (random, source) = FixedRandomness.Of(m);
        var (ciphertext, secret) = MlKem1024.Encapsulate(ek, random);
        if (!source.Exhausted) return Verdict.Fail("the 32 bytes of m used", "fewer random bytes drawn");
        var sameCiphertext = test.Accepted(ciphertext, test.Fields.Hex("c"), "ciphertext");
        return sameCiphertext.Kind != VerdictKind.Passed ? sameCiphertext : test.Accepted(secret, test.Fields.Hex("K"), "K");
    }
}

/// <summary>mlkem_1024_test.json: key generation from a seed (of the wrong length too, which must be
/// refused), then decapsulation, including implicit rejection of modified ciphertexts.</summary>
internal sealed class MlKemDecapsulationVectors : MlKemSuite
{
    public override string GroupType => "MLKEMTest";

    protected override Verdict Check(VectorCase test)
    {
        var key = MlKem1024.FromSeed(test.Fields.Hex("seed"));
        if (!key.TryGetValue(out var privateKey, out var error)) return test.Rejected($"seed: {error}");
        if (test.Fields.OptionalHex("ek") is { } ek && SamePublicKey(test, privateKey, ek) is { Kind: not VerdictKind.Passed } differs)
            return differs;
        return Decapsulate(test, privateKey, test.Fields.Hex("c"));
    }
}

/// <summary>mlkem_1024_semi_expanded_decaps_test.json: import of an expanded decapsulation key with the
/// FIPS 203 §7.3 checks (length, embedded hash), then decapsulation.</summary>
internal sealed class MlKemExpandedKeyVectors : MlKemSuite
{
    public override string GroupType => "MLKEMDecapsValidationTest";

    protected override Verdict Check(VectorCase test)
    {
        var key = MlKem1024.FromExpanded(test.Fields.Hex("dk"));
        if (!key.TryGetValue(out var privateKey, out var error)) return test.Rejected($"decapsulation key: {error}");
        if (test.Result == ExpectedResult.Valid && SamePublicKey(test, privateKey, test.Fields.Hex("ek")) is { Kind: not VerdictKind.Passed } differs)
            return differs;
        return Decapsulate(test, privateKey, test.Fields.Hex("c"));
    }
}
