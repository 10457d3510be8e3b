using Parley.Server.Storage;

namespace Parley.Server.Documents;

/// <summary>
/// One writer at a time per document (and per upload) on this server: versions are numbered one after
/// another, copy numbers are given in order, and an upload is not appended to while it is consumed.
/// </summary>
public sealed class DocumentLocks : KeyedLocks;
