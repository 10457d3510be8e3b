using Parley.Protocol.Crypto;
using Parley.Protocol.Rooms;

namespace Parley.Protocol.Tests.Rooms;

/// <summary>Helpers that reach below the public API, to show what an attacker holding a state could do.</summary>
internal static class RoomFixtures
{
    /// <summary>A copy of a state, as a device keeps it between sessions (or as a thief copies it).</summary>
    public static async Task<EpochState> CopyAsync(RoomWorld world, EpochState state)
    {
        var imported = await EpochState.ImportAsync(world.Suite.Backend, (await state.ExportAsync()), RoomWorld.Scheme);
        Assert.True(imported.IsOk, imported.Error?.ToString());
        return imported.Value;
    }

    /// <summary>True when the chain of <paramref name="chainOwner"/> in <paramref name="state"/>, stepped
    /// forward as far as needed, yields a key that opens <paramref name="message"/>: no checks, just keys.</summary>
    public static async Task<bool> OpensWithChainAsync(RoomWorld world, EpochState state, Guid chainOwner, RoomMessage message)
    {
        var chain = state.Chain(chainOwner);
        if (chain?.Key is null || message.Header.Counter < chain.Next) return false;
        var key = SecretKey.Import(chain.Key.Span);
        for (var step = chain.Next; step < message.Header.Counter; step++)
        {
            var next = await SenderChainStep(world, key, step);
            key.Dispose();
            key = next;
        }
        using var messageKey = await world.Suite.Keys.DeriveAsync(key, Labels.RoomMessageKey, Counter(message.Header.Counter), 44);
        key.Dispose();
        return await OpensAsync(world, messageKey, message);
    }

    /// <summary>True when the 44 bytes of <paramref name="messageKey"/> (key || nonce) open the message.</summary>
    public static async Task<bool> OpensAsync(RoomWorld world, SecretKey messageKey, RoomMessage message)
    {
        using var aead = (await world.Suite.Backend.ImportAesGcmKeyAsync(messageKey.Memory[..32])).Value;
        var plaintext = new byte[message.Ciphertext.Length - 16];
        return await aead.OpenAsync(messageKey.Memory[32..], message.Ciphertext, Labels.Bind(Labels.RoomMessage, message.HeaderBytes), plaintext);
    }

    public static ValueTask<SecretKey> SenderChainStep(RoomWorld world, SecretKey key, long counter) =>
        world.Suite.Keys.DeriveAsync(key, Labels.RoomChainStep, Counter(counter));

    public static byte[] Counter(long counter)
    {
        var bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes, counter);
        return bytes;
    }

    /// <summary>A message with any header, encrypted under the given chain's key (which every member of
    /// the epoch can derive) and signed by <paramref name="signer"/>: what a misbehaving member can make.</summary>
    public static async Task<RoomMessage> ForgeAsync(RoomWorld world, EpochState state, Guid chainOwner, MessageHeader header, P384KeyPair signer, byte[]? plaintext = null)
    {
        var chain = state.Chain(chainOwner)!;
        var headerBytes = Parley.Protocol.Formats.Canonical.Encode(header);
        var key = SecretKey.Import(chain.Key!.Span);
        for (var step = chain.Next; step < header.Counter; step++)
        {
            var next = await SenderChainStep(world, key, step);
            key.Dispose();
            key = next;
        }
        using var messageKey = await world.Suite.Keys.DeriveAsync(key, Labels.RoomMessageKey, Counter(header.Counter), 44);
        key.Dispose();
        var padded = new byte[32];
        (plaintext ?? "forged"u8.ToArray()).CopyTo(padded, 0);
        padded[(plaintext ?? "forged"u8.ToArray()).Length] = 0x80;
        using var aead = (await world.Suite.Backend.ImportAesGcmKeyAsync(messageKey.Memory[..32])).Value;
        var ciphertext = new byte[padded.Length + 16];
        await aead.SealAsync(messageKey.Memory[32..], padded, Labels.Bind(Labels.RoomMessage, headerBytes), ciphertext);
        var signature = await world.Suite.Backend.P384SignAsync(signer, DeviceSignature.Input("parley/room-message", headerBytes, ciphertext));
        return RoomMessage.Decode(new RoomMessage(header, headerBytes, ciphertext, signature).Encode()).Value;
    }
}
