using Microsoft.AspNetCore.SignalR;
using Parley.Protocol.Api;
using Parley.Server.Rooms.Delivery;

namespace Parley.Server.Documents.Delivery;

/// <summary>
/// Tells a room's live connections (the rooms hub's group of the room) that one of its documents changed:
/// <c>created</c>, <c>version</c>, <c>endorsed</c> or <c>destroyed</c>. The event carries ids only; clients
/// fetch what they may read. Sent after the change is committed.
/// </summary>
public sealed class DocumentDelivery(IHubContext<RoomsHub> hub)
{
    public Task SendAsync(Guid roomId, Guid documentId, string kind, int version, CancellationToken cancellationToken) =>
        hub.Clients.Group(RoomDelivery.Group(roomId)).SendAsync(DocumentsProtocol.HubEvent, new DocumentEvent(roomId, documentId, kind, version), cancellationToken);
}
