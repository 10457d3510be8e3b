using Parley.Protocol.Crypto;

namespace Parley.Protocol.Conformance;

/// <summary>hkdf_sha{256,384,512}_test.json (schema hkdf_test_schema_v1): HKDF-Extract then Expand,
/// including output sizes above 255 hash lengths, which must be refused.</summary>
internal sealed class HkdfVectors(ICryptoBackend backend, HashName hash) : VectorSuite
{
    public override string Algorithm => hash switch
    {
        HashName.Sha256 => "HKDF-SHA-256",
        HashName.Sha384 => "HKDF-SHA-384",
        HashName.Sha512 => "HKDF-SHA-512",
        _ => throw new ArgumentOutOfRangeException(nameof(hash)),
    };

    public override string GroupType => "HkdfTest";

    public override string Runner => backend.Name;

    public override ValueTask RunGroupAsync(VectorGroup group, CaseLog log, CancellationToken cancellationToken)
    {
        var ikmBits = group.Fields.Int("keySize");
        return RunEachAsync(group, log, async test =>
        {
            var ikm = test.Fields.Hex("ikm");
            if (ikm.Length * 8 != ikmBits) throw new MalformedVectorException($"the IKM is {ikm.Length * 8} bits, the group says {ikmBits}.");
            var size = test.Fields.Int("size");
            var okm = await backend.HkdfAsync(hash, ikm, test.Fields.Hex("salt"), test.Fields.Hex("info"), size, cancellationToken).ConfigureAwait(false);
            if (!okm.TryGetValue(out var output, out var error)) return test.Rejected(error.ToString());
            if (output.Length != size) return Verdict.Fail($"{size} bytes", $"{output.Length} bytes");
            return test.Accepted(output, test.Fields.Hex("okm"), "okm");
        }, cancellationToken);
    }
}
