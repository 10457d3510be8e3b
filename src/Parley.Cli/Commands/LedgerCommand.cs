using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Parley.Cli.Identity;
using Parley.Client.Ledger;
using Parley.Protocol;
using Parley.Protocol.Ledger;
using Parley.Server.Ledger;
using Spectre.Console;

namespace Parley.Cli.Commands;

/// <summary><c>parley ledger</c>: export and verify a server's ledger; register witnesses (operator).</summary>
internal static class LedgerCommand
{
    // Verifier keys are base64 with '+': kept readable rather than escaped as \u002B (this JSON is not embedded in HTML).
    private static readonly CliJson Json = new(new JsonSerializerOptions(CliJson.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    public static Command Create() => new("ledger", "The verifiable ledger: export it, verify it offline, register delegations' witnesses.")
    {
        Export(),
        Verify(),
        new Command("witness", "Witnesses whose cosignatures the server accepts.") { AddWitness() },
    };

    private static Command Export()
    {
        var folder = new Argument<string>("DIR") { Description = "Folder to write the checkpoint, tiles and entry bundles into (tlog-tiles paths)." };
        var server = LedgerCommandOptions.Server(required: true);
        var command = new Command("export", "Write a server's current checkpoint, its hash tiles and entry bundles to a folder, at their tlog-tiles paths.") { folder, server };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var http = LedgerCommandOptions.Http(parsed.GetRequiredValue(server));
            var root = Path.GetFullPath(parsed.GetRequiredValue(folder));
            var note = await http.GetStringAsync("ledger/checkpoint", cancellationToken).ConfigureAwait(false);
            var checkpoint = ParseCheckpoint(note);
            var keys = await http.GetStringAsync("ledger/verifier-key", cancellationToken).ConfigureAwait(false);
            var reader = new HttpTileReader(http);
            var tiles = TileMath.HashTiles(checkpoint.Size).Concat(TileMath.EntryBundles(checkpoint.Size)).ToList();

            Directory.CreateDirectory(root);
            await WithProgressAsync($"Exporting {tiles.Count} tiles", tiles.Count, async advance =>
            {
                foreach (var tile in tiles)
                {
                    var data = await reader.ReadAsync(tile, cancellationToken).ConfigureAwait(false);
                    if (!data.IsOk) throw new LedgerVerificationException(data.Error);
                    var path = Path.Combine(root, tile.Path.Replace('/', Path.DirectorySeparatorChar));
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    await File.WriteAllBytesAsync(path, data.Value, cancellationToken).ConfigureAwait(false);
                    advance(1);
                }
            }).ConfigureAwait(false);
            // The checkpoint last: a folder with a checkpoint is a complete export.
            await File.WriteAllTextAsync(Path.Combine(root, "verifier-key"), keys, cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(root, "checkpoint"), note, cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"Exported {checkpoint.Origin} at size {checkpoint.Size} ({tiles.Count} tiles and bundles) to {root}".AsMemory(), cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Verify()
    {
        var folder = new Argument<string?>("DIR") { Description = "An exported ledger folder (or use --server).", Arity = ArgumentArity.ZeroOrOne };
        var server = LedgerCommandOptions.Server(required: false);
        var witnesses = LedgerCommandOptions.Witnesses();
        var logKeys = LedgerCommandOptions.LogKeys();
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var command = new Command("verify", "Recompute a whole ledger from its entries: every leaf and tile hash, the root, every log signature and the named witnesses' cosignatures. Names the first bad index; exit 1 on failure.")
        {
            folder, server, witnesses, logKeys, json,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(folder) is null) == (result.GetResult(server) is null)) result.AddError("Give either an exported DIR or --server URL.");
        });
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var pinned = LedgerCommandOptions.ParseKeys(parsed.GetValue(logKeys));
            var witnessKeys = LedgerCommandOptions.ParseKeys(parsed.GetValue(witnesses)) ?? [];
            if (witnessKeys.Any(k => k.Type != NoteKeyType.CosignatureV1)) throw new UsageException("--witness takes cosignature/v1 verifier keys.");
            if (pinned is not null && pinned.Any(k => k.Type == NoteKeyType.CosignatureV1)) throw new UsageException("--log-key takes the log's Ed25519 or ML-DSA-87 verifier keys.");

            using var http = parsed.GetValue(server) is { } url ? LedgerCommandOptions.Http(url) : null;
            ITileReader reader;
            string note, publishedKeys;
            if (http is not null)
            {
                reader = new HttpTileReader(http);
                note = await http.GetStringAsync("ledger/checkpoint", cancellationToken).ConfigureAwait(false);
                publishedKeys = pinned is null ? await http.GetStringAsync("ledger/verifier-key", cancellationToken).ConfigureAwait(false) : "";
            }
            else
            {
                var root = Path.GetFullPath(parsed.GetValue(folder)!);
                if (!File.Exists(Path.Combine(root, "checkpoint"))) throw new UsageException($"{root} holds no exported ledger (no checkpoint file).");
                reader = new DirectoryTileReader(root);
                note = await File.ReadAllTextAsync(Path.Combine(root, "checkpoint"), cancellationToken).ConfigureAwait(false);
                var keysFile = Path.Combine(root, "verifier-key");
                publishedKeys = pinned is null && File.Exists(keysFile) ? await File.ReadAllTextAsync(keysFile, cancellationToken).ConfigureAwait(false) : "";
            }
            var keys = pinned ?? LedgerCommandOptions.ParseKeys(publishedKeys.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                ?? throw new UsageException("No log key: pass --log-key.");

            var report = await VerifyAsync(reader, note, keys, witnessKeys, pinned is not null, parsed.GetValue(json), cancellationToken).ConfigureAwait(false);
            if (parsed.GetValue(json))
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(report, Json.LedgerVerifyOutput).AsMemory(), cancellationToken).ConfigureAwait(false);
            else
                await Console.Out.WriteLineAsync(Describe(report).AsMemory(), cancellationToken).ConfigureAwait(false);
            return report.Ok ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static async Task<LedgerVerifyOutput> VerifyAsync(ITileReader reader, string note, IReadOnlyList<INoteVerifier> keys, IReadOnlyList<INoteVerifier> witnesses, bool pinned, bool quiet, CancellationToken cancellationToken)
    {
        var keyStrings = keys.Select(k => k.VerifierKey).ToList();
        var verifier = new LogVerifier(keys[0].Name, keys, witnesses, witnesses.Count);
        var verified = verifier.Verify(note);
        if (!verified.IsOk)
            return new LedgerVerifyOutput(false, keys[0].Name, null, null, 0, null, $"The checkpoint does not verify: {verified.Error.Message}", verified.Error.Code.ToString(), pinned, keyStrings, []);
        var checkpoint = verified.Value.Checkpoint;
        var cosignatures = verified.Value.Cosignatures
            .Select(c => new CosignatureOutput(c.Witness.Name, c.Witness.KeyId.ToString("x8", CultureInfo.InvariantCulture), c.Timestamp)).ToList();

        LogAuditReport audit = null!;
        await WithProgressAsync($"Verifying {checkpoint.Size} entries", checkpoint.Size, async advance =>
        {
            audit = await LogAudit.RunAsync(reader, checkpoint, entry => LedgerEntry.Decode(entry).Error, quiet ? null : new SynchronousProgress(advance), cancellationToken).ConfigureAwait(false);
        }, quiet).ConfigureAwait(false);
        return new LedgerVerifyOutput(audit.Ok, checkpoint.Origin, checkpoint.Size, Convert.ToBase64String(checkpoint.Root), audit.EntriesChecked, audit.FirstBadIndex,
            audit.Error?.Message, audit.Error?.Code.ToString(), pinned, keyStrings, cosignatures);
    }

    private static Command AddWitness()
    {
        var data = new Option<string>("--data") { Description = "The server's data folder.", HelpName = "DIR", Required = true };
        var delegation = new Option<string>("--delegation") { Description = "The delegation's code (2 to 8 capital letters).", HelpName = "CODE", Required = true };
        var name = new Option<string>("--name") { Description = "A name for the witness, for people (e.g. \"GBR witness\").", HelpName = "NAME", Required = true };
        var key = new Option<string>("--key") { Description = "The witness's cosignature/v1 verifier key, as `parley witness` prints it.", HelpName = "VKEY", Required = true };
        var command = new Command("add", "Register a delegation's witness key directly in the server's data folder (operator; the server may be running). The registration is logged in the ledger.")
        {
            data, delegation, name, key,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var registration = await LedgerOperator.AddWitnessAsync(parsed.GetRequiredValue(data), parsed.GetRequiredValue(delegation), parsed.GetRequiredValue(name), parsed.GetRequiredValue(key), cancellationToken).ConfigureAwait(false);
            switch (registration.Failure)
            {
                case WitnessRegistrationFailure.None:
                    await Console.Out.WriteLineAsync($"{registration.Message} Ledger entry queued (queue id {registration.Record!.QueueId}); the server integrates it.".AsMemory(), cancellationToken).ConfigureAwait(false);
                    return ExitCodes.Success;
                case WitnessRegistrationFailure.Invalid:
                    throw new UsageException(registration.Message);
                default:
                    await Console.Error.WriteLineAsync($"parley: {registration.Message}".AsMemory(), cancellationToken).ConfigureAwait(false);
                    return ExitCodes.Failure;
            }
        });
        return command;
    }

    private static Checkpoint ParseCheckpoint(string note)
    {
        var parsed = SignedNote.Parse(note);
        if (!parsed.IsOk) throw new LedgerVerificationException(parsed.Error);
        var checkpoint = Checkpoint.Parse(parsed.Value.Text);
        return checkpoint.IsOk ? checkpoint.Value : throw new LedgerVerificationException(checkpoint.Error);
    }

    private static string Describe(LedgerVerifyOutput report)
    {
        var text = new StringBuilder();
        text.Append(report.Ok ? "OK: " : "FAILED: ").Append(report.Origin);
        if (report.Size is { } size) text.Append(" at size ").Append(size.ToString(CultureInfo.InvariantCulture)).Append(", root ").Append(report.Root);
        text.Append('\n');
        text.Append("  log keys ").Append(report.LogKeysPinned ? "pinned: " : "as published by the source (not pinned; pass --log-key): ").Append(string.Join(", ", report.LogKeys.Select(k => k.Split('+')[0] + "+" + k.Split('+')[1]))).Append('\n');
        foreach (var cosignature in report.Cosignatures)
            text.Append("  cosigned by ").Append(cosignature.Witness).Append('+').Append(cosignature.KeyId).Append(" at ")
                .Append(DateTimeOffset.FromUnixTimeSeconds(cosignature.Timestamp).ToString("u", CultureInfo.InvariantCulture)).Append('\n');
        text.Append("  entries checked: ").Append(report.EntriesChecked.ToString(CultureInfo.InvariantCulture));
        if (report.FirstBadIndex is { } bad) text.Append("\n  first bad index: ").Append(bad.ToString(CultureInfo.InvariantCulture));
        if (report.Error is { } error) text.Append("\n  ").Append(error);
        return text.ToString();
    }

    private static async Task WithProgressAsync(string title, long total, Func<Action<long>, Task> work, bool quiet = false)
    {
        if (quiet || !AnsiConsole.Profile.Capabilities.Interactive || total <= 0)
        {
            await work(_ => { }).ConfigureAwait(false);
            return;
        }
        await AnsiConsole.Progress().AutoClear(true).StartAsync(async context =>
        {
            var task = context.AddTask(title, maxValue: total);
            await work(amount => task.Increment(amount)).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    // Progress<T> posts to the thread pool; the bar only needs to move as bundles are checked.
    private sealed class SynchronousProgress(Action<long> advance) : IProgress<long>
    {
        private long _reported;

        public void Report(long value)
        {
            advance(value - _reported);
            _reported = value;
        }
    }
}

/// <summary>The JSON shape of <c>parley ledger verify --json</c>.</summary>
internal sealed record LedgerVerifyOutput(
    bool Ok, string? Origin, long? Size, string? Root, long EntriesChecked, long? FirstBadIndex, string? Error, string? ErrorCode,
    bool LogKeysPinned, IReadOnlyList<string> LogKeys, IReadOnlyList<CosignatureOutput> Cosignatures);

/// <summary>A valid witness cosignature in <see cref="LedgerVerifyOutput"/>.</summary>
internal sealed record CosignatureOutput(string Witness, string KeyId, long Timestamp);
