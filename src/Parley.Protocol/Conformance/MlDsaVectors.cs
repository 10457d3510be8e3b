using Org.BouncyCastle.Crypto.Parameters;
using Parley.Protocol.Crypto;

namespace Parley.Protocol.Conformance;

/// <summary>Group checks shared by the ML-DSA-87 files.</summary>
internal abstract class MlDsaSuite : BouncyCastleOnlySuite
{
    public override string Algorithm => "ML-DSA-87";

    protected static byte[] Context(VectorCase test) => test.Fields.OptionalHex("ctx") ?? [];
}

/// <summary>
/// mldsa_87_sign_seed_test.json: key generation from the seed, then signing of (message, context):
/// deterministic, or hedged with the vector's rnd. Each signature must equal the vector's and verify.
/// Cases that give only μ (flag Internal: NIST's Sign_internal vectors) need an external-μ signing
/// interface, which BouncyCastle 2.7.0 does not expose; they are reported as not applicable, after
/// their key generation has been checked.
/// </summary>
internal sealed class MlDsaSignVectors : MlDsaSuite
{
    public override string GroupType => "MlDsaSign";

    public override ValueTask RunGroupAsync(VectorGroup group, CaseLog log, CancellationToken cancellationToken)
    {
        var seed = MlDsa87.FromSeed(group.Fields.Hex("privateSeed"));
        // Groups whose seed has the wrong length carry no public key.
        var expectedPublicKey = group.Fields.OptionalHex("publicKey");
        return RunEachAsync(group, log, test => ValueTask.FromResult(Check(test, seed, expectedPublicKey)), cancellationToken);
    }

    private static Verdict Check(VectorCase test, Result<MLDsaPrivateKeyParameters> seed, byte[]? expectedPublicKey)
    {
        if (!seed.TryGetValue(out var key, out var error)) return test.Rejected($"seed: {error}");
        if (expectedPublicKey is null) throw new MalformedVectorException("the group has a usable seed but no public key.");
        var publicKey = key.GetPublicKeyEncoded();
        if (!publicKey.AsSpan().SequenceEqual(expectedPublicKey))
            return Verdict.Fail("the group's public key from the seed", "a different public key");
        if (!test.Fields.Has("msg"))
        {
            if (test.Fields.Has("mu")) return Verdict.NotApplicable("only μ is given (Sign_internal vector); BouncyCastle 2.7.0 has no external-μ signing. Key generation from the seed was checked.");
            throw new MalformedVectorException("the case has neither msg nor mu.");
        }
        var message = test.Fields.Hex("msg");
        var context = Context(test);
        byte[] signature;
        try
        {
            if (test.Fields.OptionalHex("rnd") is { } rnd)
            {
                var (random, source) = FixedRandomness.Of(rnd);
                signature = MlDsa87.Sign(key, message, context, random);
                if (!source.Exhausted) return Verdict.Fail("rnd used", "fewer random bytes drawn");
            }
            else
            {
                signature = MlDsa87.Sign(key, message, context, deterministic: true);
            }
        }
        catch (ArgumentException) when (context.Length > 255)
        {
            // The context is chosen by Parley's own code, never by an attacker: an oversized one is a
            // programming error, refused at the call.
            return test.Rejected("context longer than 255 bytes refused");
        }
        var same = test.Accepted(signature, test.Fields.Hex("sig"), "signature");
        if (same.Kind != VerdictKind.Passed || test.Result != ExpectedResult.Valid) return same;
        return MlDsa87.Verify(MlDsa87.ParsePublicKey(publicKey).Value, message, signature, context)
            ? Verdict.Pass
            : Verdict.Fail("the signature to verify", "it did not");
    }
}

/// <summary>mldsa_87_verify_test.json: verification, including malformed public keys, signatures of
/// the wrong length, bad hint encodings, norm violations and oversized contexts, which must be refused.</summary>
internal sealed class MlDsaVerifyVectors : MlDsaSuite
{
    public override string GroupType => "MlDsaVerify";

    public override ValueTask RunGroupAsync(VectorGroup group, CaseLog log, CancellationToken cancellationToken)
    {
        var publicKey = MlDsa87.ParsePublicKey(group.Fields.Hex("publicKey"));
        return RunEachAsync(group, log, test =>
        {
            if (!publicKey.TryGetValue(out var key, out var error)) return ValueTask.FromResult(test.Rejected($"public key: {error}"));
            return ValueTask.FromResult(MlDsa87.Verify(key, test.Fields.Hex("msg"), test.Fields.Hex("sig"), Context(test))
                ? test.Accepted("signature verified")
                : test.Rejected("signature did not verify"));
        }, cancellationToken);
    }
}
