using System.Collections.Immutable;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;

namespace Parley.Protocol.Rooms;

/// <summary>
/// This device as the room code needs it: its certificate and its two private keys (hybrid KEM, to
/// open key packages; ECDSA P-384, to sign rosters, packages and messages). It borrows the keys: the
/// caller owns and disposes them.
/// </summary>
public sealed class LocalDevice
{
    private LocalDevice(DeviceCertificate certificate, ImmutableArray<byte> certificateHash, HybridKemPrivateKey kem, P384KeyPair signing)
    {
        Certificate = certificate;
        CertificateHash = certificateHash;
        Kem = kem;
        Signing = signing;
    }

    /// <summary>The device's certificate.</summary>
    public DeviceCertificate Certificate { get; }

    /// <summary>The device.</summary>
    public Guid DeviceId => Certificate.DeviceId;

    /// <summary>SHA-256 of the canonical encoding of the certificate.</summary>
    public ImmutableArray<byte> CertificateHash { get; }

    internal HybridKemPrivateKey Kem { get; }

    internal P384KeyPair Signing { get; }

    /// <summary>This device; refuses keys that are not the ones <paramref name="certificate"/> certifies.</summary>
    /// <exception cref="ArgumentException">A private key does not match the certificate.</exception>
    public static async ValueTask<LocalDevice> CreateAsync(ICryptoBackend backend, DeviceCertificate certificate, HybridKemPrivateKey kem, P384KeyPair signing, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(kem);
        ArgumentNullException.ThrowIfNull(signing);
        if (!kem.PublicKey.Encode().AsSpan().SequenceEqual(certificate.KemPublicKey))
            throw new ArgumentException("The KEM private key is not the one the device certificate certifies.", nameof(kem));
        if (!signing.Q.Span.SequenceEqual(certificate.SigningPublicKey))
            throw new ArgumentException("The signing key is not the one the device certificate certifies.", nameof(signing));
        var hash = await RoomDevice.CertificateHashAsync(backend, certificate, cancellationToken).ConfigureAwait(false);
        return new LocalDevice(certificate, [.. hash], kem, signing);
    }

    /// <inheritdoc />
    public override string ToString() => $"LocalDevice({DeviceId}, private)";
}
