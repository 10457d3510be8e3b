using System.Net;
using System.Text.Json;
using Parley.Protocol.Api;
using Parley.Server.Identity.Mfa;
using Parley.Server.Tests.Identity.Support;

namespace Parley.Server.Tests.Identity;

/// <summary>
/// WebAuthn through the HTTP API with a software authenticator (ES256, "none" attestation): register
/// a key, sign in at AAL3, step up, and the refusals (replayed assertion, counter going backwards,
/// unregistered key). The browser flow itself is tested in Chromium by the web client's tests.
/// </summary>
public sealed class WebAuthnTests(IdentityHostFixture fixture) : IClassFixture<IdentityHostFixture>, IAsyncLifetime
{
    private readonly ClientDriver _client = new(fixture.Host);
    private TestAccount _officer = null!;
    private string _code = null!;

    private IdentityHost Host => fixture.Host;

    private string Origin => $"{Host.BaseAddress.Scheme}://{Host.BaseAddress.Authority}";

    public async Task InitializeAsync()
    {
        var admin = await fixture.AdministratorAsync(_client);
        _code = fixture.NextCode('W');
        (_officer, _) = await _client.DelegationWithOfficerAsync(admin, _code, "WebAuthn " + _code);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<(TestAccount Member, SoftwareAuthenticator Key)> MemberWithKeyAsync(string name)
    {
        var member = await _client.MemberAsync(_officer, _code, $"{name}-{_code}@x.example");
        var login = await _client.LoginAsync(member);
        var key = new SoftwareAuthenticator(Origin);
        var options = await ClientDriver.ReadAsync<JsonElement>(await _client.PostEmptyAsync("/api/account/security-keys/options", login.BearerToken));
        Assert.Equal(Host.BaseAddress.Host, options.GetProperty("rp").GetProperty("id").GetString());
        var registered = await ClientDriver.ReadAsync<SecurityKeyView>(
            await _client.PostAsync("/api/account/security-keys", new WebAuthnRegisterRequest("YubiKey", key.Create(options)), login.BearerToken), HttpStatusCode.Created);
        Assert.Equal("YubiKey", registered.Name);
        return (member, key);
    }

    private async Task<HttpResponseMessage> SignInAsync(TestAccount member, SoftwareAuthenticator key)
    {
        // Options and assertion both count against the account's five sign-in calls a minute; people are slower than tests.
        Host.Clock.Advance(TimeSpan.FromSeconds(30));
        var options = await ClientDriver.ReadAsync<JsonElement>(await _client.PostAsync("/api/auth/webauthn/login/options", new WebAuthnLoginOptionsRequest(member.Email, member.AuthSecret)));
        return await _client.PostAsync("/api/auth/webauthn/login", new WebAuthnLoginRequest(member.Email, member.AuthSecret, key.Get(options), ClientKind.Cli));
    }

    [Fact]
    public async Task A_registered_security_key_signs_in_at_AAL3_and_the_session_idles_out_after_fifteen_minutes()
    {
        var (member, key) = await MemberWithKeyAsync("aal3");
        var login = await ClientDriver.ReadAsync<LoginResponse>(await SignInAsync(member, key));
        Assert.Equal(AssuranceLevels.Aal3, login.Session.Aal);
        Assert.Equal(Host.Clock.GetUtcNow(), login.Session.StrongAuthenticatedAt);
        Assert.Equal(1, login.Session.User.SecurityKeys);
        var keys = await ClientDriver.ReadAsync<IReadOnlyList<SecurityKeyView>>(await _client.GetAsync("/api/account/security-keys", login.BearerToken));
        Assert.NotNull(Assert.Single(keys).LastUsedAt);
        var ledger = await LedgerQueue.ReadAsync(Host);
        Assert.Contains(ledger, e => e.Type == Parley.Protocol.Ledger.LedgerEventType.SecurityKeyRegistered && e.Actor == member.UserId);
        Assert.Contains(ledger, e => e.Type == Parley.Protocol.Ledger.LedgerEventType.SignInSucceeded && e.Actor == member.UserId && e.Field("method") == "webauthn");

        Host.Clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/api/auth/session", login.BearerToken)).StatusCode);
        Host.Clock.Advance(TimeSpan.FromMinutes(15));
        await ClientDriver.ProblemAsync(await _client.GetAsync("/api/auth/session", login.BearerToken), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Step_up_with_a_security_key_raises_an_AAL2_session_to_AAL3()
    {
        var (member, key) = await MemberWithKeyAsync("stepup");
        var login = await _client.LoginAsync(member);
        Assert.Equal(AssuranceLevels.Aal2, login.Session.Aal);
        Host.Clock.Advance(TimeSpan.FromMinutes(3));
        var options = await ClientDriver.ReadAsync<JsonElement>(await _client.PostEmptyAsync("/api/auth/webauthn/step-up/options", login.BearerToken));
        var stepped = await ClientDriver.ReadAsync<SessionView>(await _client.PostAsync("/api/auth/webauthn/step-up", new WebAuthnAssertionRequest(key.Get(options)), login.BearerToken));
        Assert.Equal(AssuranceLevels.Aal3, stepped.Aal);
        Assert.Equal(Host.Clock.GetUtcNow(), stepped.StrongAuthenticatedAt);
        Assert.Equal(Host.Clock.GetUtcNow(), stepped.AuthenticatedAt);
    }

    [Fact]
    public async Task A_replayed_assertion_a_counter_that_goes_back_and_an_unregistered_key_are_refused()
    {
        var (member, key) = await MemberWithKeyAsync("refuse");
        Host.Clock.Advance(TimeSpan.FromSeconds(30));
        var options = await ClientDriver.ReadAsync<JsonElement>(await _client.PostAsync("/api/auth/webauthn/login/options", new WebAuthnLoginOptionsRequest(member.Email, member.AuthSecret)));
        var assertion = key.Get(options);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync("/api/auth/webauthn/login", new WebAuthnLoginRequest(member.Email, member.AuthSecret, assertion, ClientKind.Cli))).StatusCode);
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/auth/webauthn/login", new WebAuthnLoginRequest(member.Email, member.AuthSecret, assertion, ClientKind.Cli)), HttpStatusCode.Unauthorized);

        // A clone whose counter lags behind the original's.
        key.Counter -= 2;
        await ClientDriver.ProblemAsync(await SignInAsync(member, key), HttpStatusCode.Unauthorized);
        key.Counter += 10;
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(member, key)).StatusCode);

