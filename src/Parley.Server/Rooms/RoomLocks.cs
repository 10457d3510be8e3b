using System.Collections.Concurrent;

namespace Parley.Server.Rooms;

/// <summary>
/// One writer at a time per room on this server: a room's log grows one entry at a time, its
/// deliveries go out in log order, and a connection joins or leaves a room between entries, never
/// during one. (Across several server nodes the room's version column refuses the second writer.)
/// </summary>
public sealed class RoomLocks
{
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _locks = new();

    /// <summary>Waits for the room's lock; dispose the result to release it.</summary>
    public async Task<IDisposable> AcquireAsync(Guid roomId, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(roomId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Held(gate);
    }

    private sealed class Held(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release();
        }
    }
}
