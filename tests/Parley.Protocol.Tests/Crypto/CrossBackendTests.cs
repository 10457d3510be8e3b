using System.Security.Cryptography;
using Parley.Protocol.Crypto;
using Parley.Protocol.Streams;
using Parley.Protocol.Tests.Streams;

namespace Parley.Protocol.Tests.Crypto;

/// <summary>The platform and BouncyCastle backends are interchangeable: the same inputs give the same
/// outputs, and what one produces the other accepts.</summary>
public class CrossBackendTests
{
    private static readonly ICryptoBackend Platform = Backends.Platform;
    private static readonly ICryptoBackend BouncyCastle = Backends.BouncyCastle;

    public static TheoryData<string, string> Directions => new() { { "platform", "bouncycastle" }, { "bouncycastle", "platform" } };

    [Theory]
    [InlineData(HashName.Sha256)]
    [InlineData(HashName.Sha384)]
    [InlineData(HashName.Sha512)]
    public async Task Hashes_and_HKDF_agree(HashName hash)
    {
        var random = new Random((int)hash + 10);
        foreach (var (ikmLength, saltLength, infoLength, length) in new[] { (32, 0, 0, 32), (1, 1, 1, 1), (64, 200, 300, 1000), (16, 48, 10, 0), (100, 13, 0, 255 * 32) })
        {
            var ikm = Bytes(random, ikmLength);
            var salt = Bytes(random, saltLength);
            var info = Bytes(random, infoLength);
            var okmLength = Math.Min(length, 255 * HashLength(hash));
            Assert.Equal(await Platform.HashAsync(hash, ikm), await BouncyCastle.HashAsync(hash, ikm));
            Assert.Equal((await Platform.HkdfAsync(hash, ikm, salt, info, okmLength)).Value, (await BouncyCastle.HkdfAsync(hash, ikm, salt, info, okmLength)).Value);
            // A PRK shorter than the hash, as chunked encryption uses, must work the same way.
            Assert.Equal((await Platform.HkdfExpandAsync(hash, ikm, info, okmLength)).Value, (await BouncyCastle.HkdfExpandAsync(hash, ikm, info, okmLength)).Value);
        }
        Assert.False((await Platform.HkdfAsync(hash, new byte[16], default, default, 255 * HashLength(hash) + 1)).IsOk);
        Assert.False((await BouncyCastle.HkdfAsync(hash, new byte[16], default, default, 255 * HashLength(hash) + 1)).IsOk);
    }

    [Theory]
    [MemberData(nameof(Backends.Names), MemberType = typeof(Backends))]
    public async Task HKDF_edge_cases_are_answered_alike(string backend)
    {
        var hkdf = Backends.Get(backend);
        Assert.Empty((await hkdf.HkdfAsync(HashName.Sha384, new byte[16], default, default, 0)).Value);
        Assert.Equal(ProtocolErrorCode.LimitExceeded, (await hkdf.HkdfAsync(HashName.Sha384, new byte[16], default, default, -1)).Error?.Code);
        Assert.Equal(ProtocolErrorCode.LimitExceeded, (await hkdf.HkdfExpandAsync(HashName.Sha512, new byte[32], default, 255 * 64 + 1)).Error?.Code);
        Assert.Equal(ProtocolErrorCode.InvalidKey, (await hkdf.HkdfExpandAsync(HashName.Sha512, ReadOnlyMemory<byte>.Empty, default, 32)).Error?.Code);
        // RFC 5869 allows an empty IKM; both backends must compute it, and alike.
        var emptyIkm = (await hkdf.HkdfAsync(HashName.Sha384, ReadOnlyMemory<byte>.Empty, "salt"u8.ToArray(), "info"u8.ToArray(), 48)).Value;
        var prk = HMACSHA384.HashData("salt"u8, ReadOnlySpan<byte>.Empty);
        Assert.Equal(HKDF.Expand(HashAlgorithmName.SHA384, prk, 48, "info"u8.ToArray()), emptyIkm);
    }

