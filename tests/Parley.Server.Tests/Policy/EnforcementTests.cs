using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Protocol.Api;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;
using Parley.Server.Tests.Identity.Support;
using Parley.Server.Tests.Policy.Support;

namespace Parley.Server.Tests.Policy;

/// <summary>
/// The enforcement point through the real HTTP stack: denials carry decision, rules and reason;
/// a step-up is offered when it is all that is missing; training expiry, suspension, device
/// binding and revocation count from the next request on; every decision is ledgered before the
/// handler runs; need-to-know resources stay invisible without a membership or a current grant.
/// </summary>
public sealed class EnforcementTests(IdentityHostFixture fixture) : IClassFixture<IdentityHostFixture>, IAsyncLifetime
{
    private readonly ClientDriver _client = new(fixture.Host);
    private PolicyDriver _policy = null!;
    private TestAccount _officer = null!;
    private string _code = null!;

    private IdentityHost Host => fixture.Host;

    public async Task InitializeAsync()
    {
        _policy = new PolicyDriver(_client);
        VaultResolver.Register(Host);
        var admin = await fixture.AdministratorAsync(_client);
        _code = fixture.NextCode('P');
        (_officer, _) = await _client.DelegationWithOfficerAsync(admin, _code, "Policy " + _code);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A member cleared SECRET//ALPHA, with a bound device and a session stepped up with a security key.</summary>
    private async Task<(TestAccount Member, TestDevice Device, SoftwareAuthenticator Key)> ClearedMemberAsync(string name, string level = "SECRET", string[]? compartments = null, DateTimeOffset? trainingUntil = null)
    {
        var member = await _client.MemberAsync(_officer, _code, $"{name}-{_code}@x.example".ToLowerInvariant());
        await _client.LoginAsync(_officer);
        await _policy.CertifyAsync(_officer, member, _code, level, compartments ?? ["ALPHA"], trainingUntil);
        var device = await _policy.RegisterAndBindAsync(member, member.Token!);
        var key = await _policy.SecurityKeyAsync(member.Token!);
        await _policy.StepUpWithKeyAsync(key, member.Token!);
        return (member, device, key);
    }

    [Fact]
    public async Task A_cleared_member_passes_and_a_label_denial_says_which_rules_and_why()
    {
        var (member, _, _) = await ClearedMemberAsync("reader");
        var permit = await ClientDriver.ReadAsync<PolicyDecisionView>(await _policy.AccessAsync(member.Token!, "label:SECRET//ALPHA"));
        Assert.Equal("permit", permit.Decision);
        Assert.Equal(["permit.member-content"], permit.DecidingRules);

        var denied = await PolicyDriver.DeniedAsync(await _policy.AccessAsync(member.Token!, "label:TOP SECRET//ALPHA/BRAVO"), "forbid.level-too-low", "forbid.missing-compartment");
        Assert.Equal("not-cleared", denied.GetProperty("kind").GetString());
        Assert.False(denied.GetProperty("stepUp").GetBoolean());
        Assert.Equal("urn:parley:problem:denied", denied.GetProperty("type").GetString());
        Assert.Equal("Cleared to SECRET; TOP SECRET is needed. Not read into compartment BRAVO.", denied.GetProperty("reason").GetString());
        await PolicyDriver.DeniedAsync(await _policy.AccessAsync(member.Token!, "label:SECRET//ALPHA//REL TO ZZZ"), "forbid.not-releasable");
    }

    [Fact]
    public async Task Step_up_is_offered_when_a_fresh_security_key_is_all_that_is_missing_and_is_distinct_from_not_cleared()
    {
        var (member, _, key) = await ClearedMemberAsync("stepper");
        Host.Clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(HttpStatusCode.OK, (await _policy.AccessAsync(member.Token!, "label:SECRET//ALPHA")).StatusCode);
        Host.Clock.Advance(TimeSpan.FromMinutes(2));
        var problem = await PolicyDriver.DeniedAsync(await _policy.AccessAsync(member.Token!, "label:SECRET//ALPHA"), "forbid.assurance-too-low");
        Assert.Equal("urn:parley:problem:step-up-required", problem.GetProperty("type").GetString());
        Assert.True(problem.GetProperty("stepUp").GetBoolean());
        Assert.Equal("security-key", problem.GetProperty("stepUpWith").GetString());
        Assert.Equal("step-up", problem.GetProperty("kind").GetString());
        // Below SECRET the same session is enough.
        Assert.Equal(HttpStatusCode.OK, (await _policy.AccessAsync(member.Token!, "label:CONFIDENTIAL")).StatusCode);

        await _policy.StepUpWithKeyAsync(key, member.Token!);
        Assert.Equal(HttpStatusCode.OK, (await _policy.AccessAsync(member.Token!, "label:SECRET//ALPHA")).StatusCode);
    }

    [Fact]
    public async Task When_training_expires_access_stops_on_the_next_request_with_the_day_it_expired()
    {
        var (member, device, key) = await ClearedMemberAsync("trainee");
        var today = DateOnly.FromDateTime(Host.Clock.GetUtcNow().UtcDateTime);
        var recorded = await ClientDriver.ReadAsync<TrainingRecordView>(await _client.PostAsync($"/api/delegations/{_code}/training",
            new RecordTrainingRequest(member.Email, "Confidentiality 2026", today, today), _officer.Token), HttpStatusCode.Created);
        Assert.Equal(today.ToDateTime(new TimeOnly(23, 59, 59)), recorded.ValidUntil.UtcDateTime);
        Assert.Contains(await LedgerQueue.ReadAsync(Host), e => e.Type == LedgerEventType.TrainingRecorded && e.Subject == $"user:{member.UserId}" && e.Actor == _officer.UserId);
        Assert.Equal(HttpStatusCode.OK, (await _policy.AccessAsync(member.Token!, "label:CONFIDENTIAL")).StatusCode);

        // Past midnight the training no longer counts (a fresh, bound, stepped-up session).
        var untilMidnight = today.AddDays(1).ToDateTime(TimeOnly.MinValue) - Host.Clock.GetUtcNow().UtcDateTime;
        Host.Clock.Advance(untilMidnight + TimeSpan.FromSeconds(1));
        await _client.LoginAsync(member);
        await ClientDriver.ReadAsync<SessionView>(await _policy.BindAsync(member, device, member.Token!));
        await _policy.StepUpWithKeyAsync(key, member.Token!);
        var problem = await PolicyDriver.DeniedAsync(await _policy.AccessAsync(member.Token!, "label:CONFIDENTIAL"), "forbid.training-expired");
        Assert.Equal("training-expired", problem.GetProperty("kind").GetString());
        Assert.StartsWith($"Your confidentiality training expired on {today:yyyy-MM-dd} (course Confidentiality 2026)", problem.GetProperty("reason").GetString());

        // The officer sees it, and a newer course restores access at once.
        await _client.LoginAsync(_officer);
        var list = await ClientDriver.ReadAsync<IReadOnlyList<TrainingStatusView>>(await _client.GetAsync($"/api/delegations/{_code}/training", _officer.Token));
        var status = list.Single(s => s.UserId == member.UserId);
        Assert.False(status.Current);
        Assert.Equal("record", status.Source);
        var nextDay = today.AddDays(1);
        await ClientDriver.ReadAsync<TrainingRecordView>(await _client.PostAsync($"/api/delegations/{_code}/training",
            new RecordTrainingRequest(member.Email, "Confidentiality refresher", nextDay, nextDay.AddDays(365)), _officer.Token), HttpStatusCode.Created);
        await _policy.StepUpWithKeyAsync(key, member.Token!);
        Assert.Equal(HttpStatusCode.OK, (await _policy.AccessAsync(member.Token!, "label:CONFIDENTIAL")).StatusCode);
    }

    [Fact]
    public async Task Training_records_are_checked_and_only_an_officer_of_the_members_delegation_records_them()
    {
        var member = await _client.MemberAsync(_officer, _code, $"untrained-{_code}@x.example".ToLowerInvariant());
        await _client.LoginAsync(_officer);
        var today = DateOnly.FromDateTime(Host.Clock.GetUtcNow().UtcDateTime);
        await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/delegations/{_code}/training", new RecordTrainingRequest(member.Email, "C", today.AddDays(1), today.AddDays(2)), _officer.Token), HttpStatusCode.BadRequest);
        await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/delegations/{_code}/training", new RecordTrainingRequest(member.Email, "C", today, today.AddDays(-1)), _officer.Token), HttpStatusCode.BadRequest);
        await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/delegations/{_code}/training", new RecordTrainingRequest(member.Email, " ", today, today), _officer.Token), HttpStatusCode.BadRequest);
        await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/delegations/{_code}/training", new RecordTrainingRequest("nobody@x.example", "C", today, today), _officer.Token), HttpStatusCode.UnprocessableEntity);
        await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/delegations/{_code}/training", new RecordTrainingRequest(member.Email, "C", today, today), member.Token), HttpStatusCode.NotFound);
        Assert.Equal(0, await Host.CountAsync($"SELECT count(*) FROM training_records WHERE UserId = '{member.UserId.ToString().ToUpperInvariant()}'"));
    }

    [Fact]
    public async Task A_session_without_a_bound_device_is_denied_content_and_binding_needs_the_devices_own_signature_of_a_fresh_challenge()
    {
        var member = await _client.MemberAsync(_officer, _code, $"binder-{_code}@x.example".ToLowerInvariant());
        await _client.LoginAsync(_officer);
        await _policy.CertifyAsync(_officer, member, _code, "CONFIDENTIAL", []);
        var token = member.Token!;
        await PolicyDriver.DeniedAsync(await _policy.AccessAsync(token, "label:RESTRICTED"), "forbid.device-not-bound");

        var device = await _client.NewDeviceAsync(member);
        await ClientDriver.ReadAsync<DeviceView>(await _client.PostAsync("/api/devices", new RegisterDeviceRequest(device.Certificate), token), HttpStatusCode.Created);
        // Another key, another device's id, another person's device: refused.
        var other = await ClientDriver.Suite.Backend.GenerateP384KeyPairAsync();
        await ClientDriver.ProblemAsync(await _policy.BindAsync(member, device, token, signingKey: other), HttpStatusCode.UnprocessableEntity);
        await ClientDriver.ProblemAsync(await _policy.BindAsync(member, device, token, claimedDevice: Guid.NewGuid()), HttpStatusCode.UnprocessableEntity);
        var stranger = await _client.MemberAsync(_officer, _code, $"stranger-{_code}@x.example".ToLowerInvariant());
        var strangerDevice = await _client.NewDeviceAsync(stranger);
        await ClientDriver.ReadAsync<DeviceView>(await _client.PostAsync("/api/devices", new RegisterDeviceRequest(strangerDevice.Certificate), stranger.Token), HttpStatusCode.Created);
        await ClientDriver.ProblemAsync(await _policy.BindAsync(member, strangerDevice, token), HttpStatusCode.UnprocessableEntity);
        // A signature without a challenge, or over a challenge already used, is refused.
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/auth/device-binding", new BindDeviceRequest(device.Id, new byte[96]), token), HttpStatusCode.Conflict);
        Assert.Equal(0, await Host.CountAsync("SELECT count(*) FROM sessions WHERE DeviceId IS NOT NULL AND UserId = '" + member.UserId.ToString().ToUpperInvariant() + "'"));

        var bound = await ClientDriver.ReadAsync<SessionView>(await _policy.BindAsync(member, device, token));
        Assert.Equal(device.Id, bound.BoundDeviceId);
        Assert.Contains(await LedgerQueue.ReadAsync(Host), e => e.Type == LedgerEventType.SessionBoundToDevice && e.Subject == $"device:{device.Id}" && e.Actor == member.UserId);
        Assert.Equal(HttpStatusCode.OK, (await _policy.AccessAsync(token, "label:RESTRICTED")).StatusCode);
        await ClientDriver.ProblemAsync(await _client.PostEmptyAsync("/api/auth/device-binding/challenge", token), HttpStatusCode.Conflict);

        // The device is revoked: the next request is refused, with the device named.
        var revocation = await _client.RevocationAsync(member.IdentityKey, RevocationKind.Device, device.Id, _code);
        await ClientDriver.ReadAsync<DeviceView>(await _client.PostAsync($"/api/devices/{device.Id}/revoke", new RevokeRequest(revocation), token));
        var problem = await PolicyDriver.DeniedAsync(await _policy.AccessAsync(token, "label:RESTRICTED"), "forbid.device-revoked");
        Assert.Contains("laptop was revoked", problem.GetProperty("reason").GetString());
        // A revoked device binds no new session either.
        var again = await _client.LoginAsync(member);
        await ClientDriver.ProblemAsync(await _policy.BindAsync(member, device, again.BearerToken!), HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task A_suspended_member_is_refused_everything_but_their_session_until_reinstated_and_both_acts_are_ledgered()
    {
        var (member, _, _) = await ClearedMemberAsync("suspect");
        await _client.LoginAsync(_officer);
        var suspended = await ClientDriver.ReadAsync<DirectoryUser>(await _client.PostAsync($"/api/delegations/{_code}/members/{member.Email}/suspend", new SuspendRequest("lost badge"), _officer.Token));
        Assert.Equal("suspended", suspended.Status);

        var problem = await PolicyDriver.DeniedAsync(await _policy.AccessAsync(member.Token!, "label:CONFIDENTIAL"), "forbid.account-suspended");
        Assert.Equal("suspended", problem.GetProperty("kind").GetString());
        await PolicyDriver.DeniedAsync(await _client.GetAsync("/api/devices", member.Token), "forbid.account-suspended");
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/api/auth/session", member.Token)).StatusCode);
        // Signing in again is refused too.
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, _client.NextTotp(member), null, ClientKind.Cli)), HttpStatusCode.Unauthorized);
        await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/delegations/{_code}/members/{member.Email}/suspend", new SuspendRequest("again"), _officer.Token), HttpStatusCode.Conflict);
        await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/delegations/{_code}/members/{_officer.Email}/suspend", new SuspendRequest("me"), _officer.Token), HttpStatusCode.Conflict);

        await ClientDriver.ReadAsync<DirectoryUser>(await _client.PostEmptyAsync($"/api/delegations/{_code}/members/{member.Email}/reinstate", _officer.Token));
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/api/devices", member.Token)).StatusCode);
        var ledger = await LedgerQueue.ReadAsync(Host);
        var entry = Assert.Single(ledger, e => e.Type == LedgerEventType.AccountSuspended && e.Subject == $"user:{member.UserId}");
        Assert.Equal(_officer.UserId, entry.Actor);
        Assert.DoesNotContain("lost badge", string.Join(" ", entry.Fields.Select(f => f.Value)));
        Assert.Single(ledger, e => e.Type == LedgerEventType.AccountReinstated && e.Subject == $"user:{member.UserId}");
    }

