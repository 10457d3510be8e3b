using Parley.Protocol.Crypto;
using Parley.Protocol.Formats;
using Parley.Protocol.Streams;
using Parley.Protocol.Tests.Streams;
using static Parley.Protocol.Tests.Robustness.KeyParsingRobustnessTests;
using static Parley.Protocol.Tests.Robustness.Mutations;

namespace Parley.Protocol.Tests.Robustness;

/// <summary>Decryptors and decoders of untrusted bytes: a typed error (a failed result, or a
/// <see cref="ProtocolException"/> from a stream read) for anything that is not exactly valid, never
/// another exception, and never a success for a modified input.</summary>
public class CiphertextRobustnessTests
{
    public static TheoryData<string> BackendNames => Backends.Names;

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task Sealed_boxes_and_wrapped_keys(string backend)
    {
        var boxes = Backends.Suite(backend).Boxes;
        using var key = SecretKey.Generate(32);
        using var payload = SecretKey.Generate(32);
        var box = await boxes.SealAsync(key, "payload"u8.ToArray(), "ad"u8.ToArray());
        foreach (var input in Of(box, 300, seed: 21))
        {
            var opened = await TypedAsync(input, async () => await boxes.OpenAsync(key, input, "ad"u8.ToArray()));
            Assert.False(opened.IsOk, $"a modified box opened: {Show(input)}");
        }
        var wrapped = await boxes.WrapKeyAsync(key, payload, "ctx"u8.ToArray());
        foreach (var input in Of(wrapped, 300, seed: 22))
        {
            var unwrapped = await TypedAsync(input, async () => await boxes.UnwrapKeyAsync(key, input, "ctx"u8.ToArray()));
            Assert.False(unwrapped.IsOk, $"a modified wrapped key unwrapped: {Show(input)}");
        }
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task Hybrid_KEM_encapsulations(string backend)
    {
        var kem = Backends.Suite(backend).Kem;
        using var recipient = await kem.GenerateAsync();
        var (encapsulation, secret) = await kem.EncapsulateAsync(recipient.PublicKey);
        using (secret)
        {
            foreach (var input in Of(encapsulation, 100, seed: 23))
            {
                var result = await TypedAsync(input, async () => await kem.DecapsulateAsync(recipient, input));
                if (result.IsOk)
                    using (var recovered = result.Value)
                        Assert.False(recovered.ContentEquals(secret), $"a modified encapsulation gave the secret: {Show(input)}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task Chunked_ciphertexts_sequentially_and_by_random_access(string backend)
    {
        var ecdh = Backends.Get(backend);
        using var key = Cobble.NewKey();
        var plaintext = Cobble.Message(3 * Cobble.Chunk + 10);
        var ciphertext = await Cobble.EncryptAsync(ecdh, key, plaintext);
        var random = new Random(24);
        // Mutations of the chunk area get past the header, where the interesting parsing is.
        var inputs = Of(ciphertext, 150, seed: 25)
            .Concat(Enumerable.Range(0, 50).Select(_ => ciphertext[..random.Next(Cobble.Header, ciphertext.Length)]))
            .Concat(Enumerable.Range(0, 50).Select(_ => Concat(ciphertext[..Cobble.Header], Bytes(random, random.Next(0, 4 * Cobble.SealedChunk)))));
        foreach (var input in inputs)
        {
            var sequential = await TypedAsync(input, () => Cobble.DecryptSequentiallyAsync(ecdh, key, input));
            var seekable = await TypedAsync(input, () => Cobble.DecryptSeekableAsync(ecdh, key, input));
            if (!input.AsSpan().SequenceEqual(ciphertext))
            {
                Assert.True(sequential.Failed, $"a modified ciphertext decrypted: {Show(input)}");
                Assert.True(seekable.Failed, $"a modified ciphertext decrypted by random access: {Show(input)}");
            }
            Assert.True(plaintext.AsSpan().StartsWith(sequential.Released), "released bytes that are not the plaintext");
        }
    }

    [Fact]
    public async Task Chunked_ciphertexts_of_random_bytes()
    {
        using var key = Cobble.NewKey();
        var random = new Random(26);
        for (var i = 0; i < 200; i++)
        {
            var input = Bytes(random, random.Next(0, 3 * Cobble.SealedChunk));
            Assert.True((await TypedAsync(input, () => Cobble.DecryptSequentiallyAsync(Backends.Platform, key, input))).Failed);
            Assert.True((await TypedAsync(input, () => Cobble.DecryptSeekableAsync(Backends.Platform, key, input))).Failed);
        }
    }

    [Fact]
    public void Document_stream_contexts()
    {
        var valid = new DocumentStreamContext(Guid.NewGuid(), 4, "CONFIDENTIAL//REL TO ATL").Encode();
        foreach (var input in Of(valid, 2000, seed: 27))
        {
            Typed(input, () =>
            {
                var decoded = Canonical.Decode<DocumentStreamContext>(input);
                // Canonical: whatever decodes re-encodes to exactly the input.
                if (decoded.IsOk) Assert.Equal(input, decoded.Value.Encode());
            });
        }
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
