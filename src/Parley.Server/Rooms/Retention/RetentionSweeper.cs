using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Ledger;
using Parley.Server.Ledger;
using Parley.Server.Rooms.Delivery;
using Parley.Server.Rooms.Log;
using Parley.Server.Rooms.Model;
using Parley.Server.Storage;

namespace Parley.Server.Rooms.Retention;

/// <summary>
/// Deletes messages older than their room's retention, every minute by the server's clock. Each sweep
/// that deletes something appends an <see cref="RoomEntryKind.Expired"/> entry, so that clients learn
/// through the log (and the hub) to delete their own copies up to that sequence; it is ledgered with
/// the count. Key packages of earlier epochs none of whose messages remain are deleted with them: no
/// one needs them, and a device key stolen later must find nothing to open.
/// </summary>
public sealed partial class RetentionSweeper(IServiceScopeFactory scopes, TimeProvider time, ILogger<RetentionSweeper> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A failed sweep deletes nothing (each room commits alone); the next one tries again.
                    LogSweepFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One sweep over every room.</summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        List<Guid> rooms;
        await using (var scope = scopes.CreateAsyncScope())
        {
            rooms = await scope.ServiceProvider.GetRequiredService<ParleyDbContext>().Set<RoomRecord>().Select(r => r.Id).ToListAsync(cancellationToken);
        }
        foreach (var room in rooms) await SweepRoomAsync(room, cancellationToken);
    }

    private async Task SweepRoomAsync(Guid roomId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<ParleyDbContext>();
        using var held = await services.GetRequiredService<RoomLocks>().AcquireAsync(roomId, cancellationToken);
        var room = await db.Set<RoomRecord>().SingleOrDefaultAsync(r => r.Id == roomId, cancellationToken);
        if (room is null) return;
        var now = time.GetUtcNow();
        var cutoff = now.AddDays(-room.RetentionDays);
        var expired = await db.Set<RoomEntryRecord>().Where(e => e.RoomId == roomId && e.Kind == RoomEntryKind.Message && e.At <= cutoff).ToListAsync(cancellationToken);
        if (expired.Count == 0) return;

        var through = expired.Max(e => e.Sequence);
        db.RemoveRange(expired);
        // Epochs before the current one whose messages are all gone now: their key packages go too.
        var remaining = await db.Set<RoomEntryRecord>().Where(e => e.RoomId == roomId && e.Kind == RoomEntryKind.Message && e.Sequence > through)
            .Select(e => e.Epoch).Distinct().ToListAsync(cancellationToken);
        var spent = await db.Set<RoomEntryRecord>()
            .Where(e => e.RoomId == roomId && e.Kind == RoomEntryKind.Epoch && e.Epoch < room.Epoch && e.At <= cutoff && !remaining.Contains(e.Epoch))
            .Select(e => e.Sequence).ToListAsync(cancellationToken);
        db.RemoveRange(await db.Set<RoomKeyPackageRecord>().Where(p => p.RoomId == roomId && spent.Contains(p.Sequence)).ToListAsync(cancellationToken));

        var entry = RoomEntries.Append(db, room, RoomEntryKind.Expired, now, null);
        entry.ExpiredThrough = through;
        services.GetRequiredService<LedgerWriter>().Record(LedgerEventType.RoomMessagesExpired, null, null, $"room:{roomId}",
            new LedgerField("messages", expired.Count.ToString(CultureInfo.InvariantCulture)), new LedgerField("through", through.ToString(CultureInfo.InvariantCulture)),
            new LedgerField("retention-days", room.RetentionDays.ToString(CultureInfo.InvariantCulture)), new LedgerField("sequence", entry.Sequence.ToString(CultureInfo.InvariantCulture)));
        await db.SaveChangesAsync(cancellationToken);
        await services.GetRequiredService<RoomDelivery>().EntryAsync(RoomEntries.View(entry), cancellationToken);
        LogExpired(logger, expired.Count, roomId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} messages of room {Room} past its retention.")]
    private static partial void LogExpired(ILogger logger, int count, Guid room);

    [LoggerMessage(Level = LogLevel.Error, Message = "A retention sweep failed; the next one tries again.")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
