using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Officers;
using Parley.Server.Identity.Sessions;
using Parley.Server.Ledger;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Policy.Engine;
using Parley.Server.Storage;

namespace Parley.Server.Identity.Devices;

/// <summary>
/// Devices: a signed-in member registers the certificate their identity key signed for this device;
/// users list and revoke their devices; a security officer lists and revokes the delegation's. Every
/// registration is ledgered with the certificate's hash (key transparency).
/// </summary>
public static class DevicesApi
{
    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder app)
    {
        var mine = app.MapGroup("/api/devices").WithTags("Devices");
        mine.MapPost("", RegisterAsync).RequiresPolicy(Actions.RegisterDevice, Resources.Self)
            .WithSummary("Registers this device's certificate, signed by the user's identity key.");
        mine.MapGet("", ListMineAsync).RequiresPolicy(Actions.ListDevices, Resources.Self)
            .WithSummary("The signed-in user's devices.");
        mine.MapPost("/{id:guid}/revoke", RevokeAsync).RequiresPolicy(Actions.RevokeDevice, Resources.Device("id"))
            .WithSummary("Revokes a device with a signed revocation (its user, or an officer of the delegation).");
        app.MapGet("/api/delegations/{code}/devices", ListDelegationAsync).WithTags("Devices")
            .RequiresPolicy(Actions.Inspect, Resources.Delegation("code")).WithSummary("Every device of the delegation's members (its officers and auditors).");
        return app;
    }

    private static async Task<Results<Created<DeviceView>, ProblemHttpResult>> RegisterAsync(
        RegisterDeviceRequest request, Caller caller, ParleyDbContext db, CryptoSuite suite, LedgerWriter ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        if (request.Certificate is null) return Problems.Unacceptable("The device certificate is missing.");
        if (!Signed<DeviceCertificate>.Decode(request.Certificate).TryGetValue(out var certificate, out var error))
            return Problems.Unacceptable($"The device certificate is malformed: {error.Message}");
        var body = certificate.Body;
        var user = caller.User;
        var identityKey = CompositePublicKey.Decode(user.IdentityPublicKey).Value;
        if (body.UserId != user.Id || !CryptographicOperations.FixedTimeEquals(body.IdentityFingerprint, identityKey.Fingerprint()))
            return Problems.Unacceptable("The device certificate names another user or identity key.");
        if (!await certificate.VerifyAsync(suite, identityKey, cancellationToken))
            return Problems.Unacceptable("The device certificate is not signed by your identity key.");
        var now = time.GetUtcNow();
        if (body.IssuedAt > now.ToUnixTimeSeconds() + TrustVerifier.ClockSkewSeconds)
            return Problems.Unacceptable("The device certificate is dated in the future; check the device's clock.");
        if (body.DeviceName.Trim().Length == 0) return Problems.Unacceptable("Name the device.");
        if (!HybridKemPublicKey.Decode(body.KemPublicKey).IsOk || !P384.IsValidPublicKey(body.SigningPublicKey))
            return Problems.Unacceptable("The device certificate carries an invalid public key.");
        if (await db.Set<DeviceRecord>().AnyAsync(d => d.Id == body.DeviceId, cancellationToken))
            return Problems.Conflict("A device with this id is registered already.");

        var hash = Convert.ToHexStringLower(certificate.Hash());
        var device = new DeviceRecord { Id = body.DeviceId, UserId = user.Id, Name = body.DeviceName, Certificate = certificate.Encode(), CertificateHash = hash, RegisteredAt = now, LastSeenAt = now };
        db.Add(device);
        ledger.Record(LedgerEventType.DeviceRegistered, user.Id, user.DelegationCode, $"device:{device.Id}",
            new LedgerField("user", user.Id.ToString()), new LedgerField("certificate-hash", hash),
            new LedgerField("kem-key-hash", LedgerEntry.HashOf(body.KemPublicKey)), new LedgerField("signing-key-hash", LedgerEntry.HashOf(body.SigningPublicKey)));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/devices/{device.Id}", Views.Device(device, null));
    }

    private static async Task<Ok<IReadOnlyList<DeviceView>>> ListMineAsync(Caller caller, ParleyDbContext db, CancellationToken cancellationToken)
    {
        var devices = await db.Set<DeviceRecord>().Where(d => d.UserId == caller.User.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(await DescribeAsync(db, devices, cancellationToken));
    }

    private static async Task<Ok<IReadOnlyList<DeviceView>>> ListDelegationAsync(string code, ParleyDbContext db, CancellationToken cancellationToken)
    {
        var members = db.Set<UserAccount>().Where(u => u.DelegationCode == code).Select(u => u.Id);
        var devices = await db.Set<DeviceRecord>().Where(d => members.Contains(d.UserId)).ToListAsync(cancellationToken);
        return TypedResults.Ok(await DescribeAsync(db, devices, cancellationToken));
    }

    private static async Task<Results<Ok<DeviceView>, ProblemHttpResult>> RevokeAsync(
        Guid id, RevokeRequest request, Caller caller, ParleyDbContext db,
        RevocationCheck revocations, LedgerWriter ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        var device = await db.Set<DeviceRecord>().SingleAsync(d => d.Id == id, cancellationToken);
        var owner = await db.Set<UserAccount>().SingleAsync(u => u.Id == device.UserId, cancellationToken);
        if (owner.DelegationCode is null) return Problems.NotFound("There is no such device that you may manage.");
        if (device.RevokedAt is not null) return Problems.Conflict("The device is revoked already.");

        var delegation = await db.Set<DelegationRecord>().SingleAsync(d => d.Code == owner.DelegationCode, cancellationToken);
        var checkedRevocation = await revocations.CheckAsync(request.Revocation, RevocationKind.Device, device.Id, delegation, owner, cancellationToken);
        if (checkedRevocation.Revocation is not { } revocation) return Problems.Unacceptable(checkedRevocation.Refusal!);

        device.RevokedAt = time.GetUtcNow();
        device.RevokedBy = caller.User.Id;
        device.Revocation = revocation.Encode();
        ledger.Record(LedgerEventType.DeviceRevoked, caller.User.Id, owner.DelegationCode, $"device:{device.Id}",
            new LedgerField("user", owner.Id.ToString()), new LedgerField("certificate-hash", device.CertificateHash),
            new LedgerField("revocation-hash", Convert.ToHexStringLower(revocation.Hash())));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(Views.Device(device, caller.User.Email));
    }

    private static async Task<IReadOnlyList<DeviceView>> DescribeAsync(ParleyDbContext db, List<DeviceRecord> devices, CancellationToken cancellationToken)
    {
        var revokers = devices.Where(d => d.RevokedBy is not null).Select(d => d.RevokedBy!.Value).Distinct().ToList();
        var emails = await db.Set<UserAccount>().Where(u => revokers.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email, cancellationToken);
        return devices.OrderBy(d => d.RegisteredAt).Select(d => Views.Device(d, d.RevokedBy is { } by ? emails.GetValueOrDefault(by) : null)).ToList();
    }
}
