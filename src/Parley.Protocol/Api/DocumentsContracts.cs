namespace Parley.Protocol.Api;

// The HTTP contract of classified documents (docs/API.md, "Documents"). The server stores the
// ciphertext blob and the canonical bytes of docs/PROTOCOL.md §14 (signed manifest, key wraps,
// endorsements, print records, destruction certificates); it never holds a document key or a
// plaintext. Labels travel as canonical banners; binary values as base64 in JSON.

/// <summary>A staging area for one version's ciphertext, filled in parts (<c>PUT /api/uploads/{id}?offset=N</c>) and consumed by creating a document or a version.</summary>
/// <param name="Id">The upload's id.</param>
/// <param name="Received">Bytes received so far: the offset of the next part.</param>
/// <param name="MaxBytes">The most this server takes for one version.</param>
/// <param name="ExpiresAt">When an unused upload is deleted.</param>
public sealed record UploadView(Guid Id, long Received, long MaxBytes, DateTimeOffset ExpiresAt);

/// <summary>Creates a document in a room from its first version.</summary>
/// <param name="Title">What people call it, 1 to 200 characters, no control characters. Metadata the server sees, like a room's name.</param>
/// <param name="UploadId">The upload holding the version's ciphertext, whose length and SHA-256 must equal the manifest's.</param>
/// <param name="Envelope">The canonical <c>parley/document-envelope</c>: the author's signed manifest (version 1) and the key wraps.</param>
/// <param name="Restricted">True: wrapped for named devices only (no room-epoch wrap); false: wrapped for the room's current epoch.</param>
/// <param name="DeclassifyOn">A declassification review date, if any.</param>
/// <param name="DestroyAfter">The last day of keeping, if any; destruction review is due from the day after.</param>
public sealed record CreateDocumentRequest(string Title, Guid UploadId, byte[] Envelope, bool Restricted = false, DateOnly? DeclassifyOn = null, DateOnly? DestroyAfter = null);

/// <summary>Adds the next version of a document.</summary>
/// <param name="UploadId">The upload holding its ciphertext.</param>
/// <param name="Envelope">Signed manifest (version = latest + 1, previous hash = latest's) and key wraps.</param>
public sealed record AddVersionRequest(Guid UploadId, byte[] Envelope);

/// <summary>Further key wraps for a version: room-epoch wraps for the room's current epoch (so that members who joined later can open it), from a member who holds the key.</summary>
public sealed record AddWrapsRequest(IReadOnlyList<byte[]> Wraps);

/// <summary>An initial (ad referendum) or signature: the canonical signed <c>parley/document-endorsement</c> by the caller, a head of delegation of a party.</summary>
public sealed record EndorseRequest(byte[] Endorsement);

/// <summary>Asks the print register for a copy (print) or for the caller's on-screen marks (view).</summary>
/// <param name="Sites">The number of canary sites of the version's text (<c>CanaryText</c>), 0 to 4 194 304: how many choices to return.</param>
public sealed record MarksRequest(int Sites);

/// <summary>A registered printed copy and the canary choices of that copy only.</summary>
/// <param name="CopyNumber">The copy's number in the register (1, 2, ...).</param>
/// <param name="Record">The canonical <c>parley/document-print</c> record the ledger holds the hash of.</param>
/// <param name="Choices">The copy's choices (<c>CanaryChoices.Encode</c>): one 4-byte value per site.</param>
/// <param name="RecipientName">The recipient's display name, for the watermark.</param>
/// <param name="PrintedAt">The time the register gave the copy (watermark and footer).</param>
/// <param name="HighestPrintableLevel">The deployment's highest printable level, or null for every level.</param>
/// <param name="NoPrintCompartments">Compartments that never leave the screen.</param>
public sealed record PrintGrant(int CopyNumber, byte[] Record, byte[] Choices, string RecipientName, DateTimeOffset PrintedAt,
    string? HighestPrintableLevel, IReadOnlyList<string> NoPrintCompartments);

/// <summary>The caller's on-screen marks for a version: copy number 0 of the caller (recipient = user).</summary>
public sealed record ViewMarks(byte[] Choices);

/// <summary>Asks the register for every copy's choices of a version, to trace a leak (a security officer of a party).</summary>
public sealed record TraceCopiesRequest(int Version, int Sites);

/// <summary>One copy of a version as the register knows it: printed (copy ≥ 1) or on-screen (copy 0, one per user who viewed it).</summary>
public sealed record CopyChoicesView(int CopyNumber, Guid RecipientUserId, string RecipientName, string RecipientEmail, Guid? RecipientDeviceId, DateTimeOffset IssuedAt, byte[] Choices);

/// <summary>An entry of a document's print register.</summary>
/// <param name="CopyNumber">The copy.</param>
/// <param name="Version">The version printed.</param>
/// <param name="RecipientUserId">Who printed it.</param>
/// <param name="RecipientName">Their display name.</param>
/// <param name="RecipientDeviceId">The device that printed it.</param>
/// <param name="Label">The label on the copy.</param>
/// <param name="PrintedAt">When.</param>
/// <param name="RecordHash">SHA-256 of the canonical print record (as in the ledger).</param>
/// <param name="DestroyedAt">When a security officer recorded the paper copy's destruction, if so.</param>
/// <param name="DestroyedBy">Who recorded it.</param>
/// <param name="DestructionNote">How it was destroyed, as recorded.</param>
public sealed record PrintRegisterEntry(int CopyNumber, int Version, Guid RecipientUserId, string RecipientName, Guid RecipientDeviceId, string Label,
    DateTimeOffset PrintedAt, byte[] RecordHash, DateTimeOffset? DestroyedAt, Guid? DestroyedBy, string? DestructionNote);

