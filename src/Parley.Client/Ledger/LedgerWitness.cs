using System.Runtime.Versioning;
using System.Globalization;
using System.Net;
using System.Text;
using Parley.Protocol;
using Parley.Protocol.Ledger;

namespace Parley.Client.Ledger;

/// <summary>What one witness round came to.</summary>
public enum WitnessVerdict
{
    /// <summary>The checkpoint was consistent with the last one cosigned; it was cosigned and sent.</summary>
    Cosigned,
    /// <summary>The checkpoint did not verify or was older than the last cosigned one; nothing was cosigned this round.</summary>
    Refused,
    /// <summary>The log showed two inconsistent checkpoints: the alarm is raised and the witness cosigns this log no more.</summary>
    Alarm,
    /// <summary>An alarm raised before is still there: the witness refuses until an operator clears it.</summary>
    AlarmStanding,
}

/// <summary>The outcome of <see cref="LedgerWitness.RunOnceAsync"/>.</summary>
/// <param name="Verdict">What happened.</param>
/// <param name="Message">A sentence for the operator.</param>
/// <param name="Checkpoint">The checkpoint looked at, when it verified.</param>
/// <param name="Delivered">For a cosignature: whether the server accepted it.</param>
public sealed record WitnessRound(WitnessVerdict Verdict, string Message, Checkpoint? Checkpoint = null, bool Delivered = false);

/// <summary>
/// A delegation's witness of one server's ledger (C2SP tlog-cosignature, cosignature/v1). Its state
/// folder keeps the log keys it pinned, the last checkpoint it cosigned and, after a fork, the alarm.
/// Each round fetches the checkpoint, checks the log's signatures and a consistency proof from the last
/// cosigned checkpoint, and only then cosigns and sends the cosignature. Two inconsistent checkpoints
/// raise the alarm: it is written to <c>ALARM</c> and the witness never cosigns this log again until an
/// operator deletes that file.
/// </summary>
[UnsupportedOSPlatform("browser")]
public sealed class LedgerWitness
{
    /// <summary>The alarm file in the state folder.</summary>
    public const string AlarmFile = "ALARM";

    /// <summary>The pinned log keys in the state folder.</summary>
    public const string LogKeysFile = "log-keys";

    /// <summary>The last cosigned checkpoint in the state folder.</summary>
    public const string CheckpointFile = "checkpoint";

    private readonly HttpClient _http;
    private readonly INoteSigner _signer;
    private readonly string _state;

