using System.Runtime.Versioning;
using Parley.Client.Api;
using Parley.Client.Ledger;
using Parley.Client.Profiles;
using Parley.Protocol;
using Parley.Web.Browser;

namespace Parley.Web.Session;

/// <summary>
/// The browser profile's view of the server's ledger, as the CLI keeps it (<see cref="ProfileLedger"/>):
/// the log's keys are pinned in the profile at its first contact with the server (enrollment or first
/// sign-in), the last verified checkpoint and any fork evidence are kept in local storage
/// (<see cref="BrowserCheckpointStore"/>), and <see cref="SyncAsync"/> moves the checkpoint forward at
/// start-up, at each sign-in and unlock and whenever a signed-in page or the ledger page loads. The
/// <see cref="ParleyClient"/> records its logged actions here, and each sync proves them included.
/// A ledger that does not verify (a fork, a rollback, another key) is refused: the layout shows only
/// the refusal and <see cref="LedgerGuard"/> stops every further request to the server.
/// </summary>
[SupportedOSPlatform("browser")]
public sealed class WebLedger
{
    private readonly HttpClient _http;
    private readonly IProfileStore _profiles;
    private readonly LedgerGuard _guard;
    private Task? _running;

    /// <summary>Attaches a <see cref="ProfileLedger"/> to <paramref name="client"/>, so its logged actions are recorded.</summary>
    public WebLedger(HttpClient http, IProfileStore profiles, ICheckpointStore checkpoints, LedgerGuard guard, ParleyClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _http = http;
        _profiles = profiles;
        _guard = guard;
        Ledger = new ProfileLedger(http, profiles, checkpoints);
        client.Ledger = Ledger;
    }

    /// <summary>The profile's ledger, for pages that show or use it.</summary>
    public ProfileLedger Ledger { get; }

    /// <summary>What the last successful sync found; null before one.</summary>
    public LedgerSyncResult? Last { get; private set; }

    /// <summary>Why the server's ledger is refused (the page then shows only this), or null.</summary>
    public string? Refusal => _guard.Refusal;

    /// <summary>A passing failure of the last sync (the server unreachable, say), or null; the next sync tries again.</summary>
    public string? Problem { get; private set; }

    /// <summary>Raised after every sync and on a refusal.</summary>
    public event Action? Changed;

    /// <summary>
    /// Verifies the server's current checkpoint against the one kept in this browser and proves the profile's
    /// pending actions, when the profile follows this server. Never throws: a ledger that does not verify
    /// becomes <see cref="Refusal"/>, anything else <see cref="Problem"/>. Calls made while one runs share it.
    /// </summary>
    public Task SyncAsync()
    {
        if (_running is { IsCompleted: false } running) return running;
        return _running = RunAsync();
    }

    private async Task RunAsync()
    {
        if (Refusal is not null) return;
        try
        {
            // Only a profile of this server follows its ledger; before the first enrollment or sign-in there is nothing to pin to.
            var profile = await _profiles.LoadAsync();
            if (profile is null || profile.Server != _http.BaseAddress) return;
            Last = await Ledger.SyncAsync();
            Problem = null;
        }
        catch (LedgerVerificationException e)
        {
            _guard.Refuse(Describe(e.Error));
        }
        catch (Exception e) when (e is HttpRequestException or ProfileException or TaskCanceledException)
        {
            Problem = "The server's ledger could not be checked just now: " + e.Message;
        }
        Changed?.Invoke();
    }

    private static string Describe(ProtocolError error) => error.Code switch
    {
        ProtocolErrorCode.Inconsistent =>
            $"The server's ledger has FORKED: it showed this browser two histories of the log that cannot both be true ({error.Message}). " +
            "The evidence is kept in this browser, which refuses this server until your security officer has dealt with it.",
        ProtocolErrorCode.Rollback =>
            $"The server's ledger was ROLLED BACK: it shows fewer entries than this browser has already verified ({error.Message}). " +
            "A server that forgets entries may be hiding actions; tell your security officer.",
        _ =>
            $"The server's ledger does not verify against the keys pinned in this browser ({error.Message}). " +
            "Someone may be impersonating the server or rewriting its log; tell your security officer.",
    };
}
