using System.Net;
using Parley.Protocol.Api;
using Parley.Protocol.Identity;
using Parley.Server.Tests.Identity.Support;

namespace Parley.Server.Tests.Identity;

/// <summary>Lockout and rate limits. Limits are server-wide state, so every test has a server of its own.</summary>
public sealed class LockoutAndRateLimitTests : IAsyncLifetime
{
    private IdentityHost _host = null!;
    private ClientDriver _client = null!;
    private TestAccount _officer = null!;
    private const string Code = "LCK";

    public async Task InitializeAsync()
    {
        _host = await IdentityHost.StartAsync();
        _client = new ClientDriver(_host);
        var admin = await _client.BootstrapAdministratorAsync();
        (_officer, _) = await _client.DelegationWithOfficerAsync(admin, Code, "Lockout");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<byte[]> WrongSecretAsync(TestAccount account)
    {
        using var keys = await PasswordKeys.DeriveAsync(ClientDriver.Suite, "wrong password", account.Kdf);
        return keys.AuthSecret.ToArray();
    }

    [Fact]
    public async Task Five_failures_lock_the_account_for_fifteen_minutes_and_the_message_says_until_when()
    {
        var member = await _client.MemberAsync(_officer, Code, "lock@x.example");
        var wrong = await WrongSecretAsync(member);
        var code = _client.NextTotp(member);
        for (var i = 1; i <= 4; i++)
            await ClientDriver.ProblemAsync(await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, wrong, code, null, ClientKind.Cli)), HttpStatusCode.Unauthorized);
        var lockedAt = _host.Clock.GetUtcNow();
        var fifth = await ClientDriver.ProblemAsync(await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, wrong, code, null, ClientKind.Cli)), HttpStatusCode.Locked);
        var until = lockedAt.AddMinutes(15).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"locked until {until} UTC", fifth.GetProperty("detail").GetString());

        // The officer's console shows the lock.
        await _client.LoginAsync(_officer);
        var members = await ClientDriver.ReadAsync<IReadOnlyList<MemberView>>(await _client.GetAsync($"/api/delegations/{Code}/members", _officer.Token));
        Assert.True(members.Single(m => m.User.Id == member.UserId).Locked);
        Assert.False(members.Single(m => m.User.Id == _officer.UserId).Locked);

        // The right password and code do not help while locked.
        _host.Clock.Advance(TimeSpan.FromMinutes(13));
        var locked = await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, ClientDriver.TotpAt(member.TotpSecret, _host.Clock.GetUtcNow()), null, ClientKind.Cli));
        Assert.Contains(until, (await ClientDriver.ProblemAsync(locked, HttpStatusCode.Locked)).GetProperty("detail").GetString());

        _host.Clock.Advance(TimeSpan.FromMinutes(1.5));
        var login = await _client.LoginAsync(member);
        Assert.Equal(AssuranceLevels.Aal2, login.Session.Aal);

        var id = member.UserId.ToString().ToUpperInvariant();
        Assert.Equal(5, await _host.CountAsync($"SELECT count(*) FROM sign_in_attempts WHERE UserId = '{id}' AND Outcome = 'failed'"));
        Assert.Equal(1, await _host.CountAsync($"SELECT count(*) FROM sign_in_attempts WHERE UserId = '{id}' AND Outcome = 'locked'"));
        Assert.Equal(1, await _host.CountAsync($"SELECT count(*) FROM sign_in_attempts WHERE UserId = '{id}' AND Outcome = 'succeeded'"));
        Assert.Equal(0, await _host.CountAsync($"SELECT FailedAttempts FROM users WHERE Id = '{id}'"));
        Assert.Equal(1, await LedgerCountAsync(1003, "user:" + member.UserId));
        // Five failures and the refused attempt while locked.
        Assert.Equal(6, await LedgerCountAsync(1002, "user:" + member.UserId));
    }

    [Fact]
    public async Task Wrong_second_factors_count_towards_the_lockout()
    {
        var member = await _client.MemberAsync(_officer, Code, "factor@x.example");
        for (var i = 1; i <= 5; i++)
        {
            var code = _client.NextTotp(member);
            var wrongCode = code == "123456" ? "654321" : "123456";
            var response = await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, wrongCode, null, ClientKind.Cli));
            await ClientDriver.ProblemAsync(response, i < 5 ? HttpStatusCode.Unauthorized : HttpStatusCode.Locked);
        }
        var right = await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, _client.NextTotp(member), null, ClientKind.Cli));
        await ClientDriver.ProblemAsync(right, HttpStatusCode.Locked);
    }

    [Fact]
    public async Task An_unknown_email_locks_the_same_way_so_lockout_reveals_no_account()
    {
        var secret = new byte[32];
        for (var i = 1; i <= 5; i++)
            await ClientDriver.ProblemAsync(await _client.PostAsync("/api/auth/login", new LoginRequest("nobody@x.example", secret, "123456", null, ClientKind.Cli)),
                i < 5 ? HttpStatusCode.Unauthorized : HttpStatusCode.Locked);
        _host.Clock.Advance(TimeSpan.FromMinutes(2));
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/auth/login", new LoginRequest("Nobody@X.example", secret, "123456", null, ClientKind.Cli)), HttpStatusCode.Locked);
        _host.Clock.Advance(TimeSpan.FromMinutes(14));
        await ClientDriver.ProblemAsync(await _client.PostAsync("/api/auth/login", new LoginRequest("nobody@x.example", secret, "123456", null, ClientKind.Cli)), HttpStatusCode.Unauthorized);
        // Nothing about the typed address is stored in clear.
        Assert.Equal(0, await _host.CountAsync("SELECT count(*) FROM sign_in_attempts WHERE UserId IS NULL AND EmailHmac LIKE '%nobody%'"));
    }

    [Fact]
    public async Task A_burst_from_one_address_is_limited_to_ten_sign_ins_a_minute()
    {
        var answers = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 12; i++)
        {
            // A different account each time: only the address limit can apply.
            var response = await _client.PostAsync("/api/auth/login", new LoginRequest($"burst{i}@x.example", new byte[32], "123456", null, ClientKind.Cli));
            answers.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) limited ??= response;
        }
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 10).Concat([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests]), answers);
        var problem = await ClientDriver.ProblemAsync(limited!, HttpStatusCode.TooManyRequests);
        Assert.EndsWith("rate-limited", problem.GetProperty("type").GetString());
        Assert.True(limited!.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 and <= 60 }, $"Retry-After is {limited.Headers.RetryAfter}");

        // Another address is not affected; the first one recovers with time.
        using var other = _host.ClientFrom("127.0.0.2");
        var fromOther = await _client.PostAsync("/api/auth/login", new LoginRequest("burst-other@x.example", new byte[32], "123456", null, ClientKind.Cli), client: other);
        Assert.Equal(HttpStatusCode.Unauthorized, fromOther.StatusCode);
        _host.Clock.Advance(TimeSpan.FromSeconds(limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds));
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.PostAsync("/api/auth/login", new LoginRequest("burst-late@x.example", new byte[32], "123456", null, ClientKind.Cli))).StatusCode);
    }

    [Fact]
    public async Task A_burst_on_one_account_from_many_addresses_is_limited_to_five_a_minute_and_each_refusal_is_recorded()
    {
        var member = await _client.MemberAsync(_officer, Code, "spread@x.example");
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            // Recovery codes are fresh second factors, so all five permitted attempts succeed: the limit is not the lockout.
            using var client = _host.ClientFrom($"127.0.0.{10 + i}");
            var response = await _client.PostAsync("/api/auth/login", new LoginRequest(member.Email, member.AuthSecret, null, member.RecoveryCodes[i], ClientKind.Cli), client: client);
            answers.Add(response.StatusCode);
        }
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 5).Concat([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests]), answers);
        var id = member.UserId.ToString().ToUpperInvariant();
        Assert.Equal(2, await _host.CountAsync($"SELECT count(*) FROM sign_in_attempts WHERE UserId = '{id}' AND Outcome = 'rate-limited'"));
        Assert.Equal(2, await _host.CountAsync($"SELECT count(DISTINCT Address) FROM sign_in_attempts WHERE UserId = '{id}' AND Outcome = 'rate-limited'"));
        // The officer sees them in the console.
        await _client.LoginAsync(_officer);
        var attempts = await ClientDriver.ReadAsync<IReadOnlyList<SignInAttemptView>>(await _client.GetAsync($"/api/delegations/{Code}/sign-ins", _officer.Token));
        Assert.Equal(2, attempts.Count(a => a.UserId == member.UserId && a.Outcome == "rate-limited"));
        Assert.Contains(attempts, a => a.UserId == member.UserId && a.Address == "127.0.0.16" && a.Email == member.Email);
    }

    [Fact]
    public async Task Enrollment_calls_are_limited_per_address()
    {
        // The setup's enrollments used some of this address's permits; a minute refills them.
        _host.Clock.Advance(TimeSpan.FromMinutes(1));
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
            answers.Add((await _client.PostAsync("/api/enroll/begin", new EnrollBeginRequest($"guess-{i}"))).StatusCode);
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.NotFound, 10).Concat([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests]), answers);
    }

    [Fact]
    public async Task Prelogin_is_limited_per_address()
    {
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 22; i++)
            answers.Add((await _client.PostAsync("/api/auth/prelogin", new PreloginRequest($"p{i}@x.example"))).StatusCode);
        Assert.Equal(20, answers.Count(a => a == HttpStatusCode.OK));
        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], answers[20..]);
    }

    private async Task<long> LedgerCountAsync(int type, string subject)
    {
        var entries = await LedgerQueue.ReadAsync(_host);
        return entries.Count(e => (int)e.Type == type && e.Subject == subject);
    }
}
