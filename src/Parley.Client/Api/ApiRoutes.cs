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
    public const string Enrollments = "api/enrollments";

    public const string Delegations = "api/delegations";
    public static string DelegationTrust(string code) => $"api/directory/delegations/{Uri.EscapeDataString(code)}";
    public static string Members(string code) => $"{Delegations}/{Uri.EscapeDataString(code)}/members";
    public static string SignIns(string code) => $"{Delegations}/{Uri.EscapeDataString(code)}/sign-ins";
    public static string MemberDevices(Guid userId) => $"api/users/{userId}/devices";

    public const string Directory = "api/directory/users";
    public static string DirectoryUser(string idOrEmail) => $"{Directory}/{Uri.EscapeDataString(idOrEmail)}";

    public const string Devices = "api/devices";
    public static string DeviceRevocation(Guid id) => $"{Devices}/{id}/revoke";

    public const string Clearances = "api/clearances";
    public static string ClearanceRevocation(Guid serial) => $"{Clearances}/{serial}/revoke";

    /// <summary>Last segment of the problem type the server uses for "password right, second factor needed".</summary>
    public const string MfaRequiredProblem = "mfa-required";
}
