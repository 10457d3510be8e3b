using Parley.Protocol.Crypto;

namespace Parley.Protocol.Conformance;

/// <summary>
/// ecdh_secp384r1_test.json (public keys as X.509 SubjectPublicKeyInfo) and
/// ecdh_secp384r1_webcrypto_test.json (JWK). Our API takes uncompressed points only, so compressed
/// points and unusual-but-acceptable encodings may be refused when the vector says "acceptable";
/// other curves and points off the curve must be refused, and valid keys must give the shared secret.
/// </summary>
internal sealed class EcdhVectors(ICryptoBackend backend, EcdhVectors.Encoding encoding) : VectorSuite
{
    internal enum Encoding
    {
        SubjectPublicKeyInfo,
        JsonWebKey,
    }

    public override string Algorithm => "ECDH";

    public override string GroupType => encoding == Encoding.SubjectPublicKeyInfo ? "EcdhTest" : "EcdhWebcryptoTest";

    public override string Runner => backend.Name;

    public override async ValueTask RunGroupAsync(VectorGroup group, CaseLog log, CancellationToken cancellationToken)
    {
        Require(group.Fields, "curve", encoding == Encoding.SubjectPublicKeyInfo ? "secp384r1" : "P-384");
        Require(group.Fields, "encoding", encoding == Encoding.SubjectPublicKeyInfo ? "asn" : "webcrypto");
        // Many cases share a private key; deriving its public point is costly, so do it once per key.
        var keys = new Dictionary<string, P384KeyPair>(StringComparer.Ordinal);
        try
        {
            await RunEachAsync(group, log, test => CheckAsync(test, keys, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var pair in keys.Values) pair.Dispose();
        }
    }

    private async ValueTask<Verdict> CheckAsync(VectorCase test, Dictionary<string, P384KeyPair> keys, CancellationToken cancellationToken)
    {
        var pair = OwnKey(test, keys);
        var peer = encoding == Encoding.SubjectPublicKeyInfo
            ? VectorEncodings.P384PointFromSpki(test.Fields.Hex("public"))
            : VectorEncodings.P384PointFromJwk(test.Fields.Object("public"));
        if (!peer.TryGetValue(out var point, out var error)) return test.Rejected($"public key: {error}");
        var shared = await backend.P384AgreeAsync(pair, point, cancellationToken).ConfigureAwait(false);
        if (!shared.TryGetValue(out var secret, out error)) return test.Rejected($"agreement: {error}");
        return test.Accepted(secret, test.Fields.Hex("shared"), "shared secret");
    }

    private P384KeyPair OwnKey(VectorCase test, Dictionary<string, P384KeyPair> keys)
    {
        var raw = test.Fields.Property("private").GetRawText();
        if (keys.TryGetValue(raw, out var cached)) return cached;
        var own = encoding == Encoding.SubjectPublicKeyInfo
            ? VectorEncodings.P384KeyPairFromScalar(test.Fields.Hex("private"))
            : VectorEncodings.P384KeyPairFromJwk(test.Fields.Object("private"));
        // The private keys are the vectors' fixed inputs, not what is being tested.
        if (!own.TryGetValue(out var pair, out var error)) throw new MalformedVectorException($"unusable private key: {error}");
        keys.Add(raw, pair);
        return pair;
    }
}
