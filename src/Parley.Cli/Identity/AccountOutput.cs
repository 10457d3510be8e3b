using Parley.Protocol.Api;

namespace Parley.Cli.Identity;

/// <summary>The JSON shape of <c>parley whoami --json</c>.</summary>
internal sealed record WhoamiOutput(
    string Server, Guid UserId, string Email, string DisplayName, string? Delegation, IReadOnlyList<string> Roles, string Status,
    string Aal, DateTimeOffset AuthenticatedAt, DateTimeOffset ExpiresAt, DateTimeOffset IdleExpiresAt, Guid? DeviceId,
    bool TotpEnabled, int SecurityKeys, int RecoveryCodesLeft)
{
    public static WhoamiOutput From(Uri server, SessionView session, Guid? deviceId) => new(
        server.ToString(), session.User.Id, session.User.Email, session.User.DisplayName, session.User.Delegation, session.User.Roles, session.User.Status,
        session.Aal, session.AuthenticatedAt, session.ExpiresAt, session.IdleExpiresAt, deviceId,
        session.User.TotpEnabled, session.User.SecurityKeys, session.User.RecoveryCodesLeft);
}

/// <summary>One device in <c>parley device list --json</c>.</summary>
internal sealed record DeviceOutput(Guid Id, string Name, DateTimeOffset RegisteredAt, DateTimeOffset? LastSeenAt, DateTimeOffset? RevokedAt, string? RevokedBy, bool ThisDevice)
{
    public static DeviceOutput From(DeviceView device, Guid? current) =>
        new(device.Id, device.Name, device.RegisteredAt, device.LastSeenAt, device.RevokedAt, device.RevokedBy, device.Id == current);
}

/// <summary>The JSON shape of <c>parley so enroll --json</c>.</summary>
internal sealed record EnrollmentOutput(Guid Id, string Email, IReadOnlyList<string> Roles, string? Delegation, DateTimeOffset ExpiresAt, string Link);

/// <summary>One member in <c>parley so members --json</c>.</summary>
internal sealed record MemberOutput(
    Guid UserId, string Email, string DisplayName, IReadOnlyList<string> Roles, string Status, bool Locked, int ActiveDevices, DateTimeOffset? LastSignInAt,
    Guid? ClearanceSerial, string? Level, IReadOnlyList<string> Compartments, DateTimeOffset? ClearanceValidUntil, DateTimeOffset? TrainingValidUntil, bool ClearanceRevoked)
{
    public static MemberOutput From(MemberView member) => new(
        member.User.Id, member.User.Email, member.User.DisplayName, member.User.Roles, member.User.Status, member.Locked, member.ActiveDevices, member.LastSignInAt,
        member.Clearance?.Serial, member.Clearance?.Level, member.Clearance?.Compartments ?? [], member.Clearance?.ValidUntil, member.Clearance?.TrainingValidUntil,
        member.Clearance?.RevokedAt is not null);
}

/// <summary>One attempt in <c>parley so sign-ins --json</c>.</summary>
internal sealed record SignInOutput(DateTimeOffset At, string Email, Guid? UserId, string Address, string Outcome, string? Method)
{
    public static SignInOutput From(SignInAttemptView attempt) => new(attempt.At, attempt.Email, attempt.UserId, attempt.Address, attempt.Outcome, attempt.Method);
}

/// <summary>A clearance in <c>parley so certify --json</c> and <c>parley so revoke clearance --json</c>.</summary>
internal sealed record ClearanceOutput(Guid Serial, string Delegation, Guid SubjectUserId, string SubjectEmail, string Level, IReadOnlyList<string> Compartments, IReadOnlyList<string> Roles,
    DateTimeOffset ValidFrom, DateTimeOffset ValidUntil, DateTimeOffset TrainingValidUntil, string IssuedBy, DateTimeOffset? RevokedAt)
{
    public static ClearanceOutput From(ClearanceView view) => new(view.Serial, view.Delegation, view.SubjectUserId, view.SubjectEmail, view.Level, view.Compartments, view.Roles,
        view.ValidFrom, view.ValidUntil, view.TrainingValidUntil, view.IssuedBy, view.RevokedAt);
}

/// <summary>One delegation in <c>parley delegation list --json</c>.</summary>
internal sealed record DelegationOutput(string Code, string Name, string Nationality, string? RootFingerprint)
{
    public static DelegationOutput From(DelegationView view) => new(view.Code, view.Name, view.Nationality, view.RootFingerprint);
}

/// <summary>The JSON shape of <c>parley directory verify --json</c>.</summary>
internal sealed record VerificationOutput(string Email, Guid UserId, string? Delegation, bool Trusted, VerifiedClearanceOutput? Clearance, IReadOnlyList<VerifiedDeviceOutput> Devices, IReadOnlyList<RefusalOutput> Refusals)
{
    public static VerificationOutput From(Parley.Client.Trust.PersonVerification verification)
    {
        var clearance = verification.Member?.Clearance;
        return new VerificationOutput(verification.User.Email, verification.User.Id, verification.User.Delegation, verification.Trusted,
            clearance is null ? null : new VerifiedClearanceOutput(clearance.Serial, clearance.Level, clearance.Compartments, clearance.Roles,
                DateTimeOffset.FromUnixTimeSeconds(clearance.ValidUntil), DateTimeOffset.FromUnixTimeSeconds(clearance.TrainingValidUntil)),
            verification.Devices.Select(d => new VerifiedDeviceOutput(d.Device.DeviceId, d.Device.DeviceName)).ToList(),
            verification.Refusals.Select(r => new RefusalOutput(r.Subject, r.Reason.Code.ToString(), r.Reason.Message)).ToList());
    }
}

/// <summary>A clearance that verified.</summary>
internal sealed record VerifiedClearanceOutput(Guid Serial, string Level, IReadOnlyList<string> Compartments, IReadOnlyList<string> Roles, DateTimeOffset ValidUntil, DateTimeOffset TrainingValidUntil);

/// <summary>A device that verified.</summary>
internal sealed record VerifiedDeviceOutput(Guid Id, string Name);

/// <summary>Something that did not verify, and why.</summary>
internal sealed record RefusalOutput(string Subject, string Code, string Reason);
