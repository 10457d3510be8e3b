using System.Net;
using System.Net.Http.Json;
using Parley.Protocol.Api;
using Parley.Server.Tests.Identity.Support;

namespace Parley.Server.Tests.Identity;

/// <summary>Sessions: expiry, step-up, antiforgery for cookies, sign-out, and the account changes that need a fresh second factor.</summary>
public sealed class SessionTests(IdentityHostFixture fixture) : IClassFixture<IdentityHostFixture>, IAsyncLifetime
{
    private readonly ClientDriver _client = new(fixture.Host);
    private TestAccount _officer = null!;
    private string _code = null!;

    private IdentityHost Host => fixture.Host;

    public async Task InitializeAsync()
    {
        var admin = await fixture.AdministratorAsync(_client);
        _code = fixture.NextCode('T');
        (_officer, _) = await _client.DelegationWithOfficerAsync(admin, _code, "Sessions " + _code);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<TestAccount> MemberAsync(string name) => await _client.MemberAsync(_officer, _code, $"{name}-{_code}@x.example");

    [Fact]
    public async Task An_AAL2_session_ends_after_thirty_idle_minutes_and_activity_keeps_it_alive()
    {
        var member = await MemberAsync("idle");
        var login = await _client.LoginAsync(member);
        for (var i = 0; i < 3; i++)
        {
            Host.Clock.Advance(TimeSpan.FromMinutes(29));
            var view = await ClientDriver.ReadAsync<SessionView>(await _client.GetAsync("/api/auth/session", login.BearerToken));
            Assert.Equal(Host.Clock.GetUtcNow().AddMinutes(30), view.IdleExpiresAt);
        }
        var tokenHash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(login.BearerToken!)));
        Assert.Equal(1, await Host.CountAsync($"SELECT count(*) FROM sessions WHERE hex(TokenHash) = '{tokenHash}'"));
        Host.Clock.Advance(TimeSpan.FromMinutes(30));
        var expired = await ClientDriver.ProblemAsync(await _client.GetAsync("/api/auth/session", login.BearerToken), HttpStatusCode.Unauthorized);
        Assert.Contains("expired", expired.GetProperty("detail").GetString());
        // An expired session is gone for good.
        Assert.Equal(0, await Host.CountAsync($"SELECT count(*) FROM sessions WHERE hex(TokenHash) = '{tokenHash}'"));
    }

    [Fact]
    public async Task Sessions_that_ended_unnoticed_are_removed_at_the_next_sign_in()
    {
        var member = await MemberAsync("tidy");
        var first = await _client.LoginAsync(member);
        var id = member.UserId.ToString().ToUpperInvariant();
        Assert.Equal(2, await Host.CountAsync($"SELECT count(*) FROM sessions WHERE UserId = '{id}'"));
        Host.Clock.Advance(TimeSpan.FromMinutes(31));
        var second = await _client.LoginAsync(member);
        Assert.Equal(1, await Host.CountAsync($"SELECT count(*) FROM sessions WHERE UserId = '{id}'"));
        await ClientDriver.ProblemAsync(await _client.GetAsync("/api/auth/session", first.BearerToken), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/api/auth/session", second.BearerToken)).StatusCode);
    }

    [Fact]
    public async Task A_session_ends_twelve_hours_after_sign_in_however_active()
    {
        var member = await MemberAsync("absolute");
        var login = await _client.LoginAsync(member);
        Assert.Equal(login.Session.AuthenticatedAt.AddHours(12), login.Session.ExpiresAt);
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromHours(12) - TimeSpan.FromMinutes(25); elapsed += TimeSpan.FromMinutes(25))
        {
            Host.Clock.Advance(TimeSpan.FromMinutes(25));
            Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/api/auth/session", login.BearerToken)).StatusCode);
        }
        Host.Clock.Advance(login.Session.ExpiresAt - Host.Clock.GetUtcNow());
        await ClientDriver.ProblemAsync(await _client.GetAsync("/api/auth/session", login.BearerToken), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Step_up_with_TOTP_refreshes_the_authentication_time_and_refuses_a_wrong_or_replayed_code()
    {
        var member = await MemberAsync("stepup");
        var login = await _client.LoginAsync(member);
        Host.Clock.Advance(TimeSpan.FromMinutes(10));
        var code = _client.NextTotp(member);
        var stepped = await ClientDriver.ReadAsync<SessionView>(await _client.PostAsync("/api/auth/step-up", new StepUpRequest(code), login.BearerToken));
        Assert.Equal(Host.Clock.GetUtcNow(), stepped.AuthenticatedAt);
        Assert.True(stepped.AuthenticatedAt > login.Session.AuthenticatedAt);
        Assert.Equal(AssuranceLevels.Aal2, stepped.Aal);
        Assert.Null(stepped.StrongAuthenticatedAt);
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/auth/step-up", new StepUpRequest(code), login.BearerToken), HttpStatusCode.Unauthorized);
        Assert.Single(await LedgerQueue.ReadAsync(Host), e => e.Type == Parley.Protocol.Ledger.LedgerEventType.SteppedUp && e.Actor == member.UserId);
    }

    [Fact]
    public async Task New_recovery_codes_need_a_recent_second_factor()
    {
        var member = await MemberAsync("regen");
        var login = await _client.LoginAsync(member);
        var fresh = await ClientDriver.ReadAsync<RecoveryCodesResponse>(await _client.PostEmptyAsync("/api/account/recovery-codes", login.BearerToken));
        Assert.Equal(10, fresh.Codes.Count);
        Assert.Empty(fresh.Codes.Intersect(member.RecoveryCodes));

        Host.Clock.Advance(TimeSpan.FromMinutes(6));
        var refused = await ClientDriver.ProblemAsync(await _client.PostEmptyAsync("/api/account/recovery-codes", login.BearerToken), HttpStatusCode.Forbidden);
        Assert.EndsWith("step-up-required", refused.GetProperty("type").GetString());

        await ClientDriver.ReadAsync<SessionView>(await _client.PostAsync("/api/auth/step-up", new StepUpRequest(_client.NextTotp(member)), login.BearerToken));
        var again = await ClientDriver.ReadAsync<RecoveryCodesResponse>(await _client.PostEmptyAsync("/api/account/recovery-codes", login.BearerToken));
        // The old ones are dead.
        var old = await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, null, fresh.Codes[0], ClientKind.Cli));
        await ClientDriver.ProblemAsync(old, HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, null, again.Codes[0], ClientKind.Cli))).StatusCode);
    }

    [Fact]
    public async Task A_new_TOTP_secret_replaces_the_old_one_only_after_a_first_code()
    {
        var member = await MemberAsync("retotp");
        var login = await _client.LoginAsync(member);
        var setup = await ClientDriver.ReadAsync<TotpSetupResponse>(await _client.PostEmptyAsync("/api/account/totp/setup", login.BearerToken));
        var secret = OtpNet.Base32Encoding.ToBytes(setup.Secret);
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/account/totp/confirm", new TotpConfirmRequest("000000" == ClientDriver.TotpAt(secret, Host.Clock.GetUtcNow()) ? "111111" : "000000"), login.BearerToken), HttpStatusCode.BadRequest);
        // Until confirmed, the old secret still signs in.
        await _client.LoginAsync(member);
        Host.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.NoContent, (await _client.PostAsync("/api/account/totp/confirm", new TotpConfirmRequest(ClientDriver.TotpAt(secret, Host.Clock.GetUtcNow())), member.Token)).StatusCode);
        Host.Clock.Advance(TimeSpan.FromSeconds(30));
        var oldCode = ClientDriver.TotpAt(member.TotpSecret, Host.Clock.GetUtcNow());
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, oldCode, null, ClientKind.Cli)), HttpStatusCode.Unauthorized);
        Host.Clock.Advance(TimeSpan.FromSeconds(30));
        var newCode = ClientDriver.TotpAt(secret, Host.Clock.GetUtcNow());
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, newCode, null, ClientKind.Cli))).StatusCode);
    }

    [Fact]
    public async Task Cookie_sessions_need_the_antiforgery_header_on_unsafe_requests_and_bearer_sessions_do_not()
    {
        var member = await MemberAsync("csrf");
        var response = await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, _client.NextTotp(member), null, ClientKind.Web));
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("parley_session=", StringComparison.Ordinal)).Split(';')[0];
        var login = await ClientDriver.ReadAsync<LoginResponse>(response);

        // Reading needs no header.
        Assert.Equal(HttpStatusCode.OK, (await SendWithCookieAsync(HttpMethod.Get, "/api/auth/session", cookie, null, null)).StatusCode);
        // Changing does.
        var without = await SendWithCookieAsync(HttpMethod.Post, "/api/account/recovery-codes", cookie, null, null);
        Assert.EndsWith("csrf", (await ClientDriver.ProblemAsync(without, HttpStatusCode.Forbidden)).GetProperty("type").GetString());
        var wrong = await SendWithCookieAsync(HttpMethod.Post, "/api/account/recovery-codes", cookie, "x" + login.Session.CsrfToken, null);
        await ClientDriver.ProblemAsync(wrong, HttpStatusCode.Forbidden);
        Assert.Equal(10, await Host.CountAsync($"SELECT count(*) FROM recovery_codes WHERE UserId = '{member.UserId.ToString().ToUpperInvariant()}'"));
        var codesBefore = await Host.SqlAsync($"SELECT group_concat(hex(CodeHash)) FROM recovery_codes WHERE UserId = '{member.UserId.ToString().ToUpperInvariant()}'");
        var right = await SendWithCookieAsync(HttpMethod.Post, "/api/account/recovery-codes", cookie, login.Session.CsrfToken, null);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.NotEqual(codesBefore, await Host.SqlAsync($"SELECT group_concat(hex(CodeHash)) FROM recovery_codes WHERE UserId = '{member.UserId.ToString().ToUpperInvariant()}'"));

        // Sign-out is unsafe too.
        await ClientDriver.ProblemAsync(await SendWithCookieAsync(HttpMethod.Post, "/api/auth/logout", cookie, null, null), HttpStatusCode.Forbidden);
        var logout = await SendWithCookieAsync(HttpMethod.Post, "/api/auth/logout", cookie, login.Session.CsrfToken, null);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Contains(logout.Headers.GetValues("Set-Cookie"), c => c.StartsWith("parley_session=;", StringComparison.Ordinal));
        await ClientDriver.ProblemAsync(await SendWithCookieAsync(HttpMethod.Get, "/api/auth/session", cookie, null, null), HttpStatusCode.Unauthorized);

        // A bearer session needs no antiforgery header.
        var cli = await _client.LoginAsync(member);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostEmptyAsync("/api/account/recovery-codes", cli.BearerToken)).StatusCode);
    }

    [Fact]
    public async Task Sign_out_ends_the_bearer_session_and_is_ledgered()
    {
        var member = await MemberAsync("logout");
        var login = await _client.LoginAsync(member);
        Assert.Equal(HttpStatusCode.NoContent, (await _client.PostEmptyAsync("/api/auth/logout", login.BearerToken)).StatusCode);
        await ClientDriver.ProblemAsync(await _client.GetAsync("/api/auth/session", login.BearerToken), HttpStatusCode.Unauthorized);
        Assert.Contains(await LedgerQueue.ReadAsync(Host), e => e.Type == Parley.Protocol.Ledger.LedgerEventType.SignedOut && e.Actor == member.UserId);
    }

    [Fact]
    public async Task Without_a_session_the_API_answers_401_problem_details()
    {
        foreach (var path in new[] { "/api/auth/session", "/api/devices", $"/api/delegations/{_code}/members", "/api/account/security-keys" })
            await ClientDriver.ProblemAsync(await _client.GetAsync(path), HttpStatusCode.Unauthorized);
        await ClientDriver.ProblemAsync(await _client.GetAsync("/api/auth/session", "made-up-token"), HttpStatusCode.Unauthorized);
    }

    private async Task<HttpResponseMessage> SendWithCookieAsync(HttpMethod method, string path, string cookie, string? csrf, object? body)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Cookie", cookie);
        if (csrf is not null) request.Headers.Add("X-CSRF-TOKEN", csrf);
        if (method != HttpMethod.Get) request.Content = body is null ? new ByteArrayContent([]) : JsonContent.Create(body);
        return await Host.Http.SendAsync(request);
    }
}
