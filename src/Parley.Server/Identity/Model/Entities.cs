using Parley.Protocol.Api;
using Parley.Protocol.Identity;

namespace Parley.Server.Identity.Model;

// Persistence shapes of identity. They never leave the server: endpoints bind Parley.Protocol.Api
// records and map to and from these.

/// <summary>A delegation and, once its first officer enrolled, its signed root of trust.</summary>
public sealed class DelegationRecord
{
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    public string Nationality { get; set; } = "";
    /// <summary>Canonical bytes of the <c>Signed&lt;DelegationRoot&gt;</c>.</summary>
    public byte[]? RootEnvelope { get; set; }
    /// <summary>Hex SHA-256 of the root officer's composite public key, as in enrollment links.</summary>
    public string? RootFingerprint { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public Guid CreatedBy { get; set; }
}

/// <summary>Whether an account may sign in.</summary>
public enum AccountStatus
{
    Active = 1,
    Suspended = 2,
}

/// <summary>Failed-attempt bookkeeping shared by real accounts and by addresses nobody owns, so both lock alike.</summary>
public interface ILockoutState
{
    int FailedAttempts { get; set; }
    DateTimeOffset? LockedUntil { get; set; }
}

/// <summary>A person's account. Holds no password and no private key in clear: an Argon2id hash of the
/// client-derived authentication secret, and the identity private key sealed by the client.</summary>
public sealed class UserAccount : ILockoutState
{
    public Guid Id { get; set; }
    /// <summary>As entered at enrollment.</summary>
    public string Email { get; set; } = "";
    /// <summary>Lower-cased, trimmed: the unique key.</summary>
    public string NormalizedEmail { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string? DelegationCode { get; set; }
    public Roles Roles { get; set; }
    public AccountStatus Status { get; set; } = AccountStatus.Active;

    /// <summary>Argon2id(auth secret, <see cref="AuthSalt"/>) with the server's parameters.</summary>
    public byte[] AuthHash { get; set; } = [];
    public byte[] AuthSalt { get; set; } = [];

    /// <summary>The client's password derivation parameters (not secret).</summary>
    public int KdfMemoryKiB { get; set; }
    public int KdfIterations { get; set; }
    public int KdfParallelism { get; set; }
    public byte[] KdfSalt { get; set; } = [];

    public byte[] IdentityPublicKey { get; set; } = [];
    /// <summary>Sealed by the client under its password-derived master key; opaque here.</summary>
    public byte[] SealedIdentityKey { get; set; } = [];

    /// <summary>TOTP secret, encrypted with the server's at-rest key.</summary>
    public byte[]? TotpSecret { get; set; }
    /// <summary>The last accepted TOTP time step: a code at or before it is a replay.</summary>
    public long TotpLastStep { get; set; }
    /// <summary>A new TOTP secret waiting for its first code (encrypted like <see cref="TotpSecret"/>).</summary>
    public byte[]? PendingTotpSecret { get; set; }

    public int FailedAttempts { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastSignInAt { get; set; }

    public KdfParameters Kdf() => new(KdfMemoryKiB, KdfIterations, KdfParallelism, KdfSalt);
}

/// <summary>Lockout state of an email address that has no account, so that lockout does not reveal which addresses exist.</summary>
public sealed class UnknownAccountLockout : ILockoutState
{
    /// <summary>HMAC of the normalised email.</summary>
    public string EmailHmac { get; set; } = "";
    public int FailedAttempts { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A registered WebAuthn security key or passkey.</summary>
public sealed class SecurityKeyCredential
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string Name { get; set; } = "";
    public byte[] CredentialId { get; set; } = [];
    /// <summary>COSE public key.</summary>
    public byte[] PublicKey { get; set; } = [];
    public long SignCount { get; set; }
    public byte[] UserHandle { get; set; } = [];
    public Guid AaGuid { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
}

/// <summary>One unused recovery code, stored as a keyed hash; a used code is deleted.</summary>
public sealed class RecoveryCodeRecord
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public byte[] CodeHash { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A one-time enrollment link. The token is stored hashed; the user id is fixed when the link is made.</summary>
public sealed class EnrollmentRecord
{
    public Guid Id { get; set; }
    public byte[] TokenHash { get; set; } = [];
    public Guid UserId { get; set; }
    public string Email { get; set; } = "";
    public Roles Roles { get; set; }
    public string? DelegationCode { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>Null for the bootstrap token, which the server made itself.</summary>
    public Guid? CreatedBy { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
    public DateTimeOffset? WithdrawnAt { get; set; }
    /// <summary>The TOTP secret offered at begin (encrypted at rest), confirmed by the first code at complete.</summary>
    public byte[]? TotpSecret { get; set; }
}

/// <summary>A signed-in session. The token is stored hashed.</summary>
public sealed class SessionRecord
{
    public Guid Id { get; set; }
    public byte[] TokenHash { get; set; } = [];
    public Guid UserId { get; set; }
    public ClientKind Client { get; set; }
    public string Aal { get; set; } = AssuranceLevels.Aal2;
    public DateTimeOffset SignedInAt { get; set; }
    /// <summary>Last time the user proved a second factor in this session (sign-in or step-up).</summary>
    public DateTimeOffset AuthenticatedAt { get; set; }
    /// <summary>Last use of a WebAuthn authenticator in this session.</summary>
    public DateTimeOffset? StrongAuthenticatedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
    /// <summary>Absolute end, fixed at sign-in.</summary>
    public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>Antiforgery token of a cookie session; null for bearer sessions.</summary>
    public string? CsrfToken { get; set; }
    /// <summary>The certified device this session proved it runs on (device binding); null until bound. Content needs it.</summary>
    public Guid? DeviceId { get; set; }
    public DateTimeOffset? DeviceBoundAt { get; set; }
    /// <summary>The one-time challenge the device must sign to bind this session (not secret; used once).</summary>
    public byte[]? BindingChallenge { get; set; }
    public DateTimeOffset? BindingChallengeExpiresAt { get; set; }
}

/// <summary>Why a WebAuthn challenge was issued.</summary>
public enum WebAuthnPurpose
{
    Register = 1,
    SignIn = 2,
    StepUp = 3,
}

/// <summary>WebAuthn options kept server-side between the options call and the browser's answer.</summary>
public sealed class WebAuthnChallenge
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    /// <summary>The session for registration and step-up; null for sign-in.</summary>
    public Guid? SessionId { get; set; }
    public WebAuthnPurpose Purpose { get; set; }
    public string OptionsJson { get; set; } = "";
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>One sign-in attempt, whatever its outcome. The email is kept only for existing accounts.</summary>
public sealed class SignInAttempt
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public string EmailHmac { get; set; } = "";
    public Guid? UserId { get; set; }
    public string? DelegationCode { get; set; }
    public string Address { get; set; } = "";
    /// <summary>succeeded, failed, locked, rate-limited.</summary>
    public string Outcome { get; set; } = "";
    /// <summary>Why it failed (wrong-credentials, wrong-second-factor, ...), null on success.</summary>
    public string? Reason { get; set; }
    /// <summary>totp, recovery-code, webauthn, or null when no second factor was reached.</summary>
    public string? Method { get; set; }
}

/// <summary>A device and its certificate, signed by its user's identity key.</summary>
public sealed class DeviceRecord
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string Name { get; set; } = "";
    public byte[] Certificate { get; set; } = [];
    /// <summary>Hex SHA-256 of the certificate envelope (as logged in the ledger).</summary>
    public string CertificateHash { get; set; } = "";
    public DateTimeOffset RegisteredAt { get; set; }
    public DateTimeOffset? LastSeenAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public Guid? RevokedBy { get; set; }
    public byte[]? Revocation { get; set; }
}

/// <summary>A clearance certificate (signed by a security officer) and the fields needed to query it.</summary>
public sealed class ClearanceRecord
{
    public Guid Serial { get; set; }
    public string DelegationCode { get; set; } = "";
    public Guid SubjectUserId { get; set; }
    public Guid IssuerUserId { get; set; }
    public Roles Roles { get; set; }
    public string Level { get; set; } = "";
    /// <summary>Sorted, space-separated.</summary>
    public string Compartments { get; set; } = "";
    public DateTimeOffset ValidFrom { get; set; }
    public DateTimeOffset ValidUntil { get; set; }
    public DateTimeOffset TrainingValidUntil { get; set; }
    public DateTimeOffset IssuedAt { get; set; }
    public byte[] Certificate { get; set; } = [];
    public string CertificateHash { get; set; } = "";
    public DateTimeOffset? RevokedAt { get; set; }
    public Guid? RevokedBy { get; set; }
    public byte[]? Revocation { get; set; }
}
