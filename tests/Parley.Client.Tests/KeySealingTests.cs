using Parley.Client.Keys;
using Parley.Protocol;
using Parley.Protocol.Crypto;

namespace Parley.Client.Tests;

public sealed class KeySealingTests
{
    private static readonly CryptoSuite Suite = CryptoSuite.Default;

    [Fact]
    public async Task Device_keys_open_only_with_the_same_master_key_user_and_device()
    {
        using var master = SecretKey.Generate(32);
        using var other = SecretKey.Generate(32);
        var user = Guid.NewGuid();
        using var keys = await DeviceKeys.GenerateAsync(Suite, default);
        var sealedKeys = await keys.SealAsync(Suite, master, user, default);

        var opened = await DeviceKeys.UnsealAsync(Suite, master, user, keys.DeviceId, sealedKeys, default);
        Assert.True(opened.IsOk, opened.Error?.Message);
        using (var same = opened.Value)
        {
            Assert.Equal(keys.Kem.PublicKey.Encode(), same.Kem.PublicKey.Encode());
            Assert.Equal(keys.Signing.Q.ToArray(), same.Signing.Q.ToArray());
        }

        Assert.Equal(ProtocolErrorCode.AuthenticationFailed, (await DeviceKeys.UnsealAsync(Suite, other, user, keys.DeviceId, sealedKeys, default)).Error?.Code);
        Assert.Equal(ProtocolErrorCode.AuthenticationFailed, (await DeviceKeys.UnsealAsync(Suite, master, Guid.NewGuid(), keys.DeviceId, sealedKeys, default)).Error?.Code);
        Assert.Equal(ProtocolErrorCode.AuthenticationFailed, (await DeviceKeys.UnsealAsync(Suite, master, user, Guid.NewGuid(), sealedKeys, default)).Error?.Code);
        var tampered = (byte[])sealedKeys.Clone();
        tampered[^1] ^= 1;
        Assert.Equal(ProtocolErrorCode.AuthenticationFailed, (await DeviceKeys.UnsealAsync(Suite, master, user, keys.DeviceId, tampered, default)).Error?.Code);
    }

    [Fact]
    public async Task An_identity_key_opens_for_its_user_and_only_if_it_is_the_expected_key()
    {
        using var master = SecretKey.Generate(32);
        var user = Guid.NewGuid();
        using var identity = await UnlockedIdentity.GenerateAsync(Suite, user, master, default);
        var sealedKey = await identity.SealAsync(Suite, default);

        var opened = await UnlockedIdentity.UnsealAsync(Suite, user, master, sealedKey, identity.PublicKey.Encode(), default);
        Assert.True(opened.IsOk, opened.Error?.Message);
        opened.Value.Dispose();

        // Bound to the user id: a sealed key moved to another account does not open.
        Assert.Equal(ProtocolErrorCode.AuthenticationFailed, (await UnlockedIdentity.UnsealAsync(Suite, Guid.NewGuid(), master, sealedKey, identity.PublicKey.Encode(), default)).Error?.Code);
        // A server that presents another public key for the account is caught.
        using var stranger = await Suite.Signatures.GenerateAsync();
        Assert.Equal(ProtocolErrorCode.Untrusted, (await UnlockedIdentity.UnsealAsync(Suite, user, master, sealedKey, stranger.PublicKey.Encode(), default)).Error?.Code);
    }

    [Fact]
    public async Task Keys_never_print_their_secrets()
    {
        using var master = SecretKey.Generate(32);
        using var identity = await UnlockedIdentity.GenerateAsync(Suite, Guid.NewGuid(), master, default);
        using var device = await DeviceKeys.GenerateAsync(Suite, default);
        Assert.Contains("private", identity.ToString());
        Assert.Contains("private", device.ToString());
        Assert.DoesNotContain(Convert.ToHexString(master.Export()), identity.ToString());
    }
}
