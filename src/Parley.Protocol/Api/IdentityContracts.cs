using System.Text.Json;
using Parley.Protocol.Identity;

namespace Parley.Protocol.Api;

// The HTTP contract of identity, authentication, devices and clearances, shared by the server and
// the client SDK so both sides compile against the same shapes. Byte arrays travel as base64;
// signed structures travel as their canonical envelope bytes and are verified by the client.

/// <summary>Which kind of client signs in: the web client gets a cookie, the CLI a bearer token.</summary>
public enum ClientKind
{
    /// <summary>The browser: Secure, HttpOnly, SameSite=Strict cookie plus an antiforgery token.</summary>
    Web,
    /// <summary>The command line: a bearer token.</summary>
    Cli,
}

/// <summary>Step 1 of sign-in: ask for the account's password derivation parameters.</summary>
public sealed record PreloginRequest(string Email);

/// <summary>The Argon2id parameters to derive keys from the password. For an unknown email the
/// server answers with stable made-up parameters, so accounts cannot be enumerated.</summary>
public sealed record PreloginResponse(KdfParameters Kdf);

/// <summary>Step 2 of sign-in: the derived authentication secret and a second factor.</summary>
public sealed record LoginRequest(string Email, byte[] AuthSecret, string? TotpCode, string? RecoveryCode, ClientKind Client)
{
    // Secrets (tokens, codes, derived secrets) never reach logs through ToString.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Email = ").Append(Email).Append(", Client = ").Append(Client);
        return true;
    }
}

/// <summary>Asks for a WebAuthn challenge after the password check.</summary>
public sealed record WebAuthnLoginOptionsRequest(string Email, byte[] AuthSecret)
{
    // Secrets (tokens, codes, derived secrets) never reach logs through ToString.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Email = ").Append(Email);
        return true;
    }
}

/// <summary>Signs in with the password and a WebAuthn assertion (the browser's PublicKeyCredential as JSON).</summary>
public sealed record WebAuthnLoginRequest(string Email, byte[] AuthSecret, JsonElement Assertion, ClientKind Client)
{
    // Secrets (tokens, codes, derived secrets) never reach logs through ToString.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Email = ").Append(Email).Append(", Client = ").Append(Client);
        return true;
    }
}

/// <summary>A successful sign-in.</summary>
/// <param name="Session">The new session.</param>
/// <param name="BearerToken">For <see cref="ClientKind.Cli"/> only; the web client gets a cookie.</param>
/// <param name="Keys">What the client needs to unseal the user's identity key.</param>
public sealed record LoginResponse(SessionView Session, string? BearerToken, AccountKeys Keys)
{
    // Secrets (tokens, codes, derived secrets) never reach logs through ToString.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Session = ").Append(Session);
        return true;
    }
}

/// <summary>The user's sealed identity key; only the client's password-derived key opens it.</summary>
public sealed record AccountKeys(KdfParameters Kdf, byte[] IdentityPublicKey, byte[] SealedIdentityKey);

/// <summary>Authentication assurance levels of NIST SP 800-63B.</summary>
public static class AssuranceLevels
{
    /// <summary>Password and TOTP or a recovery code.</summary>
    public const string Aal2 = "AAL2";
    /// <summary>Password and a WebAuthn authenticator.</summary>
    public const string Aal3 = "AAL3";
}

/// <summary>A session.</summary>
/// <param name="User">Who.</param>
/// <param name="Aal">Current assurance level, "AAL2" or "AAL3".</param>
/// <param name="AuthenticatedAt">Sign-in time.</param>
/// <param name="StrongAuthenticatedAt">Last use of a phishing-resistant authenticator (WebAuthn), if any.</param>
/// <param name="ExpiresAt">Absolute end.</param>
/// <param name="IdleExpiresAt">End if idle from now.</param>
/// <param name="CsrfToken">Antiforgery token for cookie sessions; send as header X-CSRF-TOKEN on unsafe requests.</param>
/// <param name="BoundDeviceId">The device this session proved it runs on (device binding); null until bound. Content needs a bound device.</param>
public sealed record SessionView(UserView User, string Aal, DateTimeOffset AuthenticatedAt, DateTimeOffset? StrongAuthenticatedAt, DateTimeOffset ExpiresAt, DateTimeOffset IdleExpiresAt, string? CsrfToken, Guid? BoundDeviceId = null)
{
    // Secrets (tokens, codes, derived secrets) never reach logs through ToString.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("User = ").Append(User.Email).Append(", Aal = ").Append(Aal).Append(", ExpiresAt = ").Append(ExpiresAt).Append(", BoundDeviceId = ").Append(BoundDeviceId);
        return true;
    }
}

