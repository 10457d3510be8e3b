using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Parley.Client.Ledger;
using Parley.Protocol.Api;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;

namespace Parley.Client.Api;

/// <summary>
/// The identity API of a Parley server over HTTP (docs/API.md), one method per endpoint. It moves
/// the contract's records and turns problem details into <see cref="ParleyApiException"/>; it
/// checks nothing cryptographic: flows and <see cref="Trust.DirectoryVerifier"/> do, because the
/// server is not trusted.
/// </summary>
/// <param name="http">A client whose base address is the server's root, e.g. <c>http://127.0.0.1:5080/</c>.
/// The caller owns it; in the browser it is the one that sends the session cookie.</param>
public sealed partial class ParleyClient(HttpClient http)
{
    private static readonly ApiJson Json = ApiJson.Default;

    /// <summary>The server's address.</summary>
    public Uri? BaseAddress => http.BaseAddress;

    /// <summary>The session that authenticates requests, once signed in.</summary>
    public SessionCredentials? Session { get; set; }

    /// <summary>
    /// The profile's ledger, when the client follows one: each state-changing call the server logs is then
    /// recorded there as a pending action, proven included at the next <see cref="ProfileLedger.SyncAsync"/>.
    /// </summary>
    public ProfileLedger? Ledger { get; set; }

    /// <summary>Key transparency: <see cref="ProfileLedger.EnsureDeviceLoggedAsync"/> with this client's ledger. Call it before encrypting to a device.</summary>
    public Task<long> EnsureDeviceLoggedAsync(DeviceCertificate device, CancellationToken cancellationToken = default) =>
        (Ledger ?? throw new InvalidOperationException("This client follows no ledger: set Ledger (a ProfileLedger) before encrypting to devices."))
            .EnsureDeviceLoggedAsync(device, cancellationToken);

    // ---- Sign-in and sessions ----

    /// <summary>The account's password derivation parameters (made up, but stable, for unknown addresses).</summary>
    public Task<PreloginResponse> PreloginAsync(string email, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.Prelogin, new PreloginRequest(email), Json.PreloginRequest, Json.PreloginResponse, cancellationToken);

    /// <summary>Signs in with the derived authentication secret and a TOTP or recovery code.</summary>
    public Task<LoginResponse> LoginAsync(LoginRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.Login, request, Json.LoginRequest, Json.LoginResponse, cancellationToken);

    /// <summary>Asks for a WebAuthn challenge after the password check (the browser answers it).</summary>
    public Task<JsonElement> WebAuthnLoginOptionsAsync(WebAuthnLoginOptionsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.WebAuthnLoginOptions, request, Json.WebAuthnLoginOptionsRequest, Json.JsonElement, cancellationToken);

    /// <summary>Signs in with the password and a WebAuthn assertion.</summary>
    public Task<LoginResponse> WebAuthnLoginAsync(WebAuthnLoginRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.WebAuthnLogin, request, Json.WebAuthnLoginRequest, Json.LoginResponse, cancellationToken);

    /// <summary>The current session and who it belongs to.</summary>
    public Task<SessionView> GetSessionAsync(CancellationToken cancellationToken = default) =>
        SendAsync<object, SessionView>(HttpMethod.Get, ApiRoutes.Session, null, null, Json.SessionView, cancellationToken);

