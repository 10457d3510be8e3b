using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Parley.Bench.Quick;

/// <summary>
/// <c>cli-documents</c>: a document of N GiB through the real command line, as a person would send it.
/// Starts <c>parley demo</c> on a fresh data folder (a real server on loopback with signed-in profiles),
/// then runs <c>parley doc put</c> and <c>parley doc get</c> as separate processes under
/// <c>/usr/bin/time</c>, which reports each process's peak resident set (the target: under 200 MB),
/// its wall clock and its CPU time. The downloaded file's SHA-256 must equal the original's.
/// Throughput is set against <c>openssl speed -evp aes-256-gcm -bytes 16384</c> on the same machine.
/// Build the CLI first: <c>dotnet build -c Release src/Parley.Cli</c>.
/// </summary>
public static class CliDocuments
{
    public const long TargetPeakBytes = 200L * 1000 * 1000;

    public static async Task<int> RunAsync(string[] args)
    {
        var gib = 2.0;
        string? parley = null;
        string? directory = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            var value = i + 1 < args.Length ? args[++i] : throw new UsageException($"{name} needs a value.");
            switch (name)
            {
                case "--gib": gib = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--parley": parley = value; break;
                case "--dir": directory = value; break;
                default: throw new UsageException($"Unknown option {name}.");
            }
        }
        parley ??= Path.Combine(RepositoryRoot(), "src", "Parley.Cli", "bin", "Release", "net10.0", "parley.dll");
        if (!File.Exists(parley)) throw new UsageException($"{parley} does not exist: build the CLI with 'dotnet build -c Release src/Parley.Cli' or pass --parley PATH.");
        if (!File.Exists("/usr/bin/time")) throw new UsageException("/usr/bin/time is needed to read each process's peak memory (apt-get install time).");

        var root = directory is null ? Directory.CreateTempSubdirectory("parley-bench-cli-documents-") : Directory.CreateDirectory(directory);
        var data = Path.Combine(root.FullName, "data");
        var input = Path.Combine(root.FullName, "document.bin");
        var output = Path.Combine(root.FullName, "document.out");
        var bytes = (long)(gib * 1024 * 1024 * 1024);
        using var demo = Start("dotnet", [parley, "demo", "--data", data, "--urls", "http://127.0.0.1:0"]);
        try
        {
            Console.WriteLine($"cli-documents: {bytes:N0} bytes through 'parley doc put' and 'parley doc get', {Environment.ProcessorCount} cores, {Measure.Load()}");
            await WaitForLineAsync(demo, "Parley is running at", TimeSpan.FromMinutes(5));
            var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(data, "demo.json"))).RootElement;
            var head = manifest.GetProperty("users").EnumerateArray().First(u => u.GetProperty("email").GetString() == "head@atl.example");
            var profile = head.GetProperty("profile").GetString()!;
            var password = head.GetProperty("password").GetString()!;

            var sourceHash = await WriteInputAsync(input, bytes);
            var put = await TimedAsync(parley, password, ["doc", "put", "Treaty talks", input, "--title", "bench.bin", "--json", "--profile", profile]);
            var id = JsonDocument.Parse(put.Stdout).RootElement.GetProperty("id").GetString()!;
            var get = await TimedAsync(parley, password, ["doc", "get", id, "-o", output, "--profile", profile]);
            var downloadedHash = await HashAsync(output);
            var same = sourceHash.AsSpan().SequenceEqual(downloadedHash);
            var openssl = await OpensslComparison.OpensslSpeedAsync(3);

            Report("put (encrypt + upload)", put, bytes, openssl);
            Report("get (download + decrypt)", get, bytes, openssl);
            Console.WriteLine($"  openssl speed -evp aes-256-gcm -bytes 16384: {openssl:F0} MB/s");
            Console.WriteLine($"  downloaded file {(same ? "matches" : "DOES NOT MATCH")} the original (SHA-256)");
            return same && put.PeakBytes < TargetPeakBytes && get.PeakBytes < TargetPeakBytes ? 0 : 1;
        }
        finally
        {
            if (!demo.HasExited) demo.Kill(entireProcessTree: true);
            await demo.WaitForExitAsync();
            if (directory is null) root.Delete(recursive: true);
            else
            {
                File.Delete(input);
                File.Delete(output);
            }
        }
    }

    private sealed record Timed(string Stdout, long PeakBytes, double WallSeconds, double CpuSeconds);

    private static void Report(string what, Timed run, long bytes, double openssl)
    {
        var wall = bytes / run.WallSeconds / Measure.Mega;
        var cpu = bytes / run.CpuSeconds / Measure.Mega;
        var verdict = run.PeakBytes < TargetPeakBytes ? "under" : "OVER";
        Console.WriteLine($"  {what,-26} peak RSS {run.PeakBytes / 1048576.0,7:F1} MiB ({verdict} 200 MB); {run.WallSeconds,6:F1} s wall = {wall,6:F0} MB/s; " +
            $"{run.CpuSeconds,6:F1} s CPU = {cpu,6:F0} MB/s per CPU-second ({cpu / openssl:P0} of openssl)");
    }

    // /usr/bin/time writes "maxrss-KiB wall user system" to its own file, away from the command's output.
    private static async Task<Timed> TimedAsync(string parley, string password, string[] arguments)
    {
        var times = Path.GetTempFileName();
        try
        {
            var start = new ProcessStartInfo("/usr/bin/time") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "-o", times, "-f", "%M %e %U %S", "dotnet", parley }.Concat(arguments)) start.ArgumentList.Add(argument);
            start.Environment["PARLEY_PASSWORD"] = password;
            start.Environment["NO_COLOR"] = "1";
            using var process = Process.Start(start) ?? throw new InvalidOperationException("parley did not start.");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0) throw new InvalidOperationException($"parley {string.Join(' ', arguments.Take(2))} failed ({process.ExitCode}): {await stderr}{await stdout}");
            var fields = (await File.ReadAllTextAsync(times)).Trim().Split('\n')[^1].Split(' ');
            double Field(int i) => double.Parse(fields[i], CultureInfo.InvariantCulture);
            return new Timed(await stdout, (long)Field(0) * 1024, Field(1), Field(2) + Field(3));
        }
        finally
        {
            File.Delete(times);
        }
    }

    private static async Task<byte[]> WriteInputAsync(string path, long bytes)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var block = new byte[1 << 20];
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous);
        for (long written = 0; written < bytes; written += block.Length)
        {
            RandomNumberGenerator.Fill(block);
            var take = (int)Math.Min(block.Length, bytes - written);
            hash.AppendData(block, 0, take);
            await file.WriteAsync(block.AsMemory(0, take));
        }
        return hash.GetHashAndReset();
    }

    private static async Task<byte[]> HashAsync(string path)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return await SHA256.HashDataAsync(file);
    }

    private static Process Start(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["NO_COLOR"] = "1";
        return Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
    }

    private static async Task WaitForLineAsync(Process process, string marker, TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience);
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Contains(marker, StringComparison.Ordinal))
            {
                // Keep draining so the server never blocks on a full pipe.
                _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
                return;
            }
        }
        throw new InvalidOperationException($"parley demo stopped before it was ready: {await process.StandardError.ReadToEndAsync(CancellationToken.None)}");
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Parley.slnx"))) return folder.FullName;
        return Directory.GetCurrentDirectory();
    }
}
