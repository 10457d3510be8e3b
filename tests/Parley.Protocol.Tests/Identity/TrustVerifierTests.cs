using Parley.Protocol.Formats;
using Parley.Protocol.Identity;

namespace Parley.Protocol.Tests.Identity;

public class TrustVerifierTests
{
    private readonly IdentityWorld _world = new();
    private TrustVerifier Verifier => new(_world.Suite);

    [Fact]
    public async Task A_member_certified_by_the_delegation_root_officer_is_trusted()
    {
        var atl = await _world.CreateDelegationAsync("ATL");
        var member = await _world.CreatePersonAsync();
        var clearance = await _world.CertifyAsync(atl.Key, "ATL", member);

        var result = await Verifier.VerifyMemberAsync(IdentityWorld.Trust(atl), member.UserId, member.Key.PublicKey, clearance, IdentityWorld.Now);

        Assert.True(result.IsOk, result.Error?.Message);
        Assert.Equal("SECRET", result.Value.Clearance.Level);
        Assert.True(result.Value.TrainingCurrent(IdentityWorld.Now));
    }

    [Fact]
    public async Task A_clearance_signed_by_someone_who_is_not_an_officer_is_refused()
    {
        var atl = await _world.CreateDelegationAsync("ATL");
        var member = await _world.CreatePersonAsync();
        var impostor = await _world.CreatePersonAsync();
        var forged = await _world.CertifyAsync(impostor.Key, "ATL", member);

        var result = await Verifier.VerifyMemberAsync(IdentityWorld.Trust(atl), member.UserId, member.Key.PublicKey, forged, IdentityWorld.Now);

        Assert.Equal(ProtocolErrorCode.Untrusted, result.Error?.Code);
        Assert.Contains("not a security officer of ATL", result.Error!.Message);
    }

    [Fact]
    public async Task A_clearance_altered_after_signing_is_refused()
    {
        var atl = await _world.CreateDelegationAsync("ATL");
        var member = await _world.CreatePersonAsync();
        var genuine = await _world.CertifyAsync(atl.Key, "ATL", member, level: "CONFIDENTIAL");
        // Same signature, body raised to TOP SECRET: the envelope is re-encoded with the new payload.
        var raised = genuine.Body with { Level = "TOP SECRET" };
        var tampered = Tamper(genuine, Canonical.Encode(raised));

        var result = await Verifier.VerifyMemberAsync(IdentityWorld.Trust(atl), member.UserId, member.Key.PublicKey, tampered, IdentityWorld.Now);

        Assert.Equal(ProtocolErrorCode.BadSignature, result.Error?.Code);
    }

    [Fact]
    public async Task An_expired_clearance_is_refused_with_its_end_date()
    {
        var atl = await _world.CreateDelegationAsync("ATL");
        var member = await _world.CreatePersonAsync();
        var expired = await _world.CertifyAsync(atl.Key, "ATL", member,
            validFrom: IdentityWorld.Now.AddDays(-400).ToUnixTimeSeconds(), validUntil: IdentityWorld.Now.AddDays(-1).ToUnixTimeSeconds());

        var result = await Verifier.VerifyMemberAsync(IdentityWorld.Trust(atl), member.UserId, member.Key.PublicKey, expired, IdentityWorld.Now);

        Assert.Equal(ProtocolErrorCode.Expired, result.Error?.Code);
        Assert.Contains("expired", result.Error!.Message);
    }

    [Fact]
    public async Task A_clearance_that_starts_in_the_future_is_refused()
    {
        var atl = await _world.CreateDelegationAsync("ATL");
        var member = await _world.CreatePersonAsync();
        var early = await _world.CertifyAsync(atl.Key, "ATL", member, validFrom: IdentityWorld.Now.AddDays(2).ToUnixTimeSeconds());

        var result = await Verifier.VerifyMemberAsync(IdentityWorld.Trust(atl), member.UserId, member.Key.PublicKey, early, IdentityWorld.Now);

        Assert.Equal(ProtocolErrorCode.NotYetValid, result.Error?.Code);
    }

    [Fact]
    public async Task A_clearance_revoked_by_an_officer_is_refused_with_the_reason()
    {
        var atl = await _world.CreateDelegationAsync("ATL");
        var member = await _world.CreatePersonAsync();
        var clearance = await _world.CertifyAsync(atl.Key, "ATL", member);
        var revocation = await _world.RevokeAsync(atl.Key, RevocationKind.Clearance, clearance.Body.Serial, "ATL");

        var result = await Verifier.VerifyMemberAsync(IdentityWorld.Trust(atl, revocations: [revocation]), member.UserId, member.Key.PublicKey, clearance, IdentityWorld.Now);

        Assert.Equal(ProtocolErrorCode.Revoked, result.Error?.Code);
        Assert.Contains("lost", result.Error!.Message);
    }

