using Parley.Client.Api;
using Parley.Client.Flows;
using Parley.Client.Profiles;
using Parley.Client.Tests.Support;
using Parley.Client.Trust;
using Parley.Protocol.Api;
using Parley.Protocol.Identity;

namespace Parley.Client.Tests;

/// <summary>Enrollment, sign-in and device registration through the SDK against a real server.</summary>
public sealed class EnrollmentAndSignInTests : IAsyncLifetime
{
    private IdentityServer _server = null!;

    public async Task InitializeAsync() => _server = await IdentityServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_first_officer_founds_the_delegation_and_members_pin_the_root_from_their_link()
    {
        using var admin = await _server.BootstrapAdminAsync();
        Assert.Contains("host-administrator", admin.Enrolled.Account.Session.User.Roles);
        using var officer = await _server.FoundDelegationAsync(admin, "ATL");

        var delegation = await officer.Client.GetDelegationAsync("ATL");
        Assert.NotNull(delegation.Root);
        var root = Signed<DelegationRoot>.Decode(delegation.Root).Value;
        Assert.Equal(officer.UserId, root.Body.OfficerUserId);
        Assert.Equal(officer.Enrolled.Account.Identity.PublicKey.Encode(), root.Body.OfficerPublicKey);
        Assert.Equal(delegation.RootFingerprint, TrustStore.Fingerprint(root));
        Assert.Equal(TrustStore.Fingerprint(root), TrustStore.Fingerprint((await new TrustStore(officer.Store, IdentityServer.Suite).PinnedAsync("ATL"))!));

        var created = await new SecurityOfficer(officer.Client, IdentityServer.Suite).CreateEnrollmentAsync("member@atl.example", Roles.Member, "ATL");
        var link = EnrollmentLink.Parse(created.Link).Value;
        Assert.Equal(delegation.RootFingerprint, link.RootFingerprint);
        var store = new MemoryProfileStore();
        using var member = await _server.EnrollAsync(_server.NewClient(), store, link, "member@atl.example", "ATL");
        var pinned = await new TrustStore(store, IdentityServer.Suite).PinnedAsync("ATL");
        Assert.Equal(delegation.RootFingerprint, TrustStore.Fingerprint(pinned!));

        // Nothing secret in what a log would print.
        var printed = member.Enrolled.ToString();
        Assert.DoesNotContain(member.RecoveryCodes[0], printed);
        Assert.DoesNotContain(member.Enrolled.Account.Session.CsrfToken ?? "no csrf token", printed);
        Assert.Contains("member@atl.example", printed);

        var profile = (await store.LoadAsync())!;
        Assert.Equal(member.UserId, profile.UserId);
        Assert.Equal("ATL", profile.Delegation);
        Assert.NotNull(profile.SessionToken);
        var devices = await member.Client.ListDevicesAsync();
        var device = Assert.Single(devices);
        Assert.Equal(profile.Device!.Id, device.Id);
        Assert.Null(device.RevokedAt);
    }

    [Fact]
    public async Task Signing_in_on_a_new_profile_registers_a_device_and_signing_in_again_reuses_it()
    {
        using var admin = await _server.BootstrapAdminAsync();
        using var officer = await _server.FoundDelegationAsync(admin, "ATL");
        using var member = await _server.InviteAsync(officer, "member@atl.example", Roles.Member, "ATL");
        using var folder = new TempFolder();
        var store = new FileProfileStore(folder.Child("laptop"));

        var client = _server.NewClient();
        // Enrollment used the current TOTP step; the next one is fresh and within the allowed skew.
        using (var first = await new SignIn(client, store, IdentityServer.Suite).SignInAsync(member.Email, member.Password, new SecondFactor.Totp(Authenticator.Code(member.TotpSecret, +1)), "laptop"))
        {
            Assert.Equal(member.UserId, first.Session.User.Id);
            Assert.Equal(AssuranceLevels.Aal2, first.Session.Aal);
            Assert.NotEqual(member.Device.Id, first.Device!.Id);
            Assert.Equal(first.Device!.Id, (await store.LoadAsync())!.Device!.Id);
            var session = await client.GetSessionAsync();
            Assert.Equal(member.Email, session.User.Email);
        }
        var firstDevice = (await store.LoadAsync())!.Device!.Id;

        var again = _server.NewClient();
        using (var second = await new SignIn(again, store, IdentityServer.Suite).SignInAsync(member.Email, member.Password, new SecondFactor.RecoveryCode(member.RecoveryCodes[0]), "laptop"))
        {
            Assert.Equal(firstDevice, second.Device!.Id);
            Assert.Equal(9, second.Session.User.RecoveryCodesLeft);
        }
        var devices = await again.ListDevicesAsync();
        Assert.Equal(2, devices.Count(d => d.RevokedAt is null));

        // The recovery code is gone once used.
        var replay = await Assert.ThrowsAsync<ParleyApiException>(() =>
            new SignIn(_server.NewClient(), new MemoryProfileStore(), IdentityServer.Suite).SignInAsync(member.Email, member.Password, new SecondFactor.RecoveryCode(member.RecoveryCodes[0]), "x"));
        Assert.Equal(ApiProblemKind.Unauthenticated, replay.Kind);
    }

