using System.Security.Cryptography;
using Microsoft.Playwright;
using Parley.Protocol.Crypto.Backends;

namespace Parley.Web.Tests;

/// <summary>
/// The WebCrypto backend in Chromium, called from page script through its [JSExport]ed diagnostics,
/// so the whole path runs: C# shape checks, the JS module, SubtleCrypto, and the mapping of its
/// rejections to failure values. Known answers prove each call can succeed, so the failures that
/// follow are failures of the input, not of the harness. Segment batches and HKDF-Expand are
/// compared with the native platform backend.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class WebCryptoBackendTests(WebFixture web) : IAsyncLifetime
{
    // Wycheproof aes_gcm_test.json tcId 91 (as in the self-test).
    private const string AesKey = "92ace3e348cd821092cd921aa3546374299ab46209691bc28b8752d17f123c20";
    private const string AesNonce = "00112233445566778899aabb";
    private const string AesAad = "00000000ffffffff";
    private const string AesMessage = "00010203040506070809";
    private const string AesCiphertext = "e27abdd2d2a53d2f136b9a4a2579529301bcfb71c78d4060f52c";

    // Wycheproof ecdh_secp384r1_webcrypto_test.json tcId 1.
    private const string EcdhPrivate = "766e61425b2da9f846c09fc3564b93a6f8603b7392c785165bf20da948c49fd1fb1dee4edd64356b9f21c588b75dfd81";
    private const string EcdhPublic = "047a6ec8d311d5ca588baed41be3e98f30c9294844ecbb629995653635dbc22da2f083f29711e0f9c5963bc021bd8cb2109daf56a55f883a7200cea9c4de44488e6dc49fb9c394f51cb5a49fc69d7e8a034792963ae4eabc63483a2cf1a899e8c8";
    private const string EcdhPeer = "04790a6e059ef9a5940163183d4a7809135d29791643fc43a2f17ee8bf677ab84f791b64a6be15969ffa012dd9185d8796d9b954baa8a75e82df711b3b56eadff6b0f668c3b26b4b1aeb308a1fcc1c680d329a6705025f1c98a0b5e5bfcb163caa";
    private const string EcdhShared = "6461defb95d996b24296f5a1832b34db05ed031114fbe7d98d098f93859866e4de1e229da71fef0c77fe49b249190135";

    // Wycheproof ecdsa_secp384r1_sha384_p1363_test.json tcId 1.
    private const string EcdsaPublic = "042da57dda1089276a543f9ffdac0bff0d976cad71eb7280e7d9bfd9fee4bdb2f20f47ff888274389772d98cc5752138aa4b6d054d69dcf3e25ec49df870715e34883b1836197d76f8ad962e78f6571bbc7407b0d6091f9e4d88f014274406174f";
    private const string EcdsaMessage = "313233343030";
    private const string EcdsaSignature = "12b30abef6b5476fe6b612ae557c0425661e26b44b1bfe19daf2ca28e3113083ba8e4ae4cc45a0320abd3394f1c548d71840da9fc1d2f8f8900cf485d5413b8c2574ee3a8d4ca03995ca30240e09513805bf6209b58ac7aa9cff54eecd82b9f1";

    private const string Call = """
        async ([method, args]) => {
            const runtime = await globalThis.getDotnetRuntime(0);
            const exports = await runtime.getAssemblyExports('Parley.Web.dll');
            return await exports.Parley.Web.Crypto.WebCryptoDiagnostics[method](...args);
        }
        """;

    private PageSession _session = null!;

    public async Task InitializeAsync()
    {
        _session = await web.OpenAsync();
        await _session.Page.GotoAsync("");
        // The layout renders once the runtime and the crypto module are loaded.
        await Assertions.Expect(_session.Page.Locator(".classification-banner--top")).ToBeVisibleAsync(new() { Timeout = 120_000 });
    }

    public async Task DisposeAsync() => await _session.DisposeAsync();

    private Task<T> CallAsync<T>(string method, params object[] args) => _session.Page.EvaluateAsync<T>(Call, new object[] { method, args });

    [Fact]
    public async Task Aes_gcm_opens_the_known_answer_and_refuses_any_modification()
    {
        Assert.Equal(AesCiphertext, await CallAsync<string>("AesGcmSeal", AesKey, AesNonce, AesMessage, AesAad));
        Assert.Equal(AesMessage, await CallAsync<string>("AesGcmOpen", AesKey, AesNonce, AesCiphertext, AesAad));
        // Empty message and associated data: a bare tag, as the native backend computes it.
        var tag = new byte[16];
        using (var native = (await new PlatformBackend().ImportAesGcmKeyAsync(Convert.FromHexString(AesKey))).Value)
            await native.SealAsync(Convert.FromHexString(AesNonce), default, default, tag);
        Assert.Equal(Hex(tag), await CallAsync<string>("AesGcmSeal", AesKey, AesNonce, "", ""));
        Assert.Equal("", await CallAsync<string>("AesGcmOpen", AesKey, AesNonce, Hex(tag), ""));

        Assert.Equal("fail:AuthenticationFailed", await CallAsync<string>("AesGcmOpen", AesKey, AesNonce, Flip(AesCiphertext, 0), AesAad));
        Assert.Equal("fail:AuthenticationFailed", await CallAsync<string>("AesGcmOpen", AesKey, AesNonce, Flip(AesCiphertext, 25), AesAad));
        Assert.Equal("fail:AuthenticationFailed", await CallAsync<string>("AesGcmOpen", AesKey, AesNonce, AesCiphertext, "00000000fffffffe"));
        Assert.Equal("fail:AuthenticationFailed", await CallAsync<string>("AesGcmOpen", Flip(AesKey, 31), AesNonce, AesCiphertext, AesAad));
        Assert.Equal("fail:AuthenticationFailed", await CallAsync<string>("AesGcmOpen", AesKey, Flip(AesNonce, 11), AesCiphertext, AesAad));
        Assert.Equal("fail:AuthenticationFailed", await CallAsync<string>("AesGcmOpen", AesKey, AesNonce, AesCiphertext[..^2], AesAad));
        Assert.Equal("fail:AuthenticationFailed", await CallAsync<string>("AesGcmOpen", AesKey, AesNonce, "00112233", AesAad));
        Assert.Equal("fail:AuthenticationFailed", await CallAsync<string>("AesGcmOpen", AesKey, "0011223344556677", AesCiphertext, AesAad));
        Assert.Equal("fail:InvalidKey", await CallAsync<string>("AesGcmOpen", AesKey[2..], AesNonce, AesCiphertext, AesAad));
        Assert.Empty(_session.Problems);
    }

    [Fact]
    public async Task Segment_batches_match_the_native_backend_and_stop_at_the_first_tampered_segment()
    {
        const int segmentSize = 1024;
        const int segmentCount = 5;
        // A counter that carries across byte boundaries while the batch runs.
        const long firstCounter = 0xFF_FFFF_FFFE;
        var key = RandomNumberGenerator.GetBytes(32);
        var baseNonce = RandomNumberGenerator.GetBytes(12);
        var plaintext = RandomNumberGenerator.GetBytes(segmentSize * (segmentCount - 1) + 100);
        var expected = new byte[plaintext.Length + segmentCount * 16];
        using (var native = (await new PlatformBackend().ImportAesGcmKeyAsync(key)).Value)
            await native.SealSegmentsAsync(baseNonce, firstCounter, segmentSize, segmentCount, plaintext, expected);

        var sealedHex = await CallAsync<string>("AesGcmSealSegments", Hex(key), Hex(baseNonce), firstCounter, segmentSize, segmentCount, Hex(plaintext));
        Assert.Equal(Hex(expected), sealedHex);
        Assert.Equal($"{segmentCount}:{Hex(plaintext)}", await CallAsync<string>("AesGcmOpenSegments", Hex(key), Hex(baseNonce), firstCounter, segmentSize, segmentCount, sealedHex));

        // Tamper with segment 2: segments 0 and 1 are released, everything after is zero.
        var tampered = (byte[])expected.Clone();
        tampered[2 * (segmentSize + 16) + 7] ^= 1;
        var released = new byte[plaintext.Length];
        plaintext.AsSpan(0, 2 * segmentSize).CopyTo(released);
        Assert.Equal($"2:{Hex(released)}", await CallAsync<string>("AesGcmOpenSegments", Hex(key), Hex(baseNonce), firstCounter, segmentSize, segmentCount, Hex(tampered)));

        // The same ciphertext under the neighbouring counter is refused from the first segment.
        Assert.StartsWith("0:", await CallAsync<string>("AesGcmOpenSegments", Hex(key), Hex(baseNonce), firstCounter + 1, segmentSize, segmentCount, sealedHex));
        Assert.Empty(_session.Problems);
    }

    [Fact]
    public async Task Ecdh_agrees_on_the_known_answer_and_refuses_invalid_points()
    {
        Assert.Equal(EcdhShared, await CallAsync<string>("P384Agree", EcdhPrivate, EcdhPublic, EcdhPeer));

        Assert.Equal("fail:InvalidKey", await CallAsync<string>("P384Agree", EcdhPrivate, EcdhPublic, Flip(EcdhPeer, 96)));
        Assert.Equal("fail:InvalidKey", await CallAsync<string>("P384Agree", EcdhPrivate, EcdhPublic, Flip(EcdhPeer, 10)));
        Assert.Equal("fail:InvalidKey", await CallAsync<string>("P384Agree", EcdhPrivate, EcdhPublic, "04" + new string('0', 192)));
        Assert.Equal("fail:InvalidKey", await CallAsync<string>("P384Agree", EcdhPrivate, EcdhPublic, "02" + EcdhPeer[2..]));
        Assert.Equal("fail:InvalidKey", await CallAsync<string>("P384Agree", EcdhPrivate, EcdhPublic, EcdhPeer[..^2]));
        // A coordinate equal to the field prime p is out of range even if reduced it would fit.
        const string p = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff";
        Assert.Equal("fail:InvalidKey", await CallAsync<string>("P384Agree", EcdhPrivate, EcdhPublic, "04" + p + EcdhPeer[98..]));
        Assert.Empty(_session.Problems);
    }

    [Fact]
    public async Task Ecdsa_verifies_the_known_signature_and_nothing_else()
    {
        Assert.True(await CallAsync<bool>("P384Verify", EcdsaPublic, EcdsaMessage, EcdsaSignature));

        Assert.False(await CallAsync<bool>("P384Verify", EcdsaPublic, EcdsaMessage, Flip(EcdsaSignature, 10)));
        Assert.False(await CallAsync<bool>("P384Verify", EcdsaPublic, EcdsaMessage, Flip(EcdsaSignature, 95)));
        Assert.False(await CallAsync<bool>("P384Verify", EcdsaPublic, "313233343031", EcdsaSignature));
        Assert.False(await CallAsync<bool>("P384Verify", EcdsaPublic, EcdsaMessage, EcdsaSignature[..^2]));
        Assert.False(await CallAsync<bool>("P384Verify", EcdsaPublic, EcdsaMessage, new string('0', 192)));
        Assert.False(await CallAsync<bool>("P384Verify", EcdsaPublic, EcdsaMessage, new string('0', 96) + EcdsaSignature[96..]));
        Assert.False(await CallAsync<bool>("P384Verify", Flip(EcdsaPublic, 96), EcdsaMessage, EcdsaSignature));
        Assert.False(await CallAsync<bool>("P384Verify", EcdsaPublic[..^2], EcdsaMessage, EcdsaSignature));
        Assert.Empty(_session.Problems);
    }

    [Fact]
    public async Task Hkdf_matches_the_native_backend_and_refuses_impossible_requests()
    {
        var native = new PlatformBackend();
        var prk = RandomNumberGenerator.GetBytes(32);
        var info = RandomNumberGenerator.GetBytes(80);
        // A PRK shorter than the hash, as C2SP chunked-encryption uses it, and the longest output.
        foreach (var (hash, length) in new[] { (Protocol.Crypto.HashName.Sha512, 76), (Protocol.Crypto.HashName.Sha384, 255 * 48), (Protocol.Crypto.HashName.Sha256, 1) })
        {
            var expected = (await native.HkdfExpandAsync(hash, prk, info, length)).Value;
            Assert.Equal(Hex(expected), await CallAsync<string>("HkdfExpand", hash.ToString(), Hex(prk), Hex(info), length));
        }
        var ikm = RandomNumberGenerator.GetBytes(22);
        var salt = RandomNumberGenerator.GetBytes(13);
        Assert.Equal(Hex((await native.HkdfAsync(Protocol.Crypto.HashName.Sha384, ikm, salt, info, 48)).Value), await CallAsync<string>("Hkdf", "Sha384", Hex(ikm), Hex(salt), Hex(info), 48));
        Assert.Equal(Hex((await native.HkdfAsync(Protocol.Crypto.HashName.Sha256, ikm, default, default, 42)).Value), await CallAsync<string>("Hkdf", "Sha256", Hex(ikm), "", "", 42));
        Assert.Equal("", await CallAsync<string>("Hkdf", "Sha256", Hex(ikm), "", "", 0));
        // Empty input keying material is legal HKDF; WebCrypto must not refuse it.
        // (The platform backend throws here; BouncyCastle is the reference.)
        Assert.Equal(Hex((await new BouncyCastleBackend().HkdfAsync(Protocol.Crypto.HashName.Sha512, default, salt, info, 64)).Value), await CallAsync<string>("Hkdf", "Sha512", "", Hex(salt), Hex(info), 64));

        Assert.Equal("fail:LimitExceeded", await CallAsync<string>("Hkdf", "Sha384", Hex(ikm), Hex(salt), Hex(info), 255 * 48 + 1));
        Assert.Equal("fail:LimitExceeded", await CallAsync<string>("HkdfExpand", "Sha512", Hex(prk), Hex(info), 255 * 64 + 1));
        Assert.Equal("fail:InvalidKey", await CallAsync<string>("HkdfExpand", "Sha512", "", Hex(info), 32));
        Assert.Empty(_session.Problems);
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Flips the low bit of byte <paramref name="index"/> of a hex string.</summary>
    private static string Flip(string hex, int index)
    {
        var bytes = Convert.FromHexString(hex);
        bytes[index] ^= 1;
        return Hex(bytes);
    }
}