    /// <summary>Ends the current session on the server.</summary>
    public Task LogoutAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.Logout, cancellationToken);

    /// <summary>Re-authenticates with a TOTP code.</summary>
    public Task<SessionView> StepUpAsync(string totpCode, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.StepUp, new StepUpRequest(totpCode), Json.StepUpRequest, Json.SessionView, cancellationToken);

    /// <summary>A WebAuthn challenge for step-up.</summary>
    public Task<JsonElement> WebAuthnStepUpOptionsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<object, JsonElement>(HttpMethod.Post, ApiRoutes.WebAuthnStepUpOptions, null, null, Json.JsonElement, cancellationToken);

    /// <summary>Steps up to AAL3 with a WebAuthn assertion.</summary>
    public Task<SessionView> WebAuthnStepUpAsync(JsonElement assertion, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.WebAuthnStepUp, new WebAuthnAssertionRequest(assertion), Json.WebAuthnAssertionRequest, Json.SessionView, cancellationToken);

    // ---- Second factors of the signed-in account ----

    /// <summary>Starts (re-)enrolling TOTP: a new secret to show as a QR code.</summary>
    public Task<TotpSetupResponse> BeginTotpSetupAsync(CancellationToken cancellationToken = default) =>
        SendAsync<object, TotpSetupResponse>(HttpMethod.Post, ApiRoutes.TotpSetup, null, null, Json.TotpSetupResponse, cancellationToken);

    /// <summary>Confirms the new TOTP secret with a first code.</summary>
    public Task ConfirmTotpAsync(string code, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.TotpConfirm, new TotpConfirmRequest(code), Json.TotpConfirmRequest, cancellationToken);

    /// <summary>Replaces the recovery codes with ten fresh ones, shown once.</summary>
    public Task<RecoveryCodesResponse> RegenerateRecoveryCodesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<object, RecoveryCodesResponse>(HttpMethod.Post, ApiRoutes.RecoveryCodes, null, null, Json.RecoveryCodesResponse, cancellationToken);

    /// <summary>WebAuthn credential creation options for a new security key.</summary>
    public Task<JsonElement> SecurityKeyOptionsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<object, JsonElement>(HttpMethod.Post, ApiRoutes.SecurityKeyOptions, null, null, Json.JsonElement, cancellationToken);

    /// <summary>Registers a security key from the browser's attestation.</summary>
    public Task<SecurityKeyView> RegisterSecurityKeyAsync(WebAuthnRegisterRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.SecurityKeys, request, Json.WebAuthnRegisterRequest, Json.SecurityKeyView, cancellationToken);

    /// <summary>The account's security keys.</summary>
    public Task<IReadOnlyList<SecurityKeyView>> ListSecurityKeysAsync(CancellationToken cancellationToken = default) =>
        SendAsync<object, IReadOnlyList<SecurityKeyView>>(HttpMethod.Get, ApiRoutes.SecurityKeys, null, null, Json.IReadOnlyListSecurityKeyView, cancellationToken);

    /// <summary>Removes a security key.</summary>
    public Task DeleteSecurityKeyAsync(Guid id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, ApiRoutes.SecurityKey(id), cancellationToken);

    // ---- Enrollment ----

    /// <summary>Opens an enrollment with its one-time token; <paramref name="email"/> only with the bootstrap token, whose enrollee names their address.</summary>
    public Task<EnrollBeginResponse> BeginEnrollmentAsync(string token, string? email = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.EnrollBegin, new EnrollBeginRequest(token, email), Json.EnrollBeginRequest, Json.EnrollBeginResponse, cancellationToken);

    /// <summary>Creates the account.</summary>
    public Task<EnrollCompleteResponse> CompleteEnrollmentAsync(EnrollCompleteRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.EnrollComplete, request, Json.EnrollCompleteRequest, Json.EnrollCompleteResponse, cancellationToken);

    /// <summary>Creates a one-time enrollment link in <paramref name="request"/>'s delegation (host administrator for a first officer, an officer for members).</summary>
    public async Task<CreatedEnrollment> CreateEnrollmentAsync(CreateEnrollmentRequest request, CancellationToken cancellationToken = default)
    {
        var baseline = Ledger?.Baseline ?? 0;
        var result = await SendAsync(HttpMethod.Post, ApiRoutes.Enrollments(request.Delegation ?? throw new ArgumentException("An enrollment link belongs to a delegation.", nameof(request))),
            request, Json.CreateEnrollmentRequest, Json.CreatedEnrollment, cancellationToken).ConfigureAwait(false);
        await ExpectAsync(baseline, LedgerEventType.EnrollmentCreated, $"enrollment:{result.Enrollment.Id}").ConfigureAwait(false);
        return result;
    }

    /// <summary>A delegation's enrollment links and their state.</summary>
    public Task<IReadOnlyList<EnrollmentView>> ListEnrollmentsAsync(string delegation, CancellationToken cancellationToken = default) =>
        SendAsync<object, IReadOnlyList<EnrollmentView>>(HttpMethod.Get, ApiRoutes.Enrollments(delegation), null, null, Json.IReadOnlyListEnrollmentView, cancellationToken);

    /// <summary>Withdraws a pending enrollment link.</summary>
    public async Task WithdrawEnrollmentAsync(string delegation, Guid id, CancellationToken cancellationToken = default)
    {
        var baseline = Ledger?.Baseline ?? 0;
        await SendAsync(HttpMethod.Delete, ApiRoutes.Enrollment(delegation, id), cancellationToken).ConfigureAwait(false);
        await ExpectAsync(baseline, LedgerEventType.EnrollmentWithdrawn, $"enrollment:{id}").ConfigureAwait(false);
    }

    // ---- Delegations and directory ----

    /// <summary>Creates a delegation (host administrator).</summary>
    public async Task<DelegationView> CreateDelegationAsync(CreateDelegationRequest request, CancellationToken cancellationToken = default)
    {
        var baseline = Ledger?.Baseline ?? 0;
        var result = await SendAsync(HttpMethod.Post, ApiRoutes.Delegations, request, Json.CreateDelegationRequest, Json.DelegationView, cancellationToken).ConfigureAwait(false);
        await ExpectAsync(baseline, LedgerEventType.DelegationCreated, $"delegation:{result.Code}").ConfigureAwait(false);
        return result;
    }

    /// <summary>All delegations.</summary>
    public Task<IReadOnlyList<DelegationView>> ListDelegationsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<object, IReadOnlyList<DelegationView>>(HttpMethod.Get, ApiRoutes.Delegations, null, null, Json.IReadOnlyListDelegationView, cancellationToken);

    /// <summary>One delegation.</summary>
    public Task<DelegationView> GetDelegationAsync(string code, CancellationToken cancellationToken = default) =>
        SendAsync<object, DelegationView>(HttpMethod.Get, ApiRoutes.Delegation(code), null, null, Json.DelegationView, cancellationToken);

    /// <summary>A delegation's chain of trust as the server has it (unverified).</summary>
    public Task<DelegationTrustView> GetDelegationTrustAsync(string code, CancellationToken cancellationToken = default) =>
        SendAsync<object, DelegationTrustView>(HttpMethod.Get, ApiRoutes.DelegationTrust(code), null, null, Json.DelegationTrustView, cancellationToken);

    /// <summary>The people of a delegation with their identity keys (unverified).</summary>
    public Task<IReadOnlyList<DirectoryUser>> ListDelegationUsersAsync(string code, CancellationToken cancellationToken = default) =>
        SendAsync<object, IReadOnlyList<DirectoryUser>>(HttpMethod.Get, ApiRoutes.DelegationUsers(code), null, null, Json.IReadOnlyListDirectoryUser, cancellationToken);

    /// <summary>A person's directory entry by user id (unverified).</summary>
    public Task<DirectoryEntry> GetDirectoryEntryAsync(Guid userId, CancellationToken cancellationToken = default) =>
        SendAsync<object, DirectoryEntry>(HttpMethod.Get, ApiRoutes.DirectoryUser(userId.ToString()), null, null, Json.DirectoryEntry, cancellationToken);

    /// <summary>A person's directory entry by email address (unverified).</summary>
    public Task<DirectoryEntry> GetDirectoryEntryAsync(string email, CancellationToken cancellationToken = default) =>
        SendAsync<object, DirectoryEntry>(HttpMethod.Get, ApiRoutes.DirectoryUser(email), null, null, Json.DirectoryEntry, cancellationToken);

    // ---- Devices ----

    /// <summary>Registers this device's certificate.</summary>
    public async Task<DeviceView> RegisterDeviceAsync(byte[] certificate, CancellationToken cancellationToken = default)
    {
        var baseline = Ledger?.Baseline ?? 0;
        var result = await SendAsync(HttpMethod.Post, ApiRoutes.Devices, new RegisterDeviceRequest(certificate), Json.RegisterDeviceRequest, Json.DeviceView, cancellationToken).ConfigureAwait(false);
        await ExpectAsync(baseline, LedgerEventType.DeviceRegistered, $"device:{result.Id}").ConfigureAwait(false);
        return result;
    }

    /// <summary>The signed-in user's devices.</summary>
    public Task<IReadOnlyList<DeviceView>> ListDevicesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<object, IReadOnlyList<DeviceView>>(HttpMethod.Get, ApiRoutes.Devices, null, null, Json.IReadOnlyListDeviceView, cancellationToken);

    /// <summary>Revokes a device with a signed revocation (by its user or an officer of the delegation).</summary>
    public async Task<DeviceView> RevokeDeviceAsync(Guid deviceId, byte[] revocation, CancellationToken cancellationToken = default)
    {
        var baseline = Ledger?.Baseline ?? 0;
        var result = await SendAsync(HttpMethod.Post, ApiRoutes.DeviceRevocation(deviceId), new RevokeRequest(revocation), Json.RevokeRequest, Json.DeviceView, cancellationToken).ConfigureAwait(false);
        await ExpectAsync(baseline, LedgerEventType.DeviceRevoked, $"device:{deviceId}").ConfigureAwait(false);
        return result;
    }

    // ---- Clearances and the officer's console ----

    /// <summary>Publishes a clearance certificate signed by an officer of <paramref name="delegation"/>.</summary>
    public async Task<ClearanceView> IssueClearanceAsync(string delegation, byte[] certificate, CancellationToken cancellationToken = default)
    {
        var baseline = Ledger?.Baseline ?? 0;
        var result = await SendAsync(HttpMethod.Post, ApiRoutes.Clearances(delegation), new IssueClearanceRequest(certificate), Json.IssueClearanceRequest, Json.ClearanceView, cancellationToken).ConfigureAwait(false);
        await ExpectAsync(baseline, LedgerEventType.ClearanceIssued, $"clearance:{result.Serial}").ConfigureAwait(false);
        return result;
    }

    /// <summary>The delegation's clearance certificates and their state.</summary>
    public Task<IReadOnlyList<ClearanceView>> ListClearancesAsync(string delegation, CancellationToken cancellationToken = default) =>
        SendAsync<object, IReadOnlyList<ClearanceView>>(HttpMethod.Get, ApiRoutes.Clearances(delegation), null, null, Json.IReadOnlyListClearanceView, cancellationToken);

    /// <summary>Revokes a clearance with a revocation signed by an officer.</summary>
    public async Task<ClearanceView> RevokeClearanceAsync(string delegation, Guid serial, byte[] revocation, CancellationToken cancellationToken = default)
    {
        var baseline = Ledger?.Baseline ?? 0;
        var result = await SendAsync(HttpMethod.Post, ApiRoutes.ClearanceRevocation(delegation, serial), new RevokeRequest(revocation), Json.RevokeRequest, Json.ClearanceView, cancellationToken).ConfigureAwait(false);
        await ExpectAsync(baseline, LedgerEventType.ClearanceRevoked, $"clearance:{serial}").ConfigureAwait(false);
        return result;
    }

    /// <summary>All devices of a delegation (its officers).</summary>
    public Task<IReadOnlyList<DeviceView>> ListDelegationDevicesAsync(string delegation, CancellationToken cancellationToken = default) =>
        SendAsync<object, IReadOnlyList<DeviceView>>(HttpMethod.Get, ApiRoutes.DelegationDevices(delegation), null, null, Json.IReadOnlyListDeviceView, cancellationToken);

    /// <summary>The members of a delegation, as its officer sees them.</summary>
    public Task<IReadOnlyList<MemberView>> ListMembersAsync(string delegation, CancellationToken cancellationToken = default) =>
        SendAsync<object, IReadOnlyList<MemberView>>(HttpMethod.Get, ApiRoutes.Members(delegation), null, null, Json.IReadOnlyListMemberView, cancellationToken);

    /// <summary>Recent sign-in attempts of the delegation.</summary>
    public Task<IReadOnlyList<SignInAttemptView>> ListSignInAttemptsAsync(string delegation, CancellationToken cancellationToken = default) =>
        SendAsync<object, IReadOnlyList<SignInAttemptView>>(HttpMethod.Get, ApiRoutes.SignIns(delegation), null, null, Json.IReadOnlyListSignInAttemptView, cancellationToken);

    // ---- Device binding ----

    /// <summary>A one-time challenge for this session's device to sign (<see cref="Protocol.Identity.DeviceBinding.Message"/>).</summary>
    public Task<DeviceBindingChallenge> GetDeviceBindingChallengeAsync(CancellationToken cancellationToken = default) =>
        SendAsync<object, DeviceBindingChallenge>(HttpMethod.Post, ApiRoutes.DeviceBindingChallenge, null, null, Json.DeviceBindingChallenge, cancellationToken);

    /// <summary>Binds the session to a device with its signature of the challenge.</summary>
    public Task<SessionView> BindDeviceAsync(BindDeviceRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.DeviceBinding, request, Json.BindDeviceRequest, Json.SessionView, cancellationToken);

    // ---- Access policy ----

    /// <summary>Explains the decision on <paramref name="user"/> doing <paramref name="action"/> on <paramref name="resource"/> (officers and auditors of the user's delegation).</summary>
    public Task<PolicyDecisionView> ExplainAsync(string user, string resource, string action, string? writtenLabel = null, CancellationToken cancellationToken = default) =>
        SendAsync<object, PolicyDecisionView>(HttpMethod.Get, ApiRoutes.PolicyExplain(user, resource, action, writtenLabel), null, null, Json.PolicyDecisionView, cancellationToken);

    /// <summary>May this session do <paramref name="action"/> on <paramref name="resource"/>? The decision when permitted;
    /// a <see cref="ParleyApiException"/> carrying the refusal (or NotFound) when not.</summary>
    public Task<PolicyDecisionView> CheckAccessAsync(string resource, string action, string? writtenLabel = null, string? itemHash = null, Guid? downgrade = null, CancellationToken cancellationToken = default) =>
        SendAsync<object, PolicyDecisionView>(HttpMethod.Get, ApiRoutes.PolicyAccess(resource, action, writtenLabel, itemHash, downgrade), null, null, Json.PolicyDecisionView, cancellationToken);

    /// <summary>The marking scheme and what each label needs of a session.</summary>
    public Task<PolicySchemeView> GetPolicySchemeAsync(CancellationToken cancellationToken = default) =>
        SendAsync<object, PolicySchemeView>(HttpMethod.Get, ApiRoutes.PolicyScheme, null, null, Json.PolicySchemeView, cancellationToken);

    /// <summary>Every rule of the policy.</summary>
    public Task<IReadOnlyList<PolicyRuleView>> GetPolicyRulesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<object, IReadOnlyList<PolicyRuleView>>(HttpMethod.Get, ApiRoutes.PolicyRules, null, null, Json.IReadOnlyListPolicyRuleView, cancellationToken);

    /// <summary>Records a course completion for a member of <paramref name="delegation"/> (its officers).</summary>
    public async Task<TrainingRecordView> RecordTrainingAsync(string delegation, RecordTrainingRequest request, CancellationToken cancellationToken = default)
    {
        var baseline = Ledger?.Baseline ?? 0;
        var result = await SendAsync(HttpMethod.Post, ApiRoutes.Training(delegation), request, Json.RecordTrainingRequest, Json.TrainingRecordView, cancellationToken).ConfigureAwait(false);
        await ExpectAsync(baseline, LedgerEventType.TrainingRecorded, $"user:{result.UserId}", "record", result.Id.ToString()).ConfigureAwait(false);
        return result;
    }

    /// <summary>Each member's current training and records (officers and auditors).</summary>
    public Task<IReadOnlyList<TrainingStatusView>> ListTrainingAsync(string delegation, CancellationToken cancellationToken = default) =>
        SendAsync<object, IReadOnlyList<TrainingStatusView>>(HttpMethod.Get, ApiRoutes.Training(delegation), null, null, Json.IReadOnlyListTrainingStatusView, cancellationToken);

    /// <summary>Grants a member need-to-know on a resource.</summary>
    public async Task<GrantView> CreateGrantAsync(string delegation, CreateGrantRequest request, CancellationToken cancellationToken = default)
    {
        var baseline = Ledger?.Baseline ?? 0;
        var result = await SendAsync(HttpMethod.Post, ApiRoutes.Grants(delegation), request, Json.CreateGrantRequest, Json.GrantView, cancellationToken).ConfigureAwait(false);
        await ExpectAsync(baseline, LedgerEventType.GrantCreated, result.Resource, "grant", result.Id.ToString()).ConfigureAwait(false);
        return result;
    }

    /// <summary>The delegation's grants.</summary>
    public Task<IReadOnlyList<GrantView>> ListGrantsAsync(string delegation, CancellationToken cancellationToken = default) =>
        SendAsync<object, IReadOnlyList<GrantView>>(HttpMethod.Get, ApiRoutes.Grants(delegation), null, null, Json.IReadOnlyListGrantView, cancellationToken);

    /// <summary>Revokes a grant.</summary>
    public async Task<GrantView> RevokeGrantAsync(string delegation, Guid id, CancellationToken cancellationToken = default)
    {
        var baseline = Ledger?.Baseline ?? 0;
        var result = await SendAsync<object, GrantView>(HttpMethod.Post, ApiRoutes.GrantRevocation(delegation, id), null, null, Json.GrantView, cancellationToken).ConfigureAwait(false);
        await ExpectAsync(baseline, LedgerEventType.GrantRevoked, result.Resource, "grant", id.ToString()).ConfigureAwait(false);
        return result;
    }

    /// <summary>Suspends a member's account.</summary>
    public async Task<DirectoryUser> SuspendAsync(string delegation, string user, string reason, CancellationToken cancellationToken = default)
    {
        var baseline = Ledger?.Baseline ?? 0;
        var result = await SendAsync(HttpMethod.Post, ApiRoutes.Suspension(delegation, user), new SuspendRequest(reason), Json.SuspendRequest, Json.DirectoryUser, cancellationToken).ConfigureAwait(false);
        await ExpectAsync(baseline, LedgerEventType.AccountSuspended, $"user:{result.Id}").ConfigureAwait(false);
        return result;
    }

    /// <summary>Reinstates a suspended account.</summary>
    public async Task<DirectoryUser> ReinstateAsync(string delegation, string user, CancellationToken cancellationToken = default)
    {
        var baseline = Ledger?.Baseline ?? 0;
        var result = await SendAsync<object, DirectoryUser>(HttpMethod.Post, ApiRoutes.Reinstatement(delegation, user), null, null, Json.DirectoryUser, cancellationToken).ConfigureAwait(false);
        await ExpectAsync(baseline, LedgerEventType.AccountReinstated, $"user:{result.Id}").ConfigureAwait(false);
        return result;
    }

    /// <summary>Authorises writing <paramref name="resource"/>'s content at a lower label.</summary>
    public async Task<DowngradeView> AuthorizeDowngradeAsync(string resource, CreateDowngradeRequest request, CancellationToken cancellationToken = default)
    {
        var baseline = Ledger?.Baseline ?? 0;
        var result = await SendAsync(HttpMethod.Post, ApiRoutes.Downgrades(resource), request, Json.CreateDowngradeRequest, Json.DowngradeView, cancellationToken).ConfigureAwait(false);
        await ExpectAsync(baseline, LedgerEventType.Downgrade, result.Resource, "downgrade", result.Id.ToString()).ConfigureAwait(false);
        return result;
    }

    /// <summary>The downgrades the delegation's officers authorised.</summary>
    public Task<IReadOnlyList<DowngradeView>> ListDowngradesAsync(string delegation, CancellationToken cancellationToken = default) =>
        SendAsync<object, IReadOnlyList<DowngradeView>>(HttpMethod.Get, ApiRoutes.DelegationDowngrades(delegation), null, null, Json.IReadOnlyListDowngradeView, cancellationToken);

    // ---- Plumbing ----

    // The action happened: it is recorded even if the caller cancels now, so its entry is still looked for.
    // The baseline is read before the request: a checkpoint verified meanwhile may already hold the entry.
    private Task ExpectAsync(long baseline, LedgerEventType type, string subject, string? fieldName = null, string? fieldValue = null) =>
        Ledger is { } ledger ? ledger.ExpectAsync(type, subject, fieldName, fieldValue, baseline, CancellationToken.None) : Task.CompletedTask;

    private Task SendAsync(HttpMethod method, string path, CancellationToken cancellationToken) =>
        SendAsync<object, object>(method, path, null, null, null, cancellationToken);

    private Task SendAsync<TRequest>(HttpMethod method, string path, TRequest body, JsonTypeInfo<TRequest> requestType, CancellationToken cancellationToken) =>
        SendAsync<TRequest, object>(method, path, body, requestType, null, cancellationToken);

    private async Task<TResponse> SendAsync<TRequest, TResponse>(HttpMethod method, string path, TRequest? body, JsonTypeInfo<TRequest>? requestType, JsonTypeInfo<TResponse>? responseType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null && requestType is not null) request.Content = JsonContent.Create(body, requestType);
        else if (method != HttpMethod.Get && method != HttpMethod.Delete) request.Content = new ByteArrayContent([]);
        Session?.Apply(request);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw new ParleyApiException(await ProblemReader.ReadAsync(response, cancellationToken).ConfigureAwait(false));
        if (responseType is null) return default!;
        try
        {
            return await response.Content.ReadFromJsonAsync(responseType, cancellationToken).ConfigureAwait(false)
                ?? throw Unexpected(response, "an empty body");
        }
        catch (JsonException e)
        {
            throw Unexpected(response, $"JSON that does not match the contract ({e.Message})");
        }
    }

    private static ParleyApiException Unexpected(HttpResponseMessage response, string what) =>
        new(new ApiProblem(response.StatusCode, ApiProblemKind.Server, "Unexpected answer from the server", $"{response.RequestMessage?.RequestUri?.AbsolutePath} returned {what}.", null, null));
}

