using Parley.Protocol.Api;

namespace Parley.Client.Api;

// The rooms endpoints of docs/API.md ("Rooms"). They move ciphertext and metadata only; the room
// log's rosters, packages and messages are checked by Rooms.RoomsClient, never here.
public sealed partial class ParleyClient
{
    /// <summary>The caller's rooms.</summary>
    public Task<IReadOnlyList<RoomSummary>> ListRoomsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<object, IReadOnlyList<RoomSummary>>(HttpMethod.Get, ApiRoutes.Rooms, null, null, Json.IReadOnlyListRoomSummary, cancellationToken);

    /// <summary>Creates a room; the caller is its first member.</summary>
    public Task<RoomView> CreateRoomAsync(CreateRoomRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.Rooms, request, Json.CreateRoomRequest, Json.RoomView, cancellationToken);

    /// <summary>A room, its members, its current epoch and whether a new one is required.</summary>
    public Task<RoomView> GetRoomAsync(Guid roomId, CancellationToken cancellationToken = default) =>
        SendAsync<object, RoomView>(HttpMethod.Get, ApiRoutes.Room(roomId), null, null, Json.RoomView, cancellationToken);

    /// <summary>Adds a member by address or user id.</summary>
    public Task<RoomView> AddRoomMemberAsync(Guid roomId, string user, CancellationToken cancellationToken = default) =>
        SendAsync<object, RoomView>(HttpMethod.Put, ApiRoutes.RoomMember(roomId, user), null, null, Json.RoomView, cancellationToken);

    /// <summary>Removes a member (or, for the caller, leaves); the next message needs a new epoch.</summary>
    public Task RemoveRoomMemberAsync(Guid roomId, Guid userId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, ApiRoutes.RoomMember(roomId, userId.ToString()), cancellationToken);

    /// <summary>The directory entries of the room's members (devices, clearances, revocations), unverified.</summary>
    public Task<IReadOnlyList<DirectoryEntry>> GetRoomDevicesAsync(Guid roomId, CancellationToken cancellationToken = default) =>
        SendAsync<object, IReadOnlyList<DirectoryEntry>>(HttpMethod.Get, ApiRoutes.RoomDevices(roomId), null, null, Json.IReadOnlyListDirectoryEntry, cancellationToken);

    /// <summary>A page of the room's log after <paramref name="after"/> (epochs carry only this session's device's key package).</summary>
    public Task<RoomLogView> GetRoomLogAsync(Guid roomId, long after, CancellationToken cancellationToken = default) =>
        SendAsync<object, RoomLogView>(HttpMethod.Get, ApiRoutes.RoomLog(roomId, after), null, null, Json.RoomLogView, cancellationToken);

    /// <summary>Publishes the next epoch; 409 when it does not extend the current one.</summary>
    public Task<RoomEntryReceipt> PublishEpochAsync(Guid roomId, PublishEpochRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.RoomEpochs(roomId), request, Json.PublishEpochRequest, Json.RoomEntryReceipt, cancellationToken);

    /// <summary>Posts a message in the current epoch; 409 when a new epoch is required first or the epoch is not current.</summary>
    public Task<RoomEntryReceipt> PostRoomMessageAsync(Guid roomId, PostMessageRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.RoomMessages(roomId), request, Json.PostMessageRequest, Json.RoomEntryReceipt, cancellationToken);
}
