using Parley.Protocol.Crypto;
using Parley.Protocol.Documents;
using Parley.Protocol.Documents.Canary;
using Parley.Protocol.Formats;

namespace Parley.Protocol.Tests.Documents;

/// <summary>Pinned encodings of PROTOCOL.md §14: an endorsement and the first canary choices of a copy.</summary>
public class DocumentVectorTests
{
    private static readonly Guid Document = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
    private static readonly Guid Head = Guid.Parse("0f0e0d0c-0b0a-0908-0706-050403020100");

    [Fact]
    public void An_endorsement_encodes_as_documented()
    {
        var hash = Enumerable.Range(0xa0, 32).Select(i => (byte)i).ToArray();
        var endorsement = new Endorsement(EndorsementKind.Sign, Document, 3, [.. hash], "ATL", Head, 1_795_867_200);
        Assert.Equal(
            "89" + "781b" + Convert.ToHexStringLower("parley/document-endorsement"u8) + "01" + "02" + "50" + "00112233445566778899aabbccddeeff" + "03"
            + "5820" + "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf" + "63" + "41544c" + "50" + "0f0e0d0c0b0a09080706050403020100" + "1a6b0ac240",
            Convert.ToHexStringLower(Canonical.Encode(endorsement)));
    }

    [Fact]
    public void Canary_choices_follow_the_documented_derivation()
    {
        using var key = SecretKey.Import(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        var copy = new CanaryCopy(Head, 7);
        var choices = CanaryChoices.Derive(key, Document, copy, 13);

        // Recomputed from the definition with the platform's HMAC-SHA-384.
        var input = new byte[40];
        Document.TryWriteBytes(input.AsSpan(0, 16), bigEndian: true, out _);
        Head.TryWriteBytes(input.AsSpan(16, 16), bigEndian: true, out _);
        input[35] = 7;
        for (var block = 0; block < 2; block++)
        {
            input[39] = (byte)block;
            byte[] message = [.. "PARLEY-PQ1 document-canary v1"u8, 0, .. input];
            var mac = System.Security.Cryptography.HMACSHA384.HashData(key.Export(), message);
            for (var k = 0; k < 12 && block * 12 + k < 13; k++)
            {
                var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(mac.AsSpan(4 * k));
                Assert.Equal((int)(value % 1_000_003u), choices.Choice(block * 12 + k, 1_000_003));
            }
        }
    }
}
