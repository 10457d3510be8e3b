using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Officers;
using Parley.Server.Identity.Sessions;
using Parley.Server.Ledger;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Policy.Engine;
using Parley.Server.Storage;

namespace Parley.Server.Identity.Clearances;

/// <summary>
/// Clearance certificates of a delegation (security officers): <c>/api/delegations/{code}/clearances</c>.
/// The server publishes a certificate only if an officer of the subject's own delegation signed it
/// for the subject's identity key; the issuance is ledgered with the certificate's hash.
/// </summary>
public static class ClearancesApi
{
    public static IEndpointRouteBuilder MapClearancesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/delegations/{code}/clearances").WithTags("Clearances");
        group.MapPost("", IssueAsync).RequiresPolicy(Actions.ManageClearances, Resources.Delegation("code"))
            .WithSummary("Publishes a clearance certificate signed by an officer of the delegation.");
        group.MapGet("", ListAsync).RequiresPolicy(Actions.Inspect, Resources.Delegation("code"))
            .WithSummary("The delegation's clearance certificates and their state.");
        group.MapPost("/{serial:guid}/revoke", RevokeAsync).RequiresPolicy(Actions.ManageClearances, Resources.Delegation("code"))
            .WithSummary("Revokes a clearance with a revocation signed by an officer.");
        return app;
    }

    private static async Task<Results<Created<ClearanceView>, ProblemHttpResult>> IssueAsync(
        string code, IssueClearanceRequest request, Caller caller, ParleyDbContext db, ClearanceCheck check, LedgerWriter ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        var delegation = await db.Set<DelegationRecord>().SingleAsync(d => d.Code == code, cancellationToken);
        var outcome = await check.CheckAsync(delegation, request.Certificate, cancellationToken);
        if (outcome.Refusal is not null) return Problems.Unacceptable(outcome.Refusal);
        var (certificate, subject, issuer) = (outcome.Certificate!, outcome.Subject!, outcome.Issuer!);
        var body = certificate.Body;
        if (await db.Set<ClearanceRecord>().AnyAsync(c => c.Serial == body.Serial, cancellationToken))
            return Problems.Conflict("A clearance with this serial exists already.");

        var hash = Convert.ToHexStringLower(certificate.Hash());
        var record = new ClearanceRecord
        {
            Serial = body.Serial,
            DelegationCode = code,
            SubjectUserId = subject.Id,
            IssuerUserId = issuer.User.Id,
            Roles = body.RoleSet,
            Level = body.Level,
            Compartments = string.Join(' ', body.Compartments),
            ValidFrom = DateTimeOffset.FromUnixTimeSeconds(body.ValidFrom),
            ValidUntil = DateTimeOffset.FromUnixTimeSeconds(body.ValidUntil),
            TrainingValidUntil = DateTimeOffset.FromUnixTimeSeconds(body.TrainingValidUntil),
            IssuedAt = time.GetUtcNow(),
            Certificate = certificate.Encode(),
            CertificateHash = hash,
        };
        db.Add(record);
        ledger.Record(LedgerEventType.ClearanceIssued, caller.User.Id, code, $"clearance:{record.Serial}",
            new LedgerField("subject", subject.Id.ToString()), new LedgerField("issuer", issuer.User.Id.ToString()),
            new LedgerField("certificate-hash", hash), new LedgerField("level", record.Level),
            new LedgerField("valid-until", body.ValidUntil.ToString(CultureInfo.InvariantCulture)));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/delegations/{code}/clearances/{record.Serial}", Views.Clearance(record, subject.Email, issuer.User.Email));
    }

    private static async Task<Ok<IReadOnlyList<ClearanceView>>> ListAsync(string code, ParleyDbContext db, CancellationToken cancellationToken)
    {
        var records = await db.Set<ClearanceRecord>().Where(c => c.DelegationCode == code).ToListAsync(cancellationToken);
        return TypedResults.Ok(await DescribeAsync(db, records, cancellationToken));
    }

    private static async Task<Results<Ok<ClearanceView>, ProblemHttpResult>> RevokeAsync(
        string code, Guid serial, RevokeRequest request, Caller caller, ParleyDbContext db, RevocationCheck revocations, LedgerWriter ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        var record = await db.Set<ClearanceRecord>().SingleOrDefaultAsync(c => c.Serial == serial && c.DelegationCode == code, cancellationToken);
        if (record is null) return Problems.NotFound("There is no such clearance in this delegation.");
        if (record.RevokedAt is not null) return Problems.Conflict("The clearance is revoked already.");
        var delegation = await db.Set<DelegationRecord>().SingleAsync(d => d.Code == code, cancellationToken);
        var checkedRevocation = await revocations.CheckAsync(request.Revocation, RevocationKind.Clearance, serial, delegation, owner: null, cancellationToken);
        if (checkedRevocation.Revocation is not { } revocation) return Problems.Unacceptable(checkedRevocation.Refusal!);

        record.RevokedAt = time.GetUtcNow();
        record.RevokedBy = caller.User.Id;
        record.Revocation = revocation.Encode();
        ledger.Record(LedgerEventType.ClearanceRevoked, caller.User.Id, code, $"clearance:{serial}",
            new LedgerField("subject", record.SubjectUserId.ToString()), new LedgerField("certificate-hash", record.CertificateHash),
            new LedgerField("revocation-hash", Convert.ToHexStringLower(revocation.Hash())));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok((await DescribeAsync(db, [record], cancellationToken))[0]);
    }

    internal static async Task<IReadOnlyList<ClearanceView>> DescribeAsync(ParleyDbContext db, List<ClearanceRecord> records, CancellationToken cancellationToken)
    {
        var ids = records.SelectMany(c => new[] { c.SubjectUserId, c.IssuerUserId }).Distinct().ToList();
        var emails = await db.Set<UserAccount>().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email, cancellationToken);
        return records.OrderByDescending(c => c.IssuedAt).Select(c => Views.Clearance(c, emails[c.SubjectUserId], emails[c.IssuerUserId])).ToList();
    }
}

