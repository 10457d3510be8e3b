using System.Globalization;
using Parley.Bench.Support;
using Parley.Protocol.Crypto;

namespace Parley.Bench.Quick;

public sealed class UsageException(string message) : Exception(message);

/// <summary>The few options of the quick modes, parsed strictly: an unknown or malformed option is a usage error.</summary>
public sealed record Options(int Mib, int Gib, string Backend, int Runs, int Seconds, int BatchChunks, string? Directory)
{
    public static Options Parse(string[] args, int defaultMib = 1024)
    {
        var options = new Options(Mib: defaultMib, Gib: 2, Backend: "platform", Runs: 3, Seconds: 3, BatchChunks: 64, Directory: null);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            var value = i + 1 < args.Length ? args[++i] : throw new UsageException($"{name} needs a value.");
            options = name switch
            {
                "--mib" => options with { Mib = Positive(name, value) },
                "--gib" => options with { Gib = Positive(name, value) },
                "--runs" => options with { Runs = Positive(name, value) },
                "--seconds" => options with { Seconds = Positive(name, value) },
                "--batch" => options with { BatchChunks = Positive(name, value) },
                "--backend" => options with { Backend = BackendNames.Check(value) },
                "--dir" => options with { Directory = value },
                _ => throw new UsageException($"Unknown option {name}."),
            };
        }
        return options;
    }

    public ICryptoBackend CreateBackend() => BackendNames.Create(Backend);

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new UsageException($"{name} takes a positive whole number, not '{value}'.");
}
