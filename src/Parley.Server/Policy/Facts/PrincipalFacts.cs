using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Classification;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Sessions;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Model;
using Parley.Server.Storage;

namespace Parley.Server.Policy.Facts;

/// <summary>
/// Gathers what the policy knows about a person from storage: account and roles, current
/// clearance, current training, and a session with its bound device. Read fresh for every
/// decision, so a revocation, a suspension or an expiry counts from the next request on.
/// </summary>
public sealed class PrincipalFacts(ParleyDbContext db, PolicyEngine engine)
{
    /// <summary>The principal behind <paramref name="session"/> (null: the person's latest live session, or none).</summary>
    public async Task<PolicyPrincipal> LoadAsync(UserAccount user, SessionRecord? session, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (clearance, problem, clearanceRecord) = await ClearanceAsync(user, now, cancellationToken);
        return new PolicyPrincipal
        {
            UserId = user.Id,
            Email = user.Email,
            Delegation = user.DelegationCode,
            Roles = user.Roles,
            Suspended = user.Status == AccountStatus.Suspended,
            Clearance = clearance,
            ClearanceProblem = problem,
            Training = await TrainingAsync(user.Id, clearanceRecord, cancellationToken),
            Session = session is null ? null : await SessionAsync(session, cancellationToken),
        };
    }

    /// <summary>The person's most recently used session that has not ended, or null.</summary>
    public async Task<SessionRecord?> LatestLiveSessionAsync(Guid userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var sessions = await db.Set<SessionRecord>().AsNoTracking().Where(s => s.UserId == userId && s.ExpiresAt > now).ToListAsync(cancellationToken);
        return sessions.Where(s => now < s.LastSeenAt + AssuranceLimits.Idle(s.Aal)).OrderByDescending(s => s.LastSeenAt).FirstOrDefault();
    }

    private async Task<(Clearance?, string?, ClearanceRecord?)> ClearanceAsync(UserAccount user, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var records = await db.Set<ClearanceRecord>().AsNoTracking().Where(c => c.SubjectUserId == user.Id).ToListAsync(cancellationToken);
        var current = records.Where(c => c.RevokedAt is null && c.ValidFrom <= now && now < c.ValidUntil).OrderByDescending(c => c.IssuedAt).FirstOrDefault();
        if (current is null)
        {
            var latest = records.OrderByDescending(c => c.IssuedAt).FirstOrDefault();
            var why = latest switch
            {
                null => "You hold no clearance certificate; your security officer issues one.",
                { RevokedAt: { } at } => $"Your clearance certificate was revoked on {AccessRules.Instant(at)}.",
                { ValidFrom: var from } when from > now => $"Your clearance certificate is valid from {AccessRules.Instant(from)} only.",
                { ValidUntil: var until } => $"Your clearance certificate expired on {AccessRules.Instant(until)}.",
            };
            return (null, why, null);
        }
        var scheme = engine.Settings.Scheme;
        var compartments = current.Compartments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var parsed = Clearance.Create(scheme, current.Level, compartments, current.DelegationCode);
        return parsed.TryGetValue(out var clearance, out var error)
            ? (clearance, null, current)
            : (null, $"Your clearance certificate does not fit this server's marking scheme: {error.Message}", current);
    }

    // The newest completion decides; a clearance certificate's training date counts as a completion
    // on the day the certificate was issued, so a newer certificate updates it and a newer course overrides it.
    private async Task<TrainingFacts> TrainingAsync(Guid userId, ClearanceRecord? clearance, CancellationToken cancellationToken)
    {
        var records = await db.Set<TrainingRecord>().AsNoTracking().Where(t => t.UserId == userId).ToListAsync(cancellationToken);
        var newest = records.OrderByDescending(t => t.CompletedOn).ThenByDescending(t => t.RecordedAt).FirstOrDefault();
        if (newest is not null && (clearance is null || newest.CompletedOn >= new DateTimeOffset(clearance.IssuedAt.UtcDateTime.Date, TimeSpan.Zero)))
            return new TrainingFacts(newest.ValidUntil, "record", newest.Course);
        if (clearance is not null) return new TrainingFacts(clearance.TrainingValidUntil, "clearance", null);
        return TrainingFacts.None;
    }

    private async Task<SessionFacts> SessionAsync(SessionRecord session, CancellationToken cancellationToken)
    {
        BoundDevice? device = null;
        if (session.DeviceId is { } id)
        {
            var record = await db.Set<DeviceRecord>().AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
            // A bound device that vanished is treated as revoked: fail closed.
            device = record is null ? new BoundDevice(id, id.ToString(), DateTimeOffset.MinValue) : new BoundDevice(record.Id, record.Name, record.RevokedAt);
        }
        return new SessionFacts(session.Id, session.Aal, session.AuthenticatedAt, session.StrongAuthenticatedAt, device);
    }

    /// <summary>The user's grants on <paramref name="resource"/> (all states; the rule reads the times).</summary>
    public async Task<IReadOnlyList<GrantFacts>> GrantsAsync(Guid userId, string resource, CancellationToken cancellationToken) =>
        await db.Set<AccessGrant>().AsNoTracking().Where(g => g.UserId == userId && g.Resource == resource)
            .Select(g => new GrantFacts(g.Id, g.StartsAt, g.ExpiresAt, g.RevokedAt)).ToListAsync(cancellationToken);
}
