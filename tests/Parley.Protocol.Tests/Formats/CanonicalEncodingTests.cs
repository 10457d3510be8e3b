using System.Formats.Cbor;
using Parley.Protocol.Formats;
using Parley.Protocol.Streams;

namespace Parley.Protocol.Tests.Formats;

/// <summary>
/// Parley's canonical encoding is deterministic CBOR (RFC 8949 §4.2.1): the writer produces the
/// RFC's preferred encodings, and the decoder accepts exactly one encoding of each structure.
/// </summary>
public class CanonicalEncodingTests
{
    /// <summary>DocumentStreamContext(00112233-4455-6677-8899-aabbccddeeff, 3, "SECRET//ALPHA//REL TO ATL, BOR"),
    /// computed by hand: 85 (array of 5), 76 "parley/document-stream", 01, 50 + 16 id bytes, 03,
    /// 78 1e + 30 label bytes. docs/PROTOCOL.md carries the same vector.</summary>
    private const string GoldenContext =
        "85767061726c65792f646f63756d656e742d73747265616d015000112233445566778899aabbccddeeff03781e5345435245542f2f414c5048412f2f52454c20544f2041544c2c20424f52";

    private static readonly DocumentStreamContext Context = new(Guid.Parse("00112233-4455-6677-8899-aabbccddeeff"), 3, "SECRET//ALPHA//REL TO ATL, BOR");

    // RFC 8949 Appendix A, the kinds Parley uses: integers, byte and text strings, arrays.
    public static TheoryData<string, Action<CborWriter>> AppendixA => new()
    {
        { "00", w => w.WriteUInt64(0) },
        { "01", w => w.WriteUInt64(1) },
        { "0a", w => w.WriteUInt64(10) },
        { "17", w => w.WriteUInt64(23) },
        { "1818", w => w.WriteUInt64(24) },
        { "1819", w => w.WriteUInt64(25) },
        { "1864", w => w.WriteUInt64(100) },
        { "1903e8", w => w.WriteUInt64(1000) },
        { "1a000f4240", w => w.WriteUInt64(1000000) },
        { "1b000000e8d4a51000", w => w.WriteUInt64(1000000000000) },
        { "1bffffffffffffffff", w => w.WriteUInt64(18446744073709551615) },
        { "20", w => w.WriteInt64(-1) },
        { "29", w => w.WriteInt64(-10) },
        { "3863", w => w.WriteInt64(-100) },
        { "3903e7", w => w.WriteInt64(-1000) },
        { "3bffffffffffffffff", w => w.WriteCborNegativeIntegerRepresentation(ulong.MaxValue) },
        { "40", w => w.WriteByteString([]) },
        { "4401020304", w => w.WriteByteString([1, 2, 3, 4]) },
        { "60", w => w.WriteTextString("") },
        { "6161", w => w.WriteTextString("a") },
        { "6449455446", w => w.WriteTextString("IETF") },
        { "62225c", w => w.WriteTextString("\"\\") },
        { "62c3bc", w => w.WriteTextString("\u00fc") },
        { "63e6b0b4", w => w.WriteTextString("\u6c34") },
        { "64f0908591", w => w.WriteTextString("\ud800\udd51") },
        { "80", w => { w.WriteStartArray(0); w.WriteEndArray(); } },
        { "83010203", w => { w.WriteStartArray(3); w.WriteInt32(1); w.WriteInt32(2); w.WriteInt32(3); w.WriteEndArray(); } },
        { "8301820203820405", w =>
            {
                w.WriteStartArray(3);
                w.WriteInt32(1);
                w.WriteStartArray(2); w.WriteInt32(2); w.WriteInt32(3); w.WriteEndArray();
                w.WriteStartArray(2); w.WriteInt32(4); w.WriteInt32(5); w.WriteEndArray();
                w.WriteEndArray();
            }
        },
        { "98190102030405060708090a0b0c0d0e0f101112131415161718181819", w =>
            {
                w.WriteStartArray(25);
                for (var i = 1; i <= 25; i++) w.WriteInt32(i);
                w.WriteEndArray();
            }
        },
    };

