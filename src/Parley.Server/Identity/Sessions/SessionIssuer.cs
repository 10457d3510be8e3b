using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Identity;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Security;
using Parley.Server.Storage;

namespace Parley.Server.Identity.Sessions;

/// <summary>Opens sessions and describes them. The token is returned once and stored hashed.</summary>
public sealed class SessionIssuer(ParleyDbContext db, TimeProvider time)
{
    /// <summary>Adds a session for <paramref name="user"/> to the unit of work and drops the user's
    /// sessions that have ended unnoticed (past their absolute end, or idle longer than any level allows); the caller saves.</summary>
    public async Task<(SessionRecord Session, string Token)> OpenAsync(UserAccount user, ClientKind client, string aal, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var idleSince = now - AssuranceLimits.Idle(AssuranceLevels.Aal2);
        db.RemoveRange(await db.Set<SessionRecord>().Where(s => s.UserId == user.Id && (s.ExpiresAt <= now || s.LastSeenAt <= idleSince)).ToListAsync(cancellationToken));
        var token = Tokens.New();
        var session = new SessionRecord
        {
            Id = Guid.NewGuid(),
            TokenHash = Tokens.Hash(token),
            UserId = user.Id,
            Client = client,
            Aal = aal,
            SignedInAt = now,
            AuthenticatedAt = now,
            StrongAuthenticatedAt = aal == AssuranceLevels.Aal3 ? now : null,
            LastSeenAt = now,
            ExpiresAt = now + AssuranceLimits.Absolute,
            CsrfToken = client == ClientKind.Web ? Tokens.New() : null,
        };
        db.Set<SessionRecord>().Add(session);
        return (session, token);
    }

    /// <summary>The sign-in answer: the cookie for the web client, the bearer token for the CLI.</summary>
    public async Task<LoginResponse> RespondAsync(HttpContext http, SessionRecord session, string token, UserAccount user, CancellationToken cancellationToken)
    {
        if (session.Client == ClientKind.Web) SessionCookie.Write(http.Response, token, session.ExpiresAt);
        var view = await DescribeAsync(session, user, cancellationToken);
        return new LoginResponse(view, session.Client == ClientKind.Cli ? token : null, new AccountKeys(user.Kdf(), user.IdentityPublicKey, user.SealedIdentityKey));
    }

    /// <summary>The session as its owner sees it.</summary>
    public async Task<SessionView> DescribeAsync(SessionRecord session, UserAccount user, CancellationToken cancellationToken)
    {
        var keys = await db.Set<SecurityKeyCredential>().CountAsync(k => k.UserId == user.Id, cancellationToken);
        var codes = await db.Set<RecoveryCodeRecord>().CountAsync(c => c.UserId == user.Id, cancellationToken);
        var idleEnd = session.LastSeenAt + AssuranceLimits.Idle(session.Aal);
        return new SessionView(
            DescribeUser(user, keys, codes),
            session.Aal,
            session.AuthenticatedAt,
            session.StrongAuthenticatedAt,
            session.ExpiresAt,
            idleEnd < session.ExpiresAt ? idleEnd : session.ExpiresAt,
            session.CsrfToken,
            session.DeviceId);
    }

    private static UserView DescribeUser(UserAccount user, int securityKeys, int recoveryCodes) =>
        new(user.Id, user.Email, user.DisplayName, user.DelegationCode, RoleNames.ToNames(user.Roles), user.Status.ToString().ToLowerInvariant(),
            user.TotpSecret is not null, securityKeys, recoveryCodes);
}
