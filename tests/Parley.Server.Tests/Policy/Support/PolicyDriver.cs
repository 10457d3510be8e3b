using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Resolution;
using Parley.Server.Tests.Identity.Support;

namespace Parley.Server.Tests.Policy.Support;

/// <summary>The client side of the policy's flows, done by the test: devices bound by their signed challenge, clearances, security keys.</summary>
public sealed class PolicyDriver(ClientDriver client)
{
    public ClientDriver Client => client;

    public IdentityHost Host => client.Host;

    private string Origin => $"{Host.BaseAddress.Scheme}://{Host.BaseAddress.Authority}";

    /// <summary>Registers a new device for <paramref name="account"/> and binds <paramref name="token"/>'s session to it.</summary>
    public async Task<TestDevice> RegisterAndBindAsync(TestAccount account, string token)
    {
        var device = await client.NewDeviceAsync(account);
        await ClientDriver.ReadAsync<DeviceView>(await client.PostAsync("/api/devices", new RegisterDeviceRequest(device.Certificate), token), HttpStatusCode.Created);
        var session = await ClientDriver.ReadAsync<SessionView>(await BindAsync(account, device, token));
        Assert.Equal(device.Id, session.BoundDeviceId);
        return device;
    }

    /// <summary>Asks for a challenge and answers it with <paramref name="device"/>'s key (or <paramref name="signingKey"/>).</summary>
    public async Task<HttpResponseMessage> BindAsync(TestAccount account, TestDevice device, string token, P384KeyPair? signingKey = null, Guid? claimedDevice = null)
    {
        var challenge = await ClientDriver.ReadAsync<DeviceBindingChallenge>(await client.PostEmptyAsync("/api/auth/device-binding/challenge", token));
        var message = DeviceBinding.Message(challenge.Challenge, account.UserId, claimedDevice ?? device.Id).Value;
        var signature = await ClientDriver.Suite.Backend.P384SignAsync(signingKey ?? device.Signing, message);
        return await client.PostAsync("/api/auth/device-binding", new BindDeviceRequest(claimedDevice ?? device.Id, signature), token);
    }

    /// <summary>Publishes a clearance for <paramref name="subject"/>.</summary>
    public async Task<ClearanceView> CertifyAsync(TestAccount officer, TestAccount subject, string code, string level, string[] compartments, DateTimeOffset? trainingUntil = null)
    {
        var certificate = await client.ClearanceAsync(officer, subject, code, level, compartments, trainingUntil: trainingUntil);
        return await ClientDriver.ReadAsync<ClearanceView>(await client.PostAsync($"/api/delegations/{code}/clearances", new IssueClearanceRequest(certificate), officer.Token), HttpStatusCode.Created);
    }

    /// <summary>Registers a software security key for the session, for WebAuthn step-ups.</summary>
    public async Task<SoftwareAuthenticator> SecurityKeyAsync(string token)
    {
        var key = new SoftwareAuthenticator(Origin);
        var options = await ClientDriver.ReadAsync<JsonElement>(await client.PostEmptyAsync("/api/account/security-keys/options", token));
        await ClientDriver.ReadAsync<SecurityKeyView>(await client.PostAsync("/api/account/security-keys", new WebAuthnRegisterRequest("key", key.Create(options)), token), HttpStatusCode.Created);
        return key;
    }

    /// <summary>Steps the session up to AAL3 with the security key (a WebAuthn use now).</summary>
    public async Task<SessionView> StepUpWithKeyAsync(SoftwareAuthenticator key, string token)
    {
        var options = await ClientDriver.ReadAsync<JsonElement>(await client.PostEmptyAsync("/api/auth/webauthn/step-up/options", token));
        return await ClientDriver.ReadAsync<SessionView>(await client.PostAsync("/api/auth/webauthn/step-up", new WebAuthnAssertionRequest(key.Get(options)), token));
    }

    /// <summary>GET /api/policy/access for the session.</summary>
    public Task<HttpResponseMessage> AccessAsync(string token, string resource, string action = "read", string? label = null, string? downgrade = null, string? item = null)
    {
        var query = $"/api/policy/access?resource={Uri.EscapeDataString(resource)}&action={action}";
        if (label is not null) query += $"&label={Uri.EscapeDataString(label)}";
        if (downgrade is not null) query += $"&downgrade={downgrade}";
        if (item is not null) query += $"&item={item}";
        return client.GetAsync(query, token);
    }

    /// <summary>Asserts a 403 policy refusal and returns its problem details.</summary>
    public static async Task<JsonElement> DeniedAsync(HttpResponseMessage response, params string[] rules)
    {
        var problem = await ClientDriver.ProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal("deny", problem.GetProperty("decision").GetString());
        var actual = problem.GetProperty("rules").EnumerateArray().Select(r => r.GetString()!).ToList();
        Assert.Equal(rules.Order(), actual.Order());
        Assert.Equal(problem.GetProperty("detail").GetString(), problem.GetProperty("reason").GetString());
        return problem;
    }

    /// <summary>Ledger entries queued after <paramref name="afterId"/>, with their queue ids.</summary>
    public static async Task<List<(long Id, LedgerEntry Entry)>> LedgerSinceAsync(IdentityHost host, long afterId)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(host.DataDirectory, "parley.db"), Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Id, Entry FROM ledger_queue WHERE Id > $after ORDER BY Id";
        command.Parameters.AddWithValue("$after", afterId);
        var entries = new List<(long, LedgerEntry)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) entries.Add((reader.GetInt64(0), LedgerEntry.Decode((byte[])reader[1]).Value));
        return entries;
    }

    public static async Task<long> LastLedgerIdAsync(IdentityHost host) => await host.CountAsync("SELECT coalesce(max(Id), 0) FROM ledger_queue");
}

/// <summary>
/// A resource kind of the tests that needs need-to-know, as rooms and documents will: a "vault"
/// with a label, parties and members, registered with the server's <see cref="ResourceKinds"/>
/// the way a feature registers its resolver.
/// </summary>
public sealed class VaultResolver : IResourceResolver
{
    public const string Kind = "vault";

    private static readonly ConcurrentDictionary<string, PolicyResource> Vaults = new();

    public static void Register(IdentityHost host)
    {
        var kinds = host.Server.App.Services.GetRequiredService<ResourceKinds>();
        if (!kinds.Knows(Kind)) kinds.Add<VaultResolver>(Kind);
    }

    public static PolicyResource Add(string name, Protocol.Classification.Label label, IEnumerable<string> parties, IEnumerable<Guid> members)
    {
        var vault = new PolicyResource
        {
            Kind = Kind, Id = name, Name = name, Label = label, Parties = parties.ToHashSet(),
            NeedToKnow = new NeedToKnow(members.ToHashSet(), $"a member of vault {name}"),
        };
        Vaults[name] = vault;
        return vault;
    }

    public Task<PolicyResource?> ResolveAsync(string key, CancellationToken cancellationToken) => Task.FromResult(Vaults.GetValueOrDefault(key));
}
