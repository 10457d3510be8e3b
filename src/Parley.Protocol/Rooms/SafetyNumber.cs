using System.Buffers.Binary;
using System.Formats.Cbor;
using System.Text;
using Parley.Protocol.Crypto;
using Parley.Protocol.Formats;
using Parley.Protocol.Identity;

namespace Parley.Protocol.Rooms;

/// <summary>
/// What two users compare out of band to know that each holds the other's real identity key (issue 6 §5):
/// 60 digits, the same on both sides, and a QR payload carrying the same facts. Each user's half is a
/// slow hash chain over their user id and composite identity key, as in Signal:
/// <code>
/// h0 = SHA-512("PARLEY-PQ1 safety-number v1" || 0x00 || user id (16) || identity key (2689))
/// h(i+1) = SHA-512(h(i) || identity key), 5200 times
/// half = for each of the first six 5-byte groups of h: big-endian value mod 100000, as 5 digits
/// </code>
/// The number is the two 30-digit halves, the smaller first, so both users see the same one; it
/// changes when either key changes.
/// </summary>
public sealed class SafetyNumber : IEquatable<SafetyNumber>
{
    /// <summary>Iterations of the hash chain: brute-forcing a key whose half matches costs this many hashes per try.</summary>
    public const int Iterations = 5200;

    private const string QrType = "parley/safety-number";
    private const int FingerprintSize = 32;

    private readonly Half _first;
    private readonly Half _second;

    private SafetyNumber(Half first, Half second)
    {
        _first = first;
        _second = second;
    }

    /// <summary>The 60 digits.</summary>
    public string Digits => _first.Digits + _second.Digits;

    /// <summary>The digits in twelve groups of five, separated by spaces, for reading aloud.</summary>
    public string Formatted => string.Join(' ', Enumerable.Range(0, 12).Select(i => Digits.Substring(i * 5, 5)));

    /// <summary>
    /// The QR code's content: <c>["parley/safety-number", 1, [user id, fingerprint], [user id, fingerprint]]</c>
    /// in the order of the digits, fingerprint being the first 32 bytes of the user's hash chain.
    /// </summary>
    public byte[] QrPayload()
    {
        var writer = Canonical.CreateWriter();
        Canonical.WriteHeader(writer, QrType, 1, 2);
        _first.WriteTo(writer);
        _second.WriteTo(writer);
        writer.WriteEndArray();
        return writer.Encode();
    }

    /// <summary>Compares a scanned QR payload with this number: true when it states the same two users
    /// and keys, false when it differs, a typed error when it is not a safety-number payload.</summary>
    public Result<bool> MatchesQrPayload(ReadOnlyMemory<byte> scanned)
    {
        var parsed = Canonical.Decode<ScannedPayload>(scanned);
        if (!parsed.TryGetValue(out var payload, out var error)) return error;
        return payload.First.SameAs(_first) && payload.Second.SameAs(_second);
    }

    /// <summary>The safety number of two different users.</summary>
    /// <exception cref="ArgumentException">Both are the same user.</exception>
    public static async ValueTask<SafetyNumber> ComputeAsync(ICryptoBackend backend, Guid userA, CompositePublicKey keyA, Guid userB, CompositePublicKey keyB, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(keyA);
        ArgumentNullException.ThrowIfNull(keyB);
        if (userA == userB) throw new ArgumentException("A safety number is between two different users.", nameof(userB));
        var a = await HalfAsync(backend, userA, keyA, cancellationToken).ConfigureAwait(false);
        var b = await HalfAsync(backend, userB, keyB, cancellationToken).ConfigureAwait(false);
        var order = string.CompareOrdinal(a.Digits, b.Digits);
        if (order == 0) order = DeviceOrder.Compare(a.UserId, b.UserId);
        return order <= 0 ? new SafetyNumber(a, b) : new SafetyNumber(b, a);
    }

    /// <inheritdoc />
    public bool Equals(SafetyNumber? other) =>
        other is not null && _first.SameAs(other._first) && _second.SameAs(other._second);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as SafetyNumber);

    /// <inheritdoc />
    public override int GetHashCode() => Digits.GetHashCode(StringComparison.Ordinal);

    /// <summary>The formatted digits.</summary>
    public override string ToString() => Formatted;

    private static async ValueTask<Half> HalfAsync(ICryptoBackend backend, Guid userId, CompositePublicKey key, CancellationToken cancellationToken)
    {
        var encodedKey = key.Encode();
        var prefix = Labels.Bind(Labels.SafetyNumber, userId.ToByteArray(bigEndian: true));
        var input = new byte[prefix.Length + encodedKey.Length];
        prefix.CopyTo(input, 0);
        encodedKey.CopyTo(input, prefix.Length);
        var hash = await backend.HashAsync(HashName.Sha512, input, cancellationToken).ConfigureAwait(false);
        var step = new byte[hash.Length + encodedKey.Length];
        encodedKey.CopyTo(step, hash.Length);
        for (var i = 0; i < Iterations; i++)
        {
            hash.CopyTo(step, 0);
            hash = await backend.HashAsync(HashName.Sha512, step, cancellationToken).ConfigureAwait(false);
        }
        return new Half(userId, hash[..FingerprintSize], DigitsOf(hash));
    }

    private static string DigitsOf(byte[] hash)
    {
        var digits = new StringBuilder(30);
        Span<byte> chunk = stackalloc byte[8];
        for (var group = 0; group < 6; group++)
        {
            hash.AsSpan(group * 5, 5).CopyTo(chunk[3..]);
            digits.Append((BinaryPrimitives.ReadUInt64BigEndian(chunk) % 100000).ToString("D5", System.Globalization.CultureInfo.InvariantCulture));
        }
        return digits.ToString();
    }

    private sealed record Half(Guid UserId, byte[] Fingerprint, string Digits)
    {
        public bool SameAs(Half other) => UserId == other.UserId && Fingerprint.AsSpan().SequenceEqual(other.Fingerprint);

        public void WriteTo(CborWriter writer)
        {
            writer.WriteStartArray(2);
            Cbor.WriteGuid(writer, UserId);
            writer.WriteByteString(Fingerprint);
            writer.WriteEndArray();
        }

        public static Half ReadFrom(CborReader reader)
        {
            if (reader.ReadStartArray() != 2) throw new CanonicalFormatException("A safety-number half has 2 elements.");
            var user = Cbor.ReadGuid(reader, "user id");
            var fingerprint = Canonical.ReadBytes(reader, FingerprintSize, "fingerprint");
            reader.ReadEndArray();
            return new Half(user, fingerprint, "");
        }
    }

    private sealed record ScannedPayload(Half First, Half Second) : ICanonical<ScannedPayload>
    {
        public void WriteTo(CborWriter writer) => throw new NotSupportedException("SafetyNumber.QrPayload writes the payload.");

        public static ScannedPayload ReadFrom(CborReader reader)
        {
            Canonical.ReadHeader(reader, QrType, 2);
            var first = Half.ReadFrom(reader);
            var second = Half.ReadFrom(reader);
            reader.ReadEndArray();
            if (first.UserId == second.UserId) throw new CanonicalFormatException("A safety number is between two different users.");
            return new ScannedPayload(first, second);
        }
    }
}
