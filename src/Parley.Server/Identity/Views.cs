using Parley.Protocol.Api;
using Parley.Protocol.Identity;
using Parley.Server.Identity.Model;

namespace Parley.Server.Identity;

/// <summary>Maps stored records to the contract's views; nothing secret is ever copied.</summary>
public static class Views
{
    public static DelegationView Delegation(DelegationRecord d) => new(d.Code, d.Name, d.Nationality, d.RootEnvelope, d.RootFingerprint);

    public static DirectoryUser DirectoryUser(UserAccount u) =>
        new(u.Id, u.Email, u.DisplayName, u.DelegationCode, RoleNames.ToNames(u.Roles), Status(u), u.IdentityPublicKey);

    public static string Status(UserAccount u) => u.Status.ToString().ToLowerInvariant();

    public static DeviceView Device(DeviceRecord d, string? revokedBy) =>
        new(d.Id, d.UserId, d.Name, d.RegisteredAt, d.LastSeenAt, d.RevokedAt, revokedBy, d.Certificate);

    public static ClearanceView Clearance(ClearanceRecord c, string subjectEmail, string issuedBy) =>
        new(c.Serial, c.DelegationCode, c.SubjectUserId, subjectEmail, c.Level, SplitCompartments(c.Compartments), RoleNames.ToNames(c.Roles),
            c.ValidFrom, c.ValidUntil, c.TrainingValidUntil, issuedBy, c.RevokedAt, c.Certificate);

    public static IReadOnlyList<string> SplitCompartments(string compartments) =>
        compartments.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public static EnrollmentView Enrollment(EnrollmentRecord e, string createdBy, DateTimeOffset now) =>
        new(e.Id, e.Email, RoleNames.ToNames(e.Roles), e.DelegationCode, e.CreatedAt, e.ExpiresAt, createdBy, EnrollmentStatus(e, now));

    public static string EnrollmentStatus(EnrollmentRecord e, DateTimeOffset now) =>
        e.UsedAt is not null ? "used" : e.WithdrawnAt is not null ? "withdrawn" : e.ExpiresAt <= now ? "expired" : "pending";
}
