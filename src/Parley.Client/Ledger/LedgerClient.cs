using System.Globalization;
using System.Net.Http.Json;
using Parley.Protocol;
using Parley.Protocol.Api;
using Parley.Protocol.Ledger;

namespace Parley.Client.Ledger;

/// <summary>Reads each tile at most once, so that one verification sees one version of every tile.</summary>
internal sealed class ReadOnceTileReader(ITileReader inner) : ITileReader
{
    private readonly Dictionary<TileAddress, Result<byte[]>> _read = [];

    public async ValueTask<Result<byte[]>> ReadAsync(TileAddress tile, CancellationToken cancellationToken)
    {
        if (_read.TryGetValue(tile, out var known)) return known;
        var read = await inner.ReadAsync(tile, cancellationToken).ConfigureAwait(false);
        _read[tile] = read;
        return read;
    }
}

/// <summary>Raised when a server's ledger does not verify: a bad signature, a fork, a rollback, a failed proof.</summary>
public sealed class LedgerVerificationException(ProtocolError error) : Exception(error.Message)
{
    /// <summary>The typed reason.</summary>
    public ProtocolError Error { get; } = error;

    /// <summary>True when the server showed two views of the log that cannot both be true.</summary>
    public bool IsFork => Error.Code == ProtocolErrorCode.Inconsistent;
}

/// <summary>
/// A client's verified view of a server's ledger. It pins the log's keys, accepts a new checkpoint
/// only with every pinned signature and a consistency proof from the last one it accepted (kept in an
/// <see cref="ICheckpointStore"/>), checks inclusion of entries against that checkpoint, and after a
/// fork refuses the server for good.
/// </summary>
public sealed class LedgerClient
{
    private readonly HttpClient _http;
    private readonly ITileReader _tiles;
    private readonly ICheckpointStore _store;
    private readonly LogVerifier _verifier;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly FullTileCache _fullTiles = new();
    private VerifiedCheckpoint? _current;
    private string? _fork;

    private LedgerClient(HttpClient http, ICheckpointStore store, LogVerifier verifier, VerifiedCheckpoint? current, string? fork)
    {
        _http = http;
        _tiles = new HttpTileReader(http);
        _store = store;
        _verifier = verifier;
        _current = current;
        _fork = fork;
    }

    /// <summary>The last checkpoint verified and accepted, or null before the first.</summary>
    public VerifiedCheckpoint? Current => _current;

    /// <summary>The log's origin.</summary>
    public string Origin => _verifier.Origin;

    /// <summary>The tiles of the server, for proofs and audits.</summary>
    public ITileReader Tiles => _tiles;

    /// <summary>
    /// A client of the ledger at <paramref name="http"/>'s base address. <paramref name="logKeys"/> are the pinned
    /// log keys (all must sign; their name is the origin); <paramref name="witnesses"/> and <paramref name="witnessQuorum"/>
    /// set how many witnesses must cosign. The state kept in <paramref name="store"/> is checked again with the pinned keys.
    /// </summary>
    public static async Task<LedgerClient> CreateAsync(HttpClient http, IReadOnlyList<INoteVerifier> logKeys, ICheckpointStore store,
        IReadOnlyList<INoteVerifier>? witnesses = null, int witnessQuorum = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(logKeys);
        ArgumentNullException.ThrowIfNull(store);
        if (logKeys.Count == 0) throw new ArgumentException("Pin at least one log key.", nameof(logKeys));
        var origin = logKeys[0].Name;
        if (logKeys.Any(k => k.Name != origin)) throw new ArgumentException("The log's keys carry its origin as their name.", nameof(logKeys));
        var state = await store.LoadAsync(origin, cancellationToken).ConfigureAwait(false);
        VerifiedCheckpoint? current = null;
        if (state.CheckpointNote is { } note)
        {
            // The stored checkpoint is checked with the log keys only: witnesses may have been added since.
            var stored = new LogVerifier(origin, logKeys).Verify(note);
            if (!stored.IsOk) throw new LedgerVerificationException(stored.Error with { Message = $"The stored checkpoint does not verify: {stored.Error.Message}" });
            current = stored.Value;
        }
        var verifier = new LogVerifier(origin, logKeys, witnesses, witnessQuorum, current?.Checkpoint);
        return new LedgerClient(http, store, verifier, current, state.ForkEvidence);
    }