    [Theory]
    [MemberData(nameof(Directions))]
    public async Task AES_GCM_output_of_one_opens_in_the_other_and_is_identical(string from, string to)
    {
        var random = new Random(3);
        var key = Bytes(random, 32);
        using var sealer = (await Backends.Get(from).ImportAesGcmKeyAsync(key)).Value;
        using var opener = (await Backends.Get(to).ImportAesGcmKeyAsync(key)).Value;
        using var reference = (await Backends.Get(to).ImportAesGcmKeyAsync(key)).Value;
        // One handle seals many messages, as a stream does: any state kept between calls must not leak.
        for (var i = 0; i < 20; i++)
        {
            var nonce = Bytes(random, 12);
            var plaintext = Bytes(random, random.Next(0, 2000));
            var aad = Bytes(random, random.Next(0, 50));
            var sealedBytes = new byte[plaintext.Length + 16];
            var expected = new byte[plaintext.Length + 16];
            await sealer.SealAsync(nonce, plaintext, aad, sealedBytes);
            await reference.SealAsync(nonce, plaintext, aad, expected);
            Assert.Equal(expected, sealedBytes);
            var opened = new byte[plaintext.Length];
            Assert.True(await opener.OpenAsync(nonce, sealedBytes, aad, opened));
            Assert.Equal(plaintext, opened);
        }

        var baseNonce = Bytes(random, 12);
        var message = Bytes(random, 3 * 1000 + 17);
        var segments = new byte[message.Length + 4 * 16];
        await sealer.SealSegmentsAsync(baseNonce, 7, 1000, 4, message, segments);
        var roundTrip = new byte[message.Length];
        Assert.Equal(4, await opener.OpenSegmentsAsync(baseNonce, 7, 1000, 4, segments, roundTrip));
        Assert.Equal(message, roundTrip);
        segments[2 * (1000 + 16) + 5] ^= 1;
        Assert.Equal(2, await opener.OpenSegmentsAsync(baseNonce, 7, 1000, 4, segments, roundTrip));
        Assert.All(roundTrip[2000..], b => Assert.Equal(0, b));
    }

    [Theory]
    [MemberData(nameof(Directions))]
    public async Task ECDH_gives_the_same_secret_with_keys_of_either_backend(string from, string to)
    {
        using var alice = await Backends.Get(from).GenerateP384KeyPairAsync();
        using var bob = await Backends.Get(to).GenerateP384KeyPairAsync();
        var aliceSide = (await Backends.Get(from).P384AgreeAsync(alice, bob.Q)).Value;
        var bobSide = (await Backends.Get(to).P384AgreeAsync(bob, alice.Q)).Value;
        Assert.Equal(aliceSide, bobSide);
        Assert.Equal(aliceSide, (await Backends.Get(to).P384AgreeAsync(alice, bob.Q)).Value);
        Assert.Equal(48, aliceSide.Length);
    }

    [Theory]
    [MemberData(nameof(Directions))]
    public async Task ECDSA_signed_by_one_verifies_in_the_other(string from, string to)
    {
        using var key = await Backends.Get(from).GenerateP384KeyPairAsync();
        var message = "checkpoint 1024"u8.ToArray();
        var signature = await Backends.Get(from).P384SignAsync(key, message);
        Assert.Equal(96, signature.Length);
        Assert.True(await Backends.Get(to).P384VerifyAsync(key.Q, message, signature));
        Assert.False(await Backends.Get(to).P384VerifyAsync(key.Q, "checkpoint 1025"u8.ToArray(), signature));
    }

