using System.Security.Cryptography;
using Parley.Protocol.Classification;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;
using Parley.Protocol.Tests.Identity;
using Parley.Protocol.Documents;
using Parley.Protocol.Tests.Robustness;

namespace Parley.Protocol.Tests.Documents;

/// <summary>Document keys wrapped for a device or a room epoch open only for that recipient, that version
/// (hash) and that label, and a modified wrap fails with one uniform error.</summary>
public class KeyWrapTests
{
    private static readonly CryptoSuite Suite = CryptoSuite.Default;
    private static readonly Label RoomLabel = MarkingScheme.Generic.ParseBanner("SECRET//REL TO ATL, BOR").Value;
    private readonly DocumentKeys _keys = new(Suite);
    private readonly IdentityWorld _world = new();

    private async Task<VerifiedDevice> DeviceAsync(string delegation, string level, HybridKemPrivateKey kem)
    {
        var officer = await _world.CreateDelegationAsync(delegation);
        var person = await _world.CreatePersonAsync();
        var clearance = await _world.CertifyAsync(officer.Key, delegation, person, level: level);
        var signing = await Suite.Backend.GenerateP384KeyPairAsync();
        var device = await Signed<DeviceCertificate>.SignAsync(Suite, person.Key, new DeviceCertificate(
            person.UserId, Guid.NewGuid(), "laptop", kem.PublicKey.Encode(), signing.Q.ToArray(), IdentityWorld.Now.ToUnixTimeSeconds(), person.Key.PublicKey.Fingerprint()));
        return (await new TrustVerifier(Suite).VerifyDeviceAsync(IdentityWorld.Trust(officer), person.UserId, person.Key.PublicKey, clearance, device, IdentityWorld.Now)).Value;
    }

    [Fact]
    public async Task Only_a_device_cleared_for_the_label_is_admitted_and_only_for_that_label()
    {
        using var kem = await Suite.Kem.GenerateAsync();
        var scheme = MarkingScheme.Generic;
        var version = DocumentFixtures.Version();
        var cleared = DocumentRecipient.Admit(await DeviceAsync("ATL", "SECRET", kem), RoomLabel, scheme).Value;
        using var key = DocumentKeys.Generate();
        var wrap = await _keys.WrapForDeviceAsync(key, version, cleared);
        using (var opened = (await _keys.UnwrapForDeviceAsync(wrap, version, cleared.DeviceId, kem)).Value) Assert.True(opened.ContentEquals(key));

        var low = DocumentRecipient.Admit(await DeviceAsync("ATL", "CONFIDENTIAL", kem), RoomLabel, scheme);
        Assert.Equal(ProtocolErrorCode.Untrusted, low.Error!.Code);
        Assert.Contains("Cleared to CONFIDENTIAL; SECRET is needed.", low.Error.Message);
        var foreign = DocumentRecipient.Admit(await DeviceAsync("CRD", "TOP SECRET", kem), RoomLabel, scheme);
        Assert.Contains("Not releasable to CRD", foreign.Error!.Message);

        // Admitted for CONFIDENTIAL, the device cannot be given a SECRET version's key.
        var forLower = DocumentRecipient.Admit(await DeviceAsync("ATL", "SECRET", kem), scheme.ParseBanner("CONFIDENTIAL").Value, scheme).Value;
        await Assert.ThrowsAsync<ArgumentException>(() => _keys.WrapForDeviceAsync(key, version, forLower).AsTask());
    }

    [Fact]
    public async Task A_version_above_the_rooms_label_is_not_shared_with_the_room()
    {
        using var room = new RoomDocumentKey(Guid.NewGuid(), 1, MarkingScheme.Generic.ParseBanner("CONFIDENTIAL//REL TO ATL, BOR").Value, SecretKey.Generate(32));
        using var key = DocumentKeys.Generate();
        var e = await Assert.ThrowsAsync<ArgumentException>(() => _keys.WrapForRoomAsync(key, DocumentFixtures.Version(), room).AsTask());
        Assert.Contains("cannot be shared with a room labelled CONFIDENTIAL//REL TO ATL, BOR", e.Message);
    }

    [Fact]
    public async Task A_device_wrap_opens_for_its_device_only()
    {
        using var device = await Suite.Kem.GenerateAsync();
        using var other = await Suite.Kem.GenerateAsync();
        var deviceId = Guid.NewGuid();
        var version = DocumentFixtures.Version();
        using var key = DocumentKeys.Generate();
        var wrap = DocumentKeyWrap.Decode((await _keys.WrapForDeviceAsync(key, version, deviceId, device.PublicKey)).Encode()).Value;

        using var opened = (await _keys.UnwrapForDeviceAsync(wrap, version, deviceId, device)).Value;
        Assert.True(opened.ContentEquals(key));

        AssertRefused(await _keys.UnwrapForDeviceAsync(wrap, version, deviceId, other));
        AssertRefused(await _keys.UnwrapForDeviceAsync(wrap, version, Guid.NewGuid(), device));
    }

