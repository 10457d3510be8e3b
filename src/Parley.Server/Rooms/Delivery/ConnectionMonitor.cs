using Microsoft.EntityFrameworkCore;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Sessions;
using Parley.Server.Rooms.Model;
using Parley.Server.Storage;

namespace Parley.Server.Rooms.Delivery;

/// <summary>
/// A hub connection lives no longer than its session: every 30 seconds (server clock) it is closed when
/// its session ended (sign-out), expired (absolute or idle limit), its bound device was revoked or its
/// account suspended; and it stops receiving any room its user is no longer a member of. (A removal
/// through the API takes effect at once; this catches what changes elsewhere.)
/// </summary>
public sealed partial class ConnectionMonitor(IServiceScopeFactory scopes, RoomConnections connections, TimeProvider time, ILogger<ConnectionMonitor> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await CheckAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogCheckFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var live = connections.All;
        if (live.Count == 0) return;
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<ParleyDbContext>();
        var delivery = services.GetRequiredService<RoomDelivery>();
        var locks = services.GetRequiredService<RoomLocks>();
        var now = time.GetUtcNow();
        foreach (var connection in live)
        {
            var session = await db.Set<SessionRecord>().AsNoTracking().SingleOrDefaultAsync(s => s.Id == connection.SessionId, cancellationToken);
            var user = await db.Set<UserAccount>().AsNoTracking().SingleOrDefaultAsync(u => u.Id == connection.UserId, cancellationToken);
            var device = session?.DeviceId is { } id ? await db.Set<DeviceRecord>().AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, cancellationToken) : null;
            var ended = session is null || now >= session.ExpiresAt || now >= session.LastSeenAt + AssuranceLimits.Idle(session.Aal)
                || user is null || user.Status != AccountStatus.Active || (session.DeviceId is not null && (device is null || device.RevokedAt is not null));
            if (ended)
            {
                connections.Remove(connection.Id);
                connection.Context.Abort();
                continue;
            }
            foreach (var room in connection.Rooms)
            {
                using (await locks.AcquireAsync(room, cancellationToken))
                {
                    if (!await db.Set<RoomMemberRecord>().AnyAsync(m => m.RoomId == room && m.UserId == connection.UserId && m.RemovedAt == null, cancellationToken))
                        await delivery.LeaveAsync(connection, room, "removed", cancellationToken);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Checking hub connections failed; the next check tries again.")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}