    [Theory]
    [MemberData(nameof(Directions))]
    public async Task Chunked_ciphertext_of_one_decrypts_in_the_other(string from, string to)
    {
        using var key = Cobble.NewKey();
        var plaintext = Cobble.Message();
        var ciphertext = await Cobble.EncryptAsync(Backends.Get(from), key, plaintext);
        Assert.Equal(plaintext, (await Cobble.DecryptSequentiallyAsync(Backends.Get(to), key, ciphertext)).Released);
        Assert.Equal(plaintext, (await Cobble.DecryptSeekableAsync(Backends.Get(to), key, ciphertext)).Released);
    }

    [Fact]
    public async Task Chunked_encryption_with_the_same_salt_is_byte_identical()
    {
        using var key = Cobble.NewKey();
        var plaintext = Cobble.Message();
        var salt = RandomNumberGenerator.GetBytes(Cobblestone256.SaltSize);
        var fromPlatform = await Cobble.EncryptAsync(Platform, key, plaintext, salt: salt, batchChunks: 3);
        var fromBouncyCastle = await Cobble.EncryptAsync(BouncyCastle, key, plaintext, salt: salt, batchChunks: 1);
        Assert.Equal(fromPlatform, fromBouncyCastle);
        Assert.Equal(salt, fromPlatform[..Cobblestone256.SaltSize]);
    }

    [Theory]
    [MemberData(nameof(Directions))]
    public async Task Hybrid_KEM_encapsulated_in_one_decapsulates_in_the_other(string from, string to)
    {
        using var recipient = await Backends.Suite(to).Kem.GenerateAsync();
        var (encapsulation, secret) = await Backends.Suite(from).Kem.EncapsulateAsync(recipient.PublicKey);
        using (secret)
        using (var recovered = (await Backends.Suite(to).Kem.DecapsulateAsync(recipient, encapsulation)).Value)
            Assert.True(recovered.ContentEquals(secret));
    }

    [Theory]
    [MemberData(nameof(Directions))]
    public async Task Composite_signatures_of_one_verify_in_the_other(string from, string to)
    {
        using var key = await Backends.Suite(from).Signatures.GenerateAsync();
        var message = "agreed text"u8.ToArray();
        var signature = await Backends.Suite(from).Signatures.SignAsync(key, message, "initials");
        Assert.True(await Backends.Suite(to).Signatures.VerifyAsync(key.PublicKey, message, signature, "initials"));
        Assert.False(await Backends.Suite(to).Signatures.VerifyAsync(key.PublicKey, message, signature, "signature"));
    }

    [Theory]
    [MemberData(nameof(Directions))]
    public async Task Sealed_boxes_and_wrapped_keys_of_one_open_in_the_other(string from, string to)
    {
        using var key = SecretKey.Generate(32);
        using var payloadKey = SecretKey.Generate(32);
        var box = await Backends.Suite(from).Boxes.SealAsync(key, "payload"u8.ToArray(), "ad"u8.ToArray());
        Assert.Equal("payload"u8.ToArray(), (await Backends.Suite(to).Boxes.OpenAsync(key, box, "ad"u8.ToArray())).Value);
        var wrapped = await Backends.Suite(from).Boxes.WrapKeyAsync(key, payloadKey, "ctx"u8.ToArray());
        using var unwrapped = (await Backends.Suite(to).Boxes.UnwrapKeyAsync(key, wrapped, "ctx"u8.ToArray())).Value;
        Assert.True(unwrapped.ContentEquals(payloadKey));
    }

    [Fact]
    public async Task The_key_schedule_agrees()
    {
        using var secret = SecretKey.Generate(32);
        using var a = await Backends.Suite("platform").Keys.DeriveAsync(secret, "epoch", "room"u8.ToArray(), 64, "salt"u8.ToArray());
        using var b = await Backends.Suite("bouncycastle").Keys.DeriveAsync(secret, "epoch", "room"u8.ToArray(), 64, "salt"u8.ToArray());
        Assert.True(a.ContentEquals(b));
    }

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static int HashLength(HashName hash) => hash switch
    {
        HashName.Sha256 => 32,
        HashName.Sha384 => 48,
        _ => 64,
    };
}