/// <summary>Reads problem details (RFC 9457) from a failed response.</summary>
internal static class ProblemReader
{
    public static async Task<ApiProblem> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string? title = null, detail = null, type = null;
        var extensions = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        PolicyRefusal? policy = null;
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (text.Length > 0)
            {
                using var json = JsonDocument.Parse(text);
                if (json.RootElement.ValueKind == JsonValueKind.Object)
                {
                    title = Text(json.RootElement, "title");
                    detail = Text(json.RootElement, "detail");
                    type = Text(json.RootElement, "type");
                    foreach (var member in json.RootElement.EnumerateObject())
                        if (!StandardMembers.Contains(member.Name)) extensions[member.Name] = member.Value.Clone();
                    policy = Policy(json.RootElement);
                }
            }
        }
        catch (JsonException)
        {
            // Not problem details (a proxy's page, say): the status line still says what happened.
        }
        var status = response.StatusCode;
        title ??= string.IsNullOrEmpty(response.ReasonPhrase) ? $"HTTP {(int)status}" : response.ReasonPhrase;
        return new ApiProblem(status, KindOf(status, type), title, detail, type, RetryAfter(response), policy) { Extensions = extensions };
    }

    // The access policy's extensions of a 403: decision, kind, rules, reason, stepUp, stepUpWith.
    private static PolicyRefusal? Policy(JsonElement problem)
    {
        if (Text(problem, "decision") is not { } decision || Text(problem, "reason") is not { } reason) return null;
        var rules = problem.TryGetProperty("rules", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!).ToList()
            : [];
        var stepUp = problem.TryGetProperty("stepUp", out var flag) && flag.ValueKind == JsonValueKind.True;
        return new PolicyRefusal(decision, Text(problem, "kind") ?? "not-permitted", rules, reason, stepUp, Text(problem, "stepUpWith"));
    }

    private static readonly HashSet<string> StandardMembers = new(StringComparer.Ordinal) { "type", "title", "status", "detail", "instance" };

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static ApiProblemKind KindOf(HttpStatusCode status, string? type) => (int)status switch
    {
        401 when type is not null && type.EndsWith(ApiRoutes.MfaRequiredProblem, StringComparison.Ordinal) => ApiProblemKind.MfaRequired,
        401 => ApiProblemKind.Unauthenticated,
        403 when type is not null && type.EndsWith(ApiRoutes.StepUpRequiredProblem, StringComparison.Ordinal) => ApiProblemKind.StepUpRequired,
        403 => ApiProblemKind.Denied,
        404 => ApiProblemKind.NotFound,
        409 or 410 => ApiProblemKind.Conflict,
        423 => ApiProblemKind.Locked,
        429 => ApiProblemKind.RateLimited,
        400 or 422 => ApiProblemKind.Invalid,
        _ => ApiProblemKind.Server,
    };

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta;
        if (header?.Date is { } date) return date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        // Some servers send a bare integer the typed header parser skips.
        if (response.Headers.TryGetValues("Retry-After", out var values)
            && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return TimeSpan.FromSeconds(seconds);
        return null;
    }
}
