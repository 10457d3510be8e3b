using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Parley.Cli.Identity;
using Parley.Client.Ledger;
using Parley.Protocol.Crypto;
using Parley.Protocol.Ledger;

namespace Parley.Cli.Commands;

/// <summary>
/// <c>parley witness</c>: a delegation's witness of a server's ledger. Checks every new checkpoint
/// against the last one it cosigned, cosigns (cosignature/v1) and sends it; on two inconsistent
/// checkpoints it raises an alarm, exits 1 and refuses that log until an operator clears the alarm.
/// </summary>
internal static class WitnessCommand
{
    public static Command Create()
    {
        var server = LedgerCommandOptions.Server(required: true);
        var state = new Option<string>("--state")
        {
            Description = "Folder of the witness's state: pinned log keys, last cosigned checkpoint, alarm. Created private if missing.",
            HelpName = "DIR",
            Required = true,
        };
        var key = new Option<string>("--key")
        {
            Description = "The witness's private key file; created (0600) if missing. Its verifier key is printed: register it with the server's operator.",
            HelpName = "FILE",
            Required = true,
        };
        var name = new Option<string>("--name")
        {
            Description = "Key name of a new key (a schema-less URL without spaces or '+'); default witness.<host name>.",
            HelpName = "NAME",
        };
        var logKeys = LedgerCommandOptions.LogKeys();
        var once = new Option<bool>("--once") { Description = "Run one round and exit: 0 if the checkpoint was cosigned and accepted." };
        var interval = new Option<int>("--interval")
        {
            Description = "Seconds between rounds (1 to 86400).",
            HelpName = "SECONDS",
            DefaultValueFactory = _ => 30,
        };
        interval.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 86_400) result.AddError("--interval takes 1 to 86400 seconds.");
        });

        var command = new Command("witness", "Witness a server's ledger: verify each checkpoint's consistency with the last one cosigned, cosign it (C2SP cosignature/v1) and send it; alarm on a fork.")
        {
            server, state, key, name, logKeys, once, interval,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var signer = await LoadOrCreateKeyAsync(parsed.GetRequiredValue(key), parsed.GetValue(name), cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"Witness key: {signer.Verifier.VerifierKey}".AsMemory(), cancellationToken).ConfigureAwait(false);
            using var http = LedgerCommandOptions.Http(parsed.GetRequiredValue(server));
            var witness = new LedgerWitness(http, signer, parsed.GetRequiredValue(state));
            var (keys, notice) = await witness.PinLogKeysAsync(LedgerCommandOptions.ParseKeys(parsed.GetValue(logKeys)), cancellationToken).ConfigureAwait(false);
            if (notice is not null) await Console.Error.WriteLineAsync(notice.AsMemory(), cancellationToken).ConfigureAwait(false);

            var runOnce = parsed.GetValue(once);
            while (true)
            {
                WitnessRound round;
                try
                {
                    round = await witness.RunOnceAsync(keys, cancellationToken).ConfigureAwait(false);
                }
                catch (HttpRequestException e) when (!runOnce)
                {
                    await Console.Error.WriteLineAsync($"parley: cannot reach the server: {e.Message}".AsMemory(), cancellationToken).ConfigureAwait(false);
                    round = new WitnessRound(WitnessVerdict.Refused, "");
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !runOnce)
                {
                    // Stopped (Ctrl+C, SIGTERM) in the middle of a round: nothing was cosigned that is not on disk.
                    return ExitCodes.Success;
                }
                var time = DateTimeOffset.UtcNow.ToString("u", CultureInfo.InvariantCulture);
                if (round.Verdict == WitnessVerdict.Cosigned && round.Delivered)
                    await Console.Out.WriteLineAsync($"{time} {round.Message}".AsMemory(), cancellationToken).ConfigureAwait(false);
                else if (round.Message.Length > 0)
                    await Console.Error.WriteLineAsync($"{time} {round.Message}".AsMemory(), cancellationToken).ConfigureAwait(false);
                if (round.Verdict is WitnessVerdict.Alarm or WitnessVerdict.AlarmStanding) return ExitCodes.Failure;
                if (runOnce) return round.Verdict == WitnessVerdict.Cosigned && round.Delivered ? ExitCodes.Success : ExitCodes.Failure;
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(parsed.GetValue(interval)), cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return ExitCodes.Success;
                }
            }
        });
        return command;
    }

    private static async Task<CosignatureV1Signer> LoadOrCreateKeyAsync(string path, string? name, CancellationToken cancellationToken)
    {
        if (File.Exists(path))
        {
            var parsed = NoteKeys.ParseSignerKey((await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).Trim());
            if (!parsed.IsOk || parsed.Value is not CosignatureV1Signer signer)
                throw new UsageException($"{path} is not a witness key file ({parsed.Error?.Message ?? "not a cosignature/v1 key"}).");
            if (name is not null && name != signer.Name) throw new UsageException($"{path} holds the key of {signer.Name}, not {name}.");
            return signer;
        }
        name ??= DefaultName();
        if (!SignedNote.IsValidKeyName(name)) throw new UsageException($"'{name}' cannot be a key name: no spaces or '+'.");
        using var seed = SecretKey.Generate(Ed25519.PrivateKeySize);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        await PrivateFile.WriteAtomicallyAsync(path, Encoding.ASCII.GetBytes(NoteKeys.FormatSignerKey(name, NoteKeyType.CosignatureV1, seed) + "\n"), cancellationToken).ConfigureAwait(false);
        await Console.Error.WriteLineAsync($"Created the witness key {path} (0600).".AsMemory(), cancellationToken).ConfigureAwait(false);
        return new CosignatureV1Signer(name, seed, TimeProvider.System);
    }

    private static string DefaultName()
    {
        var host = new StringBuilder();
        foreach (var c in Environment.MachineName.ToLowerInvariant()) host.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '-');
        return "witness." + (host.Length > 0 ? host.ToString() : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
    }
}