/// <summary>A user as they see themselves.</summary>
public sealed record UserView(Guid Id, string Email, string DisplayName, string? Delegation, IReadOnlyList<string> Roles, string Status, bool TotpEnabled, int SecurityKeys, int RecoveryCodesLeft);

/// <summary>Raises the session's assurance with a TOTP code (the WebAuthn step-up has its own pair of calls).</summary>
public sealed record StepUpRequest(string TotpCode)
{
    // Secrets (tokens, codes, derived secrets) never reach logs through ToString.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("TotpCode = (hidden)");
        return true;
    }
}

/// <summary>A WebAuthn assertion for step-up.</summary>
public sealed record WebAuthnAssertionRequest(JsonElement Assertion);

/// <summary>A TOTP secret being enrolled: show the URI as a QR code to the user's authenticator app.</summary>
public sealed record TotpSetupResponse(string Secret, string OtpAuthUri, string QrSvg)
{
    // Secrets (tokens, codes, derived secrets) never reach logs through ToString.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Secret = (hidden)");
        return true;
    }
}

/// <summary>Confirms TOTP enrollment with a first code.</summary>
public sealed record TotpConfirmRequest(string Code)
{
    // Secrets (tokens, codes, derived secrets) never reach logs through ToString.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Code = (hidden)");
        return true;
    }
}

/// <summary>Fresh one-time recovery codes, shown once.</summary>
public sealed record RecoveryCodesResponse(IReadOnlyList<string> Codes)
{
    // Secrets (tokens, codes, derived secrets) never reach logs through ToString.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Codes = ").Append(Codes.Count).Append(" (hidden)");
        return true;
    }
}

/// <summary>Registers a security key or passkey (the browser's PublicKeyCredential from create() as JSON).</summary>
public sealed record WebAuthnRegisterRequest(string Name, JsonElement Attestation);

/// <summary>A registered security key.</summary>
public sealed record SecurityKeyView(Guid Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

/// <summary>Creates a one-time enrollment link: the host administrator for a delegation's first
/// security officer, a security officer for members of their own delegation.</summary>
public sealed record CreateEnrollmentRequest(string Email, IReadOnlyList<string> Roles, string? Delegation, int? ExpiresInHours);

/// <summary>A pending or used enrollment.</summary>
public sealed record EnrollmentView(Guid Id, string Email, IReadOnlyList<string> Roles, string? Delegation, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string CreatedBy, string Status);

/// <summary>A new enrollment: the token is shown once; the link carries it (and the delegation's
/// root fingerprint, so the enrollee can pin it) in the URL fragment, which browsers do not send.</summary>
public sealed record CreatedEnrollment(EnrollmentView Enrollment, string Token, string Link)
{
    // Secrets (tokens, codes, derived secrets) never reach logs through ToString.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Enrollment = ").Append(Enrollment).Append(", Token = (hidden)");
        return true;
    }
}

/// <summary>Opens an enrollment. <paramref name="Email"/> is for the bootstrap token only, whose
/// enrollee (the host administrator) chooses their address; other links carry theirs.</summary>
public sealed record EnrollBeginRequest(string Token, string? Email = null)
{
    // Secrets (tokens, codes, derived secrets) never reach logs through ToString.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Email = ").Append(Email);
        return true;
    }
}

/// <summary>What the enrollee needs to create their account.</summary>
/// <param name="UserId">The account's id, fixed now so keys can be bound to it.</param>
/// <param name="Email">The enrolled address.</param>
/// <param name="Roles">Roles granted.</param>
/// <param name="Delegation">The delegation, with its root if it has one yet.</param>
/// <param name="Totp">The TOTP secret to enroll.</param>
/// <param name="Kdf">Suggested password derivation parameters with a fresh salt.</param>
public sealed record EnrollBeginResponse(Guid UserId, string Email, IReadOnlyList<string> Roles, DelegationView? Delegation, TotpSetupResponse Totp, KdfParameters Kdf);

