using Parley.Protocol.Crypto;
using Parley.Protocol.Documents;
using Parley.Protocol.Documents.Canary;
using Parley.Protocol.Formats;
using Parley.Protocol.Tests.Robustness;

namespace Parley.Protocol.Tests.Documents;

/// <summary>The print register's record and the canary choices it hands a recipient's client.</summary>
public class PrintRegisterTests
{
    [Fact]
    public void A_print_record_round_trips_hashes_stably_and_refuses_hostile_bytes()
    {
        var record = new PrintRecord(DocumentFixtures.DocumentId, 2, [.. new byte[32]], 7, Guid.NewGuid(), Guid.NewGuid(), "SECRET//REL TO ATL, BOR", 1_795_867_200);
        var encoded = Canonical.Encode(record);
        var decoded = PrintRecord.Decode(encoded).Value;
        Assert.Equal(7, decoded.CopyNumber);
        Assert.Equal(record.Hash(), decoded.Hash());
        Assert.Throws<ArgumentException>(() => new PrintRecord(Guid.NewGuid(), 1, [.. new byte[32]], 0, Guid.NewGuid(), Guid.NewGuid(), "SECRET", 0));
        foreach (var input in Mutations.Of(encoded, 300, 21))
        {
            var result = PrintRecord.Decode(input);
            if (result.IsOk) Assert.Equal(input, Canonical.Encode(result.Value));
            else Assert.True(result.Error.Code is ProtocolErrorCode.Malformed or ProtocolErrorCode.LimitExceeded, result.Error.ToString());
        }
    }

    [Fact]
    public void Choices_sent_by_the_register_mark_the_same_copy()
    {
        using var key = SecretKey.Generate(32);
        var copy = new CanaryCopy(Guid.NewGuid(), 3);
        var sites = CanaryMarker.Sites(TreatyText.Draft).Count;
        var issued = CanaryChoices.Derive(key, DocumentFixtures.DocumentId, copy, sites);
        var received = CanaryChoices.Decode(copy, issued.Encode()).Value;
        Assert.Equal(CanaryMarker.Mark(TreatyText.Draft, issued), CanaryMarker.Mark(TreatyText.Draft, received));
        Assert.Equal(ProtocolErrorCode.InvalidLength, CanaryChoices.Decode(copy, new byte[7]).Error!.Code);
        // Too few choices for the text is a caller's error, not a silently unmarked tail.
        Assert.Throws<ArgumentException>(() => CanaryMarker.Mark(TreatyText.Draft, CanaryChoices.Decode(copy, issued.Encode()[..8]).Value));
    }
}
