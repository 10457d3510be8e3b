using System.Text.Json;
using Fido2NetLib;
using Fido2NetLib.Objects;
using Microsoft.EntityFrameworkCore;
using Parley.Server.Identity.Model;
using Parley.Server.Storage;

namespace Parley.Server.Identity.Mfa;

/// <summary>A finished ceremony: the credential, or why it was refused.</summary>
public sealed record WebAuthnOutcome(SecurityKeyCredential? Credential, string? Error);

/// <summary>
/// WebAuthn registration and assertion with Fido2. The options sent to the browser are kept in the
/// database (bound to the user, the purpose and, when there is one, the session) for five minutes and
/// used once. The relying party id is the request's host and the only accepted origin is the
/// request's origin.
/// </summary>
public sealed class WebAuthnCeremonies(ParleyDbContext db, TimeProvider time)
{
    private static readonly TimeSpan ChallengeLifetime = TimeSpan.FromMinutes(5);

    /// <summary>Options for navigator.credentials.create(); existing keys are excluded. The caller saves.</summary>
    public async Task<JsonElement> RegistrationOptionsAsync(HttpContext http, UserAccount user, SessionRecord session, CancellationToken cancellationToken)
    {
        var existing = await db.Set<SecurityKeyCredential>().Where(k => k.UserId == user.Id).Select(k => k.CredentialId).ToListAsync(cancellationToken);
        var options = Relying(http).RequestNewCredential(new RequestNewCredentialParams
        {
            User = new Fido2User { Id = user.Id.ToByteArray(bigEndian: true), Name = user.Email, DisplayName = user.DisplayName },
            ExcludeCredentials = existing.Select(id => new PublicKeyCredentialDescriptor(id)).ToList(),
            AuthenticatorSelection = new AuthenticatorSelection { ResidentKey = ResidentKeyRequirement.Preferred, UserVerification = UserVerificationRequirement.Preferred },
            AttestationPreference = AttestationConveyancePreference.None,
        });
        var json = options.ToJson();
        await StoreAsync(user.Id, session.Id, WebAuthnPurpose.Register, json, cancellationToken);
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    /// <summary>Verifies the browser's attestation against the stored options; the caller saves.</summary>
    public async Task<WebAuthnOutcome> RegisterAsync(HttpContext http, UserAccount user, SessionRecord session, string name, JsonElement attestation, CancellationToken cancellationToken)
    {
        var json = await TakeAsync(user.Id, session.Id, WebAuthnPurpose.Register, cancellationToken);
        if (json is null) return new WebAuthnOutcome(null, "No security key registration is in progress, or it expired; ask for new options.");
        AuthenticatorAttestationRawResponse? raw;
        try
        {
            raw = attestation.Deserialize<AuthenticatorAttestationRawResponse>();
        }
        catch (JsonException)
        {
            raw = null;
        }
        if (raw?.Response is null) return new WebAuthnOutcome(null, "The attestation is not a PublicKeyCredential in JSON form.");
        try
        {
            var created = await Relying(http).MakeNewCredentialAsync(new MakeNewCredentialParams
            {
                AttestationResponse = raw,
                OriginalOptions = CredentialCreateOptions.FromJson(json),
                IsCredentialIdUniqueToUserCallback = async (p, ct) => !await db.Set<SecurityKeyCredential>().AnyAsync(k => k.CredentialId == p.CredentialId, ct),
            }, cancellationToken);
            var credential = new SecurityKeyCredential
            {
                Id = Guid.NewGuid(),
                UserId = user.Id,
                Name = name,
                CredentialId = created.Id,
                PublicKey = created.PublicKey,
                SignCount = created.SignCount,
                UserHandle = created.User.Id,
                AaGuid = created.AaGuid,
                CreatedAt = time.GetUtcNow(),
            };
            db.Add(credential);
            return new WebAuthnOutcome(credential, null);
        }
        catch (Fido2VerificationException e)
        {
            return new WebAuthnOutcome(null, $"The security key's attestation was refused: {e.Message}");
        }
    }

    /// <summary>Options for navigator.credentials.get() over the user's keys, or null when they have none. The caller saves.</summary>
    public async Task<JsonElement?> AssertionOptionsAsync(HttpContext http, UserAccount user, WebAuthnPurpose purpose, Guid? sessionId, CancellationToken cancellationToken)
    {
        var keys = await db.Set<SecurityKeyCredential>().Where(k => k.UserId == user.Id).Select(k => k.CredentialId).ToListAsync(cancellationToken);
        if (keys.Count == 0) return null;
        var options = Relying(http).GetAssertionOptions(new GetAssertionOptionsParams
        {
            AllowedCredentials = keys.Select(id => new PublicKeyCredentialDescriptor(id)).ToList(),
            UserVerification = UserVerificationRequirement.Preferred,
        });
        var json = options.ToJson();
        await StoreAsync(user.Id, sessionId, purpose, json, cancellationToken);
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    /// <summary>Verifies an assertion against the stored options and the key's signature counter; the caller saves.</summary>
    public async Task<WebAuthnOutcome> VerifyAssertionAsync(HttpContext http, UserAccount user, WebAuthnPurpose purpose, Guid? sessionId, JsonElement assertion, CancellationToken cancellationToken)
    {
        var json = await TakeAsync(user.Id, sessionId, purpose, cancellationToken);
        if (json is null) return new WebAuthnOutcome(null, "No security key challenge is pending, or it expired; ask for new options.");
        AuthenticatorAssertionRawResponse? raw;
        try
        {
            raw = assertion.Deserialize<AuthenticatorAssertionRawResponse>();
        }
        catch (JsonException)
        {
            raw = null;
        }
        if (raw?.Response is null || raw.RawId is null) return new WebAuthnOutcome(null, "The assertion is not a PublicKeyCredential in JSON form.");
        var credentials = await db.Set<SecurityKeyCredential>().Where(k => k.UserId == user.Id).ToListAsync(cancellationToken);
        var key = credentials.FirstOrDefault(k => k.CredentialId.AsSpan().SequenceEqual(raw.RawId));
        if (key is null) return new WebAuthnOutcome(null, "The security key is not registered to this account.");
        try
        {
            var verified = await Relying(http).MakeAssertionAsync(new MakeAssertionParams
            {
                AssertionResponse = raw,
                OriginalOptions = AssertionOptions.FromJson(json),
                StoredPublicKey = key.PublicKey,
                StoredSignatureCounter = (uint)key.SignCount,
                IsUserHandleOwnerOfCredentialIdCallback = (p, _) => Task.FromResult(p.UserHandle is null || p.UserHandle.AsSpan().SequenceEqual(key.UserHandle)),
            }, cancellationToken);
            if (!SignCounter.Accepts(key.SignCount, verified.SignCount))
                return new WebAuthnOutcome(null, "The security key's signature counter went backwards: it may have been cloned.");
            key.SignCount = verified.SignCount;
            key.LastUsedAt = time.GetUtcNow();
            return new WebAuthnOutcome(key, null);
        }
        catch (Fido2VerificationException e)
        {
            return new WebAuthnOutcome(null, $"The security key's assertion was refused: {e.Message}");
        }
    }

    private static Fido2 Relying(HttpContext http)
    {
        var origin = $"{http.Request.Scheme}://{http.Request.Host}";
        return new Fido2(new Fido2Configuration
        {
            RPID = http.Request.Host.Host,
            RPName = "Parley",
            Origins = new HashSet<string>(StringComparer.Ordinal) { origin },
        }, metadataService: null);
    }

    private async Task StoreAsync(Guid userId, Guid? sessionId, WebAuthnPurpose purpose, string json, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // One pending ceremony per user, purpose and session; stale ones of any user go too.
        await db.Set<WebAuthnChallenge>().Where(c => (c.UserId == userId && c.Purpose == purpose && c.SessionId == sessionId)).ExecuteDeleteAsync(cancellationToken);
        await db.Set<WebAuthnChallenge>().Where(c => c.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        db.Add(new WebAuthnChallenge { Id = Guid.NewGuid(), UserId = userId, SessionId = sessionId, Purpose = purpose, OptionsJson = json, ExpiresAt = now + ChallengeLifetime });
    }

    private async Task<string?> TakeAsync(Guid userId, Guid? sessionId, WebAuthnPurpose purpose, CancellationToken cancellationToken)
    {
        var challenge = await db.Set<WebAuthnChallenge>().SingleOrDefaultAsync(c => c.UserId == userId && c.Purpose == purpose && c.SessionId == sessionId, cancellationToken);
        if (challenge is null) return null;
        db.Remove(challenge);
        return challenge.ExpiresAt > time.GetUtcNow() ? challenge.OptionsJson : null;
    }
}

/// <summary>WebAuthn signature counters: a counter that does not increase, when either side is non-zero, betrays a cloned authenticator.</summary>
public static class SignCounter
{
    public static bool Accepts(long stored, long presented) => (stored == 0 && presented == 0) || presented > stored;
}
