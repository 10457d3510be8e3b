using System.Numerics;
using Parley.Protocol.Crypto;

namespace Parley.Protocol.Tests.Crypto;

/// <summary>
/// Hybrid ML-KEM-1024 + ECDH P-384: the secret is recovered only with the right key and the exact
/// encapsulation, both public-key halves are validated, and the combiner binds the whole transcript.
/// </summary>
public class HybridKemTests
{
    private const int MlKemPart = MlKem1024.CiphertextSize;

    public static TheoryData<string> BackendNames => Backends.Names;

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task The_recipient_recovers_the_encapsulated_secret(string backend)
    {
        var kem = Backends.Suite(backend).Kem;
        using var recipient = await kem.GenerateAsync();
        var (encapsulation, secret) = await kem.EncapsulateAsync(recipient.PublicKey);
        using (secret)
        using (var recovered = (await kem.DecapsulateAsync(recipient, encapsulation)).Value)
            Assert.True(recovered.ContentEquals(secret));
        Assert.Equal(HybridKem.EncapsulationSize, encapsulation.Length);
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task Another_private_key_recovers_an_unrelated_secret(string backend)
    {
        var kem = Backends.Suite(backend).Kem;
        using var recipient = await kem.GenerateAsync();
        using var stranger = await kem.GenerateAsync();
        var (encapsulation, secret) = await kem.EncapsulateAsync(recipient.PublicKey);
        using (secret)
        using (var wrong = (await kem.DecapsulateAsync(stranger, encapsulation)).Value)
            Assert.False(wrong.ContentEquals(secret));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(700)]
    [InlineData(MlKemPart - 1)]
    public async Task A_modified_ml_kem_ciphertext_gives_an_unrelated_secret(int position)
    {
        var kem = Backends.Suite("platform").Kem;
        using var recipient = await kem.GenerateAsync();
        var (encapsulation, secret) = await kem.EncapsulateAsync(recipient.PublicKey);
        encapsulation[position] ^= 0x04;
        using (secret)
        using (var recovered = (await kem.DecapsulateAsync(recipient, encapsulation)).Value)
            Assert.False(recovered.ContentEquals(secret));
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task A_modified_ecdh_ephemeral_off_the_curve_is_rejected(string backend)
    {
        var kem = Backends.Suite(backend).Kem;
        using var recipient = await kem.GenerateAsync();
        var (encapsulation, secret) = await kem.EncapsulateAsync(recipient.PublicKey);
        secret.Dispose();
        foreach (var position in new[] { MlKemPart, MlKemPart + 1, MlKemPart + 48, encapsulation.Length - 1 })
        {
            var modified = (byte[])encapsulation.Clone();
            // A changed prefix is not an uncompressed point; a changed x or y stays on the curve
            // only with negligible probability (the other y for the same x is p - y).
            modified[position] ^= 0x01;
            var result = await kem.DecapsulateAsync(recipient, modified);
            Assert.Equal(ProtocolErrorCode.InvalidKey, result.Error?.Code);
        }
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task The_negated_ecdh_ephemeral_gives_the_same_ecdh_secret_but_another_combined_secret(string backend)
    {
        // -Q has the x coordinate of Q, so ECDH yields the same 48 bytes; only the binding of the
        // encapsulation into the combiner can tell the two apart.
        var kem = Backends.Suite(backend).Kem;
        using var recipient = await kem.GenerateAsync();
        var (encapsulation, secret) = await kem.EncapsulateAsync(recipient.PublicKey);
        var negated = (byte[])encapsulation.Clone();
        Negate(negated.AsSpan(MlKemPart));
        using (secret)
        using (var recovered = (await kem.DecapsulateAsync(recipient, negated)).Value)
            Assert.False(recovered.ContentEquals(secret));
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task Swapping_the_ecdh_ephemeral_for_one_of_another_encapsulation_changes_the_secret(string backend)
    {
        var kem = Backends.Suite(backend).Kem;
        using var recipient = await kem.GenerateAsync();
        var (first, firstSecret) = await kem.EncapsulateAsync(recipient.PublicKey);
        var (second, secondSecret) = await kem.EncapsulateAsync(recipient.PublicKey);
        var mixed = (byte[])first.Clone();
        second.AsSpan(MlKemPart).CopyTo(mixed.AsSpan(MlKemPart));
        using (firstSecret)
        using (secondSecret)
        using (var recovered = (await kem.DecapsulateAsync(recipient, mixed)).Value)
        {
            Assert.False(recovered.ContentEquals(firstSecret));
            Assert.False(recovered.ContentEquals(secondSecret));
        }
    }

    [Fact]
    public async Task Swapping_the_ml_kem_ciphertext_for_one_of_another_encapsulation_changes_the_secret()
    {
        var kem = Backends.Suite("platform").Kem;
        using var recipient = await kem.GenerateAsync();
        var (first, firstSecret) = await kem.EncapsulateAsync(recipient.PublicKey);
        var (second, secondSecret) = await kem.EncapsulateAsync(recipient.PublicKey);
        var mixed = (byte[])first.Clone();
        second.AsSpan(0, MlKemPart).CopyTo(mixed);
        using (firstSecret)
        using (secondSecret)
        using (var recovered = (await kem.DecapsulateAsync(recipient, mixed)).Value)
        {
            Assert.False(recovered.ContentEquals(firstSecret));
            Assert.False(recovered.ContentEquals(secondSecret));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(HybridKem.EncapsulationSize - 1)]
    [InlineData(HybridKem.EncapsulationSize + 1)]
    [InlineData(MlKemPart)]
    public async Task An_encapsulation_of_the_wrong_length_is_rejected(int length)
    {
        var kem = Backends.Suite("platform").Kem;
        using var recipient = await kem.GenerateAsync();
        var result = await kem.DecapsulateAsync(recipient, new byte[length]);
        Assert.Equal(ProtocolErrorCode.InvalidLength, result.Error?.Code);
    }

    [Fact]
    public async Task A_public_key_with_an_ml_kem_coefficient_of_q_or_more_is_rejected()
    {
        using var recipient = await Backends.Suite("platform").Kem.GenerateAsync();
        var encoded = recipient.PublicKey.Encode();

        // The first 12-bit coefficient is byte 0 and the low nibble of byte 1.
        SetFirstCoefficient(encoded, 3328);
        Assert.True(HybridKemPublicKey.Decode(encoded).IsOk, "q - 1 is a valid coefficient");
        foreach (var coefficient in new[] { 3329, 4095 })
        {
            SetFirstCoefficient(encoded, coefficient);
            Assert.Equal(ProtocolErrorCode.InvalidKey, HybridKemPublicKey.Decode(encoded).Error?.Code);
        }
    }

    [Fact]
    public async Task A_public_key_whose_p384_half_is_not_a_valid_point_is_rejected()
    {
        using var recipient = await Backends.Suite("platform").Kem.GenerateAsync();
        var valid = recipient.PublicKey.Encode();
        var point = MlKem1024.PublicKeySize;

        var offCurve = (byte[])valid.Clone();
        offCurve[^1] ^= 0x01;
        var compressed = (byte[])valid.Clone();
        compressed[point] = 0x02;
        var infinity = (byte[])valid.Clone();
        infinity.AsSpan(point).Clear();
        var xTooLarge = (byte[])valid.Clone();
        xTooLarge.AsSpan(point + 1, 48).Fill(0xFF);

        foreach (var bad in new[] { offCurve, compressed, infinity, xTooLarge })
            Assert.Equal(ProtocolErrorCode.InvalidKey, HybridKemPublicKey.Decode(bad).Error?.Code);
        Assert.True(HybridKemPublicKey.Decode(valid).IsOk);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(HybridKemPublicKey.Size - 1)]
    [InlineData(HybridKemPublicKey.Size + 1)]
    public void A_public_key_of_the_wrong_length_is_rejected(int length) =>
        Assert.Equal(ProtocolErrorCode.InvalidLength, HybridKemPublicKey.Decode(new byte[length]).Error?.Code);

    [Fact]
    public async Task A_private_key_survives_export_and_import_and_bad_scalars_are_rejected()
    {
        using var key = await Backends.Suite("platform").Kem.GenerateAsync();
        var exported = key.Export();
        using (var imported = HybridKemPrivateKey.Import(exported).Value)
            Assert.Equal(key.PublicKey.Encode(), imported.PublicKey.Encode());

        var zeroScalar = (byte[])exported.Clone();
        zeroScalar.AsSpan(MlKem1024.SeedSize).Clear();
        var scalarAboveOrder = (byte[])exported.Clone();
        scalarAboveOrder.AsSpan(MlKem1024.SeedSize).Fill(0xFF);
        Assert.Equal(ProtocolErrorCode.InvalidKey, HybridKemPrivateKey.Import(zeroScalar).Error?.Code);
        Assert.Equal(ProtocolErrorCode.InvalidKey, HybridKemPrivateKey.Import(scalarAboveOrder).Error?.Code);
        Assert.Equal(ProtocolErrorCode.InvalidLength, HybridKemPrivateKey.Import(exported[..^1]).Error?.Code);
    }

    [Fact]
    public async Task The_private_key_does_not_show_its_bytes()
    {
        using var key = await Backends.Suite("platform").Kem.GenerateAsync();
        Assert.Equal("HybridKemPrivateKey(private)", key.ToString());
    }

    private static void SetFirstCoefficient(byte[] encoded, int value)
    {
        encoded[0] = (byte)value;
        encoded[1] = (byte)((encoded[1] & 0xF0) | (value >> 8));
    }

    // Replaces an uncompressed point (x, y) by (x, p - y).
    private static void Negate(Span<byte> point)
    {
        var p = BigInteger.Pow(2, 384) - BigInteger.Pow(2, 128) - BigInteger.Pow(2, 96) + BigInteger.Pow(2, 32) - 1;
        var y = new BigInteger(point.Slice(49, 48), isUnsigned: true, isBigEndian: true);
        var negated = (p - y).ToByteArray(isUnsigned: true, isBigEndian: true);
        point.Slice(49, 48).Clear();
        negated.CopyTo(point.Slice(97 - negated.Length));
    }
}