/// <summary>Creates the account. <paramref name="DelegationRoot"/> is the signed root, required when
/// the enrollee is the first security officer of a delegation and refused otherwise.
/// <paramref name="Client"/> says how the first session is handed over (cookie or bearer token), as at sign-in.</summary>
public sealed record EnrollCompleteRequest(string Token, string DisplayName, KdfParameters Kdf, byte[] AuthSecret, byte[] IdentityPublicKey, byte[] SealedIdentityKey, string TotpCode, byte[]? DelegationRoot, ClientKind Client = ClientKind.Cli)
{
    // Secrets (tokens, codes, derived secrets) never reach logs through ToString.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("DisplayName = ").Append(DisplayName).Append(", Client = ").Append(Client);
        return true;
    }
}

/// <summary>The new account's first session and its recovery codes, shown once.</summary>
public sealed record EnrollCompleteResponse(LoginResponse Login, IReadOnlyList<string> RecoveryCodes)
{
    // Secrets (tokens, codes, derived secrets) never reach logs through ToString.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Login = ").Append(Login).Append(", RecoveryCodes = (hidden)");
        return true;
    }
}

/// <summary>Creates a delegation (host administrator).</summary>
public sealed record CreateDelegationRequest(string Code, string Name, string Nationality);

/// <summary>A delegation. <paramref name="Root"/> is the signed delegation root once its first officer enrolled.</summary>
public sealed record DelegationView(string Code, string Name, string Nationality, byte[]? Root, string? RootFingerprint);

/// <summary>The public key directory's view of a person.</summary>
public sealed record DirectoryUser(Guid Id, string Email, string DisplayName, string? Delegation, IReadOnlyList<string> Roles, string Status, byte[] IdentityPublicKey);

/// <summary>Everything a client needs to verify a person and encrypt to their devices: signed device
/// certificates, signed clearance certificates and signed revocations.</summary>
public sealed record DirectoryEntry(DirectoryUser User, IReadOnlyList<byte[]> DeviceCertificates, IReadOnlyList<byte[]> ClearanceCertificates, IReadOnlyList<byte[]> Revocations);

/// <summary>A delegation's chain of trust: root, officers' certificates and keys, revocations.</summary>
public sealed record DelegationTrustView(string Code, byte[] Root, IReadOnlyList<byte[]> OfficerCertificates, IReadOnlyList<byte[]> OfficerKeys, IReadOnlyList<byte[]> Revocations);

/// <summary>Registers a device with its certificate (signed by the user's identity key).</summary>
public sealed record RegisterDeviceRequest(byte[] Certificate);

/// <summary>A device.</summary>
public sealed record DeviceView(Guid Id, Guid UserId, string Name, DateTimeOffset RegisteredAt, DateTimeOffset? LastSeenAt, DateTimeOffset? RevokedAt, string? RevokedBy, byte[] Certificate);

/// <summary>Revokes a device or a clearance with a signed revocation.</summary>
public sealed record RevokeRequest(byte[] Revocation);

/// <summary>Publishes a clearance certificate signed by a security officer.</summary>
public sealed record IssueClearanceRequest(byte[] Certificate);

/// <summary>A clearance certificate and its state.</summary>
public sealed record ClearanceView(Guid Serial, string Delegation, Guid SubjectUserId, string SubjectEmail, string Level, IReadOnlyList<string> Compartments, IReadOnlyList<string> Roles, DateTimeOffset ValidFrom, DateTimeOffset ValidUntil, DateTimeOffset TrainingValidUntil, string IssuedBy, DateTimeOffset? RevokedAt, byte[] Certificate);

/// <summary>A member of a delegation, as their security officer sees them.</summary>
public sealed record MemberView(DirectoryUser User, ClearanceView? Clearance, int ActiveDevices, DateTimeOffset? LastSignInAt, bool Locked);

/// <summary>One sign-in attempt, for the security officer's console.</summary>
public sealed record SignInAttemptView(DateTimeOffset At, string Email, Guid? UserId, string Address, string Outcome, string? Method);
