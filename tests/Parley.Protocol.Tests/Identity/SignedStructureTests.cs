using Parley.Protocol.Identity;

namespace Parley.Protocol.Tests.Identity;

public class SignedStructureTests
{
    private readonly IdentityWorld _world = new();

    [Fact]
    public async Task Certificates_round_trip_through_their_canonical_encoding()
    {
        var atl = await _world.CreateDelegationAsync("ATL");
        var member = await _world.CreatePersonAsync();
        var clearance = await _world.CertifyAsync(atl.Key, "ATL", member);
        var (device, _) = await _world.CreateDeviceAsync(member);

        var decodedClearance = Signed<ClearanceCertificate>.Decode(clearance.Encode()).Value;
        var decodedDevice = Signed<DeviceCertificate>.Decode(device.Encode()).Value;
        var decodedRoot = Signed<DelegationRoot>.Decode(atl.Root.Encode()).Value;

        Assert.Equal(clearance.Encode(), decodedClearance.Encode());
        Assert.Equal(device.Body.DeviceId, decodedDevice.Body.DeviceId);
        Assert.True(await decodedRoot.VerifyAsync(_world.Suite, atl.Key.PublicKey));
        Assert.True(await decodedClearance.VerifyAsync(_world.Suite, atl.Key.PublicKey));
    }

    [Fact]
    public async Task A_signature_for_one_kind_of_structure_does_not_verify_as_another()
    {
        var atl = await _world.CreateDelegationAsync("ATL");
        // The root's payload, re-labelled as if it were signed as a revocation: the context differs.
        var signature = atl.Root.Signature;
        Assert.False(await _world.Suite.Signatures.VerifyAsync(atl.Key.PublicKey, atl.Root.Payload, signature, Revocation.TypeName));
        Assert.True(await _world.Suite.Signatures.VerifyAsync(atl.Key.PublicKey, atl.Root.Payload, signature, DelegationRoot.TypeName));
    }

    [Fact]
    public async Task Decoding_a_different_structure_type_is_a_typed_error()
    {
        var atl = await _world.CreateDelegationAsync("ATL");
        var result = Signed<ClearanceCertificate>.Decode(atl.Root.Encode());
        Assert.Equal(ProtocolErrorCode.Malformed, result.Error?.Code);
    }

    [Fact]
    public async Task Random_and_truncated_envelopes_give_typed_errors_never_exceptions()
    {
        var atl = await _world.CreateDelegationAsync("ATL");
        var valid = atl.Root.Encode();
        var random = new Random(2026);
        for (var i = 0; i < 500; i++)
        {
            var sample = i % 2 == 0 ? valid.AsSpan(0, random.Next(valid.Length)).ToArray() : Mutate(valid, random);
            var result = Signed<DelegationRoot>.Decode(sample);
            if (!result.IsOk) Assert.Equal(ProtocolErrorCode.Malformed, result.Error.Code);
        }
        var junk = new byte[300];
        random.NextBytes(junk);
        Assert.False(Signed<DeviceCertificate>.Decode(junk).IsOk);
    }

    [Theory]
    [InlineData("")]
    [InlineData("gbr")]
    [InlineData("G")]
    [InlineData("TOOLONGCODE")]
    [InlineData("GB1")]
    public void Delegation_codes_are_two_to_eight_capital_letters(string code) => Assert.False(DelegationCode.IsValid(code));

    [Fact]
    public void Role_names_round_trip_and_unknown_names_are_refused()
    {
        var roles = Roles.Member | Roles.HeadOfDelegation;
        Assert.Equal(roles, RoleNames.Parse(RoleNames.ToNames(roles)).Value);
        var unknown = RoleNames.Parse(["member", "king"]);
        Assert.Contains("'king' is not a role", unknown.Error!.Message);
    }

    private static byte[] Mutate(byte[] valid, Random random)
    {
        var copy = (byte[])valid.Clone();
        copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        return copy;
    }
}

public class ContractRedactionTests
{
    [Fact]
    public void Contract_records_that_carry_secrets_do_not_print_them()
    {
        var secret = "s3cr3t-value-that-must-not-print";
        var bytes = System.Text.Encoding.ASCII.GetBytes(secret);
        var user = new Parley.Protocol.Api.UserView(Guid.NewGuid(), "a@atl.example", "A", "ATL", ["member"], "active", true, 0, 10);
        var session = new Parley.Protocol.Api.SessionView(user, "AAL2", DateTimeOffset.UnixEpoch, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, secret);
        object[] records =
        [
            new Parley.Protocol.Api.LoginRequest("a@atl.example", bytes, secret, secret, Parley.Protocol.Api.ClientKind.Cli),
            new Parley.Protocol.Api.LoginResponse(session, secret, new Parley.Protocol.Api.AccountKeys(KdfParameters.CreateDefault(), [], [])),
            session,
            new Parley.Protocol.Api.StepUpRequest(secret),
            new Parley.Protocol.Api.TotpSetupResponse(secret, "otpauth://totp/x?secret=" + secret, secret),
            new Parley.Protocol.Api.TotpConfirmRequest(secret),
            new Parley.Protocol.Api.RecoveryCodesResponse([secret]),
            new Parley.Protocol.Api.EnrollBeginRequest(secret),
            new Parley.Protocol.Api.EnrollCompleteResponse(new Parley.Protocol.Api.LoginResponse(session, secret, new Parley.Protocol.Api.AccountKeys(KdfParameters.CreateDefault(), [], [])), [secret]),
        ];
        foreach (var record in records) Assert.DoesNotContain(secret, record.ToString());
    }
}
