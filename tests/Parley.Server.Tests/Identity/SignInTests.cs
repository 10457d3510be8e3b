using System.Diagnostics;
using System.Net;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;
using Parley.Server.Tests.Identity.Support;

namespace Parley.Server.Tests.Identity;

/// <summary>Bootstrap, enrollment and sign-in with TOTP and recovery codes, on one server for the class.
/// Each test makes its own people, so none depends on another's.</summary>
public sealed class SignInTests(IdentityHostFixture fixture) : IClassFixture<IdentityHostFixture>, IAsyncLifetime
{
    private readonly ClientDriver _client = new(fixture.Host);
    private TestAccount _admin = null!;
    private TestAccount _officer = null!;
    private string _code = null!;

    private IdentityHost Host => fixture.Host;

    public async Task InitializeAsync()
    {
        _admin = await fixture.AdministratorAsync(_client);
        _code = fixture.NextCode('S');
        (_officer, _) = await _client.DelegationWithOfficerAsync(_admin, _code, "Delegation " + _code);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Bootstrap_token_file_is_private_and_gone_once_the_host_administrator_exists()
    {
        // The fixture's first test created the administrator: the file must be gone and the token dead.
        Assert.False(File.Exists(Path.Combine(Host.DataDirectory, "bootstrap-token")), "the used bootstrap token is still on disk");
        Assert.Equal(1, await Host.CountAsync("SELECT count(*) FROM users WHERE (Roles & 16) != 0"));
        var used = await Host.CountAsync("SELECT count(*) FROM enrollments WHERE CreatedBy IS NULL AND UsedAt IS NOT NULL");
        Assert.Equal(1, used);
    }

    [Fact]
    public async Task Member_signs_in_with_a_TOTP_code_and_gets_an_AAL2_bearer_session_with_the_sealed_key()
    {
        var member = await _client.MemberAsync(_officer, _code, $"m1-{_code}@x.example");
        var login = await _client.LoginAsync(member);
        Assert.Equal(AssuranceLevels.Aal2, login.Session.Aal);
        Assert.NotNull(login.BearerToken);
        Assert.Null(login.Session.CsrfToken);
        Assert.Equal(member.SealedIdentityKey, login.Keys.SealedIdentityKey);
        Assert.Equal(member.IdentityKey.PublicKey.Encode(), login.Keys.IdentityPublicKey);
        Assert.Equal(member.Kdf.Salt, login.Keys.Kdf.Salt);

        // The sealed key opens with the password-derived master key only.
        using var keys = await PasswordKeys.DeriveAsync(ClientDriver.Suite, member.Password, login.Keys.Kdf);
        var opened = await ClientDriver.Suite.Boxes.OpenAsync(keys.MasterKey, login.Keys.SealedIdentityKey, Labels.Bind(Labels.IdentityKey, member.UserId.ToByteArray(bigEndian: true)));
        Assert.True(opened.IsOk);
        Assert.Equal(member.IdentityKey.Export(), opened.Value);

        var whoami = await ClientDriver.ReadAsync<SessionView>(await _client.GetAsync("/api/auth/session", login.BearerToken));
        Assert.Equal(member.Email, whoami.User.Email);
        Assert.Equal(_code, whoami.User.Delegation);
        Assert.Equal(["member"], whoami.User.Roles);
        Assert.True(whoami.User.TotpEnabled);
        Assert.Equal(10, whoami.User.RecoveryCodesLeft);
    }

    [Fact]
    public async Task A_code_from_oathtool_signs_in()
    {
        var member = await _client.MemberAsync(_officer, _code, $"oath-{_code}@x.example");
        Host.Clock.Advance(TimeSpan.FromSeconds(30));
        var now = Host.Clock.GetUtcNow();
        var code = await OathtoolAsync(member.TotpBase32, now);
        Assert.Equal(ClientDriver.TotpAt(member.TotpSecret, now), code);
        var response = await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, code, null, ClientKind.Cli));
        Assert.Equal(AssuranceLevels.Aal2, (await ClientDriver.ReadAsync<LoginResponse>(response)).Session.Aal);
    }

    [Fact]
    public async Task A_replayed_code_is_refused_and_so_is_an_older_one()
    {
        var member = await _client.MemberAsync(_officer, _code, $"replay-{_code}@x.example");
        var code = _client.NextTotp(member);
        var first = await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, code, null, ClientKind.Cli));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var replay = await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, code, null, ClientKind.Cli));
        var problem = await ClientDriver.ProblemAsync(replay, HttpStatusCode.Unauthorized);
        Assert.Equal(Server.Identity.Problems.WrongCredentials, problem.GetProperty("detail").GetString());

        // The previous step's code is inside the skew window but older than the accepted one: still a replay.
        var previous = ClientDriver.TotpAt(member.TotpSecret, Host.Clock.GetUtcNow().AddSeconds(-30));
        var older = await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, previous, null, ClientKind.Cli));
        await ClientDriver.ProblemAsync(older, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Simultaneous_sign_ins_with_one_code_or_one_recovery_code_succeed_once()
    {
        var member = await _client.MemberAsync(_officer, _code, $"race-{_code}@x.example");
        var code = _client.NextTotp(member);
        var racing = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, code, null, ClientKind.Cli))));
        Assert.Equal(1, racing.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.All(racing.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));

        Host.Clock.Advance(TimeSpan.FromMinutes(1));
        var recovery = member.RecoveryCodes[0];
        racing = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, null, recovery, ClientKind.Cli))));
        Assert.Equal(1, racing.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.All(racing.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        Assert.Equal(9, await Host.CountAsync($"SELECT count(*) FROM recovery_codes WHERE UserId = '{member.UserId.ToString().ToUpperInvariant()}'"));
    }

    [Fact]
    public async Task A_code_two_steps_old_is_refused_and_one_step_of_skew_is_accepted()
    {
        var member = await _client.MemberAsync(_officer, _code, $"skew-{_code}@x.example");
        Host.Clock.Advance(TimeSpan.FromMinutes(2));
        var now = Host.Clock.GetUtcNow();
        var twoStepsOld = ClientDriver.TotpAt(member.TotpSecret, now.AddSeconds(-60));
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, twoStepsOld, null, ClientKind.Cli)), HttpStatusCode.Unauthorized);
        var twoStepsAhead = ClientDriver.TotpAt(member.TotpSecret, now.AddSeconds(60));
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, twoStepsAhead, null, ClientKind.Cli)), HttpStatusCode.Unauthorized);
        var oneStepOld = ClientDriver.TotpAt(member.TotpSecret, now.AddSeconds(-30));
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, oneStepOld, null, ClientKind.Cli))).StatusCode);
    }

    [Fact]
    public async Task Wrong_password_and_unknown_email_get_the_same_answer()
    {
        var member = await _client.MemberAsync(_officer, _code, $"same-{_code}@x.example");
        using var wrong = await PasswordKeys.DeriveAsync(ClientDriver.Suite, "not the password", member.Kdf);
        var code = _client.NextTotp(member);
        var wrongPassword = await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, wrong.AuthSecret.ToArray(), code, null, ClientKind.Cli));
        var unknown = await _client.PostAsync("/api/auth/login", new LoginRequest($"nobody-{_code}@x.example", wrong.AuthSecret.ToArray(), code, null, ClientKind.Cli));
        var a = await ClientDriver.ProblemAsync(wrongPassword, HttpStatusCode.Unauthorized);
        var b = await ClientDriver.ProblemAsync(unknown, HttpStatusCode.Unauthorized);
        foreach (var field in new[] { "type", "title", "detail", "status" })
            Assert.Equal(a.GetProperty(field).ToString(), b.GetProperty(field).ToString());
    }

    [Fact]
    public async Task Prelogin_gives_made_up_but_stable_parameters_for_unknown_emails()
    {
        var member = await _client.MemberAsync(_officer, _code, $"pre-{_code}@x.example");
        var known = await ClientDriver.ReadAsync<PreloginResponse>(await _client.PostAsync("/api/auth/prelogin", new PreloginRequest(member.Email.ToUpperInvariant())));
        Assert.Equal(member.Kdf.Salt, known.Kdf.Salt);
        var first = await ClientDriver.ReadAsync<PreloginResponse>(await _client.PostAsync("/api/auth/prelogin", new PreloginRequest($"ghost-{_code}@x.example")));
        var second = await ClientDriver.ReadAsync<PreloginResponse>(await _client.PostAsync("/api/auth/prelogin", new PreloginRequest($"Ghost-{_code}@X.example ")));
        Assert.Equal(first.Kdf.Salt, second.Kdf.Salt);
        Assert.Null(first.Kdf.Validate());
        var other = await ClientDriver.ReadAsync<PreloginResponse>(await _client.PostAsync("/api/auth/prelogin", new PreloginRequest($"ghost2-{_code}@x.example")));
        Assert.NotEqual(first.Kdf.Salt, other.Kdf.Salt);
    }

    [Fact]
    public async Task A_recovery_code_signs_in_once()
    {
        var member = await _client.MemberAsync(_officer, _code, $"rec-{_code}@x.example");
        var code = member.RecoveryCodes[3];
        Assert.Matches("^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$", code);
        var login = await ClientDriver.ReadAsync<LoginResponse>(await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, null, code.ToLowerInvariant(), ClientKind.Cli)));
        Assert.Equal(AssuranceLevels.Aal2, login.Session.Aal);
        Assert.Equal(9, login.Session.User.RecoveryCodesLeft);
        var again = await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, null, code, ClientKind.Cli));
        await ClientDriver.ProblemAsync(again, HttpStatusCode.Unauthorized);
        var used = (await LedgerQueue.ReadAsync(Host)).Where(e => e.Type == Parley.Protocol.Ledger.LedgerEventType.RecoveryCodeUsed && e.Subject == $"user:{member.UserId}").ToList();
        Assert.Equal("9", Assert.Single(used).Field("codes-left"));
    }

    [Theory]
    [InlineData("/api/auth/login", "{\"email\": 5}")]
    [InlineData("/api/auth/login", "not json")]
    [InlineData("/api/auth/prelogin", "{}")]
    [InlineData("/api/enroll/complete", "{\"token\": \"x\", \"kdf\": []}")]
    public async Task Malformed_requests_get_400_problem_details(string path, string body)
    {
        var before = await Host.CountAsync("SELECT count(*) FROM sign_in_attempts");
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var response = await _client.SendAsync(HttpMethod.Post, path, content, null);
        await ClientDriver.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(before, await Host.CountAsync("SELECT count(*) FROM sign_in_attempts"));
    }

    [Fact]
    public async Task Login_without_a_second_factor_asks_for_one_before_looking_at_the_password()
    {
        var response = await _client.PostAsync("/api/auth/login", new LoginRequest($"any-{_code}@x.example", new byte[32], null, null, ClientKind.Cli));
        var problem = await ClientDriver.ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.EndsWith("mfa-required", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Web_sign_in_sets_a_secure_httponly_strict_cookie_and_returns_no_bearer_token()
    {
        var member = await _client.MemberAsync(_officer, _code, $"web-{_code}@x.example");
        var response = await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, _client.NextTotp(member), null, ClientKind.Web));
        Assert.True(response.Headers.TryGetValues("Set-Cookie", out var cookies));
        var cookie = Assert.Single(cookies, c => c.StartsWith("parley_session=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        var login = await ClientDriver.ReadAsync<LoginResponse>(response);
        Assert.Null(login.BearerToken);
        Assert.False(string.IsNullOrEmpty(login.Session.CsrfToken));
    }

    [Fact]
    public async Task An_enrollment_link_works_once_and_not_after_it_expires_or_is_withdrawn()
    {
        var link = await _client.InviteAsync(_officer, _code, $"once-{_code}@x.example", "member");
        Assert.StartsWith($"{Host.BaseAddress.Scheme}://{Host.BaseAddress.Authority}/enroll#token={link.Token}&root=", link.Link);
        await _client.EnrollAsync(link.Token, "Once");
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/enroll/begin", new EnrollBeginRequest(link.Token)), HttpStatusCode.Gone);

        var expiring = await ClientDriver.ReadAsync<CreatedEnrollment>(await _client.PostAsync($"/api/delegations/{_code}/enrollments",
            new CreateEnrollmentRequest($"late-{_code}@x.example", ["member"], null, 1), _officer.Token), HttpStatusCode.Created);
        Host.Clock.Advance(TimeSpan.FromMinutes(61));
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/enroll/begin", new EnrollBeginRequest(expiring.Token)), HttpStatusCode.Gone);

        await _client.LoginAsync(_officer);
        var withdrawn = await _client.InviteAsync(_officer, _code, $"wd-{_code}@x.example", "member");
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/api/delegations/{_code}/enrollments/{withdrawn.Enrollment.Id}", _officer.Token)).StatusCode);
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/enroll/begin", new EnrollBeginRequest(withdrawn.Token)), HttpStatusCode.Gone);
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/enroll/begin", new EnrollBeginRequest("not-a-token")), HttpStatusCode.NotFound);

        var list = await ClientDriver.ReadAsync<IReadOnlyList<EnrollmentView>>(await _client.GetAsync($"/api/delegations/{_code}/enrollments", _officer.Token));
        Assert.Contains(list, e => e.Email == $"wd-{_code}@x.example" && e.Status == "withdrawn");
        Assert.Contains(list, e => e.Email == $"late-{_code}@x.example" && e.Status == "expired");
        Assert.Contains(list, e => e.Email == $"once-{_code}@x.example" && e.Status == "used");
    }

    [Fact]
    public async Task Enrollment_refuses_a_wrong_TOTP_code_a_root_from_a_member_and_a_forged_root()
    {
        var link = await _client.InviteAsync(_officer, _code, $"bad-{_code}@x.example", "member");
        var begin = await ClientDriver.ReadAsync<EnrollBeginResponse>(await _client.PostAsync("/api/enroll/begin", new EnrollBeginRequest(link.Token)));
        Assert.StartsWith("otpauth://totp/Parley%3A", begin.Totp.OtpAuthUri);
        Assert.Contains($"secret={begin.Totp.Secret}", begin.Totp.OtpAuthUri);
        Assert.StartsWith("<svg", begin.Totp.QrSvg.TrimStart());
        var prepared = await ClientDriver.PrepareAsync(begin);
        Host.Clock.Advance(TimeSpan.FromSeconds(30));
        var right = ClientDriver.TotpAt(prepared.TotpSecret, Host.Clock.GetUtcNow());
        var wrongCode = right == "000000" ? "111111" : "000000";
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/enroll/complete", prepared.Request(link.Token, "Bad", wrongCode, ClientKind.Cli)), HttpStatusCode.BadRequest);

        // A member may not submit a root (the delegation has one).
        var root = new DelegationRoot(_code, "Delegation " + _code, begin.UserId, prepared.IdentityKey.PublicKey.Encode(), 0);
        var signedRoot = (await Signed<DelegationRoot>.SignAsync(ClientDriver.Suite, prepared.IdentityKey, root)).Encode();
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/enroll/complete", (prepared with { Root = signedRoot }).Request(link.Token, "Bad", right, ClientKind.Cli)), HttpStatusCode.BadRequest);
        Assert.Equal(0, await Host.CountAsync($"SELECT count(*) FROM users WHERE Id = '{begin.UserId.ToString().ToUpperInvariant()}'"));

        // A first officer whose root is signed by another key is refused, and the delegation stays without a root.
        var code = fixture.NextCode('F');
        await _client.LoginAsync(_admin);
        await _client.CreateDelegationAsync(_admin, code, "Forged " + code, "Forgedn");
        var officerLink = await _client.InviteAsync(_admin, code, $"so-{code}@x.example", "security-officer");
        var officerBegin = await ClientDriver.ReadAsync<EnrollBeginResponse>(await _client.PostAsync("/api/enroll/begin", new EnrollBeginRequest(officerLink.Token)));
        var officerPrepared = await ClientDriver.PrepareAsync(officerBegin);
        var other = await ClientDriver.Suite.Signatures.GenerateAsync();
        var forged = (await Signed<DelegationRoot>.SignAsync(ClientDriver.Suite, other,
            new DelegationRoot(code, "Forged " + code, officerBegin.UserId, officerPrepared.IdentityKey.PublicKey.Encode(), 0))).Encode();
        Host.Clock.Advance(TimeSpan.FromSeconds(30));
        var officerCode = ClientDriver.TotpAt(officerPrepared.TotpSecret, Host.Clock.GetUtcNow());
        var refused = await ClientDriver.ProblemAsync(await _client.PostAsync("/api/enroll/complete", (officerPrepared with { Root = forged }).Request(officerLink.Token, "SO", officerCode, ClientKind.Cli)), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("signature", refused.GetProperty("detail").GetString());
        var missing = await ClientDriver.ProblemAsync(await _client.PostAsync("/api/enroll/complete", (officerPrepared with { Root = null }).Request(officerLink.Token, "SO", officerCode, ClientKind.Cli)), HttpStatusCode.BadRequest);
        Assert.Contains("root", missing.GetProperty("detail").GetString());
        Assert.Null((await ClientDriver.ReadAsync<DelegationView>(await _client.GetAsync($"/api/delegations/{code}", _admin.Token))).Root);
    }

    [Fact]
    public async Task The_delegation_root_is_published_with_the_officer_key_fingerprint()
    {
        var delegation = await ClientDriver.ReadAsync<DelegationView>(await _client.GetAsync($"/api/delegations/{_code}", _officer.Token));
        Assert.NotNull(delegation.Root);
        var root = Signed<DelegationRoot>.Decode(delegation.Root).Value;
        Assert.True(await root.VerifyAsync(ClientDriver.Suite, _officer.IdentityKey.PublicKey));
        Assert.Equal(Convert.ToHexStringLower(_officer.IdentityKey.PublicKey.Fingerprint()), delegation.RootFingerprint);
        var link = await _client.InviteAsync(_officer, _code, $"pin-{_code}@x.example", "member");
        Assert.EndsWith($"&root={delegation.RootFingerprint}", link.Link);
    }

    private static async Task<string> OathtoolAsync(string base32, DateTimeOffset at)
    {
        var start = new ProcessStartInfo("oathtool") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--totp", "-b", base32, "--now", at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " UTC" })
            start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("oathtool is not installed (apt-get install -y oathtool); this test needs an external authenticator.", e);
        }
        using (process)
        {
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"oathtool failed: {await process.StandardError.ReadToEndAsync()}");
            return output.Trim();
        }
    }
}
