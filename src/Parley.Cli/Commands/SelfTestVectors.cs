using System.Diagnostics;
using Parley.Protocol.Conformance;
using Parley.Protocol.Crypto;
using Parley.Protocol.Crypto.Backends;

namespace Parley.Cli.Commands;

/// <summary>
/// <c>parley selftest --vectors DIR</c>: every Wycheproof file of DIR that Parley's runner knows, on
/// every native backend. Files the runner does not know are listed, never run or counted as passed.
/// </summary>
internal static class SelfTestVectors
{
    /// <summary>The files of <paramref name="directory"/> the runner knows, in the runner's order,
    /// and the other JSON files found there.</summary>
    public static (IReadOnlyList<string> Supported, IReadOnlyList<string> Ignored) Find(DirectoryInfo directory)
    {
        var present = directory.EnumerateFiles().Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var supported = Wycheproof.SupportedFiles.Where(present.Contains).ToList();
        var ignored = present.Where(name => name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !supported.Contains(name))
            .Order(StringComparer.Ordinal).ToList();
        return (supported, ignored);
    }

    /// <summary>The native backends: the platform's where it has every primitive, and BouncyCastle.</summary>
    public static IReadOnlyList<ICryptoBackend> Backends() =>
        PlatformBackend.IsSupported ? [new PlatformBackend(), new BouncyCastleBackend()] : [new BouncyCastleBackend()];

    /// <summary>Runs every file on every backend, reporting each run as it ends.</summary>
    public static async Task<IReadOnlyList<VectorRun>> RunAsync(DirectoryInfo directory, IReadOnlyList<string> files, IReadOnlyList<ICryptoBackend> backends, IProgress<VectorRun>? progress, CancellationToken cancellationToken)
    {
        var runs = new List<VectorRun>();
        foreach (var file in files)
        {
            foreach (var backend in backends)
            {
                var run = await RunFileAsync(Path.Combine(directory.FullName, file), file, backend, cancellationToken).ConfigureAwait(false);
                runs.Add(run);
                progress?.Report(run);
                // ML-KEM, ML-DSA and Ed25519 run on BouncyCastle whatever the backend (the report
                // names it); a second backend would only repeat the same code.
                if (run.Report.Backend != backend.Name) break;
            }
        }
        return runs;
    }

    private static async Task<VectorRun> RunFileAsync(string path, string file, ICryptoBackend backend, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        ConformanceReport report;
        try
        {
            var json = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (json.ConfigureAwait(false))
                report = await Wycheproof.RunAsync(backend, file, json, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            report = new ConformanceReport(file, backend.Name, 0, 0, [new ConformanceFailure("(file)", "", "a readable file", e.Message)]);
        }
        return new VectorRun(report, clock.Elapsed.TotalMilliseconds);
    }
}

/// <summary>One vector file run on one backend.</summary>
internal sealed record VectorRun(ConformanceReport Report, double Milliseconds);

/// <summary>One entry of <c>vectors</c> in <c>parley selftest --vectors DIR --json</c>.</summary>
internal sealed record VectorOutput(string File, string Backend, int Total, int Passed, int NotApplicable, double Milliseconds, IReadOnlyList<VectorFailureOutput> Failures)
{
    public static VectorOutput From(VectorRun run) => new(
        run.Report.File,
        run.Report.Backend,
        run.Report.Total,
        run.Report.Passed,
        run.Report.NotApplicable.Count,
        run.Milliseconds,
        run.Report.Failures.Select(f => new VectorFailureOutput(f.TestCaseId, f.Comment, f.Expected, f.Actual)).ToList());
}

/// <summary>A case (or the file itself, <c>(file)</c>) that did not give its expected result.</summary>
internal sealed record VectorFailureOutput(string TestCaseId, string Comment, string Expected, string Actual);
