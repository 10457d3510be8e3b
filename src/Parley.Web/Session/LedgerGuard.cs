namespace Parley.Web.Session;

/// <summary>
/// The outermost handler of the app's <see cref="HttpClient"/>: once the server's ledger is refused (a fork,
/// a rollback, a checkpoint the pinned keys did not sign), no request of any page reaches that server again
/// from this page. The refusal lasts until the page is reloaded, and a fork is remembered across reloads.
/// </summary>
public sealed class LedgerGuard : DelegatingHandler
{
    private string? _refusal;

    /// <summary>Why the server is refused, or null while it is not.</summary>
    public string? Refusal => Volatile.Read(ref _refusal);

    /// <summary>Stops every later request; the first reason stands.</summary>
    public void Refuse(string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        Interlocked.CompareExchange(ref _refusal, reason, null);
    }

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Refusal is { } reason
            ? throw new HttpRequestException("Parley sends nothing more to this server: its ledger is refused. " + reason)
            : base.SendAsync(request, cancellationToken);
}
