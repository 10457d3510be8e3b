using Parley.Protocol.Crypto;

namespace Parley.Protocol.Tests.Crypto;

/// <summary>Sealed boxes and wrapped keys: only the right key, associated data and context open them,
/// and any change to the box is refused with a typed error.</summary>
public class SealedBoxTests
{
    private static readonly byte[] Payload = "room 7"u8.ToArray();
    private static readonly byte[] Room = "room 7, epoch 3"u8.ToArray();

    public static TheoryData<string> BackendNames => Backends.Names;

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task A_box_opens_with_its_key_and_associated_data(string backend)
    {
        var boxes = Backends.Suite(backend).Boxes;
        using var key = SecretKey.Generate(32);
        var box = await boxes.SealAsync(key, Payload, Room);
        Assert.Equal(Payload.Length + SealedBox.Overhead, box.Length);
        Assert.Equal(Payload, (await boxes.OpenAsync(key, box, Room)).Value);
    }

    [Fact]
    public async Task Two_boxes_of_the_same_payload_differ()
    {
        var boxes = Backends.Suite("platform").Boxes;
        using var key = SecretKey.Generate(32);
        Assert.NotEqual(await boxes.SealAsync(key, Payload, Room), await boxes.SealAsync(key, Payload, Room));
    }

    [Fact]
    public async Task Another_key_is_refused()
    {
        var boxes = Backends.Suite("platform").Boxes;
        using var key = SecretKey.Generate(32);
        using var other = SecretKey.Generate(32);
        var box = await boxes.SealAsync(key, Payload, Room);
        Assert.Equal(ProtocolErrorCode.AuthenticationFailed, (await boxes.OpenAsync(other, box, Room)).Error?.Code);
    }

    [Fact]
    public async Task Other_associated_data_is_refused()
    {
        var boxes = Backends.Suite("platform").Boxes;
        using var key = SecretKey.Generate(32);
        var box = await boxes.SealAsync(key, Payload, Room);
        foreach (var other in new[] { "room 7, epoch 4"u8.ToArray(), [], Room[..^1] })
            Assert.Equal(ProtocolErrorCode.AuthenticationFailed, (await boxes.OpenAsync(key, box, other)).Error?.Code);
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task Flipping_any_byte_of_a_box_is_refused(string backend)
    {
        var boxes = Backends.Suite(backend).Boxes;
        using var key = SecretKey.Generate(32);
        var box = await boxes.SealAsync(key, Payload, Room);
        for (var position = 0; position < box.Length; position++)
        {
            var tampered = (byte[])box.Clone();
            tampered[position] ^= 0x80;
            var expected = position == 0 ? ProtocolErrorCode.Unsupported : ProtocolErrorCode.AuthenticationFailed;
            Assert.Equal(expected, (await boxes.OpenAsync(key, tampered, Room)).Error?.Code);
        }
    }

    [Fact]
    public async Task A_truncated_box_is_refused_at_every_length()
    {
        var boxes = Backends.Suite("platform").Boxes;
        using var key = SecretKey.Generate(32);
        var box = await boxes.SealAsync(key, Payload, Room);
        for (var length = 0; length < box.Length; length++)
        {
            var error = (await boxes.OpenAsync(key, box[..length], Room)).Error;
            Assert.True(error?.Code is ProtocolErrorCode.Truncated or ProtocolErrorCode.AuthenticationFailed, $"length {length}: {error}");
        }
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x02)]
    [InlineData(0xFF)]
    public async Task An_unknown_version_is_refused(byte version)
    {
        var boxes = Backends.Suite("platform").Boxes;
        using var key = SecretKey.Generate(32);
        var box = await boxes.SealAsync(key, Payload, Room);
        box[0] = version;
        Assert.Equal(ProtocolErrorCode.Unsupported, (await boxes.OpenAsync(key, box, Room)).Error?.Code);
    }

    [Fact]
    public async Task A_key_of_the_wrong_size_is_a_typed_error()
    {
        var boxes = Backends.Suite("platform").Boxes;
        using var key = SecretKey.Generate(32);
        using var shortKey = SecretKey.Generate(16);
        var box = await boxes.SealAsync(key, Payload, Room);
        Assert.Equal(ProtocolErrorCode.InvalidKey, (await boxes.OpenAsync(shortKey, box, Room)).Error?.Code);
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task A_wrapped_key_unwraps_only_in_its_context(string backend)
    {
        var boxes = Backends.Suite(backend).Boxes;
        using var wrapping = SecretKey.Generate(32);
        using var documentKey = SecretKey.Generate(32);
        var wrapped = await boxes.WrapKeyAsync(wrapping, documentKey, "document 12, version 2"u8.ToArray());
        using (var unwrapped = (await boxes.UnwrapKeyAsync(wrapping, wrapped, "document 12, version 2"u8.ToArray())).Value)
            Assert.True(unwrapped.ContentEquals(documentKey));
        Assert.Equal(ProtocolErrorCode.AuthenticationFailed, (await boxes.UnwrapKeyAsync(wrapping, wrapped, "document 12, version 3"u8.ToArray())).Error?.Code);
    }

    [Fact]
    public async Task A_tampered_wrapped_key_is_refused_at_every_byte()
    {
        var boxes = Backends.Suite("platform").Boxes;
        using var wrapping = SecretKey.Generate(32);
        using var documentKey = SecretKey.Generate(32);
        var context = "document 12"u8.ToArray();
        var wrapped = await boxes.WrapKeyAsync(wrapping, documentKey, context);
        for (var position = 0; position < wrapped.Length; position++)
        {
            var tampered = (byte[])wrapped.Clone();
            tampered[position] ^= 0x01;
            Assert.False((await boxes.UnwrapKeyAsync(wrapping, tampered, context)).IsOk, $"byte {position} flipped was accepted");
        }
    }

    [Fact]
    public async Task Sealed_boxes_and_wrapped_keys_are_not_interchangeable()
    {
        var boxes = Backends.Suite("platform").Boxes;
        using var key = SecretKey.Generate(32);
        using var payloadKey = SecretKey.Generate(32);
        var context = "shared context"u8.ToArray();
        var wrapped = await boxes.WrapKeyAsync(key, payloadKey, context);
        Assert.Equal(ProtocolErrorCode.AuthenticationFailed, (await boxes.OpenAsync(key, wrapped, context)).Error?.Code);
        var box = await boxes.SealAsync(key, payloadKey.Export(), context);
        Assert.Equal(ProtocolErrorCode.AuthenticationFailed, (await boxes.UnwrapKeyAsync(key, box, context)).Error?.Code);
    }
}