    [Fact]
    public async Task A_revocation_not_signed_by_an_officer_is_ignored()
    {
        var atl = await _world.CreateDelegationAsync("ATL");
        var member = await _world.CreatePersonAsync();
        var stranger = await _world.CreatePersonAsync();
        var clearance = await _world.CertifyAsync(atl.Key, "ATL", member);
        var bogus = await _world.RevokeAsync(stranger.Key, RevocationKind.Clearance, clearance.Body.Serial, "ATL");

        var result = await Verifier.VerifyMemberAsync(IdentityWorld.Trust(atl, revocations: [bogus]), member.UserId, member.Key.PublicKey, clearance, IdentityWorld.Now);

        Assert.True(result.IsOk, result.Error?.Message);
    }

    [Fact]
    public async Task An_officer_of_another_delegation_cannot_certify_a_member()
    {
        var atl = await _world.CreateDelegationAsync("ATL");
        var bor = await _world.CreateDelegationAsync("BOR");
        var member = await _world.CreatePersonAsync();
        var crossCertified = await _world.CertifyAsync(bor.Key, "ATL", member);
        var claimsBor = await _world.CertifyAsync(bor.Key, "BOR", member);

        var byForeignOfficer = await Verifier.VerifyMemberAsync(IdentityWorld.Trust(atl), member.UserId, member.Key.PublicKey, crossCertified, IdentityWorld.Now);
        var otherDelegation = await Verifier.VerifyMemberAsync(IdentityWorld.Trust(atl), member.UserId, member.Key.PublicKey, claimsBor, IdentityWorld.Now);

        Assert.Equal(ProtocolErrorCode.Untrusted, byForeignOfficer.Error?.Code);
        Assert.Equal(ProtocolErrorCode.Untrusted, otherDelegation.Error?.Code);
        Assert.Contains("not ATL", otherDelegation.Error!.Message);
    }

    [Fact]
    public async Task A_clearance_for_another_identity_key_is_refused()
    {
        var atl = await _world.CreateDelegationAsync("ATL");
        var member = await _world.CreatePersonAsync();
        var other = await _world.CreatePersonAsync();
        var clearance = await _world.CertifyAsync(atl.Key, "ATL", member);

        var result = await Verifier.VerifyMemberAsync(IdentityWorld.Trust(atl), member.UserId, other.Key.PublicKey, clearance, IdentityWorld.Now);

        Assert.Equal(ProtocolErrorCode.Untrusted, result.Error?.Code);
    }

    [Fact]
    public async Task A_second_officer_certified_by_the_root_may_certify_members_until_their_own_clearance_ends()
    {
        var atl = await _world.CreateDelegationAsync("ATL");
        var deputy = await _world.CreatePersonAsync();
        var member = await _world.CreatePersonAsync();
        var deputyCurrent = await _world.CertifyAsync(atl.Key, "ATL", deputy, roles: Roles.SecurityOfficer);
        var deputyExpired = await _world.CertifyAsync(atl.Key, "ATL", deputy, roles: Roles.SecurityOfficer,
            validFrom: IdentityWorld.Now.AddDays(-100).ToUnixTimeSeconds(), validUntil: IdentityWorld.Now.AddDays(-1).ToUnixTimeSeconds());
        var deputyNotOfficer = await _world.CertifyAsync(atl.Key, "ATL", deputy, roles: Roles.Member);
        var clearance = await _world.CertifyAsync(deputy.Key, "ATL", member);

        var current = await Verifier.VerifyMemberAsync(IdentityWorld.Trust(atl, [deputyCurrent], [deputy.Key.PublicKey]), member.UserId, member.Key.PublicKey, clearance, IdentityWorld.Now);
        var lapsed = await Verifier.VerifyMemberAsync(IdentityWorld.Trust(atl, [deputyExpired], [deputy.Key.PublicKey]), member.UserId, member.Key.PublicKey, clearance, IdentityWorld.Now);
        var notOfficer = await Verifier.VerifyMemberAsync(IdentityWorld.Trust(atl, [deputyNotOfficer], [deputy.Key.PublicKey]), member.UserId, member.Key.PublicKey, clearance, IdentityWorld.Now);

        Assert.True(current.IsOk, current.Error?.Message);
        Assert.Equal(ProtocolErrorCode.Expired, lapsed.Error?.Code);
        Assert.Contains("signing officer's own clearance", lapsed.Error!.Message);
        Assert.Equal(ProtocolErrorCode.Untrusted, notOfficer.Error?.Code);
    }