    [Fact]
    public async Task A_wrap_does_not_open_for_another_version_or_label()
    {
        using var device = await Suite.Kem.GenerateAsync();
        var deviceId = Guid.NewGuid();
        var version = DocumentFixtures.Version();
        using var key = DocumentKeys.Generate();
        var wrap = await _keys.WrapForDeviceAsync(key, version, deviceId, device.PublicKey);

        // Same document and version number, different label: another manifest, another context.
        var relabelled = DocumentFixtures.Version(label: "TOP SECRET//REL TO ATL, BOR");
        AssertRefused(await _keys.UnwrapForDeviceAsync(wrap, relabelled, deviceId, device));
        AssertRefused(await _keys.UnwrapForDeviceAsync(wrap, DocumentFixtures.Version(), deviceId, device));
    }

    [Fact]
    public async Task A_room_wrap_opens_with_the_epochs_key_only()
    {
        var room = Guid.NewGuid();
        var secret = RandomNumberGenerator.GetBytes(32);
        using var epoch3 = new RoomDocumentKey(room, 3, RoomLabel, SecretKey.Import(secret));
        using var sameKeyEpoch4 = new RoomDocumentKey(room, 4, RoomLabel, SecretKey.Import(secret));
        using var otherRoom = new RoomDocumentKey(Guid.NewGuid(), 3, RoomLabel, SecretKey.Import(secret));
        using var otherKey = new RoomDocumentKey(room, 3, RoomLabel, SecretKey.Generate(32));
        var version = DocumentFixtures.Version();
        using var key = DocumentKeys.Generate();
        var wrap = await _keys.WrapForRoomAsync(key, version, epoch3);
        Assert.Equal(KeyWrapRecipient.RoomEpoch, wrap.Kind);
        Assert.Empty(wrap.Encapsulation);

        using var opened = (await _keys.UnwrapForRoomAsync(wrap, version, epoch3)).Value;
        Assert.True(opened.ContentEquals(key));
        AssertRefused(await _keys.UnwrapForRoomAsync(wrap, version, sameKeyEpoch4));
        AssertRefused(await _keys.UnwrapForRoomAsync(wrap, version, otherRoom));
        AssertRefused(await _keys.UnwrapForRoomAsync(wrap, version, otherKey));
        using var device = await Suite.Kem.GenerateAsync();
        AssertRefused(await _keys.UnwrapForDeviceAsync(wrap, version, room, device));
    }

    [Fact]
    public async Task Every_modified_byte_of_a_wrap_is_refused()
    {
        using var device = await Suite.Kem.GenerateAsync();
        var deviceId = Guid.NewGuid();
        var version = DocumentFixtures.Version();
        using var key = DocumentKeys.Generate();
        var encoded = (await _keys.WrapForDeviceAsync(key, version, deviceId, device.PublicKey)).Encode();
        var random = new Random(3);
        for (var i = 0; i < 120; i++)
        {
            var position = i < 60 ? i : random.Next(encoded.Length);
            var tampered = (byte[])encoded.Clone();
            tampered[position] ^= (byte)(1 << random.Next(8));
            var decoded = DocumentKeyWrap.Decode(tampered);
            if (!decoded.IsOk)
            {
                Assert.Equal(ProtocolErrorCode.Malformed, decoded.Error.Code);
                continue;
            }
            AssertRefused(await _keys.UnwrapForDeviceAsync(decoded.Value, version, deviceId, device));
        }
        foreach (var input in Mutations.Of(encoded, 200, 11))
        {
            var decoded = DocumentKeyWrap.Decode(input);
            if (decoded.IsOk) AssertRefused(await _keys.UnwrapForDeviceAsync(decoded.Value, version, deviceId, device));
            else Assert.Equal(ProtocolErrorCode.Malformed, decoded.Error.Code);
        }
    }

    private static void AssertRefused(Result<SecretKey> result)
    {
        Assert.False(result.IsOk);
        Assert.Equal(ProtocolErrorCode.AuthenticationFailed, result.Error.Code);
        Assert.Equal("The document key could not be unwrapped: not for this recipient, version or label, or modified.", result.Error.Message);
    }
}
