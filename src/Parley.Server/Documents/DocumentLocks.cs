using System.Collections.Concurrent;

namespace Parley.Server.Documents;

/// <summary>
/// One writer at a time per document (and per upload) on this server: versions are numbered one after
/// another, copy numbers are given in order, and an upload is not appended to while it is consumed.
/// (Across several server nodes the document's version column refuses the second writer.)
/// </summary>
public sealed class DocumentLocks
{
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _locks = new();

    /// <summary>Waits for the lock of <paramref name="id"/> (a document or an upload); dispose the result to release it.</summary>
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
