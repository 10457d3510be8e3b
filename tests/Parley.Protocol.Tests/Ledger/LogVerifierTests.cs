using Parley.Protocol.Crypto;
using Parley.Protocol.Ledger;

namespace Parley.Protocol.Tests.Ledger;

public class LogVerifierTests
{
    private const string Origin = "parley.test/ledger";
    private static readonly Ed25519NoteSigner Ed = new(Origin, SecretKey.Import(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()));
    private static readonly MlDsa87NoteSigner Pq = new(Origin, SecretKey.Import(Enumerable.Range(2, 32).Select(i => (byte)i).ToArray()));

    private static string Sign(Checkpoint checkpoint, params INoteSigner[] more) =>
        SignedNote.Create(checkpoint.Text, [Ed.Sign(checkpoint.Text), Pq.Sign(checkpoint.Text), .. more.Select(m => m.Sign(checkpoint.Text))]).Format();

    private static Checkpoint At(MemoryLog log) => Checkpoint.Create(Origin, log.Size, log.Root());

    private static LogVerifier Verifier(Checkpoint? trusted = null) => new(Origin, [Ed.Verifier, Pq.Verifier], trusted: trusted);

    [Fact]
    public async Task A_growing_log_is_followed_along_consistency_proofs()
    {
        var log = MemoryLog.WithEntries(300);
        var verifier = Verifier();
        var first = verifier.Verify(Sign(At(log))).Value;
        Assert.Null(verifier.ConsistencyNeeded(first.Checkpoint));
        Assert.Null(verifier.Advance(first, []));
        for (var i = 300; i < 700; i++) log.Append([(byte)i, 1]);
        var next = verifier.Verify(Sign(At(log))).Value;
        Assert.Equal((300L, 700L), verifier.ConsistencyNeeded(next.Checkpoint));
        var proof = (await TileProofs.ConsistencyAsync(log, 300, 700, default)).Value;
        Assert.Null(verifier.Advance(next, proof));
        Assert.Equal(700, verifier.Trusted!.Size);
        // The same checkpoint again is fine.
        Assert.Null(verifier.Advance(verifier.Verify(Sign(At(log))).Value, []));
    }

    [Fact]
    public async Task A_fork_and_a_rollback_are_refused_and_change_nothing()
    {
        var log = MemoryLog.WithEntries(100);
        var verifier = Verifier();
        Assert.Null(verifier.Advance(verifier.Verify(Sign(At(log))).Value, []));
        var trusted = verifier.Trusted!;

        // Same size, other entries: a fork.
        var fork = MemoryLog.WithEntries(99);
        fork.Append([0xff]);
        var forked = verifier.Verify(Sign(At(fork))).Value;
        Assert.Equal(ProtocolErrorCode.Inconsistent, verifier.Advance(forked, [])?.Code);

        // A larger fork: its own consistency proof cannot lead to the trusted root.
        for (var i = 0; i < 50; i++) fork.Append([(byte)i]);
        var proof = (await TileProofs.ConsistencyAsync(fork, 100, 150, default)).Value;
        Assert.Equal(ProtocolErrorCode.Inconsistent, verifier.Advance(verifier.Verify(Sign(At(fork))).Value, proof)?.Code);

        // Back to an older size.
        var older = MemoryLog.WithEntries(50);
        Assert.Equal(ProtocolErrorCode.Rollback, verifier.Advance(verifier.Verify(Sign(At(older))).Value, [])?.Code);
        Assert.Same(trusted, verifier.Trusted);
    }

    [Fact]
    public void Every_pinned_log_key_must_sign()
    {
        var checkpoint = At(MemoryLog.WithEntries(3));
        var edOnly = SignedNote.Create(checkpoint.Text, [Ed.Sign(checkpoint.Text)]).Format();
        Assert.Equal(ProtocolErrorCode.Untrusted, Verifier().Verify(edOnly).Error?.Code);
        // A verifier that pins only the Ed25519 key, as standard tools do, accepts both notes.
        Assert.True(new LogVerifier(Origin, [Ed.Verifier]).Verify(edOnly).IsOk);
        Assert.True(new LogVerifier(Origin, [Ed.Verifier]).Verify(Sign(checkpoint)).IsOk);
    }

    [Fact]
    public void Another_origin_or_a_tampered_signature_is_refused()
    {
        var log = MemoryLog.WithEntries(3);
        var otherOrigin = Checkpoint.Create("parley.other/ledger", 3, log.Root());
        var other = SignedNote.Create(otherOrigin.Text, [Ed.Sign(otherOrigin.Text), Pq.Sign(otherOrigin.Text)]).Format();
        Assert.Equal(ProtocolErrorCode.Untrusted, Verifier().Verify(other).Error?.Code);

        var note = Sign(At(log));
        var lines = note.Split('\n');
        var blob = Convert.FromBase64String(lines[4].Split(' ')[2]);
        blob[^1] ^= 1;
        lines[4] = $"{lines[4].Split(' ')[0]} {lines[4].Split(' ')[1]} {Convert.ToBase64String(blob)}";
        Assert.Equal(ProtocolErrorCode.BadSignature, Verifier().Verify(string.Join('\n', lines)).Error?.Code);
        Assert.Equal(ProtocolErrorCode.Malformed, Verifier().Verify("not a note").Error?.Code);
    }

    [Fact]
    public void A_witness_quorum_counts_valid_cosignatures_of_known_witnesses_only()
    {
        using var seed1 = SecretKey.Generate(32);
        using var seed2 = SecretKey.Generate(32);
        using var seed3 = SecretKey.Generate(32);
        using var w1 = new CosignatureV1Signer("w1.example", seed1, TimeProvider.System);
        using var w2 = new CosignatureV1Signer("w2.example", seed2, TimeProvider.System);
        using var stranger = new CosignatureV1Signer("w3.example", seed3, TimeProvider.System);
        var checkpoint = At(MemoryLog.WithEntries(5));
        var verifier = new LogVerifier(Origin, [Ed.Verifier, Pq.Verifier], [w1.Verifier, w2.Verifier], witnessQuorum: 2);

        Assert.Equal(ProtocolErrorCode.Untrusted, verifier.Verify(Sign(checkpoint, w1)).Error?.Code);
        Assert.Equal(ProtocolErrorCode.Untrusted, verifier.Verify(Sign(checkpoint, w1, stranger)).Error?.Code);
        var both = verifier.Verify(Sign(checkpoint, w1, stranger, w2)).Value;
        Assert.Equal(["w1.example", "w2.example"], both.Cosignatures.Select(c => c.Witness.Name));

        var otherText = Checkpoint.Create(Origin, 6, new byte[32]).Text;
        var misplaced = SignedNote.Create(checkpoint.Text, [Ed.Sign(checkpoint.Text), Pq.Sign(checkpoint.Text), w1.Sign(checkpoint.Text), new NoteSignature(w2.Name, w2.KeyId, w2.Sign(otherText).Signature)]);
        Assert.Equal(ProtocolErrorCode.BadSignature, verifier.Verify(misplaced).Error?.Code);
        Assert.Throws<ArgumentException>(() => new LogVerifier(Origin, [w1.Verifier]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogVerifier(Origin, [Ed.Verifier], [w1.Verifier], witnessQuorum: 2));
    }
}
