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
/// Posting a message: the canonical message bytes, accepted only in the current epoch, from the
/// caller's bound device when it is in that epoch's roster, signed by it, once per chain step, and
/// only while the room needs no new epoch (else 409 rekey-required with the reasons). Its label is the
/// one its header binds; the policy refuses a write-down, a label above the writer's clearance and a
/// label the room's does not dominate. The server keeps the bytes and what it can see: sender, epoch,
/// counter, label, size, times.
/// </summary>
public static class MessagesApi
{
    public static IEndpointRouteBuilder MapRoomMessages(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/rooms/{id}/messages", PostAsync).WithTags("Rooms")
            .RequiresPolicy(Actions.Write, Resources.Of(RoomResolver.Kind, fromRoute: "id"), RoomContextSources.MessageLabel, PolicyContextSources.DowngradeFromQuery("downgrade"))
            .WithSummary("Posts a message to the current epoch; ?downgrade=ID names an officer's downgrade for a label below the room's.");
        return app;
    }

    private static async Task<Results<Created<RoomEntryReceipt>, ProblemHttpResult>> PostAsync(
        PostMessageRequest request, HttpContext http, Caller caller, ParleyDbContext db, CryptoSuite suite, Rotation rotation,
        LedgerWriter ledger, RoomLocks locks, RoomDelivery delivery, TimeProvider time, CancellationToken cancellationToken)
    {
        var id = RoomsApi.RoomIdOf(http);
        if (request.Message is null || !RoomMessage.Decode(request.Message).TryGetValue(out var message, out var error))
            return Problems.BadRequest("The message is malformed.");
        var header = message.Header;
        var now = time.GetUtcNow();

        using var held = await locks.AcquireAsync(id, cancellationToken);
        var room = await db.Set<RoomRecord>().SingleAsync(r => r.Id == id, cancellationToken);
        if (header.RoomId != id) return Problems.Unacceptable($"The message is for room {header.RoomId}, not this room.");
        if (room.Epoch == 0) return RoomProblems.RekeyRequired(room, [RotationReason.NoEpoch]);
        if (header.Epoch < room.Epoch) return RoomProblems.EpochSuperseded(room, header.Epoch);
        if (header.Epoch > room.Epoch) return Problems.Unacceptable($"The room has no epoch {header.Epoch} yet (it is at {room.Epoch}).");
        if (!header.RosterHash.AsSpan().SequenceEqual(room.RosterHash)) return Problems.Unacceptable($"The message names another roster than epoch {room.Epoch}'s.");
        if (caller.Session.DeviceId != header.SenderDeviceId) return Problems.Unacceptable("The message's sender must be the device this session is bound to.");
        if (!await db.Set<RoomMemberRecord>().AnyAsync(m => m.RoomId == id && m.UserId == caller.User.Id && m.RemovedAt == null, cancellationToken))
            return Problems.Unacceptable("Only a member of the room posts to it.");
        if (!await db.Set<RoomRosterDeviceRecord>().AnyAsync(d => d.RoomId == id && d.DeviceId == header.SenderDeviceId, cancellationToken))
            return Problems.Unacceptable($"Device {header.SenderDeviceId} is not in the roster of epoch {room.Epoch}: it holds no key of it.");

        var reasons = await rotation.ReasonsAsync(room, now, cancellationToken);
        if (reasons.Count > 0) return RoomProblems.RekeyRequired(room, reasons);

        var device = await db.Set<DeviceRecord>().AsNoTracking().SingleAsync(d => d.Id == header.SenderDeviceId, cancellationToken);
        var signingKey = Signed<DeviceCertificate>.Decode(device.Certificate).Value.Body.SigningPublicKey;
        if (!await message.VerifyAsync(suite.Backend, signingKey, cancellationToken)) return Problems.Unacceptable("The message is not signed by its sender device.");
        if (await db.Set<RoomEntryRecord>().AnyAsync(e => e.RoomId == id && e.Epoch == header.Epoch && e.DeviceId == header.SenderDeviceId && e.Counter == header.Counter, cancellationToken))
            return RoomProblems.Replayed(header.Epoch, header.SenderDeviceId, header.Counter);

        var entry = RoomEntries.Append(db, room, RoomEntryKind.Message, now, caller.User.Id);
        entry.Epoch = header.Epoch;
        entry.DeviceId = header.SenderDeviceId;
        entry.Counter = header.Counter;
        entry.Label = header.Label;
        entry.Size = message.Ciphertext.Length;
        entry.SentAt = header.SentAt;
        entry.Payload = request.Message;
        room.MessagesInEpoch++;
        ledger.Record(LedgerEventType.MessagePosted, caller.User.Id, caller.User.DelegationCode, $"room:{id}",
            new LedgerField("sequence", entry.Sequence.ToString(CultureInfo.InvariantCulture)), new LedgerField("epoch", header.Epoch.ToString(CultureInfo.InvariantCulture)),
            new LedgerField("device", header.SenderDeviceId.ToString()), new LedgerField("counter", header.Counter.ToString(CultureInfo.InvariantCulture)),
            new LedgerField("label", header.Label), new LedgerField("size", message.Ciphertext.Length.ToString(CultureInfo.InvariantCulture)),
            new LedgerField("message-hash", Convert.ToHexStringLower(SHA256.HashData(request.Message))));
        if (!await MembershipApi.SaveAsync(db, cancellationToken)) return RoomProblems.Concurrent();

        await delivery.EntryAsync(RoomEntries.View(entry), cancellationToken);
        return TypedResults.Created($"/api/rooms/{id}/log?after={entry.Sequence - 1}", new RoomEntryReceipt(id, entry.Sequence, RoomEntryKind.Message, header.Epoch, now));
    }
}
