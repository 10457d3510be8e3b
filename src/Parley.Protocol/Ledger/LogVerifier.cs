namespace Parley.Protocol.Ledger;

/// <summary>A note whose signatures by known keys all verified.</summary>
/// <param name="Note">The note.</param>
/// <param name="VerifiedBy">The known keys whose signatures verified, one per signature line.</param>
public sealed record VerifiedNote(SignedNote Note, IReadOnlyList<INoteVerifier> VerifiedBy);

/// <summary>Signature checking of notes (signed-note §Signatures).</summary>
public static class NoteVerification
{
    /// <summary>
    /// Checks <paramref name="note"/> against <paramref name="known"/> keys. Lines from unknown keys (name
    /// and key ID not both matching) are ignored; a line from a known key that fails rejects the whole note;
    /// a note with no verified line is rejected.
    /// </summary>
    public static Result<VerifiedNote> Open(SignedNote note, IReadOnlyCollection<INoteVerifier> known)
    {
        ArgumentNullException.ThrowIfNull(note);
        ArgumentNullException.ThrowIfNull(known);
        var keys = new Dictionary<(string, uint), INoteVerifier>();
        foreach (var key in known)
        {
            if (!keys.TryAdd((key.Name, key.KeyId), key))
                throw new ArgumentException($"Two known keys share the name {key.Name} and key ID {key.KeyId:x8}.", nameof(known));
        }
        var verified = new List<INoteVerifier>();
        foreach (var signature in note.Signatures)
        {
            if (!keys.TryGetValue((signature.Name, signature.KeyId), out var key)) continue;
            if (!key.Verify(note.Text, signature.Signature))
                return Result<VerifiedNote>.Fail(ProtocolErrorCode.BadSignature, $"The signature of {signature.Name}+{signature.KeyId:x8} does not verify.");
            verified.Add(key);
        }
        if (verified.Count == 0) return Result<VerifiedNote>.Fail(ProtocolErrorCode.Untrusted, "The note carries no signature from a known key.");
        return new VerifiedNote(note, verified);
    }
}

/// <summary>A witness's valid cosignature on a checkpoint.</summary>
/// <param name="Witness">The witness's key.</param>
/// <param name="Timestamp">When it cosigned (POSIX seconds).</param>
public sealed record Cosignature(INoteVerifier Witness, long Timestamp);

/// <summary>A checkpoint whose log signatures (and any known witnesses' cosignatures) verified.</summary>
/// <param name="Checkpoint">The tree head.</param>
/// <param name="Note">The signed note it came in.</param>
/// <param name="Cosignatures">Valid cosignatures by known witnesses.</param>
public sealed record VerifiedCheckpoint(Checkpoint Checkpoint, SignedNote Note, IReadOnlyList<Cosignature> Cosignatures);

/// <summary>
/// A client's view of one log: the pinned log keys (every one must sign each checkpoint), optional
/// witnesses and how many of them must cosign, and the last checkpoint it accepted. It moves forward
/// only along consistency proofs and refuses a fork or a rollback.
/// </summary>
public sealed class LogVerifier
{
    private readonly INoteVerifier[] _logKeys;
    private readonly INoteVerifier[] _witnesses;

    /// <summary>A verifier for the log <paramref name="origin"/>.</summary>
    /// <param name="origin">The checkpoints' origin line.</param>
    /// <param name="logKeys">The log's keys (Ed25519 and/or ML-DSA-87); all must sign.</param>
    /// <param name="witnesses">Witness keys (cosignature/v1) whose cosignatures are checked.</param>
    /// <param name="witnessQuorum">How many distinct witnesses must cosign each accepted checkpoint.</param>
    /// <param name="trusted">The last checkpoint accepted before, if any.</param>
    public LogVerifier(string origin, IEnumerable<INoteVerifier> logKeys, IEnumerable<INoteVerifier>? witnesses = null, int witnessQuorum = 0, Checkpoint? trusted = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        ArgumentNullException.ThrowIfNull(logKeys);
        _logKeys = [.. logKeys];
        _witnesses = [.. witnesses ?? []];
        if (_logKeys.Length == 0) throw new ArgumentException("At least one log key is pinned.", nameof(logKeys));
        if (_logKeys.Any(k => k.Type == NoteKeyType.CosignatureV1)) throw new ArgumentException("Log keys sign with Ed25519 or ML-DSA-87.", nameof(logKeys));
        if (_witnesses.Any(k => k.Type != NoteKeyType.CosignatureV1)) throw new ArgumentException("Witness keys are cosignature/v1 keys.", nameof(witnesses));
        ArgumentOutOfRangeException.ThrowIfNegative(witnessQuorum);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(witnessQuorum, _witnesses.Length);
        if (trusted is not null && trusted.Origin != origin) throw new ArgumentException("The trusted checkpoint is from another log.", nameof(trusted));
        Origin = origin;
        WitnessQuorum = witnessQuorum;
        Trusted = trusted;
    }

    /// <summary>The log's origin.</summary>
    public string Origin { get; }

