using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;
using Parley.Protocol.Rooms;
using Parley.Server.Identity;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Sessions;
using Parley.Server.Ledger;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Rooms.Access;
using Parley.Server.Rooms.Delivery;
using Parley.Server.Rooms.Management;
using Parley.Server.Rooms.Model;
using Parley.Server.Storage;

namespace Parley.Server.Rooms.Log;

/// <summary>
/// Publishing an epoch: a signed roster and one key package per other member device, accepted only if
/// it extends the current epoch (compare-and-set on the epoch number and the previous roster hash; the
/// loser gets 409 with the winner). The server checks what it can without keys: the roster is for this
/// room, label and parties; its creator is the caller's bound device and signed it; every device in it
/// is a current, unrevoked device of a current, cleared member, with the certificate the roster names;
/// and every package is for exactly one of those devices, from the creator, for this roster. Clients
/// check everything again (docs/PROTOCOL.md §12.6).
/// </summary>
public static class EpochsApi
{
    public static IEndpointRouteBuilder MapRoomEpochs(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/rooms/{id}/epochs", PublishAsync).WithTags("Rooms")
            .RequiresPolicy(Actions.Write, Resources.Of(RoomResolver.Kind, fromRoute: "id"), RoomContextSources.RosterLabel)
            .WithSummary("Publishes the next epoch (roster and key packages) if it extends the current one; 409 with the current epoch otherwise.");
        return app;
    }

