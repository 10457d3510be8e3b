using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Parley.Protocol.Api;

namespace Parley.Server.Tests.Rooms.Support;

/// <summary>One connection to the rooms hub with a bearer token, recording what it receives in order.</summary>
public sealed class HubListener : IAsyncDisposable
{
    // A guard against a hang, not a measurement: deliveries on loopback take milliseconds.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly HubConnection _connection;
    private readonly Channel<object> _received = Channel.CreateUnbounded<object>();

    private HubListener(HubConnection connection)
    {
        _connection = connection;
        connection.On<RoomEntry>(RoomsHubProtocol.Entry, entry => _received.Writer.TryWrite(entry));
        connection.On<RoomSummary>(RoomsHubProtocol.Added, room => _received.Writer.TryWrite(room));
        connection.On<RoomRemoval>(RoomsHubProtocol.Removed, removal => _received.Writer.TryWrite(removal));
        connection.On<DocumentEvent>(DocumentsProtocol.HubEvent, change => _received.Writer.TryWrite(change));
    }

    public HubConnectionState State => _connection.State;

    /// <summary>Connects and waits until the connection has joined its rooms.</summary>
    public static async Task<HubListener> ConnectAsync(Uri server, string token)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server, RoomsHubProtocol.Path), options =>
            {
                options.Headers["Authorization"] = $"Bearer {token}";
                options.Transports = HttpTransportType.WebSockets;
            })
            .AddJsonProtocol(json => json.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, ApiJson.Default))
            .Build();
        var listener = new HubListener(connection);
        using var timeout = new CancellationTokenSource(Patience);
        await connection.StartAsync(timeout.Token);
        await listener.JoinedAsync();
        return listener;
    }

    /// <summary>The rooms this connection receives (answers after the connection joined them).</summary>
    public async Task<IReadOnlyList<Guid>> JoinedAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await _connection.InvokeAsync<IReadOnlyList<Guid>>(RoomsHubProtocol.Joined, timeout.Token);
    }

    /// <summary>The next thing received (an entry, an addition or a removal).</summary>
    public async Task<object> NextAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await _received.Reader.ReadAsync(timeout.Token);
    }

    public async Task<T> NextAsync<T>()
    {
        var next = await NextAsync();
        return Assert.IsType<T>(next);
    }

    /// <summary>The next entry of <paramref name="roomId"/>, skipping anything else.</summary>
    public async Task<RoomEntry> NextEntryAsync(Guid roomId, RoomEntryKind? kind = null)
    {
        while (true)
        {
            if (await NextAsync() is RoomEntry entry && entry.RoomId == roomId && (kind is null || entry.Kind == kind)) return entry;
        }
    }

    /// <summary>Everything received so far that was not yet read.</summary>
    public List<object> Drain()
    {
        var items = new List<object>();
        while (_received.Reader.TryRead(out var item)) items.Add(item);
        return items;
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();
}
