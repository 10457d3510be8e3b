using System.Collections.Immutable;
using Parley.Protocol.Classification;
using Parley.Protocol.Crypto;
using Parley.Protocol.Documents;
using Parley.Protocol.Formats;
using Parley.Protocol.Identity;
using Parley.Protocol.Tests.Robustness;

namespace Parley.Protocol.Tests.Documents;

/// <summary>The version manifest: canonical, signed by the author, its label checked against its portions,
/// and its parser refusing anything malformed with a typed error.</summary>
public class DocumentVersionTests
{
    private static readonly CryptoSuite Suite = CryptoSuite.Default;

    [Fact]
    public void A_manifest_round_trips_and_its_hash_is_of_its_canonical_bytes()
    {
        var version = DocumentFixtures.Version();
        var encoded = Canonical.Encode(version);
        var decoded = Canonical.Decode<DocumentVersion>(encoded).Value;
        Assert.Equal(encoded, Canonical.Encode(decoded));
        Assert.Equal(version.Hash(), decoded.Hash());
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(encoded), version.Hash());
        Assert.Equal(new Parley.Protocol.Streams.DocumentStreamContext(DocumentFixtures.DocumentId, 1, "SECRET//REL TO ATL, BOR").Encode(), decoded.StreamContext.Encode());
    }

    [Fact]
    public async Task The_author_signature_verifies_and_a_changed_field_does_not()
    {
        using var author = await Suite.Signatures.GenerateAsync();
        var signed = await Signed<DocumentVersion>.SignAsync(Suite, author, DocumentFixtures.Version());
        var decoded = Signed<DocumentVersion>.Decode(signed.Encode()).Value;
        Assert.True(await decoded.VerifyAsync(Suite, author.PublicKey));

        // The label is the 4th field of the payload: respell it in place (same length) and the signature fails.
        var payload = (byte[])signed.Payload.Clone();
        var at = IndexOf(payload, "REL TO ATL, BOR"u8.ToArray());
        payload[at + 11] = (byte)'X';
        var forged = Rebuild(signed, payload);
        Assert.True(forged.IsOk, forged.Error?.Message);
        Assert.False(await forged.Value.VerifyAsync(Suite, author.PublicKey));

        using var other = await Suite.Signatures.GenerateAsync();
        Assert.False(await decoded.VerifyAsync(Suite, other.PublicKey));
    }

    [Fact]
    public async Task A_signature_made_for_another_structure_does_not_verify_as_a_version()
    {
        using var author = await Suite.Signatures.GenerateAsync();
        var version = DocumentFixtures.Version();
        var payload = Canonical.Encode(version);
        var signature = await Suite.Signatures.SignAsync(author, payload, Endorsement.TypeName);
        Assert.False(await Suite.Signatures.VerifyAsync(author.PublicKey, payload, signature, DocumentVersion.TypeName));
    }

    [Fact]
    public void The_label_must_dominate_the_join_of_the_portions()
    {
        var scheme = MarkingScheme.Generic;
        Assert.Equal("SECRET//REL TO ATL, BOR", DocumentFixtures.Version().CheckLabel(scheme).Value.ToBanner());
        Assert.True(DocumentFixtures.Version(label: "TOP SECRET//REL TO ATL, BOR").CheckLabel(scheme).IsOk);

        var low = DocumentFixtures.Version(label: "CONFIDENTIAL//REL TO ATL, BOR").CheckLabel(scheme);
        Assert.Equal(ProtocolErrorCode.Malformed, low.Error!.Code);
        Assert.Contains("portions need SECRET//REL TO ATL, BOR", low.Error.Message);

        var wider = DocumentFixtures.Version(label: "SECRET").CheckLabel(scheme);
        Assert.False(wider.IsOk);

        var respelt = DocumentFixtures.Version(label: "SECRET//REL TO BOR, ATL").CheckLabel(scheme);
        Assert.Equal(ProtocolErrorCode.Malformed, respelt.Error!.Code);
        var badMark = DocumentFixtures.Version(marks: ["(SECRT)"]).CheckLabel(scheme);
        Assert.Equal(ProtocolErrorCode.Malformed, badMark.Error!.Code);
    }

    [Fact]
    public void Text_labels_come_from_the_portions()
    {
        var scheme = MarkingScheme.Generic;
        const string text = "# (U) Draft treaty\n\n(S//REL TO ATL, BOR) Article 1. The parties shall...\n\n(C) Article 2. Each party...\n\n(U) Article 3.\n";
        var read = TextLabel.Read(scheme, text).Value;
        Assert.Equal("SECRET//REL TO ATL, BOR", read.Label.ToBanner());
        Assert.Equal(["(C)", "(S//REL TO ATL, BOR)", "(U)"], read.PortionMarks.ToArray());
        var declared = scheme.ParseBanner("TOP SECRET//REL TO ATL, BOR").Value;
        Assert.Equal(declared, TextLabel.Read(scheme, text, declared).Value.Label);

        var tooLow = TextLabel.Read(scheme, text, scheme.ParseBanner("CONFIDENTIAL").Value);
        Assert.Contains("does not cover them", tooLow.Error!.Message);
        var unmarked = TextLabel.Read(scheme, "Article 1 without a mark.\n");
        Assert.Contains("paragraph not portion-marked", unmarked.Error!.Message);
    }

    [Theory]
    [InlineData(0, "Document versions start at 1.")]
    [InlineData(2, "previous version hash")]
    public void Impossible_manifests_cannot_be_built(int version, string problem)
    {
        var e = Assert.Throws<ArgumentException>(() => new DocumentVersion(DocumentFixtures.DocumentId, version, [], "SECRET", [], "text/plain", 0,
            [.. new byte[24]], DocumentVersion.CiphertextLengthOf(0), [.. new byte[32]], [.. new byte[32]], Guid.Empty, Guid.Empty, 0));
        Assert.Contains(problem, e.Message);
        Assert.Throws<ArgumentException>(() => new DocumentVersion(DocumentFixtures.DocumentId, 1, [], "SECRET", [], "text/plain", 10,
            [.. new byte[24]], DocumentVersion.CiphertextLengthOf(10) + 1, [.. new byte[32]], [.. new byte[32]], Guid.Empty, Guid.Empty, 0));
        Assert.Throws<ArgumentException>(() => new DocumentVersion(DocumentFixtures.DocumentId, 1, [], "SECRET", ["(U)", "(C)"], "text/plain", 0,
            [.. new byte[24]], DocumentVersion.CiphertextLengthOf(0), [.. new byte[32]], [.. new byte[32]], Guid.Empty, Guid.Empty, 0));
    }

    [Fact]
    public void Ciphertext_lengths_follow_cobblestone()
    {
        Assert.Equal(56 + 16, DocumentVersion.CiphertextLengthOf(0));
        Assert.Equal(56 + 16 + 16383, DocumentVersion.CiphertextLengthOf(16383));
        Assert.Equal(56 + 32 + 16384, DocumentVersion.CiphertextLengthOf(16384));
    }

    [Fact]
    public async Task Hostile_manifests_and_envelopes_are_refused_with_typed_errors()
    {
        using var author = await Suite.Signatures.GenerateAsync();
        var signed = await Signed<DocumentVersion>.SignAsync(Suite, author, DocumentFixtures.Version(2));
        foreach (var input in Mutations.Of(Canonical.Encode(signed.Body), 400, 7))
        {
            // A flipped bit inside a hash is still a well-formed manifest: then it must be canonical.
            var manifest = Canonical.Decode<DocumentVersion>(input);
            if (manifest.IsOk) Assert.Equal(input, Canonical.Encode(manifest.Value));
            else Assert.True(manifest.Error.Code is ProtocolErrorCode.Malformed or ProtocolErrorCode.LimitExceeded, $"{manifest.Error} for {Mutations.Show(input)}");
        }
        foreach (var input in Mutations.Of(signed.Encode(), 150, 8))
        {
            var envelope = Signed<DocumentVersion>.Decode(input);
            if (envelope.IsOk) Assert.False(await envelope.Value.VerifyAsync(Suite, author.PublicKey), Mutations.Show(input));
            else Assert.Equal(ProtocolErrorCode.Malformed, envelope.Error.Code);
        }
    }

    internal static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i <= haystack.Length - needle.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        }
        throw new InvalidOperationException("not found");
    }

    private static Result<Signed<DocumentVersion>> Rebuild(Signed<DocumentVersion> original, byte[] payload)
    {
        var writer = Canonical.CreateWriter();
        Canonical.WriteHeader(writer, "parley/signed", 1, 3);
        writer.WriteByteString(payload);
        writer.WriteByteString(original.SignerFingerprint);
        writer.WriteByteString(original.Signature);
        writer.WriteEndArray();
        return Signed<DocumentVersion>.Decode(writer.Encode());
    }
}
