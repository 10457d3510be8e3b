using System.Security.Cryptography;
using System.Text;
using Parley.Protocol.Ledger;
using Parley.Server.Storage;

namespace Parley.Server.Ledger;

/// <summary>
/// A row of <c>ledger_queue</c>: one entry of the ledger. Features add it in the same database
/// transaction as the change it records, so the change and its record commit together or not at
/// all (fail closed); the sequencer later gives it its index in the Merkle log, in the same durable
/// transaction that writes the tiles and the checkpoint covering it. Until then <see cref="Index"/> is null.
/// </summary>
public sealed class PendingLedgerEntry
{
    /// <summary>Queue order (never reused).</summary>
    public long Id { get; set; }

    /// <summary>Canonical bytes of the <see cref="LedgerEntry"/>.</summary>
    public byte[] Entry { get; set; } = [];

    /// <summary>The RFC 6962 leaf hash of <see cref="Entry"/>, to find the entry by hash.</summary>
    public byte[]? LeafHash { get; set; }

    /// <summary>The entry's subject (e.g. <c>device:&lt;id&gt;</c>), to find the entries about something.</summary>
    public string? Subject { get; set; }

    /// <summary>Index in the log once integrated; null while queued.</summary>
    public long? Index { get; set; }
}

/// <summary>An event queued by <see cref="LedgerWriter.Record"/>; <see cref="QueueId"/> is known once the caller's SaveChanges has run.</summary>
/// <param name="Entry">The entry.</param>
/// <param name="Row">Its queue row.</param>
public sealed record LedgerRecord(LedgerEntry Entry, PendingLedgerEntry Row)
{
    /// <summary>The queue id, for <see cref="LedgerSequencer.WaitForIntegrationAsync(long, CancellationToken)"/>.</summary>
    public long QueueId => Row.Id > 0 ? Row.Id : throw new InvalidOperationException("The entry is not saved yet: call SaveChanges first.");

    /// <summary>The leaf hash of the entry in the Merkle log.</summary>
    public byte[] LeafHash => Row.LeafHash!;
}

/// <summary>
/// Records security events. Scoped with the request's <see cref="ParleyDbContext"/>: an event is
/// written by the caller's next SaveChanges, together with the change it describes.
/// </summary>
public sealed class LedgerWriter(ParleyDbContext db, LedgerHmacKey hmac, TimeProvider time)
{
    /// <summary>Queues an entry stamped with the server's clock. Values must never be content:
    /// use ids, labels, outcomes, <see cref="LedgerEntry.HashOf"/> or <see cref="Hmac"/>.</summary>
    /// <exception cref="LedgerEntryTooLargeException">The entry cannot be logged: the action must not happen.</exception>
    public LedgerRecord Record(LedgerEventType type, Guid? actor, string? delegation, string subject, params LedgerField[] fields)
    {
        var entry = new LedgerEntry(type, time.GetUtcNow().ToUnixTimeMilliseconds(), actor, delegation, subject, fields);
        var encoded = entry.Encode();
        // An entry bundle prefixes each entry with a 16-bit length; a longer entry could never be served.
        if (encoded.Length > EntryBundle.MaxEntrySize) throw new LedgerEntryTooLargeException(type, encoded.Length);
        var row = new PendingLedgerEntry { Entry = encoded, LeafHash = MerkleHash.Leaf(encoded), Subject = subject };
        db.Set<PendingLedgerEntry>().Add(row);
        return new LedgerRecord(entry, row);
    }

    /// <summary>HMAC-SHA-256 (hex) of a personal value such as an email address: lets the server and
    /// auditors match it without the ledger revealing it.</summary>
    public string Hmac(string value) => hmac.Compute(value);
}

/// <summary>Raised when an event's entry exceeds what the log can hold; the change it records must not be saved.</summary>
public sealed class LedgerEntryTooLargeException(LedgerEventType type, int size)
    : Exception($"The ledger entry for {type} is {size} bytes; entries are at most {EntryBundle.MaxEntrySize}.");

/// <summary>The server's key for HMAC-ing personal values in ledger entries, kept in the data folder (0600).</summary>
public sealed class LedgerHmacKey
{
    private const string FileName = "ledger-hmac.key";
    private readonly byte[] _key;

    private LedgerHmacKey(byte[] key) => _key = key;

    /// <summary>Loads the key, creating it at first start.</summary>
    public static LedgerHmacKey LoadOrCreate(DataDirectory data)
    {
        var path = Path.Combine(data.Root, FileName);
        if (!File.Exists(path)) data.WritePrivateFile(FileName, RandomNumberGenerator.GetBytes(32));
        var key = File.ReadAllBytes(path);
        if (key.Length != 32) throw new InvalidDataException($"{path} must hold 32 bytes.");
        return new LedgerHmacKey(key);
    }

    /// <summary>Hex HMAC-SHA-256 of the UTF-8 of <paramref name="value"/> (lower-cased: emails compare case-insensitively).</summary>
    public string Compute(string value) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(value.Trim().ToLowerInvariant())));
}
