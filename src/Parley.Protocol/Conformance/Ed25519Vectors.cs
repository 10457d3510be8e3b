namespace Parley.Protocol.Conformance;

/// <summary>ed25519_test.json (schema eddsa_verify_schema_v1): verification, including malleable,
/// truncated and non-canonical signatures, which must be refused.</summary>
internal sealed class Ed25519Vectors : BouncyCastleOnlySuite
{
    public override string Algorithm => "EDDSA";

    public override string GroupType => "EddsaVerify";

    protected override string DisplayName => "Ed25519";

    public override ValueTask RunGroupAsync(VectorGroup group, CaseLog log, CancellationToken cancellationToken)
    {
        var publicKey = group.Fields.Object("publicKey");
        Require(publicKey, "curve", "edwards25519");
        var key = publicKey.Hex("pk");
        return RunEachAsync(group, log, test => ValueTask.FromResult(
            Crypto.Ed25519.Verify(key, test.Fields.Hex("msg"), test.Fields.Hex("sig"))
                ? test.Accepted("signature verified")
                : test.Rejected("signature did not verify")), cancellationToken);
    }
}
