using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Parley.Cli.Tests;

/// <summary>
/// The built <c>parley.dll</c> run as a real child process, as a user or a supervisor would run it.
/// Every wait is bounded, and disposal kills the process if it is still running.
/// </summary>
public sealed partial class ParleyProcess : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> _waiters = [];
    private readonly Lock _gate = new();

    private ParleyProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public string StandardOutput { get { lock (_gate) return _stdout.ToString(); } }

    public string StandardError { get { lock (_gate) return _stderr.ToString(); } }

    /// <summary>Starts <c>dotnet parley.dll args...</c>.</summary>
    public static ParleyProcess Start(params string[] args) => Start(null, args);

    /// <summary>Starts <c>dotnet parley.dll args...</c> with extra environment variables (e.g. PARLEY_PASSWORD).</summary>
    public static ParleyProcess Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "parley.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("parley.dll is not beside the tests; the test project must reference Parley.Cli.", dll);
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // Plain, stable output: no colours, no animation.
        start.Environment["NO_COLOR"] = "1";
        start.Environment["TERM"] = "dumb";
        // Never a password from the test runner's own environment.
        start.Environment.Remove("PARLEY_PASSWORD");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var parley = new ParleyProcess(process);
        process.OutputDataReceived += (_, e) => parley.OnLine(e.Data, parley._stdout, matchable: true);
        process.ErrorDataReceived += (_, e) => parley.OnLine(e.Data, parley._stderr, matchable: false);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return parley;
    }

    /// <summary>Runs to completion and returns the exit code with everything printed.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) => RunAsync(null, null, args);

    /// <summary>Runs to completion with extra environment variables and <paramref name="input"/> on standard input.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IReadOnlyDictionary<string, string>? environment, string? input, params string[] args)
    {
        await using var parley = Start(environment, args);
        if (input is not null) await parley.WriteLineAsync(input);
        parley.CloseInput();
        var exit = await parley.WaitForExitAsync(DefaultTimeout);
        return (exit, parley.StandardOutput, parley.StandardError);
    }

    /// <summary>Writes a line to the process's standard input, as a person typing or a script piping.</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Ends standard input.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Waits for a line of standard output matching <paramref name="pattern"/>.</summary>
    public async Task<Match> WaitForOutputAsync(Regex pattern, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            foreach (var line in _stdout.ToString().Split('\n'))
            {
                var match = pattern.Match(line);
                if (match.Success) return match;
            }
            _waiters.Add((pattern, found));
        }
        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(found.Task, exited, Task.Delay(timeout));
        if (first == found.Task) return await found.Task;
        var why = first == exited ? $"parley exited with {_process.ExitCode}" : $"nothing after {timeout.TotalSeconds:F0} s";
        throw new Xunit.Sdk.XunitException($"No output line matched /{pattern}/ ({why}).\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
    }

    /// <summary>Sends SIGTERM, as a supervisor stopping the service does.</summary>
    public void Terminate()
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("SIGTERM is a POSIX signal.");
        if (kill(_process.Id, Sigterm) != 0) throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Waits for the process to end and returns its exit code; kills it and fails after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"parley did not exit within {timeout.TotalSeconds:F0} s.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(cancel.Token);
        }
        _process.Dispose();
    }

    private void OnLine(string? line, StringBuilder into, bool matchable)
    {
        if (line is null) return;
        lock (_gate)
        {
            into.Append(line).Append('\n');
            if (!matchable) return;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                var match = _waiters[i].Pattern.Match(line);
                if (!match.Success) continue;
                _waiters[i].Found.TrySetResult(match);
                _waiters.RemoveAt(i);
            }
        }
    }

    // The muxer that runs these tests runs parley too, so the SDK under test is the one used.
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : "dotnet";

    private const int Sigterm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
