using System.CommandLine;
using Parley.Cli.Serving;
using Parley.Server.Hosting;

namespace Parley.Cli.Commands;

/// <summary><c>parley serve</c>: runs the server in the foreground.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var data = ServerCommandOptions.Data();
        var urls = ServerCommandOptions.Urls();
        var certificate = new Option<FileInfo>("--tls-cert")
        {
            Description = "PEM certificate (with its chain) for https addresses; needs --tls-key.",
            HelpName = "PEM",
        }.AcceptExistingOnly();
        var key = new Option<FileInfo>("--tls-key")
        {
            Description = "PEM private key of --tls-cert.",
            HelpName = "PEM",
        }.AcceptExistingOnly();
        var logFormat = new Option<string>("--log-format")
        {
            Description = "Console log format: json (one object per line, for collectors) or text.",
            DefaultValueFactory = _ => "json",
        }.AcceptOnlyFromAmong("json", "text");

        var command = new Command("serve", "Run the Parley server: the HTTP API and the web client, with storage in the data folder.")
        {
            data, urls, certificate, key, logFormat,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetResult(certificate) is null) != (result.GetResult(key) is null))
                result.AddError("--tls-cert and --tls-key go together.");
        });
        command.SetAction((parsed, cancellationToken) =>
        {
            var options = new ServerOptions
            {
                DataDirectory = parsed.GetRequiredValue(data),
                Urls = parsed.GetRequiredValue(urls),
                TlsCertificatePath = parsed.GetValue(certificate)?.FullName,
                TlsKeyPath = parsed.GetValue(key)?.FullName,
                LogFormat = parsed.GetRequiredValue(logFormat) == "text" ? LogFormat.Text : LogFormat.Json,
            };
            return ForegroundServer.RunAsync(options, AnnounceAsync, cancellationToken);
        });
        return command;
    }

    // One line per bound address, on stdout, so scripts and supervisors can read the real port.
    private static async Task AnnounceAsync(RunningServer server, CancellationToken cancellationToken)
    {
        foreach (var address in server.Addresses)
            await Console.Out.WriteLineAsync($"Listening on {address}".AsMemory(), cancellationToken).ConfigureAwait(false);
    }
}
