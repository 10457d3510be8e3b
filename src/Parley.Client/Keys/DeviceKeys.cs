using System.Security.Cryptography;
using Parley.Protocol;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;

namespace Parley.Client.Keys;

/// <summary>
/// This device's private keys: a hybrid KEM key (others encrypt room and document keys to it) and a
/// P-384 signing key. They never leave the local profile except sealed:
/// <c>SealedBox(master key, KEM private key (112) || P-384 scalar (48), Bind("device-keys v1", user id || device id))</c>.
/// </summary>
public sealed class DeviceKeys : IDisposable
{
    private const int SealedPlaintextSize = HybridKemPrivateKey.Size + P384KeyPair.PrivateKeySize;

    private DeviceKeys(Guid deviceId, HybridKemPrivateKey kem, P384KeyPair signing)
    {
        DeviceId = deviceId;
        Kem = kem;
        Signing = signing;
    }

    /// <summary>The device's id, chosen by the client and certified.</summary>
    public Guid DeviceId { get; }

    /// <summary>The hybrid KEM private key.</summary>
    public HybridKemPrivateKey Kem { get; }

    /// <summary>The ECDSA P-384 signing key.</summary>
    public P384KeyPair Signing { get; }

    /// <summary>Fresh keys for a new device.</summary>
    public static async Task<DeviceKeys> GenerateAsync(CryptoSuite suite, CancellationToken cancellationToken)
    {
        var kem = await suite.Kem.GenerateAsync(cancellationToken).ConfigureAwait(false);
        var signing = await suite.Backend.GenerateP384KeyPairAsync(cancellationToken).ConfigureAwait(false);
        return new DeviceKeys(Guid.NewGuid(), kem, signing);
    }

    /// <summary>The device certificate body for these keys.</summary>
    public DeviceCertificate Certificate(UnlockedIdentity owner, string name, DateTimeOffset now) =>
        new(owner.UserId, DeviceId, name, Kem.PublicKey.Encode(), Signing.Q.ToArray(), now.ToUnixTimeSeconds(), owner.PublicKey.Fingerprint());

    /// <summary>Seals the keys under the owner's master key.</summary>
    public async Task<byte[]> SealAsync(CryptoSuite suite, SecretKey masterKey, Guid userId, CancellationToken cancellationToken)
    {
        var plaintext = new byte[SealedPlaintextSize];
        var kem = Kem.Export();
        try
        {
            kem.CopyTo(plaintext, 0);
            Signing.D.Span.CopyTo(plaintext.AsSpan(HybridKemPrivateKey.Size));
            return await suite.Boxes.SealAsync(masterKey, plaintext, Context(userId, DeviceId), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kem);
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>Opens sealed device keys; a typed error for a wrong key, a wrong owner or device, or altered bytes.</summary>
    public static async Task<Result<DeviceKeys>> UnsealAsync(CryptoSuite suite, SecretKey masterKey, Guid userId, Guid deviceId, byte[] sealedKeys, CancellationToken cancellationToken)
    {
        var opened = await suite.Boxes.OpenAsync(masterKey, sealedKeys, Context(userId, deviceId), cancellationToken).ConfigureAwait(false);
        if (!opened.TryGetValue(out var plaintext, out _))
            return Result<DeviceKeys>.Fail(ProtocolErrorCode.AuthenticationFailed, "The device keys of this profile do not open with this password.");
        try
        {
            if (plaintext.Length != SealedPlaintextSize) return Result<DeviceKeys>.Fail(ProtocolErrorCode.InvalidLength, "The sealed device keys have the wrong size.");
            var kem = HybridKemPrivateKey.Import(plaintext.AsSpan(0, HybridKemPrivateKey.Size));
            if (!kem.TryGetValue(out var kemKey, out var error)) return error;
            var signing = P384.KeyPairFromPrivate(plaintext.AsSpan(HybridKemPrivateKey.Size));
            if (!signing.TryGetValue(out var signingKey, out error))
            {
                kemKey.Dispose();
                return error;
            }
            return new DeviceKeys(deviceId, kemKey, signingKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>True when these are the keys <paramref name="certificate"/> certifies.</summary>
    public bool Matches(DeviceCertificate certificate) =>
        certificate.DeviceId == DeviceId
        && certificate.KemPublicKey.AsSpan().SequenceEqual(Kem.PublicKey.Encode())
        && certificate.SigningPublicKey.AsSpan().SequenceEqual(Signing.Q.Span);

    private static byte[] Context(Guid userId, Guid deviceId)
    {
        var context = new byte[32];
        userId.TryWriteBytes(context.AsSpan(0, 16), bigEndian: true, out _);
        deviceId.TryWriteBytes(context.AsSpan(16, 16), bigEndian: true, out _);
        return Labels.Bind(Labels.DeviceKeys, context);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Kem.Dispose();
        Signing.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"DeviceKeys({DeviceId}, private)";
}
