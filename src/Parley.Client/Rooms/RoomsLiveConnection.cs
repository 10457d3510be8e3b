using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Parley.Protocol.Api;

namespace Parley.Client.Rooms;

/// <summary>
/// Real-time delivery of a <see cref="RoomsClient"/>'s rooms over the server's SignalR hub
/// (<see cref="RoomsHubProtocol.Path"/>). Pushed entries are applied in order by one loop; on every
/// (re)connection the client catches up from the last sequence number it processed in each room,
/// so nothing is lost while it was away. It reconnects by itself (backing off to 10 seconds) until
/// stopped. Works in the browser too (WebSockets, with the session cookie).
/// </summary>
public sealed class RoomsLiveConnection : IAsyncDisposable
{
    private static readonly TimeSpan[] Backoff = [TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)];
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    private readonly RoomsClient _rooms;
    private readonly HubConnection _connection;
    private readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    private abstract record Work;
    private sealed record Pushed(RoomEntry Entry) : Work;
    private sealed record CatchUp : Work;
    private sealed record Sync(Guid RoomId) : Work;
    private sealed record Gone(RoomRemoval Removal) : Work;

    private RoomsLiveConnection(RoomsClient rooms, Action<HttpConnectionOptions>? configure)
    {
        _rooms = rooms;
        var server = rooms.Api.BaseAddress ?? throw new InvalidOperationException("The client has no server address.");
        _connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server, RoomsHubProtocol.Path.TrimStart('/')), options =>
            {
                rooms.Api.Session?.Apply(options);
                configure?.Invoke(options);
            })
            .AddJsonProtocol(options => options.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, ApiJson.Default))
            .WithAutomaticReconnect(new ForeverRetry())
            .Build();
        _connection.On<RoomEntry>(RoomsHubProtocol.Entry, entry => Enqueue(new Pushed(entry)));
        _connection.On<RoomSummary>(RoomsHubProtocol.Added, room => Enqueue(new Sync(room.Id)));
        _connection.On<RoomRemoval>(RoomsHubProtocol.Removed, removal => Enqueue(new Gone(removal)));
        _connection.On<DocumentEvent>(DocumentsProtocol.HubEvent, change => DocumentChanged?.Invoke(change) ?? Task.CompletedTask);
        _connection.Reconnected += _ => Enqueue(new CatchUp());
        _connection.Reconnecting += error => ConnectionLost?.Invoke(error) ?? Task.CompletedTask;
        _connection.Closed += OnClosedAsync;
    }

    /// <summary>New messages and notices of a room, in log order.</summary>
    public event Func<RoomUpdate, Task>? Updated;

    /// <summary>A document of one of the rooms changed; on <c>destroyed</c>, drop any key or plaintext of it held in memory.</summary>
    public event Func<DocumentEvent, Task>? DocumentChanged;

    /// <summary>The connection dropped; it is being re-established.</summary>
    public event Func<Exception?, Task>? ConnectionLost;

    /// <summary>Something went wrong while applying an update (the connection goes on).</summary>
    public event Func<Exception, Task>? Failed;

    /// <summary>The connection's state.</summary>
    public HubConnectionState State => _connection.State;

    /// <summary>A connection for <paramref name="rooms"/>; <paramref name="configure"/> can adjust the transport (e.g. a message handler).</summary>
    public static RoomsLiveConnection Create(RoomsClient rooms, Action<HttpConnectionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(rooms);
        return new RoomsLiveConnection(rooms, configure);
    }

    /// <summary>Connects (retrying until connected or cancelled), then catches up every room from where this device stopped.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _loop ??= Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await Enqueue(new CatchUp()).ConfigureAwait(false);
    }

    /// <summary>Waits until every update queued so far has been applied (and reported).</summary>
    public async Task DrainAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _work.Writer.WriteAsync(new Drained(done), cancellationToken).ConfigureAwait(false);
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed record Drained(TaskCompletionSource Done) : Work;

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _connection.StartAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException && !cancellationToken.IsCancellationRequested && !_stopping.IsCancellationRequested)
            {
                if (ConnectionLost is { } lost) await lost(e).ConfigureAwait(false);
                await Task.Delay(Delay(attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Automatic reconnection gives up only if told to; a closed connection is started again until stopped.
    private async Task OnClosedAsync(Exception? error)
    {
        if (_stopping.IsCancellationRequested) return;
        if (ConnectionLost is { } lost) await lost(error).ConfigureAwait(false);
        try
        {
            await ConnectAsync(_stopping.Token).ConfigureAwait(false);
            await Enqueue(new CatchUp()).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped while reconnecting.
        }
    }

    private Task Enqueue(Work work)
    {
        _work.Writer.TryWrite(work);
        return Task.CompletedTask;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await foreach (var work in _work.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                switch (work)
                {
                    case Drained drained:
                        drained.Done.TrySetResult();
                        break;
                    case Pushed pushed:
                        await ReportAsync(await _rooms.ApplyPushedAsync(pushed.Entry, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                        break;
                    case Sync sync:
                        await ReportAsync(await _rooms.SyncAsync(sync.RoomId, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                        break;
                    case Gone gone:
                        await ReportAsync(new RoomUpdate(gone.Removal.RoomId, [],
                            [new RoomNotice(gone.Removal.RoomId, RoomNoticeKind.MemberRemoved, $"You no longer receive this room ({gone.Removal.Reason}).", UserId: _rooms.UserId)])).ConfigureAwait(false);
                        break;
                    case CatchUp:
                        var joined = await _connection.InvokeAsync<IReadOnlyList<Guid>>(RoomsHubProtocol.Joined, cancellationToken).ConfigureAwait(false);
                        foreach (var roomId in joined) await ReportAsync(await _rooms.SyncAsync(roomId, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                        break;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (Failed is { } failed) await failed(e).ConfigureAwait(false);
            }
        }
    }

    private async Task ReportAsync(RoomUpdate update)
    {
        if (update.Messages.Count == 0 && update.Notices.Count == 0) return;
        if (Updated is { } updated) await updated(update).ConfigureAwait(false);
    }

    /// <summary>Disconnects and stops applying updates.</summary>
    public async Task StopAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        _work.Writer.TryComplete();
        await _connection.StopAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping cancels the loop.
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private static TimeSpan Delay(int attempt) => attempt < Backoff.Length ? Backoff[attempt] : MaxBackoff;

    private sealed class ForeverRetry : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) => Delay((int)Math.Min(retryContext.PreviousRetryCount, int.MaxValue));
    }
}
