using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;
using Parley.Server.Identity.Mfa;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Security;
using Parley.Server.Identity.SignIn;
using Parley.Server.Identity.Sessions;
using Parley.Server.Ledger;
using Parley.Server.Storage;

namespace Parley.Server.Identity.Enrollment;

/// <summary>
/// Turns a valid enrollment and the client's keys into an account: checks the first TOTP code, the
/// public key, the KDF parameters and, for a delegation's first security officer, the self-signed
/// delegation root; then creates the account, its recovery codes and first session, and records it,
/// all in one unit of work.
/// </summary>
public sealed class EnrollmentCompletion(
    ParleyDbContext db, CryptoSuite suite, AtRestCipher cipher, TotpAuthenticator totp, SecondFactors factors,
    SessionIssuer sessions, LedgerWriter ledger, BootstrapToken bootstrap, TimeProvider time)
{
    private const int MaxSealedKeySize = 16 * 1024;

    public async Task<Results<Ok<EnrollCompleteResponse>, ProblemHttpResult>> CompleteAsync(HttpContext http, EnrollmentRecord enrollment, EnrollCompleteRequest request, CancellationToken cancellationToken)
    {
        var displayName = request.DisplayName?.Trim() ?? "";
        if (displayName.Length is 0 or > 100) return Problems.BadRequest("Give a display name (1 to 100 characters).");
        if (request.Kdf is null) return Problems.BadRequest("Give the KDF parameters.");
        if (request.Kdf.Validate() is { } kdfError) return Problems.BadRequest(kdfError.Message);
        if (request.AuthSecret is not { Length: PasswordKeys.AuthSecretSize }) return Problems.BadRequest($"The authentication secret is {PasswordKeys.AuthSecretSize} bytes.");
        if (!CompositePublicKey.Decode(request.IdentityPublicKey ?? []).TryGetValue(out var identityKey, out var keyError))
            return Problems.BadRequest($"The identity public key is not valid: {keyError.Message}");
        if (request.SealedIdentityKey is not { Length: > SealedBox.Overhead and <= MaxSealedKeySize })
            return Problems.BadRequest("The sealed identity key is missing or too large.");

        var secret = enrollment.TotpSecret is null ? null : cipher.Open(enrollment.TotpSecret, enrollment.UserId);
        if (secret is null) return Problems.BadRequest("Open the enrollment (POST /api/enroll/begin) before completing it.");
        var step = totp.Verify(secret, request.TotpCode, lastAcceptedStep: -1);
        CryptographicOperations.ZeroMemory(secret);
        if (step is null) return Problems.BadRequest("The TOTP code is wrong; check the authenticator app's clock and give the current code.");

        var normalized = Emails.Normalize(enrollment.Email);
        if (await db.Set<UserAccount>().AnyAsync(u => u.NormalizedEmail == normalized, cancellationToken))
            return Problems.Conflict("An account with this email address exists already.");

        DelegationRecord? delegation = null;
        if (enrollment.DelegationCode is not null)
        {
            delegation = await db.Set<DelegationRecord>().SingleAsync(d => d.Code == enrollment.DelegationCode, cancellationToken);
            var rootProblem = await AcceptRootAsync(delegation, enrollment, identityKey, request.DelegationRoot, cancellationToken);
            if (rootProblem is not null) return rootProblem;
        }
        else if (request.DelegationRoot is not null)
        {
            return Problems.BadRequest("Only a delegation's first security officer submits a delegation root.");
        }

        var now = time.GetUtcNow();
        var salt = AuthSecretHasher.NewSalt();
        var user = new UserAccount
        {
            Id = enrollment.UserId,
            Email = enrollment.Email,
            NormalizedEmail = normalized,
            DisplayName = displayName,
            DelegationCode = enrollment.DelegationCode,
            Roles = enrollment.Roles,
            Status = AccountStatus.Active,
            AuthSalt = salt,
            AuthHash = AuthSecretHasher.Hash(request.AuthSecret, salt),
            KdfMemoryKiB = request.Kdf.MemoryKiB,
            KdfIterations = request.Kdf.Iterations,
            KdfParallelism = request.Kdf.Parallelism,
            KdfSalt = request.Kdf.Salt,
            IdentityPublicKey = identityKey.Encode(),
            SealedIdentityKey = request.SealedIdentityKey,
            TotpSecret = enrollment.TotpSecret,
            TotpLastStep = step.Value,
            CreatedAt = now,
            LastSignInAt = now,
        };
        db.Add(user);
        enrollment.UsedAt = now;
        enrollment.TotpSecret = null;

        var fingerprint = Convert.ToHexStringLower(identityKey.Fingerprint());
        ledger.Record(LedgerEventType.EnrollmentCompleted, user.Id, user.DelegationCode, $"user:{user.Id}",
            new LedgerField("enrollment", enrollment.Id.ToString()), new LedgerField("email-hmac", ledger.Hmac(user.Email)),
            new LedgerField("roles", string.Join(",", RoleNames.ToNames(user.Roles))), new LedgerField("identity-key", fingerprint));
        ledger.Record(LedgerEventType.TotpEnrolled, user.Id, user.DelegationCode, $"user:{user.Id}");
        if (enrollment.CreatedBy is null)
            ledger.Record(LedgerEventType.BootstrapCompleted, user.Id, null, $"user:{user.Id}", new LedgerField("email-hmac", ledger.Hmac(user.Email)));
        var codes = await factors.IssueRecoveryCodesAsync(user, now, cancellationToken);
        var (session, token) = await sessions.OpenAsync(user, request.Client, AssuranceLevels.Aal2, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);

        if (enrollment.CreatedBy is null) bootstrap.Consumed();
        var login = await sessions.RespondAsync(http, session, token, user, cancellationToken);
        return TypedResults.Ok(new EnrollCompleteResponse(login, codes));
    }

    // The first security officer of a delegation signs its root with the key being enrolled; nobody
    // else may submit one, and a delegation without a root enrolls no one else.
    private async Task<ProblemHttpResult?> AcceptRootAsync(DelegationRecord delegation, EnrollmentRecord enrollment, CompositePublicKey identityKey, byte[]? submitted, CancellationToken cancellationToken)
    {
        var firstOfficer = delegation.RootEnvelope is null && enrollment.Roles.HasFlag(Roles.SecurityOfficer);
        if (!firstOfficer)
        {
            if (submitted is not null) return Problems.BadRequest($"Delegation {delegation.Code} has its root already; do not submit another.");
            if (delegation.RootEnvelope is null) return Problems.Conflict($"Delegation {delegation.Code} has no security officer yet; its first officer must enroll first.");
            return null;
        }
        if (submitted is null) return Problems.BadRequest($"As the first security officer of {delegation.Code}, sign and submit the delegation root.");
        if (!Signed<DelegationRoot>.Decode(submitted).TryGetValue(out var root, out var error))
            return Problems.Unacceptable($"The delegation root is malformed: {error.Message}");
        var body = root.Body;
        if (body.Code != delegation.Code || body.Name != delegation.Name)
            return Problems.Unacceptable($"The root names delegation {body.Code} ({body.Name}), not {delegation.Code} ({delegation.Name}).");
        if (body.OfficerUserId != enrollment.UserId)
            return Problems.Unacceptable("The root names another user as its officer.");
        if (!CryptographicOperations.FixedTimeEquals(body.OfficerPublicKey, identityKey.Encode()))
            return Problems.Unacceptable("The root's officer key is not the identity key being enrolled.");
        if (!await root.VerifyAsync(suite, identityKey, cancellationToken))
            return Problems.Unacceptable("The delegation root's signature does not verify with the enrolled identity key.");

        delegation.RootEnvelope = root.Encode();
        delegation.RootFingerprint = Convert.ToHexStringLower(identityKey.Fingerprint());
        ledger.Record(LedgerEventType.DelegationRootPublished, enrollment.UserId, delegation.Code, $"delegation:{delegation.Code}",
            new LedgerField("root-hash", Convert.ToHexStringLower(root.Hash())), new LedgerField("officer-key", delegation.RootFingerprint));
        return null;
    }
}
