using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;

namespace Parley.Protocol.Tests.Identity;

/// <summary>Builds delegations, officers, members and devices with real keys and signatures.</summary>
internal sealed class IdentityWorld
{
    public static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    public CryptoSuite Suite { get; } = CryptoSuite.Default;

    public async Task<Officer> CreateDelegationAsync(string code)
    {
        var key = await Suite.Signatures.GenerateAsync();
        var userId = Guid.NewGuid();
        var root = await Signed<DelegationRoot>.SignAsync(Suite, key, new DelegationRoot(code, $"Delegation {code}", userId, key.PublicKey.Encode(), Now.AddDays(-30).ToUnixTimeSeconds()));
        return new Officer(code, userId, key, root);
    }

    public async Task<Person> CreatePersonAsync() => new(Guid.NewGuid(), await Suite.Signatures.GenerateAsync());

    public ValueTask<Signed<ClearanceCertificate>> CertifyAsync(CompositePrivateKey signer, string delegation, Person subject, string level = "SECRET",
        Roles roles = Roles.Member, long? validFrom = null, long? validUntil = null, long? training = null) =>
        Signed<ClearanceCertificate>.SignAsync(Suite, signer, new ClearanceCertificate(
            Guid.NewGuid(), delegation, subject.UserId, subject.Key.PublicKey.Fingerprint(), RoleNames.ToNames(roles), level, ["ALPHA"],
            validFrom ?? Now.AddDays(-1).ToUnixTimeSeconds(), validUntil ?? Now.AddDays(365).ToUnixTimeSeconds(),
            training ?? Now.AddDays(90).ToUnixTimeSeconds(), Now.ToUnixTimeSeconds()));

    public async Task<(Signed<DeviceCertificate> Certificate, HybridKemPrivateKey Kem)> CreateDeviceAsync(Person owner, CompositePrivateKey? signer = null)
    {
        var kem = await Suite.Kem.GenerateAsync();
        var signing = await Suite.Backend.GenerateP384KeyPairAsync();
        var certificate = await Signed<DeviceCertificate>.SignAsync(Suite, signer ?? owner.Key, new DeviceCertificate(
            owner.UserId, Guid.NewGuid(), "laptop", kem.PublicKey.Encode(), signing.Q.ToArray(), Now.ToUnixTimeSeconds(), owner.Key.PublicKey.Fingerprint()));
        return (certificate, kem);
    }

    public ValueTask<Signed<Revocation>> RevokeAsync(CompositePrivateKey signer, RevocationKind kind, Guid subject, string delegation) =>
        Signed<Revocation>.SignAsync(Suite, signer, new Revocation(kind, subject, delegation, Now.ToUnixTimeSeconds(), "lost"));

    public static DelegationTrust Trust(Officer officer, IReadOnlyList<Signed<ClearanceCertificate>>? officers = null, IReadOnlyList<CompositePublicKey>? officerKeys = null, IReadOnlyList<Signed<Revocation>>? revocations = null) =>
        new(officer.Root, officers ?? [], officerKeys ?? [], revocations ?? []);
}

internal sealed record Officer(string Delegation, Guid UserId, CompositePrivateKey Key, Signed<DelegationRoot> Root);

internal sealed record Person(Guid UserId, CompositePrivateKey Key);
