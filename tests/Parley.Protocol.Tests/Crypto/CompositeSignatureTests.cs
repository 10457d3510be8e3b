using Parley.Protocol.Crypto;

namespace Parley.Protocol.Tests.Crypto;

/// <summary>Composite ML-DSA-87 + ECDSA P-384 signatures: both halves must verify, over this message,
/// this context and this key, and nothing but an exact signature is accepted.</summary>
public class CompositeSignatureTests
{
    private const int MlDsaPart = MlDsa87.SignatureSize;
    private static readonly byte[] Message = "Article 4: each party shall declare its stockpiles."u8.ToArray();
    private const string Use = "document-version";

    public static TheoryData<string> BackendNames => Backends.Names;

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task A_signature_verifies_for_its_message_context_and_key(string backend)
    {
        var signer = Backends.Suite(backend).Signatures;
        using var key = await signer.GenerateAsync();
        var signature = await signer.SignAsync(key, Message, Use);
        Assert.Equal(CompositeSigner.SignatureSize, signature.Length);
        Assert.True(await signer.VerifyAsync(key.PublicKey, Message, signature, Use));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2000)]
    [InlineData(MlDsaPart - 1)]
    public async Task A_broken_ml_dsa_half_fails(int position)
    {
        var (signer, key, signature) = await SignedAsync();
        signature[position] ^= 0x01;
        Assert.False(await signer.VerifyAsync(key.PublicKey, Message, signature, Use));
    }

    [Theory]
    [InlineData(MlDsaPart)]
    [InlineData(MlDsaPart + 47)]
    [InlineData(MlDsaPart + 48)]
    [InlineData(CompositeSigner.SignatureSize - 1)]
    public async Task A_broken_ecdsa_half_fails(int position)
    {
        var (signer, key, signature) = await SignedAsync();
        signature[position] ^= 0x01;
        Assert.False(await signer.VerifyAsync(key.PublicKey, Message, signature, Use));
    }

    [Fact]
    public async Task A_zeroed_ecdsa_half_fails()
    {
        var (signer, key, signature) = await SignedAsync();
        signature.AsSpan(MlDsaPart).Clear();
        Assert.False(await signer.VerifyAsync(key.PublicKey, Message, signature, Use));
    }

    [Fact]
    public async Task Halves_taken_from_signatures_of_two_messages_fail_for_both()
    {
        var (signer, key, signature) = await SignedAsync();
        var otherMessage = "Article 5: verification by inspection."u8.ToArray();
        var other = await signer.SignAsync(key, otherMessage, Use);

        var mlDsaFromOther = Splice(other, signature);
        var ecdsaFromOther = Splice(signature, other);
        foreach (var mixed in new[] { mlDsaFromOther, ecdsaFromOther })
        {
            Assert.False(await signer.VerifyAsync(key.PublicKey, Message, mixed, Use));
            Assert.False(await signer.VerifyAsync(key.PublicKey, otherMessage, mixed, Use));
        }
    }

    [Fact]
    public async Task Another_context_fails()
    {
        var (signer, key, signature) = await SignedAsync();
        Assert.False(await signer.VerifyAsync(key.PublicKey, Message, signature, "clearance-certificate"));
        Assert.False(await signer.VerifyAsync(key.PublicKey, Message, signature, Use + " "));
    }

    [Fact]
    public async Task Another_message_fails()
    {
        var (signer, key, signature) = await SignedAsync();
        var altered = (byte[])Message.Clone();
        altered[^1] ^= 0x01;
        Assert.False(await signer.VerifyAsync(key.PublicKey, altered, signature, Use));
    }

    [Fact]
    public async Task Another_key_fails_even_with_one_half_shared()
    {
        var (signer, key, signature) = await SignedAsync();
        using var stranger = await signer.GenerateAsync();
        Assert.False(await signer.VerifyAsync(stranger.PublicKey, Message, signature, Use));

        // A key that keeps our ML-DSA half but carries another ECDSA half: both halves count.
        var ours = key.PublicKey.Encode();
        var theirs = stranger.PublicKey.Encode();
        var hybrid = Splice(ours, theirs, MlDsa87.PublicKeySize);
        Assert.False(await signer.VerifyAsync(CompositePublicKey.Decode(hybrid).Value, Message, signature, Use));
        var otherHybrid = Splice(theirs, ours, MlDsa87.PublicKeySize);
        Assert.False(await signer.VerifyAsync(CompositePublicKey.Decode(otherHybrid).Value, Message, signature, Use));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(-96)]
    [InlineData(-CompositeSigner.SignatureSize)]
    public async Task A_truncated_or_extended_signature_fails(int change)
    {
        var (signer, key, signature) = await SignedAsync();
        var resized = change < 0 ? signature[..^(-change)] : [.. signature, .. new byte[change]];
        Assert.False(await signer.VerifyAsync(key.PublicKey, Message, resized, Use));
    }

    [Fact]
    public async Task Public_keys_with_a_bad_half_or_length_are_rejected()
    {
        var (_, key, _) = await SignedAsync();
        var encoded = key.PublicKey.Encode();
        var offCurve = (byte[])encoded.Clone();
        offCurve[^1] ^= 0x01;
        Assert.Equal(ProtocolErrorCode.InvalidKey, CompositePublicKey.Decode(offCurve).Error?.Code);
        Assert.Equal(ProtocolErrorCode.InvalidLength, CompositePublicKey.Decode(encoded[..^1]).Error?.Code);
        Assert.Equal(key.PublicKey, CompositePublicKey.Decode(encoded).Value);
    }

    [Fact]
    public async Task A_private_key_survives_export_and_import()
    {
        var (signer, key, _) = await SignedAsync();
        using var imported = CompositePrivateKey.Import(key.Export()).Value;
        Assert.Equal(key.PublicKey, imported.PublicKey);
        Assert.True(await signer.VerifyAsync(key.PublicKey, Message, await signer.SignAsync(imported, Message, Use), Use));
        Assert.Equal(ProtocolErrorCode.InvalidKey, CompositePrivateKey.Import(new byte[CompositePrivateKey.Size]).Error?.Code);
        Assert.Equal("CompositePrivateKey(private)", imported.ToString());
    }

    private static async Task<(CompositeSigner Signer, CompositePrivateKey Key, byte[] Signature)> SignedAsync()
    {
        var signer = Backends.Suite("platform").Signatures;
        var key = await signer.GenerateAsync();
        return (signer, key, await signer.SignAsync(key, Message, Use));
    }

    // The first part of `head` followed by the rest of `tail`, split at `at` (by default the ML-DSA part).
    private static byte[] Splice(byte[] head, byte[] tail, int at = MlDsaPart) => [.. head.AsSpan(0, at), .. tail.AsSpan(at)];
}
