using Parley.Protocol.Ledger;

namespace Parley.Protocol.Tests.Ledger;

public class EntryBundleTests
{
    [Fact]
    public void Entries_are_big_endian_uint16_length_prefixed()
    {
        var bundle = EntryBundle.Encode([[0x61], [], new byte[300]]);
        Assert.Equal("000161" + "0000" + "012C", Convert.ToHexString(bundle[..7]));
        var decoded = EntryBundle.Decode(bundle).Value;
        Assert.Equal(3, decoded.Count);
        Assert.Equal([0x61], decoded[0]);
        Assert.Empty(decoded[1]);
        Assert.Equal(300, decoded[2].Length);
        Assert.Empty(EntryBundle.Decode([]).Value);
        Assert.Equal(65_535, EntryBundle.Decode(EntryBundle.Encode([new byte[65_535]])).Value[0].Length);
    }

    [Fact]
    public void Malformed_bundles_are_typed_errors()
    {
        var bundle = EntryBundle.Encode([[1, 2, 3], [4]]);
        for (var cut = 1; cut < bundle.Length; cut++)
        {
            if (cut == 5) continue; // a clean boundary between the two entries
            Assert.Equal(ProtocolErrorCode.Truncated, EntryBundle.Decode(bundle[..cut]).Error?.Code);
        }
        var tooMany = EntryBundle.Encode(Enumerable.Repeat(Array.Empty<byte>(), 256).ToList()).Concat(new byte[] { 0, 0 }).ToArray();
        Assert.Equal(ProtocolErrorCode.LimitExceeded, EntryBundle.Decode(tooMany).Error?.Code);
        Assert.Throws<ArgumentException>(() => EntryBundle.Encode([new byte[65_536]]));
        Assert.Throws<ArgumentException>(() => EntryBundle.Encode(Enumerable.Repeat(Array.Empty<byte>(), 257).ToList()));
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(2);
        for (var i = 0; i < 5000; i++)
        {
            var bytes = new byte[random.Next(0, 600)];
            random.NextBytes(bytes);
            if (random.Next(2) == 0 && bytes.Length > 0) bytes[0] = 0;
            _ = EntryBundle.Decode(bytes);
        }
    }
}