    [Fact]
    public async Task A_root_that_is_not_self_signed_is_refused()
    {
        var atl = await _world.CreateDelegationAsync("ATL");
        var usurper = await _world.CreatePersonAsync();
        // A root that names the usurper's key but carries the genuine officer's signature.
        var forgedRoot = Tamper(atl.Root, Canonical.Encode(atl.Root.Body with { OfficerPublicKey = usurper.Key.PublicKey.Encode() }));
        var member = await _world.CreatePersonAsync();
        var clearance = await _world.CertifyAsync(usurper.Key, "ATL", member);

        var result = await Verifier.VerifyMemberAsync(new DelegationTrust(forgedRoot, [], [], []), member.UserId, member.Key.PublicKey, clearance, IdentityWorld.Now);

        Assert.Equal(ProtocolErrorCode.BadSignature, result.Error?.Code);
    }

    [Fact]
    public async Task A_device_certified_by_its_user_is_trusted_and_one_certified_by_anyone_else_is_not()
    {
        var atl = await _world.CreateDelegationAsync("ATL");
        var member = await _world.CreatePersonAsync();
        var mallory = await _world.CreatePersonAsync();
        var clearance = await _world.CertifyAsync(atl.Key, "ATL", member);
        var (genuine, _) = await _world.CreateDeviceAsync(member);
        var (planted, _) = await _world.CreateDeviceAsync(member, signer: mallory.Key);

        var ok = await Verifier.VerifyDeviceAsync(IdentityWorld.Trust(atl), member.UserId, member.Key.PublicKey, clearance, genuine, IdentityWorld.Now);
        var refused = await Verifier.VerifyDeviceAsync(IdentityWorld.Trust(atl), member.UserId, member.Key.PublicKey, clearance, planted, IdentityWorld.Now);

        Assert.True(ok.IsOk, ok.Error?.Message);
        Assert.Equal(ProtocolErrorCode.BadSignature, refused.Error?.Code);
    }

    [Fact]
    public async Task A_device_revoked_by_its_user_or_by_an_officer_is_refused()
    {
        var atl = await _world.CreateDelegationAsync("ATL");
        var member = await _world.CreatePersonAsync();
        var clearance = await _world.CertifyAsync(atl.Key, "ATL", member);
        var (device, _) = await _world.CreateDeviceAsync(member);
        var byUser = await _world.RevokeAsync(member.Key, RevocationKind.Device, device.Body.DeviceId, "ATL");
        var byOfficer = await _world.RevokeAsync(atl.Key, RevocationKind.Device, device.Body.DeviceId, "ATL");

        foreach (var revocation in new[] { byUser, byOfficer })
        {
            var result = await Verifier.VerifyDeviceAsync(IdentityWorld.Trust(atl, revocations: [revocation]), member.UserId, member.Key.PublicKey, clearance, device, IdentityWorld.Now);
            Assert.Equal(ProtocolErrorCode.Revoked, result.Error?.Code);
        }
    }

    [Fact]
    public async Task A_device_of_a_member_without_a_valid_clearance_is_refused()
    {
        var atl = await _world.CreateDelegationAsync("ATL");
        var member = await _world.CreatePersonAsync();
        var expired = await _world.CertifyAsync(atl.Key, "ATL", member,
            validFrom: IdentityWorld.Now.AddDays(-400).ToUnixTimeSeconds(), validUntil: IdentityWorld.Now.AddDays(-1).ToUnixTimeSeconds());
        var (device, _) = await _world.CreateDeviceAsync(member);

        var result = await Verifier.VerifyDeviceAsync(IdentityWorld.Trust(atl), member.UserId, member.Key.PublicKey, expired, device, IdentityWorld.Now);

        Assert.Equal(ProtocolErrorCode.Expired, result.Error?.Code);
    }

    private static Signed<T> Tamper<T>(Signed<T> original, byte[] payload) where T : ISignedBody<T>
    {
        var writer = Canonical.CreateWriter();
        Canonical.WriteHeader(writer, "parley/signed", 1, 3);
        writer.WriteByteString(payload);
        writer.WriteByteString(original.SignerFingerprint);
        writer.WriteByteString(original.Signature);
        writer.WriteEndArray();
        return Signed<T>.Decode(writer.Encode()).Value;
    }
}
