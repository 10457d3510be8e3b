using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Identity;
using Parley.Server.Identity.Mfa;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Security;
using Parley.Server.Identity.SignIn;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Storage;

namespace Parley.Server.Identity.Enrollment;

/// <summary>The enrollee's side: <c>POST /api/enroll/begin</c> and <c>/api/enroll/complete</c>, authorised by the link's token alone.</summary>
public static class EnrollApi
{
    public static IEndpointRouteBuilder MapEnrollApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/enroll").WithTags("Enrollment").Public("An enrollment link's one-time token authorises the enrollee, who has no account yet.");
        group.MapPost("/begin", BeginAsync).LimitPerAddress(AttemptLimit.EnrollPerAddress)
            .WithSummary("Opens an enrollment: user id, roles, delegation, a TOTP secret and suggested KDF parameters.");
        group.MapPost("/complete", CompleteAsync).LimitPerAddress(AttemptLimit.EnrollPerAddress)
            .WithSummary("Creates the account from client-made keys; returns the first session and ten recovery codes.");
        return app;
    }

    private static async Task<Results<Ok<EnrollBeginResponse>, ProblemHttpResult>> BeginAsync(
        EnrollBeginRequest request, ParleyDbContext db, AtRestCipher cipher, EnrollmentTokens tokens, CancellationToken cancellationToken)
    {
        var found = await tokens.FindUsableAsync(request.Token, cancellationToken);
        if (found.Problem is not null) return found.Problem;
        var enrollment = found.Enrollment!;
        if (enrollment.CreatedBy is null)
        {
            // The bootstrap token: the host administrator names their address when opening it.
            if (request.Email is not null && !Emails.IsPlausible(request.Email)) return Problems.BadRequest("Give the host administrator's email address.");
            if (request.Email is not null) enrollment.Email = request.Email.Trim();
            if (!Emails.IsPlausible(enrollment.Email)) return Problems.BadRequest("The bootstrap token needs the host administrator's email address (EnrollBeginRequest.Email).");
            await db.SaveChangesAsync(cancellationToken);
        }
        // The same secret on every opening of the link, so an authenticator that scanned it once stays right.
        byte[] secret;
        if (enrollment.TotpSecret is null)
        {
            secret = TotpAuthenticator.NewSecret();
            enrollment.TotpSecret = cipher.Seal(secret, enrollment.UserId);
            await db.SaveChangesAsync(cancellationToken);
        }
        else
        {
            secret = cipher.Open(enrollment.TotpSecret, enrollment.UserId) ?? throw new InvalidOperationException("An enrollment's TOTP secret does not open with the server's key.");
        }
        DelegationView? delegation = null;
        if (enrollment.DelegationCode is not null)
            delegation = Views.Delegation(await db.Set<DelegationRecord>().SingleAsync(d => d.Code == enrollment.DelegationCode, cancellationToken));
        return TypedResults.Ok(new EnrollBeginResponse(enrollment.UserId, enrollment.Email, RoleNames.ToNames(enrollment.Roles), delegation,
            TotpAuthenticator.Describe(secret, enrollment.Email), KdfParameters.CreateDefault()));
    }

    private static async Task<Results<Ok<EnrollCompleteResponse>, ProblemHttpResult>> CompleteAsync(
        EnrollCompleteRequest request, HttpContext http, EnrollmentTokens tokens, EnrollmentCompletion completion, CancellationToken cancellationToken)
    {
        var found = await tokens.FindUsableAsync(request.Token, cancellationToken);
        if (found.Problem is not null) return found.Problem;
        return await completion.CompleteAsync(http, found.Enrollment!, request, cancellationToken);
    }
}

/// <summary>An enrollment that can be used now, or the problem to answer.</summary>
public sealed record UsableEnrollment(EnrollmentRecord? Enrollment, ProblemHttpResult? Problem);

/// <summary>Looks up enrollment links by token.</summary>
public sealed class EnrollmentTokens(ParleyDbContext db, TimeProvider time)
{
    public async Task<UsableEnrollment> FindUsableAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 100) return new(null, Problems.NotFound("There is no such enrollment link."));
        var hash = Tokens.Hash(token.Trim());
        var enrollment = await db.Set<EnrollmentRecord>().SingleOrDefaultAsync(e => e.TokenHash == hash, cancellationToken);
        if (enrollment is null) return new(null, Problems.NotFound("There is no such enrollment link."));
        var status = Views.EnrollmentStatus(enrollment, time.GetUtcNow());
        return status == "pending"
            ? new(enrollment, null)
            : new(null, Problems.Gone($"This enrollment link is {status}; ask for a new one."));
    }
}