        using var stranger = new SoftwareAuthenticator(Origin);
        stranger.Create(JsonDocument.Parse($$$"""{"challenge":"AAAA","rp":{"id":"{{{Host.BaseAddress.Host}}}"},"user":{"id":"AAAA"}}""").RootElement);
        await ClientDriver.ProblemAsync(await SignInAsync(member, stranger), HttpStatusCode.Unauthorized);

        // An assertion made for another origin (a phishing site relaying the challenge).
        using var phished = new SoftwareAuthenticator("http://evil.example");
        await ClientDriver.ProblemAsync(await SignInAsync(member, phished), HttpStatusCode.Unauthorized);
        var failures = await Host.CountAsync($"SELECT count(*) FROM sign_in_attempts WHERE UserId = '{member.UserId.ToString().ToUpperInvariant()}' AND Reason = 'wrong-webauthn'");
        Assert.Equal(4, failures);
    }

    [Fact]
    public async Task Removing_a_key_needs_a_recent_second_factor_and_then_the_key_no_longer_signs_in()
    {
        var (member, key) = await MemberWithKeyAsync("remove");
        var login = await _client.LoginAsync(member);
        var id = Assert.Single(await ClientDriver.ReadAsync<IReadOnlyList<SecurityKeyView>>(await _client.GetAsync("/api/account/security-keys", login.BearerToken))).Id;
        Host.Clock.Advance(TimeSpan.FromMinutes(6));
        await ClientDriver.ProblemAsync(await _client.DeleteAsync($"/api/account/security-keys/{id}", login.BearerToken), HttpStatusCode.Forbidden);
        await ClientDriver.ReadAsync<SessionView>(await _client.PostAsync("/api/auth/step-up", new StepUpRequest(_client.NextTotp(member)), login.BearerToken));
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/api/account/security-keys/{id}", login.BearerToken)).StatusCode);
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/auth/webauthn/login/options", new WebAuthnLoginOptionsRequest(member.Email, member.AuthSecret)), HttpStatusCode.BadRequest);
        Assert.Contains(await LedgerQueue.ReadAsync(Host), e => e.Type == Parley.Protocol.Ledger.LedgerEventType.SecurityKeyRemoved && e.Actor == member.UserId);
    }

    [Fact]
    public async Task Login_options_need_the_right_password_and_answer_like_a_failed_sign_in_otherwise()
    {
        var (member, _) = await MemberWithKeyAsync("options");
        var problem = await ClientDriver.ProblemAsync(await _client.PostAsync("/api/auth/webauthn/login/options", new WebAuthnLoginOptionsRequest(member.Email, new byte[32])), HttpStatusCode.Unauthorized);
        Assert.Equal(Server.Identity.Problems.WrongCredentials, problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData(0, 0, true)]
    [InlineData(0, 1, true)]
    [InlineData(5, 6, true)]
    [InlineData(5, 5, false)]
    [InlineData(5, 4, false)]
    [InlineData(5, 0, false)]
    public void Sign_counters_must_grow_unless_the_authenticator_keeps_none(long stored, long presented, bool accepted) =>
        Assert.Equal(accepted, SignCounter.Accepts(stored, presented));
}
