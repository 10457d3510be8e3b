namespace Parley.Server.Documents.Model;

// Persistence shapes of documents. They never leave the server: endpoints bind Parley.Protocol.Api
// records and map to and from these. Nothing here is plaintext: the ciphertext is a file under
// DATA/documents/, and what is stored here is metadata and the signed bytes clients made.

/// <summary>A document of a room: its metadata, retention, print register state and, once destroyed, the certificate.</summary>
public sealed class DocumentRecord
{
    public Guid Id { get; set; }
    public Guid RoomId { get; set; }
    /// <summary>Metadata the server sees, like a room's name; the ledger gets an HMAC of it.</summary>
    public string Title { get; set; } = "";
    /// <summary>The latest version's label (canonical banner); kept after destruction.</summary>
    public string Label { get; set; } = "";
    public bool Restricted { get; set; }
    public Guid CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateOnly? DeclassifyOn { get; set; }
    public DateOnly? DestroyAfter { get; set; }
    public int LatestVersion { get; set; }
    /// <summary>The print register's canary key: 32 random bytes made at creation, sealed by <see cref="Printing.MarkingKeys"/> under the server's at-rest key. Never leaves the server except as one copy's choices.</summary>
    public byte[] MarkingKey { get; set; } = [];
    /// <summary>The next printed copy's number (from 1).</summary>
    public int NextCopyNumber { get; set; } = 1;
    public DateTimeOffset? DestroyedAt { get; set; }
    public Guid? DestroyedBy { get; set; }
    /// <summary>The signed destruction certificate, as the performer sent it.</summary>
    public byte[]? Certificate { get; set; }
    /// <summary>Changes with every write, so that two writers (two server nodes) cannot both change the document from the same state.</summary>
    public long Version { get; set; }
}

/// <summary>One version: its signed manifest and what the server read from it. The ciphertext is <c>DATA/documents/{document}/{version}.bin</c>.</summary>
public sealed class DocumentVersionRecord
{
    public Guid DocumentId { get; set; }
    public int Version { get; set; }
    /// <summary>SHA-256 of the manifest.</summary>
    public byte[] VersionHash { get; set; } = [];
    /// <summary>The canonical signed manifest.</summary>
    public byte[] SignedManifest { get; set; } = [];
    public string Label { get; set; } = "";
    public string MediaType { get; set; } = "";
    public long ContentLength { get; set; }
    public long CiphertextLength { get; set; }
    public Guid AuthorUserId { get; set; }
    public Guid AuthorDeviceId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Who a wrap is for, as stored (the protocol's <c>KeyWrapRecipient</c>).</summary>
public enum WrapKind
{
    Device = 1,
    RoomEpoch = 2,
}

/// <summary>A version's key wrapped for one recipient (a device, or a room epoch). Destruction deletes every one.</summary>
public sealed class DocumentWrapRecord
{
    public long Id { get; set; }
    public Guid DocumentId { get; set; }
    public int Version { get; set; }
    public WrapKind Kind { get; set; }
    /// <summary>The device id, or the room id.</summary>
    public Guid RecipientId { get; set; }
    /// <summary>The room epoch; 0 for a device.</summary>
    public long Epoch { get; set; }
    /// <summary>The canonical wrap bytes.</summary>
    public byte[] Wrap { get; set; } = [];
    public DateTimeOffset AddedAt { get; set; }
    public Guid AddedBy { get; set; }
}

/// <summary>An initial or signature of a head of delegation, as the signed bytes and what the server read from them.</summary>
public sealed class EndorsementRecord
{
    public long Id { get; set; }
    public Guid DocumentId { get; set; }
    public int Version { get; set; }
    public byte[] VersionHash { get; set; } = [];
    /// <summary>1 initial, 2 sign (the protocol's <c>EndorsementKind</c>).</summary>
    public int Kind { get; set; }
    public string Delegation { get; set; } = "";
    public Guid SignerUserId { get; set; }
    public DateTimeOffset EndorsedAt { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public byte[] Signed { get; set; } = [];
}

/// <summary>A printed copy in the register, and the record of its destruction on paper.</summary>
public sealed class PrintRecordRow
{
    public long Id { get; set; }
    public Guid DocumentId { get; set; }
    public int CopyNumber { get; set; }
    public int Version { get; set; }
    public Guid RecipientUserId { get; set; }
    public Guid RecipientDeviceId { get; set; }
    public string Label { get; set; } = "";
    public DateTimeOffset PrintedAt { get; set; }
    /// <summary>The canonical <c>parley/document-print</c> record.</summary>
    public byte[] Record { get; set; } = [];
    public byte[] RecordHash { get; set; } = [];
    public DateTimeOffset? DestroyedAt { get; set; }
    public Guid? DestroyedBy { get; set; }
    public string? DestructionNote { get; set; }
}

/// <summary>Who was issued their on-screen marks (copy 0) of which version, first and last.</summary>
public sealed class ViewMarksRecord
{
    public Guid DocumentId { get; set; }
    public int Version { get; set; }
    public Guid UserId { get; set; }
    public Guid DeviceId { get; set; }
    public DateTimeOffset FirstIssuedAt { get; set; }
    public DateTimeOffset LastIssuedAt { get; set; }
}

/// <summary>A staging area for one version's ciphertext: <c>DATA/documents/uploads/{id:N}.part</c>.</summary>
public sealed class UploadRecord
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public long Received { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>A review the daily job listed (once per document, kind and date).</summary>
public sealed class ReviewListedRecord
{
    public Guid DocumentId { get; set; }
    /// <summary><c>declassify</c> or <c>destroy</c>.</summary>
    public string Kind { get; set; } = "";
    public DateOnly Date { get; set; }
    public DateTimeOffset ListedAt { get; set; }
}
