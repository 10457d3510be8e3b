using System.Formats.Cbor;

namespace Parley.Protocol.Formats;

/// <summary>A structure with one canonical byte encoding, for everything that is signed or hashed.</summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
public interface ICanonical<TSelf> where TSelf : ICanonical<TSelf>
{
    /// <summary>Writes the structure. Implementations write one array and nothing else.</summary>
    void WriteTo(CborWriter writer);

    /// <summary>Reads the structure. May throw <see cref="CborContentException"/>,
    /// <see cref="InvalidOperationException"/> or <see cref="CanonicalFormatException"/> on bad input;
    /// <see cref="Canonical.Decode{T}"/> turns those into a typed error.</summary>
    static abstract TSelf ReadFrom(CborReader reader);
}

/// <summary>Thrown by <see cref="ICanonical{TSelf}.ReadFrom"/> for values that parse as CBOR but break
/// the structure's rules; <see cref="Canonical.Decode{T}"/> reports it as a typed error.</summary>
public sealed class CanonicalFormatException(string message) : Exception(message);

/// <summary>
/// Parley's canonical encoding: deterministic CBOR (RFC 8949 §4.2.1): shortest integer and length
/// forms, definite lengths only. Signed and hashed structures are arrays whose first element is a
/// type name and second a version, never maps, floats or tags, so that there is exactly one
/// encoding of each value. Decoding refuses any other encoding and trailing bytes.
/// </summary>
public static class Canonical
{
    /// <summary>Largest structure the decoder accepts.</summary>
    public const int MaxSize = 16 * 1024 * 1024;

    /// <summary>A writer that produces canonical CBOR.</summary>
    public static CborWriter CreateWriter() => new(CborConformanceMode.Canonical, convertIndefiniteLengthEncodings: false);

    /// <summary>The canonical bytes of <paramref name="value"/>.</summary>
    public static byte[] Encode<T>(T value) where T : ICanonical<T>
    {
        var writer = CreateWriter();
        value.WriteTo(writer);
        return writer.Encode();
    }

    /// <summary>Decodes exactly one canonical <typeparamref name="T"/>; a typed error for anything else.</summary>
    public static Result<T> Decode<T>(ReadOnlyMemory<byte> encoded) where T : ICanonical<T>
    {
        if (encoded.Length > MaxSize) return Result<T>.Fail(ProtocolErrorCode.LimitExceeded, $"The encoded {typeof(T).Name} exceeds {MaxSize} bytes.");
        try
        {
            var reader = new CborReader(encoded, CborConformanceMode.Canonical);
            var value = T.ReadFrom(reader);
            if (reader.BytesRemaining != 0)
                return Result<T>.Fail(ProtocolErrorCode.Malformed, $"The encoded {typeof(T).Name} has {reader.BytesRemaining} trailing bytes.");
            return value;
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException or CanonicalFormatException or OverflowException or ArgumentException)
        {
            return Result<T>.Fail(ProtocolErrorCode.Malformed, $"The encoded {typeof(T).Name} is malformed: {e.Message}");
        }
    }

    /// <summary>Starts a structure: an array of <paramref name="fields"/> elements after the type name and version.</summary>
    public static void WriteHeader(CborWriter writer, string type, int version, int fields)
    {
        writer.WriteStartArray(2 + fields);
        writer.WriteTextString(type);
        writer.WriteInt32(version);
    }

    /// <summary>Reads and checks a header written by <see cref="WriteHeader"/>; returns the version.</summary>
    public static int ReadHeader(CborReader reader, string type, int fields, int maxVersion = 1)
    {
        var length = reader.ReadStartArray();
        if (length != 2 + fields) throw new CanonicalFormatException($"{type} has {length} elements, expected {2 + fields}.");
        var name = reader.ReadTextString();
        if (name != type) throw new CanonicalFormatException($"Expected a {type}, found a {name}.");
        var version = reader.ReadInt32();
        if (version < 1 || version > maxVersion) throw new CanonicalFormatException($"{type} version {version} is not supported.");
        return version;
    }

    /// <summary>Reads a byte string of exactly <paramref name="length"/> bytes.</summary>
    public static byte[] ReadBytes(CborReader reader, int length, string field)
    {
        var bytes = reader.ReadByteString();
        if (bytes.Length != length) throw new CanonicalFormatException($"{field} is {bytes.Length} bytes, expected {length}.");
        return bytes;
    }

    /// <summary>Reads a byte string of at most <paramref name="maxLength"/> bytes.</summary>
    public static byte[] ReadBytesUpTo(CborReader reader, int maxLength, string field)
    {
        var bytes = reader.ReadByteString();
        if (bytes.Length > maxLength) throw new CanonicalFormatException($"{field} is {bytes.Length} bytes, at most {maxLength} allowed.");
        return bytes;
    }

    /// <summary>Reads a text string of at most <paramref name="maxLength"/> characters.</summary>
    public static string ReadText(CborReader reader, int maxLength, string field)
    {
        var text = reader.ReadTextString();
        if (text.Length > maxLength) throw new CanonicalFormatException($"{field} is longer than {maxLength} characters.");
        return text;
    }
}