    [Fact]
    public async Task Need_to_know_resources_are_invisible_without_membership_or_a_current_grant()
    {
        var (member, _, key) = await ClearedMemberAsync("ntk");
        var label = Server.Policy.Engine.PolicySettings.Default.Scheme.ParseBanner("SECRET//ALPHA").Value;
        var vault = $"treaty-{_code.ToLowerInvariant()}";
        VaultResolver.Add(vault, label, [_code], [_officer.UserId]);
        Assert.Equal(HttpStatusCode.NotFound, (await _policy.AccessAsync(member.Token!, $"vault:{vault}")).StatusCode);
        // Exactly what a vault that does not exist answers.
        var unknown = await ClientDriver.ProblemAsync(await _policy.AccessAsync(member.Token!, "vault:no-such-vault"), HttpStatusCode.NotFound);
        var hidden = await ClientDriver.ProblemAsync(await _policy.AccessAsync(member.Token!, $"vault:{vault}"), HttpStatusCode.NotFound);
        Assert.Equal(unknown.EnumerateObject().Where(p => p.Name != "traceId").Select(p => p.ToString()), hidden.EnumerateObject().Where(p => p.Name != "traceId").Select(p => p.ToString()));

        await _client.LoginAsync(_officer);
        var now = Host.Clock.GetUtcNow();
        var grant = await ClientDriver.ReadAsync<GrantView>(await _client.PostAsync($"/api/delegations/{_code}/grants",
            new CreateGrantRequest(member.Email, $"vault:{vault}", now, now.AddHours(2), "drafting committee"), _officer.Token), HttpStatusCode.Created);
        Assert.Equal("active", grant.Status);
        Assert.Equal(HttpStatusCode.OK, (await _policy.AccessAsync(member.Token!, $"vault:{vault}")).StatusCode);

        // Expired: invisible again, and explain says why.
        Host.Clock.Advance(TimeSpan.FromHours(2));
        await _client.LoginAsync(_officer);
        var member2 = await _client.LoginAsync(member);
        await _policy.StepUpWithKeyAsync(key, member2.BearerToken!);
        Assert.Equal(HttpStatusCode.NotFound, (await _policy.AccessAsync(member2.BearerToken!, $"vault:{vault}")).StatusCode);

        var revoked = await ClientDriver.ReadAsync<GrantView>(await _client.PostEmptyAsync($"/api/delegations/{_code}/grants/{grant.Id}/revoke", _officer.Token));
        Assert.Equal("revoked", revoked.Status);
        await ClientDriver.ProblemAsync(await _client.PostEmptyAsync($"/api/delegations/{_code}/grants/{grant.Id}/revoke", _officer.Token), HttpStatusCode.Conflict);
        var ledger = await LedgerQueue.ReadAsync(Host);
        Assert.Single(ledger, e => e.Type == LedgerEventType.GrantCreated && e.Field("grant") == grant.Id.ToString() && e.Subject == $"vault:{vault}");
        Assert.Single(ledger, e => e.Type == LedgerEventType.GrantRevoked && e.Field("grant") == grant.Id.ToString());
        // A grant on a resource without need-to-know, for someone of another delegation, or backwards in time: refused.
        await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/delegations/{_code}/grants", new CreateGrantRequest(member.Email, "label:SECRET", null, now.AddDays(3), null), _officer.Token), HttpStatusCode.UnprocessableEntity);
        await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/delegations/{_code}/grants", new CreateGrantRequest("admin@venue.example", $"vault:{vault}", null, now.AddDays(3), null), _officer.Token), HttpStatusCode.UnprocessableEntity);
        await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/delegations/{_code}/grants", new CreateGrantRequest(member.Email, $"vault:{vault}", now.AddDays(4), now.AddDays(3), null), _officer.Token), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_officer_explains_a_members_decision_with_every_rule_and_it_matches_what_the_member_gets()
    {
        var (member, _, _) = await ClearedMemberAsync("explained", "CONFIDENTIAL", []);
        await _client.LoginAsync(_officer);
        var path = $"/api/policy/explain?user={Uri.EscapeDataString(member.Email)}&resource={Uri.EscapeDataString("label:SECRET//ALPHA")}&action=read";
        var text = await (await _client.GetAsync(path, _officer.Token)).Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        Assert.Equal("deny", root.GetProperty("decision").GetString());
        var rules = root.GetProperty("rules").EnumerateArray().ToList();
        Assert.Contains(rules, r => r.GetProperty("id").GetString() == "forbid.level-too-low" && r.GetProperty("matched").GetBoolean() && r.GetProperty("effect").GetString() == "forbid");
        Assert.Contains(rules, r => r.GetProperty("id").GetString() == "permit.member-content" && r.GetProperty("matched").GetBoolean());
        Assert.All(rules, r => Assert.False(string.IsNullOrEmpty(r.GetProperty("reason").GetString())));

        var own = await PolicyDriver.DeniedAsync(await _policy.AccessAsync(member.Token!, "label:SECRET//ALPHA"), "forbid.level-too-low", "forbid.missing-compartment");
        Assert.Equal(own.GetProperty("reason").GetString(), root.GetProperty("reason").GetString());
        Assert.Equal(["forbid.level-too-low", "forbid.missing-compartment"], root.GetProperty("decidingRules").EnumerateArray().Select(r => r.GetString()));

        var permitted = await ClientDriver.ReadAsync<PolicyDecisionView>(await _client.GetAsync(path.Replace("SECRET%2F%2FALPHA", "CONFIDENTIAL"), _officer.Token));
        Assert.Equal("permit", permitted.Decision);
        Assert.Contains(await LedgerQueue.ReadAsync(Host), e => e.Type == LedgerEventType.AccessDecision && e.Actor == _officer.UserId && e.Field("explained-for") == member.UserId.ToString());

        // A member does not explain others, nor does an officer of another delegation; unknown people look the same.
        await ClientDriver.ProblemAsync(await _client.GetAsync(path, member.Token), HttpStatusCode.NotFound);
        await ClientDriver.ProblemAsync(await _client.GetAsync(path.Replace(Uri.EscapeDataString(member.Email), "ghost%40x.example"), _officer.Token), HttpStatusCode.NotFound);
        await ClientDriver.ProblemAsync(await _client.GetAsync(path.Replace("action=read", "action=fly"), _officer.Token), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task No_write_down_without_an_officers_downgrade_which_is_ledgered_and_covers_only_its_label_and_item()
    {
        var (member, _, _) = await ClearedMemberAsync("writer");
        var token = member.Token!;
        Assert.Equal(HttpStatusCode.OK, (await _policy.AccessAsync(token, "label:SECRET//ALPHA", "write", "SECRET//ALPHA")).StatusCode);
        await PolicyDriver.DeniedAsync(await _policy.AccessAsync(token, "label:SECRET//ALPHA", "write"), "forbid.unlabelled-write");
        await PolicyDriver.DeniedAsync(await _policy.AccessAsync(token, "label:SECRET//ALPHA", "write", "CONFIDENTIAL"), "forbid.write-down");
        await PolicyDriver.DeniedAsync(await _policy.AccessAsync(token, "label:SECRET//ALPHA", "write", "TOP SECRET//ALPHA"), "forbid.write-above-clearance", "forbid.write-above-container");
        await ClientDriver.ProblemAsync(await _policy.AccessAsync(token, "label:SECRET//ALPHA", "write", "SECRIT"), HttpStatusCode.BadRequest);

        // The officer (cleared, device bound, security key fresh) authorises a downgrade of one item.
        await _client.LoginAsync(_officer);
        await _policy.CertifyAsync(_officer, _officer, _code, "SECRET", ["ALPHA"]);
        await _policy.RegisterAndBindAsync(_officer, _officer.Token!);
        await _policy.StepUpWithKeyAsync(await _policy.SecurityKeyAsync(_officer.Token!), _officer.Token!);
        var item = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("paragraph 4"u8));
        var created = await _client.PostAsync($"/api/policy/downgrades?resource={Uri.EscapeDataString("label:SECRET//ALPHA")}",
            new CreateDowngradeRequest("CONFIDENTIAL", item, "Paragraph 4 was cleared for release by the drafting committee.", 2), _officer.Token);
        var downgrade = await ClientDriver.ReadAsync<DowngradeView>(created, HttpStatusCode.Created);
        Assert.Equal("SECRET//ALPHA", downgrade.FromLabel);
        var entry = Assert.Single(await LedgerQueue.ReadAsync(Host), e => e.Type == LedgerEventType.Downgrade && e.Field("downgrade") == downgrade.Id.ToString());
        Assert.Equal("label:SECRET//ALPHA", entry.Subject);
        Assert.DoesNotContain("drafting", string.Join(" ", entry.Fields.Select(f => f.Value)));

        Assert.Equal(HttpStatusCode.OK, (await _policy.AccessAsync(token, "label:SECRET//ALPHA", "write", "CONFIDENTIAL", downgrade.Id.ToString(), item)).StatusCode);
        await PolicyDriver.DeniedAsync(await _policy.AccessAsync(token, "label:SECRET//ALPHA", "write", "CONFIDENTIAL", downgrade.Id.ToString(), new string('0', 64)), "forbid.write-down");
        await PolicyDriver.DeniedAsync(await _policy.AccessAsync(token, "label:SECRET//ALPHA", "write", "RESTRICTED", downgrade.Id.ToString(), item), "forbid.write-down");
        // A member does not authorise downgrades; an upgrade is no downgrade.
        await PolicyDriver.DeniedAsync(await _client.PostAsync($"/api/policy/downgrades?resource={Uri.EscapeDataString("label:SECRET//ALPHA")}",
            new CreateDowngradeRequest("CONFIDENTIAL", null, "why not", null), token), PolicyDecisionDefault);
        await ClientDriver.ProblemAsync(await _client.PostAsync($"/api/policy/downgrades?resource={Uri.EscapeDataString("label:CONFIDENTIAL")}",
            new CreateDowngradeRequest("SECRET", null, "up", null), _officer.Token), HttpStatusCode.UnprocessableEntity);
    }

    private const string PolicyDecisionDefault = Server.Policy.Engine.PolicyDecision.DefaultDeny;

    [Fact]
    public async Task Every_decision_is_ledgered_before_the_handler_runs_and_when_it_cannot_be_the_handler_does_not_run()
    {
        var (member, _, _) = await ClearedMemberAsync("audited");
        var before = await PolicyDriver.LastLedgerIdAsync(Host);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/api/devices", member.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _policy.AccessAsync(member.Token!, "label:SECRET//ALPHA")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _policy.AccessAsync(member.Token!, "label:TOP SECRET")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/delegations/{_code}/members", member.Token)).StatusCode);
        var decisions = (await PolicyDriver.LedgerSinceAsync(Host, before)).Select(e => e.Entry).Where(e => e.Type == LedgerEventType.AccessDecision).ToList();
        Assert.Equal(4, decisions.Count);
        Assert.All(decisions, d => Assert.Equal(member.UserId, d.Actor));
        Assert.Equal(["permit", "permit", "deny", "deny"], decisions.Select(d => d.Field("decision")));
        Assert.Equal("forbid.level-too-low", decisions[2].Field("rules"));
        Assert.Equal("label:TOP SECRET", decisions[2].Subject);
        Assert.Equal($"delegation:{_code}", decisions[3].Subject);
        Assert.Equal("GET /api/devices", decisions[0].Field("via"));

        await Host.SqlAsync("CREATE TRIGGER decisions_down BEFORE INSERT ON ledger_queue BEGIN SELECT RAISE(ABORT, 'ledger unavailable'); END;");
        try
        {
            await ClientDriver.ProblemAsync(await _client.GetAsync("/api/devices", member.Token), HttpStatusCode.InternalServerError);
            await ClientDriver.ProblemAsync(await _policy.AccessAsync(member.Token!, "label:SECRET//ALPHA"), HttpStatusCode.InternalServerError);
        }
        finally
        {
            await Host.SqlAsync("DROP TRIGGER decisions_down;");
        }
    }

    [Fact]
    public async Task Malformed_policy_requests_get_400_and_anonymous_ones_401()
    {
        var (member, _, _) = await ClearedMemberAsync("malformed");
        await ClientDriver.ProblemAsync(await _client.GetAsync("/api/policy/access?resource=label:SECRET&action=fly", member.Token), HttpStatusCode.BadRequest);
        await ClientDriver.ProblemAsync(await _client.GetAsync("/api/policy/access?resource=nonsense&action=read", member.Token), HttpStatusCode.BadRequest);
        await ClientDriver.ProblemAsync(await _client.GetAsync("/api/policy/access?resource=planet:mars&action=read", member.Token), HttpStatusCode.BadRequest);
        await ClientDriver.ProblemAsync(await _client.GetAsync("/api/policy/access?resource=label:SECRIT&action=read", member.Token), HttpStatusCode.NotFound);
        await ClientDriver.ProblemAsync(await _client.GetAsync("/api/policy/access?resource=label:SECRET&action=read"), HttpStatusCode.Unauthorized);
        // The officer's body is read for the roles a link grants: a broken body is 400, after the decision.
        using var broken = new StringContent("{ not json", System.Text.Encoding.UTF8, "application/json");
        await _client.LoginAsync(_officer);
        await ClientDriver.ProblemAsync(await _client.SendAsync(HttpMethod.Post, $"/api/delegations/{_code}/enrollments", broken, _officer.Token), HttpStatusCode.BadRequest);
        using var broken2 = new StringContent("{ not json", System.Text.Encoding.UTF8, "application/json");
        await ClientDriver.ProblemAsync(await _client.SendAsync(HttpMethod.Post, $"/api/delegations/{_code}/enrollments", broken2, member.Token), HttpStatusCode.NotFound);
        var scheme = await ClientDriver.ReadAsync<PolicySchemeView>(await _client.GetAsync("/api/policy/scheme", member.Token));
        Assert.Equal("generic", scheme.Scheme.Name);
        Assert.Equal("SECRET", Assert.Single(scheme.Assurance).AtOrAbove);
        var rules = await ClientDriver.ReadAsync<IReadOnlyList<PolicyRuleView>>(await _client.GetAsync("/api/policy/rules", member.Token));
        Assert.Contains(rules, r => r.Id == "forbid.training-expired" && r.Effect == "forbid");
    }
}
