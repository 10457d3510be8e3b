using System.Text;
using Parley.Protocol.Crypto;
using Parley.Protocol.Ledger;

namespace Parley.Protocol.Tests.Ledger;

public class CheckpointTests
{
    internal const string SpecText = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    internal const string SpecLogLine = "— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";
    internal const string SpecWitnessLine = "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n";
    internal const string SpecCosignedCheckpoint = SpecText + "\n" + SpecLogLine + SpecWitnessLine;

    [Fact]
    public void The_tlog_checkpoint_example_parses()
    {
        var note = SignedNote.Parse(SpecText + "\n" + SpecLogLine).Value;
        var checkpoint = Checkpoint.Parse(note.Text).Value;
        Assert.Equal("example.com/behind-the-sofa", checkpoint.Origin);
        Assert.Equal(20852163, checkpoint.Size);
        Assert.Equal("0AC5186A91863E8E1D90C808014AA89BF5DA8E3EE1D9F07630F0378F68F1AB62", Convert.ToHexString(checkpoint.Root));
        Assert.Empty(checkpoint.Extensions);
        Assert.Equal(SpecText, checkpoint.Text);
        Assert.Equal(SpecText, Checkpoint.Create(checkpoint.Origin, checkpoint.Size, checkpoint.Root).Text);
    }

    [Fact]
    public void The_tlog_cosignature_example_line_is_a_timestamped_cosignature_of_the_message_shown_there()
    {
        // The specification's witness line carries timestamp 1679315147, the one in its example of the signed message.
        var note = SignedNote.Parse(SpecCosignedCheckpoint).Value;
        var witness = note.Signatures[1];
        Assert.Equal("witness.example.com/w1", witness.Name);
        Assert.Equal(CosignatureV1Verifier.SignatureSize, witness.Signature.Length);
        Assert.Equal(1679315147L, CosignatureV1Verifier.Timestamp(witness.Signature));
        var message = "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        Assert.Equal(message, Encoding.UTF8.GetString(CosignatureV1Verifier.Message(note.Text, 1679315147)));
    }

    [Fact]
    public void Cosignatures_round_trip_and_bind_the_timestamp_and_the_text()
    {
        using var seed = SecretKey.Generate(32);
        var clock = new FixedClock(DateTimeOffset.FromUnixTimeSeconds(1679315147));
        using var witness = new CosignatureV1Signer("witness.example.com/w1", seed, clock);
        var line = witness.Sign(SpecText);
        Assert.Equal(1679315147L, CosignatureV1Verifier.Timestamp(line.Signature));
        var key = NoteKeys.ParseVerifierKey(witness.Verifier.VerifierKey).Value;
        Assert.Equal(NoteKeyType.CosignatureV1, key.Type);
        Assert.True(key.Verify(SpecText, line.Signature));
        var laterStamp = (byte[])line.Signature.Clone();
        laterStamp[7]++;
        Assert.False(key.Verify(SpecText, laterStamp));
        Assert.False(key.Verify(SpecText.Replace("20852163", "20852164", StringComparison.Ordinal), line.Signature));
        var negative = (byte[])line.Signature.Clone();
        negative[0] = 0x80;
        Assert.Null(CosignatureV1Verifier.Timestamp(negative));
        Assert.False(key.Verify(SpecText, negative));
        // A cosignature key is not a checkpoint signing key: same name, other type byte, other key ID.
        var asLogKey = Ed25519NoteVerifier.Create(witness.Name, Convert.FromBase64String(witness.Verifier.VerifierKey.Split('+', 3)[2])[1..]).Value;
        Assert.NotEqual(asLogKey.KeyId, key.KeyId);
        var skey = NoteKeys.FormatSignerKey(witness.Name, NoteKeyType.CosignatureV1, seed);
        Assert.Equal(witness.Verifier.VerifierKey, NoteKeys.ParseSignerKey(skey).Value.Verifier.VerifierKey);
    }

    [Theory]
    [InlineData("origin\n5\n", "two lines")]
    [InlineData("origin\n05\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "leading zero")]
    [InlineData("origin\n-5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "negative size")]
    [InlineData("origin\n+5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "signed size")]
    [InlineData("origin\n5 \nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "space after the size")]
    [InlineData("origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2\n", "short root")]
    [InlineData("origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=AAAA\n", "long root")]
    [InlineData("origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n", "non-canonical base64")]
    [InlineData("\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "empty origin")]
    [InlineData("origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\nextension\n", "empty extension line")]
    [InlineData("origin\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", "no final newline")]
    public void Malformed_checkpoints_are_typed_errors(string text, string why)
    {
        var parsed = Checkpoint.Parse(text);
        Assert.False(parsed.IsOk, why);
        Assert.Equal(ProtocolErrorCode.Malformed, parsed.Error.Code);
    }

    [Fact]
    public void Sizes_and_extensions()
    {
        Assert.Equal(ProtocolErrorCode.LimitExceeded, Checkpoint.Parse("o\n9223372036854775808\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n").Error?.Code);
        Assert.Equal(0, Checkpoint.Parse("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n").Value.Size);
        var extended = Checkpoint.Parse("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\nfirst\nsecond\n").Value;
        Assert.Equal(["first", "second"], extended.Extensions);
        Assert.Equal("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\nfirst\nsecond\n", extended.Text);
    }

    internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
