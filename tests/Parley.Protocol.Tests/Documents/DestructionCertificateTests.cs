using Parley.Protocol.Crypto;
using Parley.Protocol.Documents;
using Parley.Protocol.Formats;
using Parley.Protocol.Identity;
using Parley.Protocol.Tests.Robustness;

namespace Parley.Protocol.Tests.Documents;

/// <summary>Destruction certificates carry the SP 800-88 fields, are signed, hash stably for the ledger,
/// and refuse impossible or hostile content.</summary>
public class DestructionCertificateTests
{
    private static readonly CryptoSuite Suite = CryptoSuite.Default;

    private static DestructionCertificate Certificate(int remaining = 0, SanitizationResult result = SanitizationResult.Succeeded) =>
        new(Guid.NewGuid(), DocumentFixtures.DocumentId, [1, 2, 3], "SECRET//REL TO ATL, BOR",
            "wrapped document keys (3 versions, 7 wraps) and ciphertext blobs on the Parley server", "parley 1.0 (PARLEY-PQ1)",
            Guid.NewGuid(), "ATL", 1_795_867_200, "superseded by the agreed text", "server: wrapped-key count after deletion",
            "full: every stored wrap of the document counted", remaining, result);

    [Fact]
    public async Task A_certificate_is_signed_verifies_and_hashes_stably()
    {
        using var officer = await Suite.Signatures.GenerateAsync();
        var signed = await Signed<DestructionCertificate>.SignAsync(Suite, officer, Certificate());
        var decoded = Signed<DestructionCertificate>.Decode(signed.Encode()).Value;
        Assert.True(await decoded.VerifyAsync(Suite, officer.PublicKey));
        Assert.Equal(signed.Hash(), decoded.Hash());
        Assert.Equal(DestructionCertificate.Method, "purge");
        Assert.Equal(DestructionCertificate.Technique, decoded.Body.GetType().GetField("Technique")!.GetValue(null));
        Assert.Equal([1, 2, 3], decoded.Body.Versions.ToArray());
        using var other = await Suite.Signatures.GenerateAsync();
        Assert.False(await decoded.VerifyAsync(Suite, other.PublicKey));
    }

    [Fact]
    public void A_success_with_keys_remaining_or_bad_fields_cannot_be_certified()
    {
        Assert.Throws<ArgumentException>(() => Certificate(remaining: 1));
        Assert.NotNull(Certificate(remaining: 1, result: SanitizationResult.Failed));
        Assert.Throws<ArgumentException>(() => new DestructionCertificate(Guid.NewGuid(), Guid.NewGuid(), [2, 1], "SECRET", "m", "t", Guid.NewGuid(), "ATL", 0, "r", "v", "m", 0, SanitizationResult.Succeeded));
        Assert.Throws<ArgumentException>(() => new DestructionCertificate(Guid.NewGuid(), Guid.NewGuid(), [1], "SECRET", "m", "t", Guid.NewGuid(), "ATL", 0, " ", "v", "m", 0, SanitizationResult.Succeeded));
        Assert.Throws<ArgumentException>(() => new DestructionCertificate(Guid.NewGuid(), Guid.NewGuid(), [1], "SECRET", "m", "t", Guid.NewGuid(), "atl", 0, "r", "v", "m", 0, SanitizationResult.Succeeded));
    }

    [Fact]
    public void A_certificate_claiming_another_method_or_hostile_bytes_is_refused()
    {
        var encoded = Canonical.Encode(Certificate());
        var at = DocumentVersionTests.IndexOf(encoded, "cryptographic erase"u8.ToArray());
        var other = (byte[])encoded.Clone();
        "overwrite  pass ×1"u8.ToArray().AsSpan(0, 19).CopyTo(other.AsSpan(at));
        var refused = Canonical.Decode<DestructionCertificate>(other);
        Assert.False(refused.IsOk);
        foreach (var input in Mutations.Of(encoded, 300, 13))
        {
            var decoded = Canonical.Decode<DestructionCertificate>(input);
            if (decoded.IsOk) Assert.Equal(input, Canonical.Encode(decoded.Value));
            else Assert.True(decoded.Error.Code is ProtocolErrorCode.Malformed or ProtocolErrorCode.LimitExceeded, decoded.Error.ToString());
        }
    }
}
