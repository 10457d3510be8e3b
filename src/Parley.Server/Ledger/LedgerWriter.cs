using System.Security.Cryptography;
using System.Text;
using Parley.Protocol.Ledger;
using Parley.Server.Storage;

namespace Parley.Server.Ledger;

/// <summary>
/// An entry waiting to be sequenced into the Merkle log. Features add it in the same database
/// transaction as the change it records, so the change and its record commit together or not at
/// all (fail closed); the sequencer then assigns it an index and integrates it into the tree.
/// </summary>
public sealed class PendingLedgerEntry
{
    /// <summary>Queue order.</summary>
    public long Id { get; set; }

    /// <summary>Canonical bytes of the <see cref="LedgerEntry"/>.</summary>
    public byte[] Entry { get; set; } = [];
}

/// <summary>
/// Records security events. Scoped with the request's <see cref="ParleyDbContext"/>: an event is
/// written by the caller's next SaveChanges, together with the change it describes.
/// </summary>
public sealed class LedgerWriter(ParleyDbContext db, LedgerHmacKey hmac, TimeProvider time)
{
    /// <summary>Queues an entry stamped with the server's clock. Values must never be content:
    /// use ids, labels, outcomes, <see cref="LedgerEntry.HashOf"/> or <see cref="Hmac"/>.</summary>
    public LedgerEntry Record(LedgerEventType type, Guid? actor, string? delegation, string subject, params LedgerField[] fields)
    {
        var entry = new LedgerEntry(type, time.GetUtcNow().ToUnixTimeMilliseconds(), actor, delegation, subject, fields);
        db.Set<PendingLedgerEntry>().Add(new PendingLedgerEntry { Entry = entry.Encode() });
        return entry;
    }

    /// <summary>HMAC-SHA-256 (hex) of a personal value such as an email address: lets the server and
    /// auditors match it without the ledger revealing it.</summary>
    public string Hmac(string value) => hmac.Compute(value);
}

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
