using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Parley.Protocol.Crypto;

namespace Parley.Protocol.Documents.Canary;

/// <summary>One printed or displayed copy of a document: its recipient and its copy number.</summary>
public sealed record CanaryCopy(Guid RecipientId, int CopyNumber);

/// <summary>
/// The keyed choices of one copy: for site <c>i</c>, a 32-bit value whose remainder modulo the number of
/// variants of the site's group picks the variant. They depend on the marking key, the document and the
/// copy only, not on the text, so whoever holds the marking key (the print register, not the recipient)
/// can hand a recipient their own choices without giving them the means to make anyone else's copy.
/// </summary>
public sealed class CanaryChoices
{
    private readonly uint[] _values;

    private CanaryChoices(CanaryCopy copy, uint[] values)
    {
        Copy = copy;
        _values = values;
    }

    /// <summary>The copy.</summary>
    public CanaryCopy Copy { get; }

    /// <summary>Number of sites covered.</summary>
    public int Count => _values.Length;

    /// <summary>The variant index for site <paramref name="site"/> of a group with <paramref name="variants"/> variants.</summary>
    public int Choice(int site, int variants) => (int)(_values[site] % (uint)variants);

    /// <summary>Most sites one set of choices covers (a text of several megabytes).</summary>
    public const int MaxSites = 1 << 22;

    /// <summary>The values as sent from the print register to the recipient's client: 4 bytes each, big-endian.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[4 * _values.Length];
        for (var i = 0; i < _values.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 * i), _values[i]);
        return bytes;
    }

    /// <summary>Reads values sent by the print register; a typed error for a length that is not a whole number of values.</summary>
    public static Result<CanaryChoices> Decode(CanaryCopy copy, ReadOnlySpan<byte> encoded)
    {
        ArgumentNullException.ThrowIfNull(copy);
        if (encoded.Length % 4 != 0) return Result<CanaryChoices>.Fail(ProtocolErrorCode.InvalidLength, "Canary choices are 4 bytes each.");
        if (encoded.Length / 4 > MaxSites) return Result<CanaryChoices>.Fail(ProtocolErrorCode.LimitExceeded, $"At most {MaxSites} canary choices.");
        var values = new uint[encoded.Length / 4];
        for (var i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadUInt32BigEndian(encoded[(4 * i)..]);
        return new CanaryChoices(copy, values);
    }

    /// <summary>
    /// The choices of <paramref name="copy"/> for <paramref name="siteCount"/> sites: block <c>b</c> of twelve
    /// values is HMAC-SHA-384(marking key, "PARLEY-PQ1 document-canary v1" || 0x00 || document id (16) ||
    /// recipient id (16) || copy number (4) || b (4)), read as big-endian 32-bit values.
    /// </summary>
    public static CanaryChoices Derive(SecretKey markingKey, Guid documentId, CanaryCopy copy, int siteCount)
    {
        ArgumentNullException.ThrowIfNull(markingKey);
        ArgumentNullException.ThrowIfNull(copy);
        ArgumentOutOfRangeException.ThrowIfNegative(siteCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(siteCount, MaxSites);
        if (markingKey.Length < 32) throw new ArgumentException("A marking key is at least 32 bytes.", nameof(markingKey));
        var values = new uint[siteCount];
        var input = new byte[16 + 16 + 4 + 4];
        documentId.TryWriteBytes(input.AsSpan(0, 16), bigEndian: true, out _);
        copy.RecipientId.TryWriteBytes(input.AsSpan(16, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteInt32BigEndian(input.AsSpan(32, 4), copy.CopyNumber);
        Span<byte> block = stackalloc byte[48];
        for (var b = 0; b * 12 < siteCount; b++)
        {
            BinaryPrimitives.WriteInt32BigEndian(input.AsSpan(36, 4), b);
            HMACSHA384.HashData(markingKey.Span, Labels.Bind(Labels.DocumentCanary, input), block);
            for (var k = 0; k < 12 && b * 12 + k < siteCount; k++)
                values[b * 12 + k] = BinaryPrimitives.ReadUInt32BigEndian(block.Slice(4 * k, 4));
        }
        CryptographicOperations.ZeroMemory(block);
        return new CanaryChoices(copy, values);
    }
}

/// <summary>
/// The canary trap (DESIGN §9): each recipient's copy of a text differs from every other in keyed choices
/// among equivalent spellings and phrasings (<see cref="VariantTable"/>), which survive copy-paste and
/// re-typing, so that an excerpt can be traced to its copy (<see cref="CanaryTracer"/>).
/// </summary>
public static class CanaryMarker
{
    /// <summary>The sites of <paramref name="original"/>, in order.</summary>
    public static IReadOnlyList<CanarySite> Sites(string original)
    {
        ArgumentNullException.ThrowIfNull(original);
        return CanaryText.Sites(original);
    }

    /// <summary>The copy of <paramref name="original"/> that carries <paramref name="choices"/>: every site
    /// replaced by its chosen variant in the original's case, everything else unchanged.</summary>
    public static string Mark(string original, CanaryChoices choices)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(choices);
        var sites = CanaryText.Sites(original);
        if (choices.Count < sites.Count) throw new ArgumentException($"The text has {sites.Count} sites; choices cover {choices.Count}.", nameof(choices));
        var builder = new StringBuilder(original.Length + original.Length / 50);
        var at = 0;
        foreach (var site in sites)
        {
            builder.Append(original, at, site.Start - at);
            var variant = site.Group.Variants[choices.Choice(site.Index, site.Group.Variants.Count)];
            builder.Append(CanaryText.InCaseOf(original.Substring(site.Start, site.Length), variant));
            at = site.Start + site.Length;
        }
        builder.Append(original, at, original.Length - at);
        return builder.ToString();
    }

    /// <summary>Marks <paramref name="original"/> for <paramref name="copy"/> with the document's marking key.</summary>
    public static string Mark(string original, SecretKey markingKey, Guid documentId, CanaryCopy copy) =>
        Mark(original, CanaryChoices.Derive(markingKey, documentId, copy, CanaryText.Sites(original).Count));
}
