using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;
using Parley.Server.Identity;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Sessions;
using Parley.Server.Ledger;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Storage;

namespace Parley.Server.Policy.Binding;

/// <summary>
/// Device binding: a session proves it runs on one of the user's certified, unrevoked devices by
/// signing a one-time, session-bound challenge with the device's P-384 key; the server checks the
/// signature with the key in the device certificate. Content actions need a bound session
/// (<c>forbid.device-not-bound</c>), and stop when the device is revoked (<c>forbid.device-revoked</c>).
/// </summary>
public static class DeviceBindingApi
{
    public static readonly TimeSpan ChallengeLifetime = TimeSpan.FromMinutes(5);

    public static IEndpointRouteBuilder MapDeviceBindingApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth/device-binding").WithTags("Authentication").RequiresPolicy(Actions.BindDevice, Resources.Self);
        group.MapPost("/challenge", ChallengeAsync).WithSummary("A one-time challenge (5 minutes) for this session's device to sign.");
        group.MapPost("", BindAsync).WithSummary("Binds this session to a device with the device's signature of the challenge.");
        return app;
    }

    private static async Task<Results<Ok<DeviceBindingChallenge>, ProblemHttpResult>> ChallengeAsync(Caller caller, ParleyDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var session = caller.Session;
        if (session.DeviceId is not null) return Problems.Conflict("This session is bound to a device already.");
        session.BindingChallenge = RandomNumberGenerator.GetBytes(DeviceBinding.ChallengeSize);
        session.BindingChallengeExpiresAt = time.GetUtcNow() + ChallengeLifetime;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new DeviceBindingChallenge(session.BindingChallenge, session.BindingChallengeExpiresAt.Value));
    }

    private static async Task<Results<Ok<SessionView>, ProblemHttpResult>> BindAsync(
        BindDeviceRequest request, Caller caller, ParleyDbContext db, CryptoSuite suite, SessionIssuer sessions, LedgerWriter ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        var session = caller.Session;
        if (request.Signature is null) return Problems.BadRequest("Give the device's signature of the challenge.");
        if (session.DeviceId is not null) return Problems.Conflict("This session is bound to a device already.");
        var challenge = session.BindingChallenge;
        var now = time.GetUtcNow();
        if (challenge is null || session.BindingChallengeExpiresAt is not { } expires || expires <= now)
            return Problems.Conflict("There is no current challenge for this session; ask for one (POST /api/auth/device-binding/challenge) and sign it within 5 minutes.");
        // One attempt per challenge, whatever its outcome.
        session.BindingChallenge = null;
        session.BindingChallengeExpiresAt = null;
        await db.SaveChangesAsync(cancellationToken);

        var device = await db.Set<DeviceRecord>().SingleOrDefaultAsync(d => d.Id == request.DeviceId && d.UserId == caller.User.Id, cancellationToken);
        if (device is null) return Problems.Unacceptable("That is not one of your registered devices.");
        if (device.RevokedAt is not null) return Problems.Unacceptable($"Device {device.Name} was revoked; register this device again.");
        var certificate = Signed<DeviceCertificate>.Decode(device.Certificate).Value.Body;
        var message = DeviceBinding.Message(challenge, caller.User.Id, device.Id).Value;
        if (!await suite.Backend.P384VerifyAsync(certificate.SigningPublicKey, message, request.Signature, cancellationToken))
            return Problems.Unacceptable("The device's signature of the challenge does not verify.");

        session.DeviceId = device.Id;
        session.DeviceBoundAt = now;
        device.LastSeenAt = now;
        ledger.Record(LedgerEventType.SessionBoundToDevice, caller.User.Id, caller.User.DelegationCode, $"device:{device.Id}",
            new LedgerField("session", session.Id.ToString()), new LedgerField("certificate-hash", device.CertificateHash));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(await sessions.DescribeAsync(session, caller.User, cancellationToken));
    }
}
