using Parley.Protocol.Crypto;

namespace Parley.Protocol.Conformance;

/// <summary>
/// ecdsa_secp384r1_sha384_test.json (DER signatures) and ecdsa_secp384r1_sha384_p1363_test.json (r || s).
/// DER signatures are decoded strictly into r || s, so BER and otherwise invalid encodings fail there;
/// then the backend verifies in IEEE P1363 form, as Parley always does.
/// </summary>
internal sealed class EcdsaVectors(ICryptoBackend backend, EcdsaVectors.Encoding encoding) : VectorSuite
{
    internal enum Encoding
    {
        Der,
        P1363,
    }

    public override string Algorithm => "ECDSA";

    public override string GroupType => encoding == Encoding.Der ? "EcdsaVerify" : "EcdsaP1363Verify";

    public override string Runner => backend.Name;

    public override ValueTask RunGroupAsync(VectorGroup group, CaseLog log, CancellationToken cancellationToken)
    {
        Require(group.Fields, "sha", "SHA-384");
        var publicKey = group.Fields.Object("publicKey");
        Require(publicKey, "curve", "secp384r1");
        var parsed = VectorEncodings.P384PointFromSpki(group.Fields.Hex("publicKeyDer"));
        if (parsed.IsOk && !parsed.Value.AsSpan().SequenceEqual(publicKey.Hex("uncompressed")))
            throw new MalformedVectorException("publicKeyDer and publicKey.uncompressed disagree.");
        return RunEachAsync(group, log, async test =>
        {
            if (!parsed.TryGetValue(out var point, out var error)) return test.Rejected($"public key: {error}");
            var encoded = test.Fields.Hex("sig");
            var signature = encoding == Encoding.Der ? VectorEncodings.P1363FromDerSignature(encoded) : encoded;
            if (!signature.TryGetValue(out var rs, out error)) return test.Rejected($"signature encoding: {error}");
            return await backend.P384VerifyAsync(point, test.Fields.Hex("msg"), rs, cancellationToken).ConfigureAwait(false)
                ? test.Accepted("signature verified")
                : test.Rejected("signature did not verify");
        }, cancellationToken);
    }
}
