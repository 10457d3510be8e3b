using System.Text;
using Parley.Protocol.Crypto;
using Parley.Protocol.Ledger;

namespace Parley.Protocol.Tests.Ledger;

/// <summary>
/// Signed notes against published examples: the reference implementation's key and note
/// (golang.org/x/mod/sumdb/note, whose format C2SP signed-note specifies), which carry a real key,
/// and the C2SP specifications' own examples, whose signatures are illustrative (the specifications
/// publish no keys for them), for their structure.
/// </summary>
public class SignedNoteTests
{
    internal const string GoVerifierKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    internal const string GoSignerKey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    internal const string GoText = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    internal const string GoSignatureLine = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    internal const string GoNote = GoText + "\n" + GoSignatureLine;

    internal const string SpecNote = "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";

    [Fact]
    public void The_reference_note_verifies_with_its_published_key()
    {
        var key = NoteKeys.ParseVerifierKey(GoVerifierKey).Value;
        Assert.Equal(("PeterNeumann", 0xc74f20a3u, NoteKeyType.Ed25519), (key.Name, key.KeyId, key.Type));
        Assert.Equal(GoVerifierKey, key.VerifierKey);
        var note = SignedNote.Parse(GoNote).Value;
        Assert.Equal(GoText, note.Text);
        var opened = NoteVerification.Open(note, [key]);
        Assert.True(opened.IsOk, opened.Error?.ToString());
        Assert.Equal(GoNote, note.Format());
        Assert.Equal(GoNote, SignedNote.Parse(Encoding.UTF8.GetBytes(GoNote)).Value.Format());
    }

    [Fact]
    public void Signing_with_the_reference_private_key_reproduces_the_published_signature()
    {
        var signer = NoteKeys.ParseSignerKey(GoSignerKey).Value;
        Assert.Equal(GoVerifierKey, signer.Verifier.VerifierKey);
        Assert.Equal(GoSignatureLine, signer.Sign(GoText).Line);
        using var seed = SecretKey.Import(Convert.FromBase64String("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz").AsSpan(1));
        Assert.Equal(GoSignerKey, NoteKeys.FormatSignerKey("PeterNeumann", NoteKeyType.Ed25519, seed));
        Assert.DoesNotContain("AYEKFAL", signer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_mangled_verifier_key_is_refused()
    {
        // As the reference implementation's test: every proper substring and every single-byte change.
        var bytes = Encoding.ASCII.GetBytes(GoVerifierKey);
        for (var i = 0; i <= bytes.Length; i++)
        {
            for (var j = i + 1; j <= bytes.Length; j++)
            {
                if (i == 0 && j == bytes.Length) continue;
                Assert.False(NoteKeys.ParseVerifierKey(Encoding.ASCII.GetString(bytes, i, j - i)).IsOk);
            }
        }
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i]++;
            Assert.False(NoteKeys.ParseVerifierKey(Encoding.ASCII.GetString(bytes)).IsOk, Encoding.ASCII.GetString(bytes));
            bytes[i]--;
        }
        Assert.Equal(ProtocolErrorCode.InvalidKey, NoteKeys.ParseVerifierKey("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").Error?.Code);
        Assert.Equal(ProtocolErrorCode.Unsupported, NoteKeys.ParseVerifierKey("PeterNeumann+c74f20a3+BRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").Error?.Code);
    }

    [Fact]
    public void A_changed_text_or_signature_is_refused_and_unknown_keys_are_ignored()
    {
        var key = NoteKeys.ParseVerifierKey(GoVerifierKey).Value;
        var changed = SignedNote.Parse(GoNote.Replace("cryptography", "cryptographY", StringComparison.Ordinal)).Value;
        Assert.Equal(ProtocolErrorCode.BadSignature, NoteVerification.Open(changed, [key]).Error?.Code);

        var other = new Ed25519NoteSigner("PeterNeumann", SecretKey.Generate(32));
        var withUnknown = SignedNote.Parse(GoNote).Value.WithSignatures([other.Sign(GoText)]);
        Assert.True(NoteVerification.Open(withUnknown, [key]).IsOk);
        Assert.Equal(ProtocolErrorCode.Untrusted, NoteVerification.Open(SignedNote.Parse(GoNote).Value, [other.Verifier]).Error?.Code);

        // Same name and ID as the known key but a different signature: a known key's signature that fails.
        var forged = SignedNote.Create(GoText, [new NoteSignature("PeterNeumann", 0xc74f20a3, other.Sign(GoText).Signature)]);
        Assert.Equal(ProtocolErrorCode.BadSignature, NoteVerification.Open(forged, [key]).Error?.Code);
        Assert.Throws<ArgumentException>(() => NoteVerification.Open(forged, [key, NoteKeys.ParseVerifierKey(GoVerifierKey).Value]));
    }

    [Fact]
    public void The_signed_note_specification_example_splits_at_the_last_blank_line()
    {
        var note = SignedNote.Parse(SpecNote).Value;
        Assert.Equal("Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n", note.Text);
        var signature = Assert.Single(note.Signatures);
        Assert.Equal("quasimodo.example/salvatore", signature.Name);
        Assert.Equal(64, signature.Signature.Length);
        Assert.Equal(SpecNote, note.Format());
    }