    /// <summary>The verifier keys a server publishes at <c>/ledger/verifier-key</c>. Trusting them is trust on first use: pin them.</summary>
    public static async Task<IReadOnlyList<INoteVerifier>> FetchVerifierKeysAsync(HttpClient http, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        var text = await http.GetStringAsync("ledger/verifier-key", cancellationToken).ConfigureAwait(false);
        var keys = new List<INoteVerifier>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var key = NoteKeys.ParseVerifierKey(line);
            if (!key.IsOk) throw new LedgerVerificationException(key.Error);
            keys.Add(key.Value);
        }
        if (keys.Count == 0) throw new LedgerVerificationException(new ProtocolError(ProtocolErrorCode.Malformed, "The server publishes no verifier key."));
        return keys;
    }

    /// <summary>The witnesses the server has registered.</summary>
    public static async Task<IReadOnlyList<WitnessView>> FetchWitnessesAsync(HttpClient http, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        return await http.GetFromJsonAsync("ledger/witnesses", LedgerJson.Default.IReadOnlyListWitnessView, cancellationToken).ConfigureAwait(false) ?? [];
    }

    /// <summary>
    /// Fetches the server's checkpoint, verifies it and its consistency with the last accepted one, and
    /// keeps it. Throws <see cref="LedgerVerificationException"/> on any failure; a fork is recorded and
    /// every later call refuses the server.
    /// </summary>
    public async Task<VerifiedCheckpoint> UpdateAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            RefuseAfterFork();
            var note = await _http.GetStringAsync("ledger/checkpoint", cancellationToken).ConfigureAwait(false);
            var verified = _verifier.Verify(note);
            if (!verified.IsOk) throw new LedgerVerificationException(verified.Error);
            IReadOnlyList<byte[]> proof = [];
            if (_verifier.ConsistencyNeeded(verified.Value.Checkpoint) is { } needed)
            {
                var built = await TileProofs.ConsistencyAsync(_tiles, needed.From, needed.To, cancellationToken, _fullTiles).ConfigureAwait(false);
                // A log that cannot prove that its two signed checkpoints are consistent has forked.
                if (!built.IsOk) await ForkedAsync(note, new ProtocolError(ProtocolErrorCode.Inconsistent, $"No consistency proof from {needed.From} to {needed.To}: {built.Error.Message}"), cancellationToken).ConfigureAwait(false);
                proof = built.Value;
            }
            if (_verifier.Advance(verified.Value, proof) is { } error)
            {
                if (error.Code == ProtocolErrorCode.Inconsistent) await ForkedAsync(note, error, cancellationToken).ConfigureAwait(false);
                throw new LedgerVerificationException(error);
            }
            if (_current is null || !_current.Checkpoint.SameTree(verified.Value.Checkpoint) || _current.Note.Format() != verified.Value.Note.Format())
                await _store.SaveCheckpointAsync(Origin, note, cancellationToken).ConfigureAwait(false);
            _current = verified.Value;
            return verified.Value;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Checks that <paramref name="entry"/> is at <paramref name="index"/> in the log, against the accepted
    /// checkpoint (updated first if it does not cover the index yet). Returns the checkpoint it was proven against.
    /// </summary>
    public async Task<VerifiedCheckpoint> VerifyInclusionAsync(long index, byte[] entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var checkpoint = _current is { } current && current.Checkpoint.Size > index ? current : await UpdateAsync(cancellationToken).ConfigureAwait(false);
        RefuseAfterFork();
        if (checkpoint.Checkpoint.Size <= index)
            throw new LedgerVerificationException(new ProtocolError(ProtocolErrorCode.InvalidProof, $"The log's checkpoint has {checkpoint.Checkpoint.Size} entries; entry {index.ToString(CultureInfo.InvariantCulture)} is not in it."));
        var proof = await TileProofs.InclusionAsync(_tiles, index, checkpoint.Checkpoint.Size, cancellationToken, _fullTiles).ConfigureAwait(false);
        if (!proof.IsOk) throw new LedgerVerificationException(proof.Error);
        if (MerkleProofs.VerifyInclusion(index, checkpoint.Checkpoint.Size, MerkleHash.Leaf(entry), proof.Value, checkpoint.Checkpoint.Root) is { } error)
            throw new LedgerVerificationException(error);
        return checkpoint;
    }

    /// <summary>Fetches entry <paramref name="index"/> and proves its inclusion before returning it.</summary>
    public async Task<byte[]> GetVerifiedEntryAsync(long index, CancellationToken cancellationToken = default)
    {
        var size = _current is { } current && current.Checkpoint.Size > index ? current.Checkpoint.Size : (await UpdateAsync(cancellationToken).ConfigureAwait(false)).Checkpoint.Size;
        if (index >= size) throw new LedgerVerificationException(new ProtocolError(ProtocolErrorCode.InvalidProof, $"Entry {index.ToString(CultureInfo.InvariantCulture)} is beyond the log's {size} entries."));
        var entry = await TileProofs.EntryAsync(_tiles, index, size, cancellationToken).ConfigureAwait(false);
        if (!entry.IsOk) throw new LedgerVerificationException(entry.Error);
        await VerifyInclusionAsync(index, entry.Value, cancellationToken).ConfigureAwait(false);
        return entry.Value;
    }

    /// <summary>
    /// Fetches entries <c>[start, start + count)</c> (cut at the checkpoint's size) and proves them against the
    /// accepted checkpoint: every entry's leaf hash must be its hash in the level-0 tile, and one inclusion proof
    /// per bundle, computed from that same tile, binds the whole tile to the signed root.
    /// </summary>
    public async Task<IReadOnlyList<(long Index, byte[] Entry)>> GetVerifiedEntriesAsync(long start, int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var checkpoint = (_current ?? await UpdateAsync(cancellationToken).ConfigureAwait(false)).Checkpoint;
        RefuseAfterFork();
        var size = checkpoint.Size;
        var end = Math.Min(size, start + count);
        var entries = new List<(long, byte[])>();
        if (start >= end) return entries;
        // Each tile is read once for this call, so the hashes compared and the hashes proven are the same bytes.
        var tiles = new ReadOnceTileReader(_tiles);
        for (var bundleIndex = start / TileAddress.FullWidth; bundleIndex <= (end - 1) / TileAddress.FullWidth; bundleIndex++)
        {
            var bundle = TileMath.EntryBundleAt(bundleIndex, size)!.Value;
            var read = await tiles.ReadAsync(bundle, cancellationToken).ConfigureAwait(false);
            if (!read.IsOk) throw new LedgerVerificationException(read.Error);
            var decoded = EntryBundle.Decode(read.Value);
            if (!decoded.IsOk) throw new LedgerVerificationException(decoded.Error);
            var first = bundleIndex * TileAddress.FullWidth;
            if (decoded.Value.Count != bundle.Width)
                throw new LedgerVerificationException(new ProtocolError(ProtocolErrorCode.InvalidProof, $"{bundle.Path} holds {decoded.Value.Count} entries, not {bundle.Width}."));
            var hashes = await TileHashes.ReadTileAsync(tiles, TileAddress.HashTile(0, bundleIndex, bundle.Width), cancellationToken).ConfigureAwait(false);
            if (!hashes.IsOk) throw new LedgerVerificationException(hashes.Error);
            for (var i = 0; i < bundle.Width; i++)
            {
                if (!MerkleHash.Leaf(decoded.Value[i]).AsSpan().SequenceEqual(hashes.Value.AsSpan(i * MerkleHash.Size, MerkleHash.Size)))
                    throw new LedgerVerificationException(new ProtocolError(ProtocolErrorCode.InvalidProof, $"Entry {first + i} does not match its hash in the log."));
                if (first + i >= start && first + i < end) entries.Add((first + i, decoded.Value[i]));
            }
            var proof = await TileProofs.InclusionAsync(tiles, first, size, cancellationToken).ConfigureAwait(false);
            if (!proof.IsOk) throw new LedgerVerificationException(proof.Error);
            if (MerkleProofs.VerifyInclusion(first, size, hashes.Value.AsSpan(0, MerkleHash.Size), proof.Value, checkpoint.Root) is { } error)
                throw new LedgerVerificationException(error);
        }
        return entries;
    }

    /// <summary>
    /// The entries about <paramref name="subject"/> (e.g. <c>device:&lt;id&gt;</c>), each proven included in the
    /// accepted checkpoint and checked to be about that subject. The server's lookup can leave entries out;
    /// only a whole-log audit (or a monitor) shows that none is missing.
    /// </summary>
    public async Task<IReadOnlyList<(long Index, LedgerEntry Entry)>> GetVerifiedEntriesAboutAsync(string subject, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        var found = await _http.GetFromJsonAsync($"ledger/entries?subject={Uri.EscapeDataString(subject)}", LedgerJson.Default.LedgerSubjectIndex, cancellationToken).ConfigureAwait(false)
            ?? throw new LedgerVerificationException(new ProtocolError(ProtocolErrorCode.Malformed, "The server answered the lookup with nothing."));
        var entries = new List<(long, LedgerEntry)>();
        foreach (var index in found.Indices.Distinct())
        {
            var decoded = LedgerEntry.Decode(await GetVerifiedEntryAsync(index, cancellationToken).ConfigureAwait(false));
            if (!decoded.IsOk) throw new LedgerVerificationException(decoded.Error with { Message = $"Entry {index.ToString(CultureInfo.InvariantCulture)}: {decoded.Error.Message}" });
            if (decoded.Value.Subject != subject)
                throw new LedgerVerificationException(new ProtocolError(ProtocolErrorCode.InvalidProof, $"Entry {index.ToString(CultureInfo.InvariantCulture)} is about {decoded.Value.Subject}, not {subject}."));
            entries.Add((index, decoded.Value));
        }
        return entries;
    }

    /// <summary>
    /// Key transparency: proves that the registration of device <paramref name="deviceId"/> with exactly these
    /// public keys is in the log (a <see cref="LedgerEventType.DeviceRegistered"/> entry whose <c>kem-key-hash</c> and
    /// <c>signing-key-hash</c> are their SHA-256), before a client encrypts to the device. Returns its index.
    /// </summary>
    public async Task<long> VerifyDeviceLoggedAsync(Guid deviceId, byte[] kemPublicKey, byte[] signingPublicKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kemPublicKey);
        ArgumentNullException.ThrowIfNull(signingPublicKey);
        var subject = $"device:{deviceId}";
        var kem = LedgerEntry.HashOf(kemPublicKey);
        var signing = LedgerEntry.HashOf(signingPublicKey);
        foreach (var (index, entry) in await GetVerifiedEntriesAboutAsync(subject, cancellationToken).ConfigureAwait(false))
        {
            if (entry.Type == LedgerEventType.DeviceRegistered && entry.Field("kem-key-hash") == kem && entry.Field("signing-key-hash") == signing)
                return index;
        }
        throw new LedgerVerificationException(new ProtocolError(ProtocolErrorCode.Untrusted, $"The log holds no registration of {subject} with these keys: do not encrypt to it."));
    }

    private void RefuseAfterFork()
    {
        if (_fork is not null)
            throw new LedgerVerificationException(new ProtocolError(ProtocolErrorCode.Inconsistent, $"This server's ledger forked before; it is refused until the evidence is dealt with. {_fork.Split('\n')[0]}"));
    }

    private async Task ForkedAsync(string note, ProtocolError error, CancellationToken cancellationToken)
    {
        var evidence = $"{error.Message}\n\nAccepted before:\n{_current?.Note.Format() ?? "(nothing)"}\nServed now:\n{note}";
        _fork = evidence;
        await _store.SaveForkAsync(Origin, evidence, cancellationToken).ConfigureAwait(false);
        throw new LedgerVerificationException(error);
    }
}