    /// <summary>The pinned log keys.</summary>
    public IReadOnlyList<INoteVerifier> LogKeys => _logKeys;

    /// <summary>The known witnesses.</summary>
    public IReadOnlyList<INoteVerifier> Witnesses => _witnesses;

    /// <summary>Cosignatures required on each checkpoint.</summary>
    public int WitnessQuorum { get; }

    /// <summary>The last checkpoint accepted, or null before the first.</summary>
    public Checkpoint? Trusted { get; private set; }

    /// <summary>Checks a served checkpoint's signatures, origin and cosignatures, without accepting it.</summary>
    public Result<VerifiedCheckpoint> Verify(string signedNote)
    {
        var note = SignedNote.Parse(signedNote ?? throw new ArgumentNullException(nameof(signedNote)));
        return note.IsOk ? Verify(note.Value) : Result<VerifiedCheckpoint>.Fail(note.Error);
    }

    /// <summary>Checks a checkpoint note's signatures, origin and cosignatures, without accepting it.</summary>
    public Result<VerifiedCheckpoint> Verify(SignedNote note)
    {
        ArgumentNullException.ThrowIfNull(note);
        var opened = NoteVerification.Open(note, [.. _logKeys, .. _witnesses]);
        if (!opened.IsOk) return Result<VerifiedCheckpoint>.Fail(opened.Error);
        var missing = _logKeys.Where(k => !opened.Value.VerifiedBy.Contains(k)).ToList();
        if (missing.Count > 0)
            return Result<VerifiedCheckpoint>.Fail(ProtocolErrorCode.Untrusted, $"The checkpoint is not signed by the log key {missing[0].Name}+{missing[0].KeyId:x8}.");
        var checkpoint = Checkpoint.Parse(note.Text);
        if (!checkpoint.IsOk) return Result<VerifiedCheckpoint>.Fail(checkpoint.Error);
        if (checkpoint.Value.Origin != Origin)
            return Result<VerifiedCheckpoint>.Fail(ProtocolErrorCode.Untrusted, $"The checkpoint is for the log '{checkpoint.Value.Origin}', not '{Origin}'.");

        var cosignatures = new List<Cosignature>();
        foreach (var signature in note.Signatures)
        {
            var witness = _witnesses.FirstOrDefault(w => w.Name == signature.Name && w.KeyId == signature.KeyId);
            if (witness is null || cosignatures.Any(c => c.Witness == witness)) continue;
            cosignatures.Add(new Cosignature(witness, CosignatureV1Verifier.Timestamp(signature.Signature)!.Value));
        }
        if (cosignatures.Count < WitnessQuorum)
            return Result<VerifiedCheckpoint>.Fail(ProtocolErrorCode.Untrusted, $"The checkpoint has {cosignatures.Count} witness cosignatures; {WitnessQuorum} are required.");
        return new VerifiedCheckpoint(checkpoint.Value, note, cosignatures);
    }

    /// <summary>The consistency proof <see cref="Advance"/> needs to move from <see cref="Trusted"/> to
    /// <paramref name="next"/>: the two sizes, or null when none is needed (first checkpoint, same size,
    /// empty trusted tree, or an older checkpoint, which is refused anyway).</summary>
    public (long From, long To)? ConsistencyNeeded(Checkpoint next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return Trusted is { Size: > 0 } trusted && next.Size > trusted.Size ? (trusted.Size, next.Size) : null;
    }

    /// <summary>
    /// Accepts <paramref name="next"/> if it extends <see cref="Trusted"/>: same tree, or a larger tree
    /// with a valid consistency proof. A same-size tree with another root or a failing proof is a fork
    /// (<see cref="ProtocolErrorCode.Inconsistent"/>); a smaller tree is a rollback. Nothing changes on error.
    /// </summary>
    public ProtocolError? Advance(VerifiedCheckpoint next, IReadOnlyList<byte[]> consistencyProof)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(consistencyProof);
        var checkpoint = next.Checkpoint;
        if (checkpoint.Origin != Origin) return new ProtocolError(ProtocolErrorCode.Untrusted, "The checkpoint is from another log.");
        if (Trusted is { } trusted)
        {
            if (checkpoint.Size < trusted.Size)
                return new ProtocolError(ProtocolErrorCode.Rollback, $"The log went back from size {trusted.Size} to {checkpoint.Size}.");
            if (checkpoint.Size == trusted.Size)
            {
                if (!checkpoint.SameTree(trusted))
                    return new ProtocolError(ProtocolErrorCode.Inconsistent, $"Fork: two different trees of size {checkpoint.Size}.");
            }
            else if (trusted.Size > 0 && MerkleProofs.VerifyConsistency(trusted.Size, checkpoint.Size, consistencyProof, trusted.Root, checkpoint.Root) is { } error)
            {
                return new ProtocolError(ProtocolErrorCode.Inconsistent, $"Fork: the tree of size {checkpoint.Size} does not extend the tree of size {trusted.Size} ({error.Message})");
            }
        }
        Trusted = checkpoint;
        return null;
    }
}
