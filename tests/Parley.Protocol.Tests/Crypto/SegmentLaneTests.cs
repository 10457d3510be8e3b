using System.Security.Cryptography;

namespace Parley.Protocol.Tests.Crypto;

/// <summary>The platform backend seals and opens large batches on several cores; the result must be
/// exactly the sequential one, and a failure must release only the chunks before it.</summary>
public class SegmentLaneTests
{
    private const int SegmentSize = 16384;
    private const int Segments = 64;

    [Fact]
    public async Task A_parallel_batch_is_byte_identical_to_the_sequential_one()
    {
        var (key, nonce, plaintext) = Inputs(lastLength: 1000);
        var parallel = await SealAsync(Backends.Platform, key, nonce, plaintext);
        var sequential = await SealAsync(Backends.BouncyCastle, key, nonce, plaintext);
        Assert.Equal(sequential, parallel);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(40)]
    [InlineData(63)]
    public async Task A_tampered_chunk_releases_exactly_the_chunks_before_it(int tampered)
    {
        var (key, nonce, plaintext) = Inputs(lastLength: 777);
        var ciphertext = await SealAsync(Backends.Platform, key, nonce, plaintext);
        ciphertext[tampered * (SegmentSize + 16) + 3] ^= 0x40;
        // A later chunk is tampered too, so lanes after the first failure also fail.
        if (tampered + 30 < Segments) ciphertext[(tampered + 30) * (SegmentSize + 16)] ^= 1;

        using var aes = (await Backends.Platform.ImportAesGcmKeyAsync(key)).Value;
        var output = new byte[plaintext.Length];
        output.AsSpan().Fill(0xEE);
        var opened = await aes.OpenSegmentsAsync(nonce, 7, SegmentSize, Segments, ciphertext, output);

        Assert.Equal(tampered, opened);
        Assert.True(output.AsSpan(0, tampered * SegmentSize).SequenceEqual(plaintext.AsSpan(0, tampered * SegmentSize)));
        Assert.True(output.AsSpan(tampered * SegmentSize).IndexOfAnyExcept((byte)0) < 0, "bytes from the failed chunk on must be zero");
    }

    private static (byte[] Key, byte[] Nonce, byte[] Plaintext) Inputs(int lastLength)
    {
        var plaintext = new byte[(Segments - 1) * SegmentSize + lastLength];
        new Random(64).NextBytes(plaintext);
        return (RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(12), plaintext);
    }

    private static async Task<byte[]> SealAsync(Parley.Protocol.Crypto.ICryptoBackend backend, byte[] key, byte[] nonce, byte[] plaintext)
    {
        using var aes = (await backend.ImportAesGcmKeyAsync(key)).Value;
        var output = new byte[plaintext.Length + Segments * 16];
        await aes.SealSegmentsAsync(nonce, 7, SegmentSize, Segments, plaintext, output);
        return output;
    }
}
