using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Protocol.Identity;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Security;
using Parley.Server.Storage;

namespace Parley.Server.Identity.Sessions;

/// <summary>Claim types set by <see cref="SessionAuthenticationHandler"/>.</summary>
public static class IdentityClaims
{
    public const string UserId = "parley:user";
    public const string SessionId = "parley:session";
    public const string Delegation = "parley:delegation";
    public const string Aal = "parley:aal";
    public const string AuthenticatedAt = "parley:authenticated-at";
}

/// <summary>
/// Accepts the session cookie (web client) or <c>Authorization: Bearer</c> (CLI), refuses sessions
/// past their absolute or idle end and accounts that are not active, slides the idle end, and
/// exposes the user, roles, delegation and assurance level as claims.
/// </summary>
public sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ParleyDbContext db,
    TimeProvider clock) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ParleySession";

    /// <summary>Why the presented session was refused, for the 401 answer (ASP.NET Core keeps only successful results).</summary>
    public static string? FailureOf(HttpContext context) => context.Items[FailureKey] as string;

    private static readonly object FailureKey = new();

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = BearerToken() ?? Request.Cookies[SessionCookie.Name];
        if (string.IsNullOrEmpty(token) || token.Length > 100) return AuthenticateResult.NoResult();

        var hash = Tokens.Hash(token);
        var session = await db.Set<SessionRecord>().SingleOrDefaultAsync(s => s.TokenHash == hash, Context.RequestAborted);
        if (session is null) return Fail("The session does not exist or has ended; sign in again.");
        var now = clock.GetUtcNow();
        if (now >= session.ExpiresAt || now >= session.LastSeenAt + AssuranceLimits.Idle(session.Aal))
        {
            db.Remove(session);
            await db.SaveChangesAsync(Context.RequestAborted);
            return Fail("The session has expired; sign in again.");
        }
        // A suspended account keeps its session so that it can be told why: the policy refuses
        // everything but seeing and ending the session (forbid.account-suspended).
        var user = await db.Set<UserAccount>().SingleAsync(u => u.Id == session.UserId, Context.RequestAborted);

        session.LastSeenAt = now;
        await db.SaveChangesAsync(Context.RequestAborted);
        Context.Features.Set(new Caller(session, user));

        var claims = new List<Claim>
        {
            new(IdentityClaims.UserId, user.Id.ToString()),
            new(IdentityClaims.SessionId, session.Id.ToString()),
            new(IdentityClaims.Aal, session.Aal),
            new(IdentityClaims.AuthenticatedAt, session.AuthenticatedAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        if (user.DelegationCode is not null) claims.Add(new Claim(IdentityClaims.Delegation, user.DelegationCode));
        claims.AddRange(RoleNames.ToNames(user.Roles).Select(r => new Claim(ClaimTypes.Role, r)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, IdentityClaims.UserId, ClaimTypes.Role));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    private AuthenticateResult Fail(string reason)
    {
        Context.Items[FailureKey] = reason;
        return AuthenticateResult.Fail(reason);
    }

    private string? BearerToken()
    {
        var header = Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}