/// <summary>A clearance certificate that may be published, with its subject and signing officer; or why not.</summary>
public sealed record CheckedClearance(Signed<ClearanceCertificate>? Certificate, UserAccount? Subject, Officer? Issuer, string? Refusal);

/// <summary>
/// The server's checks on a submitted clearance certificate: well-formed; for this delegation; for
/// a member of this delegation and that member's identity key; granting only roles the account has;
/// not expired; and signed by an officer of the delegation (see <see cref="OfficerAuthority"/>).
/// </summary>
public sealed class ClearanceCheck(ParleyDbContext db, Protocol.Crypto.CryptoSuite suite, OfficerAuthority officers, TimeProvider time)
{
    public async Task<CheckedClearance> CheckAsync(DelegationRecord delegation, byte[]? submitted, CancellationToken cancellationToken)
    {
        if (submitted is null) return Refuse("The clearance certificate is missing.");
        if (!Signed<ClearanceCertificate>.Decode(submitted).TryGetValue(out var certificate, out var error))
            return Refuse($"The clearance certificate is malformed: {error.Message}");
        var body = certificate.Body;
        if (body.Delegation != delegation.Code)
            return Refuse($"The certificate is for delegation {body.Delegation}; an officer of {delegation.Code} certifies only {delegation.Code}'s members.");
        var subject = await db.Set<UserAccount>().SingleOrDefaultAsync(u => u.Id == body.SubjectUserId, cancellationToken);
        if (subject is null || subject.DelegationCode != delegation.Code)
            return Refuse($"The subject is not a member of {delegation.Code}: an officer certifies only their own delegation's members.");
        if (!CryptographicOperations.FixedTimeEquals(body.SubjectFingerprint, SHA256.HashData(subject.IdentityPublicKey)))
            return Refuse("The certificate names an identity key that is not the subject's.");
        if ((body.RoleSet & ~subject.Roles) != Roles.None)
            return Refuse($"The certificate grants roles the account does not hold ({string.Join(", ", RoleNames.ToNames(body.RoleSet & ~subject.Roles))}).");
        if (body.ValidUntil <= time.GetUtcNow().ToUnixTimeSeconds())
            return Refuse($"The certificate expired on {DateTimeOffset.FromUnixTimeSeconds(body.ValidUntil):u}.");
        if (body.Level.Trim().Length == 0) return Refuse("The certificate names no clearance level.");

        var (officer, refusal) = await officers.FindAsync(delegation, certificate.SignerFingerprint, cancellationToken);
        if (officer is null) return Refuse(refusal!);
        if (!await certificate.VerifyAsync(suite, officer.Key, cancellationToken))
            return Refuse("The certificate's signature does not verify: it was forged or altered.");
        return new CheckedClearance(certificate, subject, officer, null);
    }

    private static CheckedClearance Refuse(string reason) => new(null, null, null, reason);
}
