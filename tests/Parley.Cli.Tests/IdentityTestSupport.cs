using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OtpNet;
using Parley.Server.Hosting;

namespace Parley.Cli.Tests;

/// <summary>A real server on 127.0.0.1:0 in this process, with a private data folder, for the <c>parley</c> processes to talk to.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CliServer : IAsyncDisposable
{
    private CliServer(string folder, RunningServer server)
    {
        Folder = folder;
        Server = server;
    }

    public string Folder { get; }

    public RunningServer Server { get; }

    public string Url => Server.Addresses[0].ToString();

    public string DataDirectory => Path.Combine(Folder, "data");

    public string BootstrapToken => File.ReadAllText(Path.Combine(DataDirectory, "bootstrap-token")).Trim();

    /// <summary>A profile folder path for one person (created by parley itself).</summary>
    public string Profile(string name) => Path.Combine(Folder, "profiles", name);

    public static async Task<CliServer> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("parley-cli-identity-").FullName;
        Directory.CreateDirectory(Path.Combine(folder, "profiles"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var server = await ParleyHost.StartAsync(new ServerOptions
        {
            DataDirectory = Path.Combine(folder, "data"),
            Urls = "http://127.0.0.1:0",
            MinimumLogLevel = LogLevel.Warning,
        }, timeout.Token);
        return new CliServer(folder, server);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}

/// <summary>Codes of an authenticator app: computed here (Otp.NET) or by the external <c>oathtool</c>.</summary>
public static class Authenticator
{
    /// <summary>The code of the current 30 s step shifted by <paramref name="steps"/> (the server accepts one step of skew).</summary>
    public static string Code(string secret, int steps = 0) =>
        new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UtcNow.AddSeconds(30 * steps));

    /// <summary>Waits out the last seconds of a step, so a code computed now is still of the same step when the server checks it.</summary>
    public static async Task AwayFromStepEndAsync()
    {
        var remaining = 30 - (int)(DateTimeOffset.UtcNow.ToUnixTimeSeconds() % 30);
        if (remaining < 6) await Task.Delay(TimeSpan.FromSeconds(remaining + 1));
    }

    /// <summary><c>oathtool --totp -b SECRET</c>: an authenticator that is not ours (test.sh installs it).</summary>
    public static async Task<string> OathtoolAsync(string secret)
    {
        var start = new ProcessStartInfo("oathtool") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--totp", "-b", secret }) start.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new Xunit.Sdk.XunitException($"oathtool is missing ({e.Message}); install it: apt-get install -y oathtool (test.sh does).");
        }
        using (process)
        {
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"oathtool failed: {await process.StandardError.ReadToEndAsync()}");
            return output.Trim();
        }
    }
}
