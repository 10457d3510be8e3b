using Parley.Server.Storage;

namespace Parley.Server.Rooms;

/// <summary>
/// One writer at a time per room on this server: a room's log grows one entry at a time, its
/// deliveries go out in log order, and a connection joins or leaves a room between entries, never
/// during one.
/// </summary>
public sealed class RoomLocks : KeyedLocks;