    [Fact]
    public async Task A_revoked_device_is_replaced_at_the_next_sign_in()
    {
        using var admin = await _server.BootstrapAdminAsync();
        using var officer = await _server.FoundDelegationAsync(admin, "ATL");
        var store = new MemoryProfileStore();
        using var member = await _server.InviteAsync(officer, "member@atl.example", Roles.Member, "ATL", store);
        var enrolledDevice = member.Device.Id;

        var revoked = await new Devices(member.Client, IdentityServer.Suite).RevokeAsync(member.Enrolled.Account.Identity, "ATL", enrolledDevice, "lost on a train");
        Assert.NotNull(revoked.RevokedAt);

        using var signedIn = await new SignIn(_server.NewClient(), store, IdentityServer.Suite).SignInAsync(member.Email, member.Password, new SecondFactor.RecoveryCode(member.RecoveryCodes[1]), "new laptop");
        Assert.NotEqual(enrolledDevice, signedIn.Device!.Id);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_the_servers_title_and_detail()
    {
        using var admin = await _server.BootstrapAdminAsync();
        var error = await Assert.ThrowsAsync<ParleyApiException>(() =>
            new SignIn(_server.NewClient(), new MemoryProfileStore(), IdentityServer.Suite).SignInAsync(admin.Email, "not the password", new SecondFactor.Totp(Authenticator.Code(admin.TotpSecret, 1)), "x"));
        Assert.Equal(ApiProblemKind.Unauthenticated, error.Kind);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.Problem.Status);
        Assert.False(string.IsNullOrWhiteSpace(error.Problem.Title));
        Assert.Contains("wrong", error.Problem.Detail);
    }

    [Fact]
    public async Task Denied_and_not_found_are_typed_and_carry_the_servers_reason()
    {
        using var admin = await _server.BootstrapAdminAsync();
        using var officer = await _server.FoundDelegationAsync(admin, "ATL");
        using var member = await _server.InviteAsync(officer, "member@atl.example", Roles.Member, "ATL");

        var denied = await Assert.ThrowsAsync<ParleyApiException>(() => member.Client.CreateDelegationAsync(new CreateDelegationRequest("ZZZ", "Z", "Z")));
        Assert.Equal(ApiProblemKind.Denied, denied.Kind);
        Assert.False(string.IsNullOrWhiteSpace(denied.Problem.Detail));

        var missing = await Assert.ThrowsAsync<ParleyApiException>(() => member.Client.GetDirectoryEntryAsync("nobody@atl.example"));
        Assert.Equal(ApiProblemKind.NotFound, missing.Kind);

        var noFactor = await Assert.ThrowsAsync<ParleyApiException>(() => _server.NewClient().LoginAsync(new LoginRequest(member.Email, new byte[32], null, null, ClientKind.Cli)));
        Assert.Equal(ApiProblemKind.MfaRequired, noFactor.Kind);
        Assert.Contains("TOTP", noFactor.Problem.Detail);

        // Regenerating recovery codes needs a recent second factor: the session from enrollment is still recent, a stale one would be asked to step up.
        var codes = await member.Client.RegenerateRecoveryCodesAsync();
        Assert.Equal(10, codes.Codes.Count);

        var signedOut = _server.NewClient();
        var unauthenticated = await Assert.ThrowsAsync<ParleyApiException>(() => signedOut.GetSessionAsync());
        Assert.Equal(ApiProblemKind.Unauthenticated, unauthenticated.Kind);
    }

    [Fact]
    public async Task Repeated_failures_lock_the_account_with_a_clear_message_and_bursts_are_rate_limited()
    {
        using var admin = await _server.BootstrapAdminAsync();
        var client = _server.NewClient();
        var kinds = new List<ParleyApiException>();
        for (var i = 0; i < 8; i++)
        {
            kinds.Add(await Assert.ThrowsAsync<ParleyApiException>(() =>
                client.LoginAsync(new LoginRequest(admin.Email, new byte[32], "000000", null, ClientKind.Cli))));
        }
        Assert.Contains(kinds, e => e.Kind == ApiProblemKind.Locked || e.Kind == ApiProblemKind.RateLimited);
        var locked = kinds.FirstOrDefault(e => e.Kind == ApiProblemKind.Locked);
        if (locked is not null) Assert.Contains("until", locked.Problem.Detail);
        foreach (var limited in kinds.Where(e => e.Kind == ApiProblemKind.RateLimited))
            Assert.True(limited.Problem.RetryAfter > TimeSpan.Zero, "429 without Retry-After");

        // Even the right password is refused while locked.
        var right = await Assert.ThrowsAsync<ParleyApiException>(() =>
            new SignIn(_server.NewClient(), new MemoryProfileStore(), IdentityServer.Suite).SignInAsync(admin.Email, admin.Password, new SecondFactor.RecoveryCode(admin.RecoveryCodes[0]), "x"));
        Assert.True(right.Kind is ApiProblemKind.Locked or ApiProblemKind.RateLimited, $"{right.Kind}: {right.Message}");
    }
}
