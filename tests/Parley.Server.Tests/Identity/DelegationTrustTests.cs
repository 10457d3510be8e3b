using System.Net;
using Parley.Protocol;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;
using Parley.Server.Tests.Identity.Support;

namespace Parley.Server.Tests.Identity;

/// <summary>Who may do what across two delegations, and the server's checks on clearances, devices and revocations.</summary>
public sealed class DelegationTrustTests(IdentityHostFixture fixture) : IClassFixture<IdentityHostFixture>, IAsyncLifetime
{
    private readonly ClientDriver _client = new(fixture.Host);
    private TestAccount _admin = null!;
    private TestAccount _officerA = null!, _officerB = null!, _memberA = null!, _memberB = null!;
    private string _a = null!, _b = null!;

    private IdentityHost Host => fixture.Host;

    public async Task InitializeAsync()
    {
        _admin = await fixture.AdministratorAsync(_client);
        _a = fixture.NextCode('A');
        _b = fixture.NextCode('B');
        (_officerA, _) = await _client.DelegationWithOfficerAsync(_admin, _a, "Atlantis " + _a);
        (_officerB, _) = await _client.DelegationWithOfficerAsync(_admin, _b, "Borduria " + _b);
        _memberA = await _client.MemberAsync(_officerA, _a, $"member@{_a.ToLowerInvariant()}.example");
        _memberB = await _client.MemberAsync(_officerB, _b, $"member@{_b.ToLowerInvariant()}.example");
        await _client.LoginAsync(_admin);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_host_administrator_reaches_no_officer_endpoint_and_no_directory()
    {
        foreach (var path in new[] { $"/api/delegations/{_a}/members", $"/api/delegations/{_a}/sign-ins", $"/api/delegations/{_a}/clearances", $"/api/delegations/{_a}/devices" })
            await ClientDriver.ProblemAsync(await _client.GetAsync(path, _admin.Token), HttpStatusCode.NotFound);
        var certificate = await _client.ClearanceAsync(_officerA, _memberA, _a, "SECRET", []);
        await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/delegations/{_a}/clearances", new IssueClearanceRequest(certificate), _admin.Token), HttpStatusCode.NotFound);
        await ClientDriver.ProblemAsync(await _client.GetAsync($"/api/directory/users/{_memberA.UserId}", _admin.Token), HttpStatusCode.Forbidden);
        await ClientDriver.ProblemAsync(await _client.GetAsync($"/api/directory/delegations/{_a}", _admin.Token), HttpStatusCode.Forbidden);
        await ClientDriver.ProblemAsync(await _client.GetAsync("/api/devices", _admin.Token), HttpStatusCode.Forbidden);
        // He may only enroll officers.
        var member = await _client.PostAsync($"/api/delegations/{_a}/enrollments", new CreateEnrollmentRequest($"x@{_a}.example", ["member"], null, null), _admin.Token);
        await ClientDriver.ProblemAsync(member, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Officers_and_members_cannot_use_the_host_administrators_endpoints()
    {
        foreach (var account in new[] { _officerA, _memberA })
            await ClientDriver.ProblemAsync(await _client.PostAsync("/api/delegations", new CreateDelegationRequest("ZZZ", "Z", "Z"), account.Token), HttpStatusCode.Forbidden);
        Assert.Equal(0, await Host.CountAsync("SELECT count(*) FROM delegations WHERE Code = 'ZZZ'"));
    }

    [Fact]
    public async Task An_officer_of_one_delegation_cannot_enroll_certify_list_or_revoke_for_another()
    {
        var enroll = await _client.PostAsync($"/api/delegations/{_b}/enrollments", new CreateEnrollmentRequest($"spy@{_b}.example", ["member"], null, null), _officerA.Token);
        await ClientDriver.ProblemAsync(enroll, HttpStatusCode.NotFound);
        foreach (var path in new[] { "members", "sign-ins", "clearances", "devices", "enrollments" })
            await ClientDriver.ProblemAsync(await _client.GetAsync($"/api/delegations/{_b}/{path}", _officerA.Token), HttpStatusCode.NotFound);

        var certificate = await _client.ClearanceAsync(_officerA, _memberB, _b, "SECRET", []);
        await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/delegations/{_b}/clearances", new IssueClearanceRequest(certificate), _officerA.Token), HttpStatusCode.NotFound);

        var issued = await IssueAsync(_officerB, _memberB, _b, "CONFIDENTIAL");
        var revocation = await _client.RevocationAsync(_officerA.IdentityKey, RevocationKind.Clearance, issued.Serial, _b);
        await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/delegations/{_b}/clearances/{issued.Serial}/revoke", new RevokeRequest(revocation), _officerA.Token), HttpStatusCode.NotFound);

        var device = await RegisterDeviceAsync(_memberB);
        var deviceRevocation = await _client.RevocationAsync(_officerA.IdentityKey, RevocationKind.Device, device.Id, _b);
        await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/devices/{device.Id}/revoke", new RevokeRequest(deviceRevocation), _officerA.Token), HttpStatusCode.NotFound);
        Assert.Equal(0, await Host.CountAsync($"SELECT count(*) FROM devices WHERE RevokedAt IS NOT NULL AND Id = '{device.Id.ToString().ToUpperInvariant()}'"));
        Assert.Equal(0, await Host.CountAsync($"SELECT count(*) FROM clearances WHERE RevokedAt IS NOT NULL AND Serial = '{issued.Serial.ToString().ToUpperInvariant()}'"));
    }

    [Fact]
    public async Task The_directory_lists_a_delegations_people_with_their_identity_keys_for_members_of_any_delegation()
    {
        var users = await ClientDriver.ReadAsync<IReadOnlyList<DirectoryUser>>(await _client.GetAsync($"/api/directory/delegations/{_a}/users", _memberB.Token));
        Assert.Equal(new[] { _memberA.UserId, _officerA.UserId }.Order(), users.Select(u => u.Id).Order());
        Assert.Equal(_memberA.IdentityKey.PublicKey.Encode(), users.Single(u => u.Id == _memberA.UserId).IdentityPublicKey);
        Assert.Contains("security-officer", users.Single(u => u.Id == _officerA.UserId).Roles);
        await ClientDriver.ProblemAsync(await _client.GetAsync($"/api/directory/users/{_admin.UserId}", _memberB.Token), HttpStatusCode.NotFound);
        var everyone = await ClientDriver.ReadAsync<IReadOnlyList<DirectoryUser>>(await _client.GetAsync("/api/directory/users", _memberB.Token));
        Assert.Contains(everyone, u => u.Id == _memberA.UserId);
        Assert.Contains(everyone, u => u.Id == _memberB.UserId);
        Assert.DoesNotContain(everyone, u => u.Id == _admin.UserId);
        await ClientDriver.ProblemAsync(await _client.GetAsync("/api/directory/delegations/NOPE/users", _memberB.Token), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_member_cannot_use_the_officers_console()
    {
        foreach (var path in new[] { "members", "sign-ins", "clearances", "devices", "enrollments" })
            await ClientDriver.ProblemAsync(await _client.GetAsync($"/api/delegations/{_a}/{path}", _memberA.Token), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_clearance_is_published_ledgered_with_its_hash_and_verifies_through_the_directory()
    {
        var issued = await IssueAsync(_officerA, _memberA, _a, "SECRET", "ALPHA");
        Assert.Equal("SECRET", issued.Level);
        Assert.Equal(["ALPHA"], issued.Compartments);
        Assert.Equal(_officerA.Email, issued.IssuedBy);
        var hash = Convert.ToHexStringLower(Signed<ClearanceCertificate>.Decode(issued.Certificate).Value.Hash());
        Assert.Contains(await LedgerQueue.ReadAsync(Host), e => e.Type == LedgerEventType.ClearanceIssued && e.Field("certificate-hash") == hash && e.Delegation == _a);

        // A client checks the chain with what the directory serves.
        var trust = await TrustAsync(_a);
        var entry = await ClientDriver.ReadAsync<DirectoryEntry>(await _client.GetAsync($"/api/directory/users/{_memberA.Email}", _memberB.Token));
        var clearance = Signed<ClearanceCertificate>.Decode(Assert.Single(entry.ClearanceCertificates)).Value;
        var verified = await new TrustVerifier(ClientDriver.Suite).VerifyMemberAsync(trust, _memberA.UserId, CompositePublicKey.Decode(entry.User.IdentityPublicKey).Value, clearance, Host.Clock.GetUtcNow());
        Assert.True(verified.IsOk, verified.Error?.Message);

        var members = await ClientDriver.ReadAsync<IReadOnlyList<MemberView>>(await _client.GetAsync($"/api/delegations/{_a}/members", _officerA.Token));
        Assert.Equal("SECRET", members.Single(m => m.User.Id == _memberA.UserId).Clearance?.Level);
    }

    [Fact]
    public async Task Clearances_for_another_delegations_member_are_refused_with_a_reason()
    {
        // Named for B, submitted to A.
        var forB = await _client.ClearanceAsync(_officerA, _memberB, _b, "SECRET", []);
        var refused = await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/delegations/{_a}/clearances", new IssueClearanceRequest(forB), _officerA.Token), HttpStatusCode.UnprocessableEntity);
        Assert.Contains($"for delegation {_b}", refused.GetProperty("detail").GetString());
        // Named for A, but the subject is B's member.
        var smuggled = await _client.ClearanceAsync(_officerA, _memberB, _a, "SECRET", [], roles: ["member"]);
        refused = await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/delegations/{_a}/clearances", new IssueClearanceRequest(smuggled), _officerA.Token), HttpStatusCode.UnprocessableEntity);
        Assert.Contains($"not a member of {_a}", refused.GetProperty("detail").GetString());
        Assert.Equal(0, await Host.CountAsync($"SELECT count(*) FROM clearances WHERE SubjectUserId = '{_memberB.UserId.ToString().ToUpperInvariant()}'"));
    }

    [Fact]
    public async Task Forged_altered_expired_and_non_officer_clearances_are_refused()
    {
        var stranger = await ClientDriver.Suite.Signatures.GenerateAsync();
        var forged = await _client.ClearanceAsync(_officerA, _memberA, _a, "TOP SECRET", [], signer: stranger);
        Assert.Contains("not a member", await RefusalAsync(forged));

        var byMember = await _client.ClearanceAsync(_memberA, _memberA, _a, "TOP SECRET", [], signer: _memberA.IdentityKey);
        Assert.Contains("not a security officer", await RefusalAsync(byMember));

        var valid = await _client.ClearanceAsync(_officerA, _memberA, _a, "SECRET", []);
        var altered = (byte[])valid.Clone();
        altered[^10] ^= 0x01;
        Assert.Contains("does not verify", await RefusalAsync(altered));

        var expired = await _client.ClearanceAsync(_officerA, _memberA, _a, "SECRET", [], validFrom: Host.Clock.GetUtcNow().AddDays(-10), validUntil: Host.Clock.GetUtcNow().AddDays(-1));
        Assert.Contains("expired", await RefusalAsync(expired));

        var wrongKey = await _client.ClearanceAsync(_officerA, _memberA, _a, "SECRET", [], fingerprint: _memberB.IdentityKey.PublicKey.Fingerprint());
        Assert.Contains("not the subject's", await RefusalAsync(wrongKey));

        var moreRoles = await _client.ClearanceAsync(_officerA, _memberA, _a, "SECRET", [], roles: ["member", "security-officer"]);
        Assert.Contains("roles the account does not hold", await RefusalAsync(moreRoles));

        Assert.Equal(0, await Host.CountAsync($"SELECT count(*) FROM clearances WHERE SubjectUserId = '{_memberA.UserId.ToString().ToUpperInvariant()}'"));
        Assert.Equal(HttpStatusCode.Created, (await _client.PostAsync($"/api/delegations/{_a}/clearances", new IssueClearanceRequest(valid), _officerA.Token)).StatusCode);
    }

    [Fact]
    public async Task A_deputy_officer_signs_only_while_holding_a_valid_officer_clearance()
    {
        var deputy = await _client.MemberAsync(_officerA, _a, $"deputy@{_a.ToLowerInvariant()}.example", "security-officer", "member");
        var byDeputy = await _client.ClearanceAsync(deputy, _memberA, _a, "CONFIDENTIAL", [], signer: deputy.IdentityKey);
        Assert.Contains("no officer clearance", await RefusalAsync(byDeputy, deputy));

        var officerClearance = await IssueAsync(_officerA, deputy, _a, "SECRET");
        Assert.Equal(HttpStatusCode.Created, (await _client.PostAsync($"/api/delegations/{_a}/clearances", new IssueClearanceRequest(byDeputy), deputy.Token)).StatusCode);

        var revocation = await _client.RevocationAsync(_officerA.IdentityKey, RevocationKind.Clearance, officerClearance.Serial, _a, "left the delegation");
        var revoked = await ClientDriver.ReadAsync<ClearanceView>(await _client.PostAsync($"/api/delegations/{_a}/clearances/{officerClearance.Serial}/revoke", new RevokeRequest(revocation), _officerA.Token));
        Assert.NotNull(revoked.RevokedAt);
        var again = await _client.ClearanceAsync(deputy, _memberA, _a, "CONFIDENTIAL", [], signer: deputy.IdentityKey);
        Assert.Contains("revoked", await RefusalAsync(again, deputy));
        Assert.Contains(await LedgerQueue.ReadAsync(Host), e => e.Type == LedgerEventType.ClearanceRevoked && e.Subject == $"clearance:{officerClearance.Serial}");
    }

    [Fact]
    public async Task A_revoked_clearance_is_served_with_its_revocation_and_fails_the_clients_check()
    {
        var issued = await IssueAsync(_officerA, _memberA, _a, "SECRET");
        var forged = await _client.RevocationAsync(_memberA.IdentityKey, RevocationKind.Clearance, issued.Serial, _a);
        Assert.Contains("not a security officer", (await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/delegations/{_a}/clearances/{issued.Serial}/revoke", new RevokeRequest(forged), _officerA.Token), HttpStatusCode.UnprocessableEntity)).GetProperty("detail").GetString());
        var wrongSubject = await _client.RevocationAsync(_officerA.IdentityKey, RevocationKind.Clearance, Guid.NewGuid(), _a);
        await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/delegations/{_a}/clearances/{issued.Serial}/revoke", new RevokeRequest(wrongSubject), _officerA.Token), HttpStatusCode.UnprocessableEntity);

        var revocation = await _client.RevocationAsync(_officerA.IdentityKey, RevocationKind.Clearance, issued.Serial, _a, "clearance withdrawn");
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync($"/api/delegations/{_a}/clearances/{issued.Serial}/revoke", new RevokeRequest(revocation), _officerA.Token)).StatusCode);
        await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/delegations/{_a}/clearances/{issued.Serial}/revoke", new RevokeRequest(revocation), _officerA.Token), HttpStatusCode.Conflict);

        var trust = await TrustAsync(_a);
        var verified = await new TrustVerifier(ClientDriver.Suite).VerifyMemberAsync(trust, _memberA.UserId, _memberA.IdentityKey.PublicKey,
            Signed<ClearanceCertificate>.Decode(issued.Certificate).Value, Host.Clock.GetUtcNow());
        Assert.Equal(ProtocolErrorCode.Revoked, verified.Error?.Code);
        Assert.Contains("clearance withdrawn", verified.Error?.Message);
    }

    [Fact]
    public async Task A_device_certificate_is_registered_only_when_signed_by_its_users_identity_key()
    {
        await _client.LoginAsync(_memberA);
        var forged = await _client.NewDeviceAsync(_memberA, signer: _memberB.IdentityKey);
        Assert.Contains("not signed by your identity key", (await ClientDriver.ProblemAsync(await _client.PostAsync("/api/devices", new RegisterDeviceRequest(forged.Certificate), _memberA.Token), HttpStatusCode.UnprocessableEntity)).GetProperty("detail").GetString());
        var someoneElses = await _client.NewDeviceAsync(_memberB);
        Assert.Contains("another user", (await ClientDriver.ProblemAsync(await _client.PostAsync("/api/devices", new RegisterDeviceRequest(someoneElses.Certificate), _memberA.Token), HttpStatusCode.UnprocessableEntity)).GetProperty("detail").GetString());
        var garbage = new byte[200];
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/devices", new RegisterDeviceRequest(garbage), _memberA.Token), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(0, await Host.CountAsync($"SELECT count(*) FROM devices WHERE UserId = '{_memberA.UserId.ToString().ToUpperInvariant()}'"));

        var device = await RegisterDeviceAsync(_memberA);
        var hash = Convert.ToHexStringLower(Signed<DeviceCertificate>.Decode(device.Certificate).Value.Hash());
        Assert.Contains(await LedgerQueue.ReadAsync(Host), e => e.Type == LedgerEventType.DeviceRegistered && e.Subject == $"device:{device.Id}" && e.Field("certificate-hash") == hash);
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/devices", new RegisterDeviceRequest(device.Certificate), _memberA.Token), HttpStatusCode.Conflict);
        var mine = await ClientDriver.ReadAsync<IReadOnlyList<DeviceView>>(await _client.GetAsync("/api/devices", _memberA.Token));
        Assert.Equal(device.Id, Assert.Single(mine).Id);
        var all = await ClientDriver.ReadAsync<IReadOnlyList<DeviceView>>(await _client.GetAsync($"/api/delegations/{_a}/devices", _officerA.Token));
        Assert.Contains(all, d => d.Id == device.Id);

        // The chain officer → user → device verifies for a client.
        var clearance = await IssueAsync(_officerA, _memberA, _a, "SECRET");
        var verified = await new TrustVerifier(ClientDriver.Suite).VerifyDeviceAsync(await TrustAsync(_a), _memberA.UserId, _memberA.IdentityKey.PublicKey,
            Signed<ClearanceCertificate>.Decode(clearance.Certificate).Value, Signed<DeviceCertificate>.Decode(device.Certificate).Value, Host.Clock.GetUtcNow());
        Assert.True(verified.IsOk, verified.Error?.Message);
    }

    [Fact]
    public async Task Devices_are_revoked_by_their_user_or_their_officer_and_by_nobody_else()
    {
        var first = await RegisterDeviceAsync(_memberA);
        var second = await RegisterDeviceAsync(_memberA);
        var other = await _client.MemberAsync(_officerA, _a, $"other@{_a.ToLowerInvariant()}.example");

        // Another member of the same delegation: not theirs to revoke.
        var byOther = await _client.RevocationAsync(other.IdentityKey, RevocationKind.Device, first.Id, _a);
        await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/devices/{first.Id}/revoke", new RevokeRequest(byOther), other.Token), HttpStatusCode.NotFound);
        // The owner presenting a revocation signed by someone without authority.
        Assert.Contains("Only the device's user or a security officer", (await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/devices/{first.Id}/revoke", new RevokeRequest(byOther), _memberA.Token), HttpStatusCode.UnprocessableEntity)).GetProperty("detail").GetString());
        var wrongKind = await _client.RevocationAsync(_memberA.IdentityKey, RevocationKind.Clearance, first.Id, _a);
        await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/devices/{first.Id}/revoke", new RevokeRequest(wrongKind), _memberA.Token), HttpStatusCode.UnprocessableEntity);

        var byOwner = await _client.RevocationAsync(_memberA.IdentityKey, RevocationKind.Device, first.Id, _a, "stolen");
        var revoked = await ClientDriver.ReadAsync<DeviceView>(await _client.PostAsync($"/api/devices/{first.Id}/revoke", new RevokeRequest(byOwner), _memberA.Token));
        Assert.NotNull(revoked.RevokedAt);
        Assert.Equal(_memberA.Email, revoked.RevokedBy);

        var byOfficer = await _client.RevocationAsync(_officerA.IdentityKey, RevocationKind.Device, second.Id, _a, "left");
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync($"/api/devices/{second.Id}/revoke", new RevokeRequest(byOfficer), _officerA.Token)).StatusCode);

        var entry = await ClientDriver.ReadAsync<DirectoryEntry>(await _client.GetAsync($"/api/directory/users/{_memberA.UserId}", _memberB.Token));
        Assert.Equal(2, entry.Revocations.Count);
        Assert.Equal(2, (await LedgerQueue.ReadAsync(Host)).Count(e => e.Type == LedgerEventType.DeviceRevoked && (e.Subject == $"device:{first.Id}" || e.Subject == $"device:{second.Id}")));
        var clearance = await IssueAsync(_officerA, _memberA, _a, "SECRET");
        var verified = await new TrustVerifier(ClientDriver.Suite).VerifyDeviceAsync(await TrustAsync(_a), _memberA.UserId, _memberA.IdentityKey.PublicKey,
            Signed<ClearanceCertificate>.Decode(clearance.Certificate).Value, Signed<DeviceCertificate>.Decode(first.Certificate).Value, Host.Clock.GetUtcNow());
        Assert.Equal(ProtocolErrorCode.Revoked, verified.Error?.Code);
    }

    private async Task<ClearanceView> IssueAsync(TestAccount officer, TestAccount subject, string code, string level, params string[] compartments)
    {
        await _client.LoginAsync(officer);
        var certificate = await _client.ClearanceAsync(officer, subject, code, level, compartments);
        return await ClientDriver.ReadAsync<ClearanceView>(await _client.PostAsync($"/api/delegations/{code}/clearances", new IssueClearanceRequest(certificate), officer.Token), HttpStatusCode.Created);
    }

    private async Task<TestDevice> RegisterDeviceAsync(TestAccount account)
    {
        await _client.LoginAsync(account);
        var device = await _client.NewDeviceAsync(account);
        await ClientDriver.ReadAsync<DeviceView>(await _client.PostAsync("/api/devices", new RegisterDeviceRequest(device.Certificate), account.Token), HttpStatusCode.Created);
        return device;
    }

    private async Task<string> RefusalAsync(byte[] certificate, TestAccount? submitter = null)
    {
        submitter ??= _officerA;
        await _client.LoginAsync(submitter);
        var problem = await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/delegations/{_a}/clearances", new IssueClearanceRequest(certificate), submitter.Token), HttpStatusCode.UnprocessableEntity);
        return problem.GetProperty("detail").GetString()!;
    }

    private async Task<DelegationTrust> TrustAsync(string code)
    {
        await _client.LoginAsync(_memberB);
        var view = await ClientDriver.ReadAsync<DelegationTrustView>(await _client.GetAsync($"/api/directory/delegations/{code}", _memberB.Token));
        return new DelegationTrust(
            Signed<DelegationRoot>.Decode(view.Root).Value,
            view.OfficerCertificates.Select(c => Signed<ClearanceCertificate>.Decode(c).Value).ToList(),
            view.OfficerKeys.Select(k => CompositePublicKey.Decode(k).Value).ToList(),
            view.Revocations.Select(r => Signed<Revocation>.Decode(r).Value).ToList());
    }
}