    /// <summary>A witness of the server at <paramref name="http"/>'s base address, signing with <paramref name="signer"/> (a cosignature/v1 key).</summary>
    public LedgerWitness(HttpClient http, INoteSigner signer, string stateFolder)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentException.ThrowIfNullOrEmpty(stateFolder);
        if (signer.Verifier.Type != NoteKeyType.CosignatureV1) throw new ArgumentException("A witness signs with a cosignature/v1 key.", nameof(signer));
        _http = http;
        _signer = signer;
        _state = Path.GetFullPath(stateFolder);
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(_state);
        else Directory.CreateDirectory(_state, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>The path of the alarm file.</summary>
    public string AlarmPath => Path.Combine(_state, AlarmFile);

    /// <summary>
    /// Pins the log keys: <paramref name="logKeys"/> if given (they must match keys pinned before), otherwise the
    /// keys pinned before, otherwise the server's published keys (trust on first use, reported in the message).
    /// </summary>
    public async Task<(IReadOnlyList<INoteVerifier> Keys, string? Notice)> PinLogKeysAsync(IReadOnlyList<INoteVerifier>? logKeys, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_state, LogKeysFile);
        IReadOnlyList<INoteVerifier>? pinned = null;
        if (File.Exists(path))
        {
            var keys = new List<INoteVerifier>();
            foreach (var line in (await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var key = NoteKeys.ParseVerifierKey(line);
                if (!key.IsOk) throw new LedgerVerificationException(key.Error with { Message = $"{path}: {key.Error.Message}" });
                keys.Add(key.Value);
            }
            pinned = keys;
        }
        if (logKeys is { Count: > 0 })
        {
            if (pinned is not null && !SameKeys(pinned, logKeys))
                throw new LedgerVerificationException(new ProtocolError(ProtocolErrorCode.Untrusted, $"The given log keys differ from those pinned in {path}."));
            if (pinned is null) await SaveKeysAsync(path, logKeys, cancellationToken).ConfigureAwait(false);
            return (logKeys, null);
        }
        if (pinned is not null) return (pinned, null);
        var published = await LedgerClient.FetchVerifierKeysAsync(_http, cancellationToken).ConfigureAwait(false);
        await SaveKeysAsync(path, published, cancellationToken).ConfigureAwait(false);
        return (published, $"Pinned the {published.Count} log keys the server publishes, on first use ({published[0].VerifierKey}); pass --log-key to pin them yourself.");
    }

    /// <summary>One round: fetch, verify, check consistency, cosign and send, or raise the alarm.</summary>
    public async Task<WitnessRound> RunOnceAsync(IReadOnlyList<INoteVerifier> logKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(logKeys);
        if (File.Exists(AlarmPath))
            return new(WitnessVerdict.AlarmStanding, $"An alarm is standing ({AlarmPath}): this witness cosigns nothing until an operator has investigated and deleted that file.");

        var origin = logKeys[0].Name;
        var verifier = new LogVerifier(origin, logKeys);
        var note = await _http.GetStringAsync("ledger/checkpoint", cancellationToken).ConfigureAwait(false);
        var verified = verifier.Verify(note);
        if (!verified.IsOk) return new(WitnessVerdict.Refused, $"The served checkpoint does not verify: {verified.Error.Message}");
        var next = verified.Value.Checkpoint;

        var lastPath = Path.Combine(_state, CheckpointFile);
        if (File.Exists(lastPath))
        {
            var lastNote = await File.ReadAllTextAsync(lastPath, cancellationToken).ConfigureAwait(false);
            var last = verifier.Verify(lastNote);
            if (!last.IsOk) throw new LedgerVerificationException(last.Error with { Message = $"{lastPath} does not verify with the pinned keys: {last.Error.Message}" });
            var previous = last.Value.Checkpoint;
            if (next.Size < previous.Size)
                return new(WitnessVerdict.Refused, $"The log shows size {next.Size}, older than the size {previous.Size} this witness cosigned; not cosigning.", next);
            if (next.Size == previous.Size && !next.SameTree(previous))
                return await AlarmAsync($"two different trees of size {next.Size}", lastNote, note, cancellationToken).ConfigureAwait(false);
            if (next.Size > previous.Size && previous.Size > 0)
            {
                var proof = await TileProofs.ConsistencyAsync(new HttpTileReader(_http), previous.Size, next.Size, cancellationToken).ConfigureAwait(false);
                if (!proof.IsOk)
                    return await AlarmAsync($"the log cannot prove that size {next.Size} extends size {previous.Size} ({proof.Error.Message})", lastNote, note, cancellationToken).ConfigureAwait(false);
                if (MerkleProofs.VerifyConsistency(previous.Size, next.Size, proof.Value, previous.Root, next.Root) is { } error)
                    return await AlarmAsync($"size {next.Size} does not extend size {previous.Size} ({error.Message})", lastNote, note, cancellationToken).ConfigureAwait(false);
            }
        }

        var cosignature = _signer.Sign(next.Text);
        // Remember what was signed before it leaves: the witness must never sign a conflicting view later.
        await PrivateFile.WriteAtomicallyAsync(lastPath, Encoding.UTF8.GetBytes(note), cancellationToken).ConfigureAwait(false);
        using var content = new StringContent(cosignature.Line, Encoding.UTF8, "text/plain");
        using var response = await _http.PostAsync("ledger/cosignatures", content, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
            return new(WitnessVerdict.Cosigned, $"Cosigned {next.Origin} at size {next.Size}.", next, Delivered: true);
        var detail = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var why = response.StatusCode == HttpStatusCode.Forbidden ? "this witness's key is not registered there" : $"HTTP {(int)response.StatusCode}";
        return new(WitnessVerdict.Cosigned, $"Cosigned {next.Origin} at size {next.Size}, but the server refused the cosignature: {why}. {Truncate(detail)}", next, Delivered: false);
    }

    private async Task<WitnessRound> AlarmAsync(string what, string before, string now, CancellationToken cancellationToken)
    {
        var evidence = new StringBuilder()
            .Append("ALARM: the log is inconsistent: ").Append(what).Append('\n')
            .Append("Raised at ").Append(DateTimeOffset.UtcNow.ToString("u", CultureInfo.InvariantCulture)).Append(" by ").Append(_signer.Verifier.VerifierKey).Append("\n\n")
            .Append("Last cosigned checkpoint:\n").Append(before).Append('\n')
            .Append("Checkpoint served now:\n").Append(now);
        await PrivateFile.WriteAtomicallyAsync(AlarmPath, Encoding.UTF8.GetBytes(evidence.ToString()), cancellationToken).ConfigureAwait(false);
        return new(WitnessVerdict.Alarm, $"ALARM: the log is inconsistent: {what}. Evidence in {AlarmPath}; this witness cosigns nothing more until an operator deletes it.");
    }

    private static async Task SaveKeysAsync(string path, IReadOnlyList<INoteVerifier> keys, CancellationToken cancellationToken) =>
        await PrivateFile.WriteAtomicallyAsync(path, Encoding.UTF8.GetBytes(string.Concat(keys.Select(k => k.VerifierKey + "\n"))), cancellationToken).ConfigureAwait(false);

    private static bool SameKeys(IReadOnlyList<INoteVerifier> a, IReadOnlyList<INoteVerifier> b) =>
        a.Select(k => k.VerifierKey).Order(StringComparer.Ordinal).SequenceEqual(b.Select(k => k.VerifierKey).Order(StringComparer.Ordinal));

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