/// <summary>Records that a printed copy was destroyed (shredded, burned, ...); free text 1 to 1000 characters.</summary>
public sealed record RecordCopyDestroyedRequest(string Note);

/// <summary>Destroys a document: the performer's signed <c>parley/destruction-certificate</c> (every version, no key wraps remaining, result succeeded).</summary>
public sealed record DestroyDocumentRequest(byte[] Certificate);

/// <summary>Changes a document's retention dates (a security officer of a party).</summary>
public sealed record SetRetentionRequest(DateOnly? DeclassifyOn, DateOnly? DestroyAfter);

/// <summary>One version of a document as the server holds it.</summary>
/// <param name="Version">Its number, from 1.</param>
/// <param name="VersionHash">SHA-256 of its manifest.</param>
/// <param name="Label">Its label (banner).</param>
/// <param name="MediaType">Its media type.</param>
/// <param name="ContentLength">Plaintext length in bytes.</param>
/// <param name="CiphertextLength">Stored ciphertext length in bytes.</param>
/// <param name="AuthorUserId">Its author.</param>
/// <param name="AuthorDeviceId">The author's device.</param>
/// <param name="CreatedAt">When the server accepted it.</param>
/// <param name="SignedManifest">The canonical signed manifest, for the client to verify.</param>
public sealed record DocumentVersionView(int Version, byte[] VersionHash, string Label, string MediaType, long ContentLength, long CiphertextLength,
    Guid AuthorUserId, Guid AuthorDeviceId, DateTimeOffset CreatedAt, byte[] SignedManifest);

/// <summary>An endorsement as stored: the signed bytes (the client verifies them) and what the server read from them.</summary>
public sealed record EndorsementView(int Version, byte[] VersionHash, int Kind, string Delegation, Guid SignerUserId, DateTimeOffset EndorsedAt, byte[] Signed);

/// <summary>A document: its versions, endorsements, retention and, once destroyed, the certificate.</summary>
/// <param name="Id">The document id (the manifests' <c>document_id</c>).</param>
/// <param name="RoomId">The room it belongs to.</param>
/// <param name="Title">Its title.</param>
/// <param name="Label">The latest version's label (banner).</param>
/// <param name="Restricted">True when wrapped for named devices only.</param>
/// <param name="CreatedBy">Who created it.</param>
/// <param name="CreatedAt">When.</param>
/// <param name="DeclassifyOn">Declassification review date.</param>
/// <param name="DestroyAfter">Last day of keeping.</param>
/// <param name="Versions">Every version, oldest first (empty once destroyed).</param>
/// <param name="Endorsements">Every initial and signature, in the order received (empty once destroyed).</param>
/// <param name="Prints">Copies in the print register.</param>
/// <param name="DestroyedAt">When it was destroyed, if so.</param>
/// <param name="Certificate">The signed destruction certificate, once destroyed.</param>
public sealed record DocumentView(Guid Id, Guid RoomId, string Title, string Label, bool Restricted, Guid CreatedBy, DateTimeOffset CreatedAt,
    DateOnly? DeclassifyOn, DateOnly? DestroyAfter, IReadOnlyList<DocumentVersionView> Versions, IReadOnlyList<EndorsementView> Endorsements,
    int Prints, DateTimeOffset? DestroyedAt, byte[]? Certificate);

/// <summary>A document as listed in its room.</summary>
public sealed record DocumentSummary(Guid Id, Guid RoomId, string Title, string Label, bool Restricted, int LatestVersion, string MediaType, long ContentLength,
    DateTimeOffset UpdatedAt, int Endorsements, bool Destroyed);

/// <summary>A document due for a declassification or destruction review (kind: <c>declassify</c> or <c>destroy</c>).</summary>
public sealed record DocumentReviewView(Guid DocumentId, Guid RoomId, string Title, string Label, string Kind, DateOnly Date, int DaysOverdue, DateTimeOffset ListedAt);

/// <summary>Hub event <c>Document</c>: a document of a room the connection receives changed (kind: <c>created</c>, <c>version</c>, <c>endorsed</c>, <c>destroyed</c>). On <c>destroyed</c>, clients drop cached keys and plaintext of the document.</summary>
public sealed record DocumentEvent(Guid RoomId, Guid DocumentId, string Kind, int Version);

/// <summary>Names and limits of the documents contract.</summary>
public static class DocumentsProtocol
{
    /// <summary>Hub event carrying a <see cref="DocumentEvent"/>.</summary>
    public const string HubEvent = "Document";

    /// <summary>Most bytes in one upload part.</summary>
    public const int MaxPartBytes = 64 * 1024 * 1024;

    /// <summary>Problem type of a download of a destroyed document (410); its <c>certificate</c> extension is the signed certificate, base64.</summary>
    public const string DestroyedProblemType = "urn:parley:problem:document-destroyed";

    /// <summary>The problem extension holding the signed destruction certificate (base64).</summary>
    public const string CertificateExtension = "certificate";

    /// <summary>Media type of an envelope.</summary>
    public const string EnvelopeMediaType = "application/cbor";
}
