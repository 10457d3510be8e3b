using System.Runtime.Versioning;
using Parley.Client.Api;
using Parley.Client.Documents;
using Parley.Client.Profiles;
using Parley.Client.Rooms;
using Parley.Client.Trust;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Web.Session;

namespace Parley.Web.Rooms;

/// <summary>
/// The signed-in person's rooms in this browser: one <see cref="RoomsClient"/> (keys opened from the
/// unlocked identity, room states sealed in the browser profile) and one real-time connection to the
/// rooms hub, shared by the rooms pages. Both are dropped, keys zeroed, when the session locks or ends.
/// </summary>
[SupportedOSPlatform("browser")]
public sealed class WebRooms : IAsyncDisposable
{
    private readonly ParleyClient _client;
    private readonly IProfileStore _store;
    private readonly CryptoSuite _suite;
    private readonly WebSession _session;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private RoomsClient? _rooms;
    private RoomsLiveConnection? _live;
    private Guid? _owner;

    public WebRooms(ParleyClient client, IProfileStore store, CryptoSuite suite, WebSession session)
    {
        _client = client;
        _store = store;
        _suite = suite;
        _session = session;
        _session.Changed += OnSessionChanged;
    }

    /// <summary>New messages and notices of any of the person's rooms, as the live connection delivers them.</summary>
    public event Func<RoomUpdate, Task>? Updated;

    /// <summary>A document of one of the person's rooms changed (created, new version, endorsed, destroyed), as the live connection delivers it.</summary>
    public event Func<DocumentEvent, Task>? DocumentChanged;

    /// <summary>Whether messages arrive live, or the connection is being re-established.</summary>
    public string ConnectionState => _live?.State.ToString() ?? "Disconnected";

    /// <summary>The rooms client of the signed-in person, opened (and connected) on first use.</summary>
    public async Task<RoomsClient> OpenAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var identity = _session.RequireIdentity();
            var user = _session.User?.Id;
            if (_rooms is not null && _owner == user) return _rooms;
            await CloseCoreAsync();
            _rooms = await RoomsClient.OpenAsync(_client, _store, _suite, identity, cancellationToken: cancellationToken);
            _owner = user;
            _live = RoomsLiveConnection.Create(_rooms);
            _live.Updated += update => Updated?.Invoke(update) ?? Task.CompletedTask;
            _live.DocumentChanged += change => DocumentChanged?.Invoke(change) ?? Task.CompletedTask;
            // The pages work without the live connection (they read the log when opened): a failure to connect is not fatal.
            _ = _live.StartAsync(cancellationToken).ContinueWith(
                t => Console.Error.WriteLine($"Parley: the rooms connection did not start: {t.Exception?.GetBaseException().Message}"),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return _rooms;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The documents of the signed-in person's rooms: the rooms client, signing with the unlocked identity.</summary>
    public async Task<DocumentsClient> OpenDocumentsAsync(CancellationToken cancellationToken = default)
    {
        var rooms = await OpenAsync(cancellationToken);
        return DocumentsClient.Open(rooms, _session.RequireIdentity());
    }

    /// <summary>People as the directory shows them, believed only as far as they verify against the pinned roots of this browser's profile.</summary>
    public DirectoryVerifier Directory => new(_client, new TrustStore(_store, _suite), _suite);

    private void OnSessionChanged()
    {
        if (_session.Phase != SessionPhase.Ready) _ = CloseAsync();
    }

    private async Task CloseAsync()
    {
        await _gate.WaitAsync();
        try
        {
            await CloseCoreAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task CloseCoreAsync()
    {
        if (_live is not null) await _live.DisposeAsync();
        if (_rooms is not null) await _rooms.DisposeAsync();
        _live = null;
        _rooms = null;
        _owner = null;
    }

    public async ValueTask DisposeAsync()
    {
        _session.Changed -= OnSessionChanged;
        await CloseAsync();
    }
}
