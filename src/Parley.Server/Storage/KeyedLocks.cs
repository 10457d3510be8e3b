using System.Collections.Concurrent;

namespace Parley.Server.Storage;

/// <summary>
/// One holder at a time per id on this server (a semaphore per id, waited on asynchronously). Each kind of
/// thing that needs it is its own subclass, so that a room and a document with the same id never share a lock
/// and each is its own service. Across several server nodes, the record's version column refuses the second writer.
/// </summary>
public abstract class KeyedLocks
{
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _locks = new();

    /// <summary>Waits for the lock of <paramref name="id"/>; dispose the result to release it (once).</summary>
    public async Task<IDisposable> AcquireAsync(Guid id, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
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