    private static async Task<Results<Created<RoomEntryReceipt>, ProblemHttpResult>> PublishAsync(
        PublishEpochRequest request, HttpContext http, Caller caller, ParleyDbContext db, PolicyEngine engine, CryptoSuite suite, MemberEligibility eligibility,
        LedgerWriter ledger, RoomLocks locks, RoomDelivery delivery, TimeProvider time, CancellationToken cancellationToken)
    {
        var id = RoomsApi.RoomIdOf(http);
        if (request.Roster is null || request.KeyPackages is null) return Problems.BadRequest("Give the signed roster and the key packages.");
        if (!DeviceSigned<Roster>.Decode(request.Roster).TryGetValue(out var signedRoster, out var rosterError))
            return Problems.BadRequest($"The roster is malformed: {rosterError.Message}");
        var packages = new List<DeviceSigned<KeyPackage>>(request.KeyPackages.Count);
        foreach (var bytes in request.KeyPackages)
        {
            if (bytes is null || !DeviceSigned<KeyPackage>.Decode(bytes).TryGetValue(out var package, out var packageError))
                return Problems.BadRequest("A key package is malformed.");
            packages.Add(package);
        }
        var roster = signedRoster.Body;
        var now = time.GetUtcNow();

        using var held = await locks.AcquireAsync(id, cancellationToken);
        var room = await db.Set<RoomRecord>().SingleAsync(r => r.Id == id, cancellationToken);
        if (roster.RoomId != id) return Problems.Unacceptable($"The roster is for room {roster.RoomId}, not this room.");
        if (roster.Label != room.Label || !roster.Parties.SequenceEqual(room.PartyList(), StringComparer.Ordinal))
            return Problems.Unacceptable($"The roster is for label {roster.Label} and parties {string.Join(", ", roster.Parties)}; the room is {room.Label} with {string.Join(", ", room.PartyList())}.");
        if (roster.Epoch != room.Epoch + 1 || !roster.PreviousHash.AsSpan().SequenceEqual(room.RosterHash ?? []))
            return RoomProblems.EpochConflict(room, room.Epoch == 0
                ? $"The room has no epoch yet: the first is epoch 1 with no previous roster; this is epoch {roster.Epoch}."
                : $"The room is at epoch {room.Epoch}; a new epoch must be {room.Epoch + 1} and name the current roster's hash. Fetch the log, open the current epoch and decide again.");

        var member = await db.Set<RoomMemberRecord>().AnyAsync(m => m.RoomId == id && m.UserId == caller.User.Id && m.RemovedAt == null, cancellationToken);
        if (!member) return Problems.Unacceptable("Only a member of the room makes its epochs.");
        if (caller.Session.DeviceId != roster.CreatorDeviceId)
            return Problems.Unacceptable("The roster's creator must be the device this session is bound to.");
        if (Math.Abs(roster.CreatedAt - now.ToUnixTimeSeconds()) > TrustVerifier.ClockSkewSeconds)
            return Problems.Unacceptable("The roster's creation time is more than 5 minutes from the server's clock; check the device's clock.");

        // Every device of the roster: registered, not revoked, of a current member, named with its certificate.
        var deviceIds = roster.Members.Select(m => m.DeviceId).ToList();
        var devices = await db.Set<DeviceRecord>().AsNoTracking().Where(d => deviceIds.Contains(d.Id)).ToDictionaryAsync(d => d.Id, cancellationToken);
        var members = await db.Set<RoomMemberRecord>().AsNoTracking().Where(m => m.RoomId == id && m.RemovedAt == null).ToDictionaryAsync(m => m.UserId, cancellationToken);
        byte[]? creatorSigningKey = null;
        foreach (var entry in roster.Members)
        {
            if (!devices.TryGetValue(entry.DeviceId, out var device) || device.UserId != entry.UserId)
                return Problems.Unacceptable($"Device {entry.DeviceId} is not a registered device of user {entry.UserId}.");
            if (device.RevokedAt is not null) return Problems.Unacceptable($"Device {entry.DeviceId} is revoked.");
            if (!members.TryGetValue(entry.UserId, out var membership)) return Problems.Unacceptable($"User {entry.UserId} (device {entry.DeviceId}) is not a member of the room.");
            if (membership.DelegationCode != entry.Delegation) return Problems.Unacceptable($"Device {entry.DeviceId} is listed under {entry.Delegation}; its user belongs to {membership.DelegationCode}.");
            var certificate = Signed<DeviceCertificate>.Decode(device.Certificate).Value.Body;
            var hash = await RoomDevice.CertificateHashAsync(suite.Backend, certificate, cancellationToken);
            if (!CryptographicOperations.FixedTimeEquals(hash, entry.CertificateHash.AsSpan()))
                return Problems.Unacceptable($"The roster names device {entry.DeviceId} with another certificate than the one registered.");
            if (entry.DeviceId == roster.CreatorDeviceId) creatorSigningKey = certificate.SigningPublicKey;
        }
        var label = engine.Settings.Scheme.ParseBanner(room.Label).Value;
        var users = await db.Set<UserAccount>().AsNoTracking().Where(u => members.Keys.Contains(u.Id)).ToDictionaryAsync(u => u.Id, cancellationToken);
        foreach (var userId in roster.Members.Select(m => m.UserId).Distinct())
        {
            if (await eligibility.ProblemAsync(users[userId], room.PartyList(), label, now, cancellationToken) is { } problem) return Problems.Unacceptable(problem);
        }
        if (creatorSigningKey is null || !await signedRoster.VerifyAsync(suite.Backend, creatorSigningKey, cancellationToken))
            return Problems.Unacceptable("The roster is not signed by its creator device.");

        var rosterHash = await signedRoster.HashAsync(suite.Backend, cancellationToken);
        var recipients = new Dictionary<Guid, byte[]>();
        for (var i = 0; i < packages.Count; i++)
        {
            var package = packages[i].Body;
            if (package.RoomId != id || package.Epoch != roster.Epoch) return Problems.Unacceptable("A key package is for another room or epoch.");
            if (package.RecipientDeviceId == roster.CreatorDeviceId || roster.Find(package.RecipientDeviceId) is null)
                return Problems.Unacceptable($"A key package is for device {package.RecipientDeviceId}, which is not a member device of the roster (other than its creator).");
            if (package.SenderDeviceId != roster.CreatorDeviceId) return Problems.Unacceptable("A key package names another sender than the roster's creator.");
            if (!CryptographicOperations.FixedTimeEquals(package.RosterHash.AsSpan(), rosterHash)) return Problems.Unacceptable("A key package was made for another roster.");
            if (!recipients.TryAdd(package.RecipientDeviceId, request.KeyPackages[i])) return Problems.Unacceptable($"Device {package.RecipientDeviceId} has two key packages.");
            if (!await packages[i].VerifyAsync(suite.Backend, creatorSigningKey, cancellationToken)) return Problems.Unacceptable("A key package is not signed by the roster's creator.");
        }
        if (recipients.Count != roster.Members.Length - 1) return Problems.Unacceptable("Every member device of the roster other than its creator needs exactly one key package.");

        var appended = RoomEntries.Append(db, room, RoomEntryKind.Epoch, now, caller.User.Id);
        appended.Epoch = roster.Epoch;
        appended.DeviceId = roster.CreatorDeviceId;
        appended.Payload = request.Roster;
        appended.RosterHash = rosterHash;
        foreach (var (recipient, bytes) in recipients)
            db.Add(new RoomKeyPackageRecord { RoomId = id, Sequence = appended.Sequence, RecipientDeviceId = recipient, Package = bytes });
        room.Epoch = roster.Epoch;
        room.RosterHash = rosterHash;
        room.EpochSequence = appended.Sequence;
        room.EpochCreatorDevice = roster.CreatorDeviceId;
        room.EpochStartedAt = now;
        room.MessagesInEpoch = 0;
        room.Rekey = RekeyFlags.None;
        db.RemoveRange(await db.Set<RoomRosterDeviceRecord>().Where(d => d.RoomId == id).ToListAsync(cancellationToken));
        foreach (var entry in roster.Members) db.Add(new RoomRosterDeviceRecord { RoomId = id, DeviceId = entry.DeviceId, UserId = entry.UserId });
        ledger.Record(LedgerEventType.KeyPackagesPublished, caller.User.Id, caller.User.DelegationCode, $"room:{id}",
            new LedgerField("epoch", roster.Epoch.ToString(CultureInfo.InvariantCulture)), new LedgerField("roster-hash", Convert.ToHexStringLower(rosterHash)),
            new LedgerField("creator-device", roster.CreatorDeviceId.ToString()), new LedgerField("devices", string.Join(",", deviceIds)),
            new LedgerField("sequence", appended.Sequence.ToString(CultureInfo.InvariantCulture)));
        if (!await MembershipApi.SaveAsync(db, cancellationToken)) return RoomProblems.Concurrent();

        await delivery.EpochAsync(RoomEntries.View(appended), recipients, cancellationToken);
        return TypedResults.Created($"/api/rooms/{id}/log?after={appended.Sequence - 1}", new RoomEntryReceipt(id, appended.Sequence, RoomEntryKind.Epoch, roster.Epoch, now));
    }
}
