using System.Formats.Cbor;
using System.Security.Cryptography;
using Parley.Protocol.Formats;

namespace Parley.Protocol.Ledger;

/// <summary>
/// Security events recorded in the ledger. The numbers are stable: they are in signed, logged
/// entries, so a code is never reused or renumbered (add new ones at the end of their block).
/// </summary>
public enum LedgerEventType
{
    /// <summary>The host administrator was created with the bootstrap token.</summary>
    BootstrapCompleted = 1000,
    /// <summary>A sign-in succeeded.</summary>
    SignInSucceeded = 1001,
    /// <summary>A sign-in failed (wrong password or second factor).</summary>
    SignInFailed = 1002,
    /// <summary>An account was locked after repeated failures.</summary>
    AccountLocked = 1003,
    /// <summary>A session ended by sign-out.</summary>
    SignedOut = 1004,
    /// <summary>A session's assurance level was raised.</summary>
    SteppedUp = 1005,
    /// <summary>An enrollment link was created.</summary>
    EnrollmentCreated = 1010,
    /// <summary>An enrollment was completed: an account exists.</summary>
    EnrollmentCompleted = 1011,
    /// <summary>An enrollment link was withdrawn.</summary>
    EnrollmentWithdrawn = 1012,
    /// <summary>TOTP was enrolled.</summary>
    TotpEnrolled = 1020,
    /// <summary>A security key or passkey was registered.</summary>
    SecurityKeyRegistered = 1021,
    /// <summary>A security key was removed.</summary>
    SecurityKeyRemoved = 1022,
    /// <summary>Recovery codes were (re)generated.</summary>
    RecoveryCodesGenerated = 1023,
    /// <summary>A recovery code was used.</summary>
    RecoveryCodeUsed = 1024,
    /// <summary>A delegation was created.</summary>
    DelegationCreated = 1030,
    /// <summary>A delegation's root of trust was published.</summary>
    DelegationRootPublished = 1031,
    /// <summary>A device and its certificate were registered (key transparency).</summary>
    DeviceRegistered = 1040,
    /// <summary>A device was revoked.</summary>
    DeviceRevoked = 1041,
    /// <summary>A session was bound to a device by the device's proof of possession.</summary>
    SessionBoundToDevice = 1042,
    /// <summary>A clearance certificate was issued (key transparency).</summary>
    ClearanceIssued = 1050,
    /// <summary>A clearance certificate was revoked.</summary>
    ClearanceRevoked = 1051,
    /// <summary>An account was suspended.</summary>
    AccountSuspended = 1060,
    /// <summary>An account was reinstated.</summary>
    AccountReinstated = 1061,
    /// <summary>An access decision (permit or deny) with the rules that decided it.</summary>
    AccessDecision = 2000,
    /// <summary>An authorised downgrade of a label.</summary>
    Downgrade = 2001,
    /// <summary>A training completion was recorded.</summary>
    TrainingRecorded = 2010,
    /// <summary>A need-to-know grant was created.</summary>
    GrantCreated = 2020,
    /// <summary>A need-to-know grant was revoked.</summary>
    GrantRevoked = 2021,
    /// <summary>A room was created.</summary>
    RoomCreated = 3000,
    /// <summary>A member was added to a room.</summary>
    RoomMemberAdded = 3001,
    /// <summary>A member was removed from a room.</summary>
    RoomMemberRemoved = 3002,
    /// <summary>A party withdrew from a room.</summary>
    RoomPartyWithdrawn = 3003,
    /// <summary>A room's label changed (a new epoch is then required).</summary>
    RoomLabelChanged = 3004,
    /// <summary>A room's retention period changed.</summary>
    RoomRetentionChanged = 3005,
    /// <summary>Key packages of a new epoch were published.</summary>
    KeyPackagesPublished = 3010,
    /// <summary>A message was posted (its hash, never its content).</summary>
    MessagePosted = 3020,
    /// <summary>Messages of a room reached the end of its retention and were deleted.</summary>
    RoomMessagesExpired = 3021,
    /// <summary>A document version was uploaded.</summary>
    DocumentVersionUploaded = 4000,
    /// <summary>A document version was signed.</summary>
    DocumentSigned = 4001,
    /// <summary>A document version was initialled.</summary>
    DocumentInitialled = 4002,
    /// <summary>A version's key wraps were delivered to a device (an envelope download: an access).</summary>
    DocumentKeysReleased = 4003,
    /// <summary>Room-epoch key wraps were added to a version.</summary>
    DocumentWrapsAdded = 4004,
    /// <summary>A version's ciphertext was downloaded.</summary>
    DocumentContentRead = 4005,
    /// <summary>A controlled copy was printed.</summary>
    DocumentPrinted = 4010,
    /// <summary>A printed copy's destruction was recorded.</summary>
    PrintedCopyDestroyed = 4011,
    /// <summary>On-screen canary marks (copy 0) of a version were issued to a reader.</summary>
    DocumentMarksIssued = 4012,
    /// <summary>A security officer fetched the canary choices of a version's copies to trace a leak.</summary>
    DocumentCopiesTraced = 4013,
    /// <summary>A document was cryptographically erased.</summary>
    DocumentDestroyed = 4020,
    /// <summary>A document's retention dates (declassify-on, destroy-after) changed.</summary>
    DocumentRetentionChanged = 4021,
    /// <summary>The daily retention job listed a document as due for a declassification or destruction review.</summary>
    DocumentReviewDue = 4022,
    /// <summary>A witness key was registered for a delegation.</summary>
    WitnessRegistered = 5000,
    /// <summary>The hash of a web client bundle the server serves.</summary>
    WebClientBundle = 5001,
    /// <summary>An anomaly alert was raised.</summary>
    AlertRaised = 6000,
    /// <summary>An incident action was taken.</summary>
    IncidentAction = 6010,
}

