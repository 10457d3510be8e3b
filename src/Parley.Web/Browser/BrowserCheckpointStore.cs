using System.Runtime.Versioning;
using Parley.Client.Ledger;

namespace Parley.Web.Browser;

/// <summary>
/// The web client's <see cref="ICheckpointStore"/>: the last checkpoint this browser verified of each log,
/// and any fork evidence, in this origin's local storage beside the profile, so a reload or a later visit
/// continues from what was verified instead of trusting the server afresh.
/// </summary>
[SupportedOSPlatform("browser")]
public sealed class BrowserCheckpointStore : ICheckpointStore
{
    /// <summary>The prefix of the local storage keys: <c>parley.ledger.v1.&lt;escaped origin&gt;.checkpoint</c> and <c>.fork</c>.</summary>
    public const string KeyPrefix = "parley.ledger.v1.";

    /// <summary>The local storage key of <paramref name="origin"/>'s checkpoint.</summary>
    public static string CheckpointKey(string origin) => KeyPrefix + Uri.EscapeDataString(origin) + ".checkpoint";

    /// <summary>The local storage key of <paramref name="origin"/>'s fork evidence.</summary>
    public static string ForkKey(string origin) => KeyPrefix + Uri.EscapeDataString(origin) + ".fork";

    /// <inheritdoc />
    public Task<StoredLogState> LoadAsync(string origin, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new StoredLogState(BrowserInterop.StorageGet(CheckpointKey(origin)), BrowserInterop.StorageGet(ForkKey(origin))));
    }

    /// <inheritdoc />
    public Task SaveCheckpointAsync(string origin, string note, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        ArgumentException.ThrowIfNullOrEmpty(note);
        cancellationToken.ThrowIfCancellationRequested();
        BrowserInterop.StorageSet(CheckpointKey(origin), note);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task SaveForkAsync(string origin, string evidence, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        ArgumentException.ThrowIfNullOrEmpty(evidence);
        cancellationToken.ThrowIfCancellationRequested();
        BrowserInterop.StorageSet(ForkKey(origin), evidence);
        return Task.CompletedTask;
    }
}
