using System.Text;
using Parley.Client.Api;
using Parley.Client.Flows;
using Parley.Client.Profiles;
using Parley.Client.Tests.Support;
using Parley.Client.Trust;
using Parley.Protocol;
using Parley.Protocol.Api;
using Parley.Protocol.Identity;

namespace Parley.Client.Tests;

/// <summary>
/// The client trusts nothing because the server said so: a reader verifies a colleague's clearance
/// and devices against the pinned root, and every forged, altered, expired, revoked or
/// cross-delegation item is refused with its reason, whether the server accepted it or a lying
/// server (a tampering handler) slipped it in.
/// </summary>
public sealed class TrustVerificationTests : IAsyncLifetime
{
    private static readonly ApiJson Json = ApiJson.Default;

    private IdentityServer _server = null!;
    private Account _admin = null!;
    private Account _atlOfficer = null!;
    private Account _borOfficer = null!;
    private Account _alice = null!;
    private Account _reader = null!;
    private TamperingHandler _lies = null!;
    private DirectoryVerifier _verifier = null!;
    private MemoryProfileStore _readerStore = null!;

    public async Task InitializeAsync()
    {
        _server = await IdentityServer.StartAsync();
        _admin = await _server.BootstrapAdminAsync();
        _atlOfficer = await _server.FoundDelegationAsync(_admin, "ATL");
        _borOfficer = await _server.FoundDelegationAsync(_admin, "BOR");
        _alice = await _server.InviteAsync(_atlOfficer, "alice@atl.example", Roles.Member, "ATL");
        await _server.CertifyAsync(_atlOfficer, _alice, "SECRET", ["ALPHA"]);

        // The reader is another ATL member whose client goes through a server that may lie.
        _readerStore = new MemoryProfileStore();
        _lies = new TamperingHandler();
        _reader = await _server.InviteAsync(_atlOfficer, "reader@atl.example", Roles.Member, "ATL", _readerStore, _lies);
        _verifier = new DirectoryVerifier(_reader.Client, new TrustStore(_readerStore, IdentityServer.Suite), IdentityServer.Suite);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private void RewriteAlice(Func<DirectoryEntry, DirectoryEntry> change) => _lies.Rewrite($"/users/{_alice.UserId}", Json.DirectoryEntry, change);

    private async Task<Signed<ClearanceCertificate>> SignClearanceAsync(Account signer, string delegation, long validFrom, long validUntil)
    {
        var body = new ClearanceCertificate(Guid.NewGuid(), delegation, _alice.UserId, _alice.Enrolled.Account.Identity.PublicKey.Fingerprint(), ["member"], "TOP SECRET", [],
            validFrom, validUntil, validUntil, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        return await signer.Enrolled.Account.Identity.SignAsync(IdentityServer.Suite, body, default);
    }

    private static TrustRefusal OnlyClearanceRefusal(PersonVerification verification)
    {
        Assert.False(verification.Trusted);
        Assert.Null(verification.Member);
        return Assert.Single(verification.Refusals, r => r.Subject.StartsWith("clearance", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_genuine_member_and_device_verify_against_the_pinned_root()
    {
        var verification = await _verifier.VerifyAsync(_alice.UserId);
        Assert.True(verification.Trusted, string.Join("; ", verification.Refusals));
        Assert.Equal("SECRET", verification.Member!.Clearance.Level);
        Assert.Equal(["ALPHA"], verification.Member.Clearance.Compartments);
        var device = Assert.Single(verification.Devices);
        Assert.Equal(_alice.Device.Id, device.Device.DeviceId);
        Assert.Empty(verification.Refusals);

        // The same by address.
        Assert.True((await _verifier.VerifyAsync(_alice.Email)).Trusted);
    }

    [Fact]
    public async Task A_clearance_signed_by_someone_who_is_not_an_officer_is_refused()
    {
        // Bob is a plain member: his key is real and in the directory, but he is no officer.
        var forged = await SignClearanceAsync(_reader, "ATL", DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddDays(30).ToUnixTimeSeconds());
        // Not an officer: the officers' endpoints do not even admit they exist.
        var upload = await Assert.ThrowsAsync<ParleyApiException>(() => _reader.Client.IssueClearanceAsync("ATL", forged.Encode()));
        Assert.Equal(ApiProblemKind.NotFound, upload.Kind);

        RewriteAlice(entry => entry with { ClearanceCertificates = [forged.Encode()] });
        var refusal = OnlyClearanceRefusal(await _verifier.VerifyAsync(_alice.UserId));
        Assert.Equal(ProtocolErrorCode.Untrusted, refusal.Reason.Code);
        Assert.Contains("not a security officer of ATL", refusal.Reason.Message);
    }

    [Fact]
    public async Task An_altered_clearance_is_refused_as_forged()
    {
        var genuine = (await _atlOfficer.Client.GetDirectoryEntryAsync(_alice.UserId)).ClearanceCertificates.Single();
        // Raise the level inside the signed payload: "SECRET" becomes "SECRES", same length, same shape.
        var altered = (byte[])genuine.Clone();
        var at = altered.AsSpan().IndexOf(Encoding.ASCII.GetBytes("SECRET"));
        Assert.True(at > 0);
        altered[at + 5] = (byte)'S';
        RewriteAlice(entry => entry with { ClearanceCertificates = [altered] });

        var refusal = OnlyClearanceRefusal(await _verifier.VerifyAsync(_alice.UserId));
        Assert.Equal(ProtocolErrorCode.BadSignature, refusal.Reason.Code);
        Assert.Contains("forged or altered", refusal.Reason.Message);
    }

    [Fact]
    public async Task An_expired_clearance_is_refused_with_its_end_date()
    {
        var expired = await SignClearanceAsync(_atlOfficer, "ATL", DateTimeOffset.UtcNow.AddDays(-60).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeSeconds());
        RewriteAlice(entry => entry with { ClearanceCertificates = [expired.Encode()] });

        var refusal = OnlyClearanceRefusal(await _verifier.VerifyAsync(_alice.UserId));
        Assert.Equal(ProtocolErrorCode.Expired, refusal.Reason.Code);
        Assert.Contains("expired on", refusal.Reason.Message);
    }

    [Fact]
    public async Task A_revoked_clearance_is_refused_with_the_officers_reason()
    {
        var clearance = (await _atlOfficer.Client.ListClearancesAsync("ATL")).Single(c => c.SubjectUserId == _alice.UserId);
        await new SecurityOfficer(_atlOfficer.Client, IdentityServer.Suite).RevokeClearanceAsync(_atlOfficer.Enrolled.Account.Identity, "ATL", clearance.Serial, "left the delegation");

        var refusal = OnlyClearanceRefusal(await _verifier.VerifyAsync(_alice.UserId));
        Assert.Equal(ProtocolErrorCode.Revoked, refusal.Reason.Code);
        Assert.Contains("left the delegation", refusal.Reason.Message);
    }

    [Fact]
    public async Task A_revocation_signed_by_neither_an_officer_nor_the_owner_does_not_count()
    {
        // A revocation signed by someone other than an officer or the owner does not count.
        var fake = await _reader.Enrolled.Account.Identity.SignAsync(IdentityServer.Suite,
            new Revocation(RevocationKind.Device, _alice.Device.Id, "ATL", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), "fake"), default);
        RewriteAlice(entry => entry with { Revocations = [.. entry.Revocations, fake.Encode()] });
        var verification = await _verifier.VerifyAsync(_alice.UserId);
        Assert.True(verification.Trusted, string.Join("; ", verification.Refusals));
    }

    [Fact]
    public async Task A_clearance_from_another_delegations_officer_is_refused_by_the_server_and_the_client()
    {
        var crossSigned = await SignClearanceAsync(_borOfficer, "ATL", DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddDays(30).ToUnixTimeSeconds());
        var upload = await Assert.ThrowsAsync<ParleyApiException>(() => _borOfficer.Client.IssueClearanceAsync("ATL", crossSigned.Encode()));
        Assert.Equal(ApiProblemKind.NotFound, upload.Kind);
        var asBor = await SignClearanceAsync(_borOfficer, "BOR", DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddDays(30).ToUnixTimeSeconds());
        var uploadBor = await Assert.ThrowsAsync<ParleyApiException>(() => _borOfficer.Client.IssueClearanceAsync("BOR", asBor.Encode()));
        Assert.True(uploadBor.Kind is ApiProblemKind.Invalid or ApiProblemKind.Denied, uploadBor.Message);

        RewriteAlice(entry => entry with { ClearanceCertificates = [crossSigned.Encode()] });
        var refusal = OnlyClearanceRefusal(await _verifier.VerifyAsync(_alice.UserId));
        Assert.Equal(ProtocolErrorCode.Untrusted, refusal.Reason.Code);
        Assert.Contains("not a security officer of ATL", refusal.Reason.Message);

        _lies.Clear();
        RewriteAlice(entry => entry with { ClearanceCertificates = [asBor.Encode()] });
        refusal = OnlyClearanceRefusal(await _verifier.VerifyAsync(_alice.UserId));
        Assert.Equal(ProtocolErrorCode.Untrusted, refusal.Reason.Code);
        Assert.Contains("BOR", refusal.Reason.Message);
    }

    [Fact]
    public async Task A_device_certificate_not_signed_by_its_user_is_refused()
    {
        var genuine = (await _atlOfficer.Client.GetDirectoryEntryAsync(_alice.UserId)).DeviceCertificates.Single();
        var body = Signed<DeviceCertificate>.Decode(genuine).Value.Body;
        // The server's own device for Alice, signed by the reader's key.
        var planted = await _reader.Enrolled.Account.Identity.SignAsync(IdentityServer.Suite, body with { DeviceId = Guid.NewGuid(), DeviceName = "planted" }, default);
        RewriteAlice(entry => entry with { DeviceCertificates = [genuine, planted.Encode()] });

        var verification = await _verifier.VerifyAsync(_alice.UserId);
        Assert.NotNull(verification.Member);
        Assert.Equal(_alice.Device.Id, Assert.Single(verification.Devices).Device.DeviceId);
        var refusal = Assert.Single(verification.Refusals);
        Assert.Contains("planted", refusal.Subject);
        Assert.Equal(ProtocolErrorCode.BadSignature, refusal.Reason.Code);
    }

    [Fact]
    public async Task A_changed_delegation_root_is_refused_loudly()
    {
        // An impostor founds "ATL" with a key of their own and the server presents it.
        var impostorKey = await IdentityServer.Suite.Signatures.GenerateAsync();
        var impostorRoot = await Signed<DelegationRoot>.SignAsync(IdentityServer.Suite, impostorKey,
            new DelegationRoot("ATL", "Delegation ATL", Guid.NewGuid(), impostorKey.PublicKey.Encode(), DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        _lies.Rewrite("/api/directory/delegations/ATL", Json.DelegationTrustView, view => view with { Root = impostorRoot.Encode() });

        var verification = await _verifier.VerifyAsync(_alice.UserId);
        Assert.False(verification.Trusted);
        var refusal = Assert.Single(verification.Refusals);
        Assert.Contains("HAS CHANGED", refusal.Reason.Message);
        // The pinned root is still the genuine one.
        Assert.Equal(_atlOfficer.Enrolled.Account.Identity.PublicKey.Encode(), (await new TrustStore(_readerStore, IdentityServer.Suite).PinnedAsync("ATL"))!.Body.OfficerPublicKey);
    }

    [Fact]
    public async Task Signing_in_where_the_delegation_root_changed_is_refused_loudly()
    {
        var impostorKey = await IdentityServer.Suite.Signatures.GenerateAsync();
        var impostorRoot = await Signed<DelegationRoot>.SignAsync(IdentityServer.Suite, impostorKey,
            new DelegationRoot("ATL", "Delegation ATL", Guid.NewGuid(), impostorKey.PublicKey.Encode(), DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        TamperingHandler Lies()
        {
            var lies = new TamperingHandler();
            lies.Rewrite("/api/directory/delegations/ATL", Json.DelegationTrustView, view => view with { Root = impostorRoot.Encode() });
            return lies;
        }

        // Alice's profile pinned ATL's root at enrollment.
        var refused = await Assert.ThrowsAsync<TrustException>(() => new SignIn(_server.NewClient(Lies()), _alice.Store, IdentityServer.Suite)
            .SignInAsync(_alice.Email, _alice.Password, new SecondFactor.RecoveryCode(_alice.RecoveryCodes[0]), "laptop"));
        Assert.Contains("HAS CHANGED", refused.Message);

        // A fresh profile pins on first sign-in, then holds to it.
        var fresh = new MemoryProfileStore();
        using (var first = await new SignIn(_server.NewClient(), fresh, IdentityServer.Suite).SignInAsync(_alice.Email, _alice.Password, new SecondFactor.RecoveryCode(_alice.RecoveryCodes[1]), "phone"))
            Assert.Equal(_atlOfficer.Enrolled.Account.Identity.PublicKey.Encode(), (await new TrustStore(fresh, IdentityServer.Suite).PinnedAsync("ATL"))!.Body.OfficerPublicKey);
        await Assert.ThrowsAsync<TrustException>(() => new SignIn(_server.NewClient(Lies()), fresh, IdentityServer.Suite)
            .SignInAsync(_alice.Email, _alice.Password, new SecondFactor.RecoveryCode(_alice.RecoveryCodes[2]), "phone"));
    }

    [Fact]
    public async Task Another_delegations_root_is_pinned_on_first_use_and_held_to_afterwards()
    {
        using var carol = await _server.InviteAsync(_borOfficer, "carol@bor.example", Roles.Member, "BOR");
        await _server.CertifyAsync(_borOfficer, carol, "CONFIDENTIAL");
        var trust = new TrustStore(_readerStore, IdentityServer.Suite);
        Assert.Null(await trust.PinnedAsync("BOR"));

        var verification = await _verifier.VerifyAsync(carol.UserId);
        Assert.True(verification.Trusted, string.Join("; ", verification.Refusals));
        Assert.Equal(_borOfficer.Enrolled.Account.Identity.PublicKey.Encode(), (await trust.PinnedAsync("BOR"))!.Body.OfficerPublicKey);

        // Now the server swaps BOR's root for ATL's (validly self-signed, but not BOR's and not pinned).
        var atl = await _reader.Client.GetDelegationTrustAsync("ATL");
        _lies.Rewrite("/api/directory/delegations/BOR", Json.DelegationTrustView, view => view with { Root = atl.Root });
        var swapped = await _verifier.VerifyAsync(carol.UserId);
        Assert.False(swapped.Trusted);
        Assert.Contains("ATL", Assert.Single(swapped.Refusals).Reason.Message);
    }

    [Fact]
    public async Task An_enrollment_link_whose_root_differs_from_the_servers_is_refused_before_any_account_exists()
    {
        var created = await new SecurityOfficer(_atlOfficer.Client, IdentityServer.Suite).CreateEnrollmentAsync("dave@atl.example", Roles.Member, "ATL");
        var link = EnrollmentLink.Parse(created.Link).Value;
        var wrong = link with { RootFingerprint = new string('0', 64) };
        var store = new MemoryProfileStore();
        var enrollment = new Enrollment(_server.NewClient(), store, IdentityServer.Suite);
        var refused = await Assert.ThrowsAsync<TrustException>(() => RateLimits.RetryAsync(() => enrollment.BeginAsync(wrong), TimeSpan.FromSeconds(30)));
        Assert.Contains("NOT the one in your enrollment link", refused.Message);
        var stripped = await Assert.ThrowsAsync<TrustException>(() => RateLimits.RetryAsync(() => enrollment.BeginAsync(link with { RootFingerprint = null }), TimeSpan.FromSeconds(30)));
        Assert.Contains("does not name it", stripped.Message);
        Assert.Null(await store.LoadAsync());

        // The genuine link still works: the refused attempts created nothing.
        using var dave = await _server.EnrollAsync(_server.NewClient(), store, link, "dave@atl.example", "ATL");
        Assert.Equal("dave@atl.example", dave.Email);
    }
}