/// <summary>One field of an entry: a name and a value that is never plaintext content (ids, hashes, HMACs, labels, outcomes).</summary>
/// <param name="Name">Field name.</param>
/// <param name="Value">Field value.</param>
public sealed record LedgerField(string Name, string Value);

/// <summary>
/// A ledger entry: the canonical record of one security event,
/// <c>["parley/ledger-entry", 1, type code, time (Unix ms, stamped by the server), actor user id or null,
/// delegation or null, subject, [[name, value], ...]]</c>. The leaf hash of the Merkle tree is over these bytes.
/// </summary>
public sealed record LedgerEntry(LedgerEventType Type, long TimeMilliseconds, Guid? Actor, string? Delegation, string Subject, IReadOnlyList<LedgerField> Fields) : ICanonical<LedgerEntry>
{
    private const string TypeName = "parley/ledger-entry";

    /// <summary>The canonical bytes.</summary>
    public byte[] Encode() => Canonical.Encode(this);

    /// <summary>A field's value, or null.</summary>
    public string? Field(string name) => Fields.FirstOrDefault(f => f.Name == name)?.Value;

    /// <inheritdoc />
    public void WriteTo(CborWriter writer)
    {
        Canonical.WriteHeader(writer, TypeName, 1, 6);
        writer.WriteInt32((int)Type);
        writer.WriteInt64(TimeMilliseconds);
        if (Actor is { } actor) writer.WriteByteString(actor.ToByteArray(bigEndian: true)); else writer.WriteNull();
        if (Delegation is { } delegation) writer.WriteTextString(delegation); else writer.WriteNull();
        writer.WriteTextString(Subject);
        writer.WriteStartArray(Fields.Count);
        foreach (var field in Fields)
        {
            writer.WriteStartArray(2);
            writer.WriteTextString(field.Name);
            writer.WriteTextString(field.Value);
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
        writer.WriteEndArray();
    }

    /// <inheritdoc />
    public static LedgerEntry ReadFrom(CborReader reader)
    {
        Canonical.ReadHeader(reader, TypeName, 6);
        var type = (LedgerEventType)reader.ReadInt32();
        var time = reader.ReadInt64();
        Guid? actor = null;
        if (reader.PeekState() == CborReaderState.Null) reader.ReadNull();
        else actor = new Guid(Canonical.ReadBytes(reader, 16, "actor"), bigEndian: true);
        string? delegation = null;
        if (reader.PeekState() == CborReaderState.Null) reader.ReadNull();
        else delegation = Canonical.ReadText(reader, 8, "delegation");
        var subject = Canonical.ReadText(reader, 200, "subject");
        var count = reader.ReadStartArray() ?? throw new CanonicalFormatException("Fields must have a definite length.");
        if (count > 64) throw new CanonicalFormatException("An entry has at most 64 fields.");
        var fields = new List<LedgerField>(count);
        for (var i = 0; i < count; i++)
        {
            if (reader.ReadStartArray() != 2) throw new CanonicalFormatException("A field is a [name, value] pair.");
            fields.Add(new LedgerField(Canonical.ReadText(reader, 64, "field name"), Canonical.ReadText(reader, 1024, "field value")));
            reader.ReadEndArray();
        }
        reader.ReadEndArray();
        reader.ReadEndArray();
        return new LedgerEntry(type, time, actor, delegation, subject, fields);
    }

    /// <summary>Decodes an entry; a typed error if malformed.</summary>
    public static Result<LedgerEntry> Decode(ReadOnlyMemory<byte> encoded) => Canonical.Decode<LedgerEntry>(encoded);

    /// <summary>Hex SHA-256 of <paramref name="data"/>, the usual way to log a value without revealing it.</summary>
    public static string HashOf(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