    [Theory]
    [InlineData("text\n", "no blank line")]
    [InlineData("text\n\n", "no signature")]
    [InlineData("text\n\n— name AAAAAA==\n", "signature shorter than 5 bytes")]
    [InlineData("text\n\n— name AAAAAAAA\n\n", "trailing blank line")]
    [InlineData("text\n\n— name AAAAAAAA", "no final newline")]
    [InlineData("text\n\n-- name AAAAAAAA\n", "no em dash")]
    [InlineData("text\n\n—  name AAAAAAAA\n", "empty name")]
    [InlineData("text\n\n— na+me AAAAAAAA\n", "plus in the name")]
    [InlineData("text\n\n— name AAAA AAAA\n", "space in the signature")]
    [InlineData("text\n\n— name AAAAAAA\n", "unpadded base64")]
    [InlineData("text\n\n— name AAAAAAB=\n", "non-zero pad bits")]
    [InlineData("te\txt\n\n— name AAAAAAAA\n", "tab in the text")]
    [InlineData("te\rxt\n\n— name AAAAAAAA\n", "carriage return")]
    [InlineData("text\n\n— name\u00a0x AAAAAAAA\n", "Unicode space in the name")]
    public void Malformed_notes_are_typed_errors(string note, string why)
    {
        var parsed = SignedNote.Parse(note);
        Assert.False(parsed.IsOk, why);
        Assert.Equal(ProtocolErrorCode.Malformed, parsed.Error.Code);
    }

    [Fact]
    public void Invalid_UTF8_and_oversized_notes_are_typed_errors()
    {
        var bytes = Encoding.UTF8.GetBytes(GoNote);
        bytes[3] = 0xff;
        Assert.Equal(ProtocolErrorCode.Malformed, SignedNote.Parse(bytes).Error?.Code);
        Assert.Equal(ProtocolErrorCode.LimitExceeded, SignedNote.Parse(new byte[SignedNote.MaxSize + 1]).Error?.Code);
        var many = GoText + "\n" + string.Concat(Enumerable.Repeat(GoSignatureLine, SignedNote.MaxSignatures + 1));
        Assert.Equal(ProtocolErrorCode.LimitExceeded, SignedNote.Parse(many).Error?.Code);
        // Sixteen signatures must be accepted.
        var sixteen = GoText + "\n" + string.Concat(Enumerable.Repeat(GoSignatureLine, 16));
        Assert.Equal(16, SignedNote.Parse(sixteen).Value.Signatures.Count);
    }

    [Fact]
    public void ML_DSA_87_lines_verify_with_Parley_keys_and_are_ignored_by_Ed25519_only_verifiers()
    {
        using var edSeed = SecretKey.Generate(32);
        using var pqSeed = SecretKey.Generate(32);
        var ed = new Ed25519NoteSigner("parley.example/ledger", edSeed);
        var pq = new MlDsa87NoteSigner("parley.example/ledger", pqSeed);
        var note = SignedNote.Create(GoText, [ed.Sign(GoText), pq.Sign(GoText)]);
        Assert.NotEqual(ed.KeyId, pq.KeyId);
        Assert.Equal(4 + MlDsa87.SignatureSize, Convert.FromBase64String(note.Format().Split('\n')[^2].Split(' ')[^1]).Length);

        var pqKey = NoteKeys.ParseVerifierKey(pq.Verifier.VerifierKey).Value;
        Assert.Equal(NoteKeyType.ParleyMlDsa87, pqKey.Type);
        Assert.StartsWith("/1BBUkxFWS1NTC1EU0Et", pq.Verifier.VerifierKey.Split('+', 3)[2], StringComparison.Ordinal);
        Assert.Equal(2, NoteVerification.Open(SignedNote.Parse(note.Format()).Value, [ed.Verifier, pqKey]).Value.VerifiedBy.Count);
        Assert.Single(NoteVerification.Open(note, [ed.Verifier]).Value.VerifiedBy);

        var forged = SignedNote.Create(GoText, [ed.Sign(GoText), new NoteSignature(pq.Name, pq.KeyId, pq.Sign("other\n").Signature)]);
        Assert.Equal(ProtocolErrorCode.BadSignature, NoteVerification.Open(forged, [ed.Verifier, pqKey]).Error?.Code);
        Assert.True(NoteVerification.Open(forged, [ed.Verifier]).IsOk);
    }

    [Fact]
    public void Random_and_mutated_notes_and_keys_never_throw()
    {
        var random = new Random(20852163);
        var samples = new[] { GoNote, SpecNote, CheckpointTests.SpecCosignedCheckpoint, GoVerifierKey };
        var key = NoteKeys.ParseVerifierKey(GoVerifierKey).Value;
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(samples[i % samples.Length]);
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                switch (random.Next(3))
                {
                    case 0: bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8)); break;
                    case 1: bytes = bytes[..random.Next(bytes.Length)]; break;
                    default: bytes = [.. bytes, (byte)random.Next(256)]; break;
                }
                if (bytes.Length == 0) bytes = [0x0a];
            }
            var text = Encoding.UTF8.GetString(bytes);
            var note = SignedNote.Parse(bytes);
            if (note.IsOk)
            {
                _ = NoteVerification.Open(note.Value, [key]);
                _ = Checkpoint.Parse(note.Value.Text);
            }
            _ = Checkpoint.Parse(text);
            _ = NoteKeys.ParseVerifierKey(text);
            _ = NoteKeys.ParseSignerKey("PRIVATE+KEY+" + text);
            _ = NoteSignature.ParseLine(text);
        }
    }
}