    [Theory]
    [MemberData(nameof(AppendixA))]
    public void The_writer_produces_the_RFC_8949_encoding(string expected, Action<CborWriter> write)
    {
        var writer = Canonical.CreateWriter();
        write(writer);
        Assert.Equal(expected, Convert.ToHexStringLower(writer.Encode()));
    }

    [Fact]
    public void A_document_stream_context_encodes_to_the_golden_vector()
    {
        Assert.Equal(GoldenContext, Convert.ToHexStringLower(Context.Encode()));
        Assert.Equal(Context, Canonical.Decode<DocumentStreamContext>(Convert.FromHexString(GoldenContext)).Value);
    }

    [Fact]
    public void A_document_version_below_one_cannot_be_encoded() =>
        Assert.Throws<InvalidOperationException>(() => (Context with { Version = 0 }).Encode());

    // Each row rewrites one part of the golden vector.
    public static TheoryData<string, string> NonCanonicalOrWrong => new()
    {
        { "the format version as 18 01 instead of 01", Golden().Replace("6d01", "6d1801") },
        { "the document version as 18 03 instead of 03", Golden().Replace("eeff03", "eeff1803") },
        { "the label length as 79 00 1e instead of 78 1e", Golden().Replace("03781e", "0379001e") },
        { "the id length as 58 10 instead of 50", Golden().Replace("015000", "01581000") },
        { "an indefinite-length array", "9f" + Golden()[2..] + "ff" },
        { "an indefinite-length label", Golden().Replace("03781e", "037f781e") + "ff" },
        { "a trailing byte", Golden() + "00" },
        { "another type name", Golden().Replace("7061726c65792f646f63756d656e742d73747265616d", "7061726c65792f646f63756d656e742d73747265616e") },
        { "format version 2", Golden().Replace("6d01", "6d02") },
        { "format version 0", Golden().Replace("6d01", "6d00") },
        { "four fields", "84" + Golden()[2..Golden().IndexOf("03781e", StringComparison.Ordinal)] + "03" },
        { "six fields", "86" + Golden()[2..] + "00" },
        { "a 15-byte id", Golden().Replace("5000112233445566778899aabbccddeeff", "4f112233445566778899aabbccddeeff") },
        { "document version 0", Golden().Replace("eeff03", "eeff00") },
        { "a negative document version", Golden().Replace("eeff03", "eeff20") },
        { "a map instead of an array", "a0" },
        { "nothing", "" },
        { "half of the structure", Golden()[..40] },
    };

    [Theory]
    [MemberData(nameof(NonCanonicalOrWrong))]
    public void Decoding_refuses(string what, string hex)
    {
        var result = Canonical.Decode<DocumentStreamContext>(Convert.FromHexString(hex));
        Assert.False(result.IsOk, $"accepted {what}");
        Assert.Equal(ProtocolErrorCode.Malformed, result.Error.Code);
    }

    [Fact]
    public void Decoding_refuses_an_oversized_input_before_reading_it()
    {
        var result = Canonical.Decode<DocumentStreamContext>(new byte[Canonical.MaxSize + 1]);
        Assert.Equal(ProtocolErrorCode.LimitExceeded, result.Error?.Code);
    }

    [Fact]
    public void Decoding_refuses_an_overlong_label()
    {
        var encoded = (Context with { Label = new string('S', 1025) }).Encode();
        Assert.Equal(ProtocolErrorCode.Malformed, Canonical.Decode<DocumentStreamContext>(encoded).Error?.Code);
        Assert.True(Canonical.Decode<DocumentStreamContext>((Context with { Label = new string('S', 1024) }).Encode()).IsOk);
    }

    [Fact]
    public void Every_rewrite_above_starts_from_the_golden_vector()
    {
        // Guards the table: a Replace that matched nothing would test the valid vector.
        foreach (var row in NonCanonicalOrWrong)
            Assert.NotEqual(GoldenContext, (string)row[1]);
    }

    private static string Golden() => GoldenContext;
}
