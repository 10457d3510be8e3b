using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OtpNet;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;

namespace Parley.Server.Tests.Identity.Support;

/// <summary>A person as the test knows them: everything the client side holds, including private keys.</summary>
public sealed class TestAccount
{
    public required string Email { get; init; }
    public required string Password { get; init; }
    public required Guid UserId { get; init; }
    public required IReadOnlyList<string> Roles { get; init; }
    public string? Delegation { get; init; }
    public required byte[] TotpSecret { get; init; }
    public required string TotpBase32 { get; init; }
    public required CompositePrivateKey IdentityKey { get; init; }
    public required KdfParameters Kdf { get; init; }
    public required byte[] AuthSecret { get; init; }
    public required byte[] MasterKey { get; init; }
    public required byte[] SealedIdentityKey { get; init; }
    public required List<string> RecoveryCodes { get; init; }
    /// <summary>The bearer token of the latest CLI session.</summary>
    public string? Token { get; set; }
}

/// <summary>A device's keys, held by the test.</summary>
public sealed record TestDevice(Guid Id, HybridKemPrivateKey Kem, P384KeyPair Signing, byte[] Certificate);

/// <summary>
/// The client's side of identity, done by the test with Parley.Protocol: password derivation, key
/// generation and sealing, signing roots and certificates; and the HTTP calls of docs/API.md.
/// </summary>
public sealed class ClientDriver(IdentityHost host)
{
    public const string Password = "correct horse battery staple";
    // The smallest parameters the server accepts: the tests derive many keys.
    public static KdfParameters FastKdf() => new(19 * 1024, 2, 1, System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    public static CryptoSuite Suite => CryptoSuite.Default;

    public IdentityHost Host => host;

    // ---- HTTP ----

    public Task<HttpResponseMessage> PostAsync<T>(string path, T body, string? token = null, HttpClient? client = null) =>
        SendAsync(HttpMethod.Post, path, JsonContent.Create(body, (JsonTypeInfo<T>)ApiJson.Default.GetTypeInfo(typeof(T))!), token, client);

    public Task<HttpResponseMessage> PostEmptyAsync(string path, string? token = null) => SendAsync(HttpMethod.Post, path, new ByteArrayContent([]), token);

    public Task<HttpResponseMessage> GetAsync(string path, string? token = null) => SendAsync(HttpMethod.Get, path, null, token);

    public Task<HttpResponseMessage> DeleteAsync(string path, string? token = null) => SendAsync(HttpMethod.Delete, path, null, token);

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, string? token, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await (client ?? host.Http).SendAsync(request);
    }

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize(text, (JsonTypeInfo<T>)ApiJson.Default.GetTypeInfo(typeof(T))!)!;
    }

    /// <summary>Asserts a problem details answer and returns its detail.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(text);
        Assert.Equal((int)expected, json.RootElement.GetProperty("status").GetInt32());
        return json.RootElement.Clone();
    }

    // ---- Flows ----

    /// <summary>The current TOTP code of <paramref name="account"/> at the server's time, after moving to a fresh step.</summary>
    public string NextTotp(TestAccount account)
    {
        host.Clock.Advance(TimeSpan.FromSeconds(TotpStep));
        return TotpAt(account.TotpSecret, host.Clock.GetUtcNow());
    }

    public const int TotpStep = 30;

    public static string TotpAt(byte[] secret, DateTimeOffset at) => new Totp(secret, TotpStep, OtpHashMode.Sha1, 6).ComputeTotp(at.UtcDateTime);

    public async Task<TestAccount> BootstrapAdministratorAsync(string email = "admin@venue.example")
    {
        var token = (await File.ReadAllTextAsync(Path.Combine(host.DataDirectory, "bootstrap-token"))).Trim();
        return await EnrollAsync(token, "Host Administrator", email);
    }

    public async Task<DelegationView> CreateDelegationAsync(TestAccount admin, string code, string name, string nationality) =>
        await ReadAsync<DelegationView>(await PostAsync("/api/delegations", new CreateDelegationRequest(code, name, nationality), admin.Token), HttpStatusCode.Created);

    public async Task<CreatedEnrollment> InviteAsync(TestAccount creator, string code, string email, params string[] roles) =>
        await ReadAsync<CreatedEnrollment>(await PostAsync($"/api/delegations/{code}/enrollments", new CreateEnrollmentRequest(email, roles, code, null), creator.Token), HttpStatusCode.Created);

    /// <summary>Opens the link, makes and seals an identity key, signs the delegation root when the
    /// enrollee is its first officer, and completes the enrollment with the first TOTP code.</summary>
    public async Task<TestAccount> EnrollAsync(string token, string displayName, string? bootstrapEmail = null, string password = Password)
    {
        var begin = await ReadAsync<EnrollBeginResponse>(await PostAsync("/api/enroll/begin", new EnrollBeginRequest(token, bootstrapEmail)));
        var prepared = await PrepareAsync(begin, password);
        host.Clock.Advance(TimeSpan.FromSeconds(TotpStep));
        var code = TotpAt(prepared.TotpSecret, host.Clock.GetUtcNow());
        var complete = await PostAsync("/api/enroll/complete", prepared.Request(token, displayName, code, ClientKind.Cli));
        var response = await ReadAsync<EnrollCompleteResponse>(complete);
        Assert.Equal(10, response.RecoveryCodes.Count);
        return prepared.Account(begin, password, response);
    }

    /// <summary>Keys for an enrollment, before it is completed (tests tamper with the request).</summary>
    public static async Task<PreparedEnrollment> PrepareAsync(EnrollBeginResponse begin, string password = Password)
    {
        var kdf = FastKdf();
        using var keys = await PasswordKeys.DeriveAsync(Suite, password, kdf);
        var identity = await Suite.Signatures.GenerateAsync();
        var sealedKey = await Suite.Boxes.SealAsync(keys.MasterKey, identity.Export(), Labels.Bind(Labels.IdentityKey, begin.UserId.ToByteArray(bigEndian: true)));
        byte[]? root = null;
        if (begin.Delegation is { Root: null } delegation && begin.Roles.Contains("security-officer"))
        {
            var body = new DelegationRoot(delegation.Code, delegation.Name, begin.UserId, identity.PublicKey.Encode(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            root = (await Signed<DelegationRoot>.SignAsync(Suite, identity, body)).Encode();
        }
        return new PreparedEnrollment(kdf, keys.AuthSecret.ToArray(), keys.MasterKey.Export(), identity, sealedKey, root, Base32Encoding.ToBytes(begin.Totp.Secret));
    }

    public async Task<LoginResponse> LoginAsync(TestAccount account, ClientKind client = ClientKind.Cli)
    {
        var response = await ReadAsync<LoginResponse>(await PostAsync("/api/auth/login", new LoginRequest(account.Email, account.AuthSecret, NextTotp(account), null, client)));
        if (client == ClientKind.Cli) account.Token = response.BearerToken;
        return response;
    }

    /// <summary>A device certificate for <paramref name="account"/>, signed by <paramref name="signer"/> (their own identity key unless a test forges).</summary>
    public async Task<TestDevice> NewDeviceAsync(TestAccount account, string name = "laptop", CompositePrivateKey? signer = null)
    {
        var kem = await Suite.Kem.GenerateAsync();
        var signing = await Suite.Backend.GenerateP384KeyPairAsync();
        var id = Guid.NewGuid();
        var body = new DeviceCertificate(account.UserId, id, name, kem.PublicKey.Encode(), signing.Q.ToArray(), host.Clock.GetUtcNow().ToUnixTimeSeconds(), account.IdentityKey.PublicKey.Fingerprint());
        var certificate = await Signed<DeviceCertificate>.SignAsync(Suite, signer ?? account.IdentityKey, body);
        return new TestDevice(id, kem, signing, certificate.Encode());
    }

    public async Task<byte[]> ClearanceAsync(TestAccount officer, TestAccount subject, string delegation, string level, string[] compartments, string[]? roles = null,
        DateTimeOffset? validFrom = null, DateTimeOffset? validUntil = null, Guid? serial = null, CompositePrivateKey? signer = null, byte[]? fingerprint = null,
        DateTimeOffset? trainingUntil = null)
    {
        var now = host.Clock.GetUtcNow();
        var from = validFrom ?? now.AddDays(-1);
        var until = validUntil ?? now.AddDays(365);
        var body = new ClearanceCertificate(serial ?? Guid.NewGuid(), delegation, subject.UserId, fingerprint ?? subject.IdentityKey.PublicKey.Fingerprint(),
            roles ?? subject.Roles.ToArray(), level, compartments.Order(StringComparer.Ordinal).ToList(),
            from.ToUnixTimeSeconds(), until.ToUnixTimeSeconds(), (trainingUntil ?? until).ToUnixTimeSeconds(), now.ToUnixTimeSeconds());
        return (await Signed<ClearanceCertificate>.SignAsync(Suite, signer ?? officer.IdentityKey, body)).Encode();
    }

    public async Task<byte[]> RevocationAsync(CompositePrivateKey signer, RevocationKind kind, Guid subject, string delegation, string reason = "lost") =>
        (await Signed<Revocation>.SignAsync(Suite, signer, new Revocation(kind, subject, delegation, host.Clock.GetUtcNow().ToUnixTimeSeconds(), reason))).Encode();

    /// <summary>Host administrator, delegation <paramref name="code"/> with its first officer (who signs the root), ready to enroll members.</summary>
    public async Task<(TestAccount Officer, DelegationView Delegation)> DelegationWithOfficerAsync(TestAccount admin, string code, string name)
    {
        await CreateDelegationAsync(admin, code, name, name + "n");
        var link = await InviteAsync(admin, code, $"so@{code.ToLowerInvariant()}.example", "security-officer", "member");
        var officer = await EnrollAsync(link.Token, $"Officer of {code}");
        var delegation = await ReadAsync<DelegationView>(await GetAsync($"/api/delegations/{code}", officer.Token));
        return (officer, delegation);
    }

    public async Task<TestAccount> MemberAsync(TestAccount officer, string code, string email, params string[] roles)
    {
        var link = await InviteAsync(officer, code, email, roles.Length == 0 ? ["member"] : roles);
        return await EnrollAsync(link.Token, email.Split('@')[0]);
    }
}

/// <summary>What a client prepared to complete an enrollment.</summary>
public sealed record PreparedEnrollment(KdfParameters Kdf, byte[] AuthSecret, byte[] MasterKey, CompositePrivateKey IdentityKey, byte[] SealedIdentityKey, byte[]? Root, byte[] TotpSecret)
{
    public EnrollCompleteRequest Request(string token, string displayName, string totpCode, ClientKind client) =>
        new(token, displayName, Kdf, AuthSecret, IdentityKey.PublicKey.Encode(), SealedIdentityKey, totpCode, Root, client);

    public TestAccount Account(EnrollBeginResponse begin, string password, EnrollCompleteResponse response) => new()
    {
        Email = begin.Email,
        Password = password,
        UserId = begin.UserId,
        Roles = begin.Roles,
        Delegation = begin.Delegation?.Code,
        TotpSecret = TotpSecret,
        TotpBase32 = begin.Totp.Secret,
        IdentityKey = IdentityKey,
        Kdf = Kdf,
        AuthSecret = AuthSecret,
        MasterKey = MasterKey,
        SealedIdentityKey = SealedIdentityKey,
        RecoveryCodes = response.RecoveryCodes.ToList(),
        Token = response.Login.BearerToken,
    };
}
