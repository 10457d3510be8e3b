using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using Parley.Protocol.Crypto;

namespace Parley.Cli.Commands;

/// <summary><c>parley version</c>: what this build is.</summary>
internal static class VersionCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the version as JSON." };
        var command = new Command("version", "Show the version of parley, its commit, crypto suite and runtime.") { json };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var version = VersionOutput.Current;
            var text = parsed.GetValue(json)
                ? JsonSerializer.Serialize(version, CliJson.Default.VersionOutput)
                : $"parley {version.Version}{(version.Commit is null ? "" : $" ({version.Commit[..Math.Min(12, version.Commit.Length)]})")}, suite {version.Suite}, {version.Runtime}";
            await Console.Out.WriteLineAsync(text.AsMemory(), cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}

/// <summary>The JSON shape of <c>parley version --json</c>.</summary>
internal sealed record VersionOutput(string Version, string? Commit, string Suite, string Runtime)
{
    public static VersionOutput Current { get; } = Read();

    private static VersionOutput Read()
    {
        // The SDK stamps "version+commit" when it builds from a git checkout.
        var informational = typeof(VersionOutput).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0
            ? new VersionOutput(informational, null, CryptoSuite.Id, RuntimeInformation.FrameworkDescription)
            : new VersionOutput(informational[..plus], informational[(plus + 1)..], CryptoSuite.Id, RuntimeInformation.FrameworkDescription);
    }
}
