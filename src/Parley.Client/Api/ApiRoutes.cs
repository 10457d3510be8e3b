namespace Parley.Client.Api;

/// <summary>The identity endpoints of docs/API.md, relative to the server's root.</summary>
internal static class ApiRoutes
{
    public const string Prelogin = "api/auth/prelogin";
    public const string Login = "api/auth/login";
    public const string Logout = "api/auth/logout";
    public const string Session = "api/auth/session";
    public const string StepUp = "api/auth/step-up";
    public const string WebAuthnLoginOptions = "api/auth/webauthn/login/options";
    public const string WebAuthnLogin = "api/auth/webauthn/login";
    public const string WebAuthnStepUpOptions = "api/auth/webauthn/step-up/options";
    public const string WebAuthnStepUp = "api/auth/webauthn/step-up";

    public const string TotpSetup = "api/account/totp/setup";
    public const string TotpConfirm = "api/account/totp/confirm";
    public const string RecoveryCodes = "api/account/recovery-codes";
    public const string SecurityKeyOptions = "api/account/security-keys/options";
    public const string SecurityKeys = "api/account/security-keys";
    public static string SecurityKey(Guid id) => $"{SecurityKeys}/{id}";

    public const string EnrollBegin = "api/enroll/begin";
    public const string EnrollComplete = "api/enroll/complete";

    public const string Delegations = "api/delegations";
    public static string Delegation(string code) => $"{Delegations}/{Escape(code)}";
    public static string Enrollments(string code) => $"{Delegation(code)}/enrollments";
    public static string Enrollment(string code, Guid id) => $"{Enrollments(code)}/{id}";
    public static string Clearances(string code) => $"{Delegation(code)}/clearances";
    public static string ClearanceRevocation(string code, Guid serial) => $"{Clearances(code)}/{serial}/revoke";
    public static string DelegationDevices(string code) => $"{Delegation(code)}/devices";
    public static string Members(string code) => $"{Delegation(code)}/members";
    public static string SignIns(string code) => $"{Delegation(code)}/sign-ins";

    public static string DelegationTrust(string code) => $"api/directory/delegations/{Escape(code)}";
    public static string DelegationUsers(string code) => $"{DelegationTrust(code)}/users";
    public static string DirectoryUser(string idOrEmail) => $"api/directory/users/{Escape(idOrEmail)}";

    public const string Devices = "api/devices";
    public static string DeviceRevocation(Guid id) => $"{Devices}/{id}/revoke";

    public const string DeviceBindingChallenge = "api/auth/device-binding/challenge";
    public const string DeviceBinding = "api/auth/device-binding";

    public static string PolicyExplain(string user, string resource, string action, string? label) =>
        $"api/policy/explain?user={Escape(user)}&resource={Escape(resource)}&action={Escape(action)}{Optional("label", label)}";
    public static string PolicyAccess(string resource, string action, string? label, string? item, Guid? downgrade) =>
        $"api/policy/access?resource={Escape(resource)}&action={Escape(action)}{Optional("label", label)}{Optional("item", item)}{Optional("downgrade", downgrade?.ToString())}";
    public const string PolicyScheme = "api/policy/scheme";
    public const string PolicyRules = "api/policy/rules";
    public static string Downgrades(string resource) => $"api/policy/downgrades?resource={Escape(resource)}";
    public static string DelegationDowngrades(string code) => $"{Delegation(code)}/downgrades";
    public static string Training(string code) => $"{Delegation(code)}/training";
    public static string Grants(string code) => $"{Delegation(code)}/grants";
    public static string GrantRevocation(string code, Guid id) => $"{Grants(code)}/{id}/revoke";
    public static string Suspension(string code, string user) => $"{Members(code)}/{Escape(user)}/suspend";
    public static string Reinstatement(string code, string user) => $"{Members(code)}/{Escape(user)}/reinstate";

    public const string Rooms = "api/rooms";
    public static string Room(Guid id) => $"{Rooms}/{id}";
    public static string RoomMembers(Guid id) => $"{Room(id)}/members";
    public static string RoomMember(Guid id, string user) => $"{RoomMembers(id)}/{Escape(user)}";
    public static string RoomDevices(Guid id) => $"{Room(id)}/devices";
    public static string RoomLog(Guid id, long after) => $"{Room(id)}/log?after={after}";
    public static string RoomEpochs(Guid id) => $"{Room(id)}/epochs";
    public static string RoomMessages(Guid id) => $"{Room(id)}/messages";
    public static string RoomDocuments(Guid id) => $"{Room(id)}/documents";

    public const string Uploads = "api/uploads";
    public static string Upload(Guid id) => $"{Uploads}/{id}";
    public static string UploadPart(Guid id, long offset) => $"{Upload(id)}?offset={offset.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    public const string Documents = "api/documents";
    public static string Document(Guid id) => $"{Documents}/{id}";
    public static string DocumentVersions(Guid id) => $"{Document(id)}/versions";
    public static string DocumentVersion(Guid id, int version) => $"{DocumentVersions(id)}/{version.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    public static string DocumentEnvelope(Guid id, int version) => $"{DocumentVersion(id, version)}/envelope";
    public static string DocumentContent(Guid id, int version) => $"{DocumentVersion(id, version)}/content";
    public static string DocumentWraps(Guid id, int version) => $"{DocumentVersion(id, version)}/wraps";
    public static string DocumentPrint(Guid id, int version) => $"{DocumentVersion(id, version)}/prints";
    public static string DocumentMarks(Guid id, int version) => $"{DocumentVersion(id, version)}/marks";
    public static string DocumentEndorsements(Guid id) => $"{Document(id)}/endorsements";
    public static string DocumentPrints(Guid id) => $"{Document(id)}/prints";
    public static string DocumentCopyDestroyed(Guid id, int copy) => $"{DocumentPrints(id)}/{copy.ToString(System.Globalization.CultureInfo.InvariantCulture)}/destroyed";
    public static string DocumentTraceCopies(Guid id) => $"{Document(id)}/trace-copies";
    public static string DocumentDestroy(Guid id) => $"{Document(id)}/destroy";
    public static string DocumentRetention(Guid id) => $"{Document(id)}/retention";
    public static string DelegationDocumentReviews(string code) => $"api/delegations/{Escape(code)}/document-reviews";

    private static string Optional(string name, string? value) => string.IsNullOrEmpty(value) ? "" : $"&{name}={Escape(value)}";

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    /// <summary>Last segment of the problem type the server uses for "password right, second factor needed".</summary>
    public const string MfaRequiredProblem = "mfa-required";

    /// <summary>Last segment of the problem type for "prove a second factor again first".</summary>
    public const string StepUpRequiredProblem = "step-up-required";
}
