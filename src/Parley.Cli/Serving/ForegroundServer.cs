using Parley.Server.Hosting;

namespace Parley.Cli.Serving;

/// <summary>Runs a server in the foreground until Ctrl+C, SIGTERM or the host itself stops it.</summary>
internal static class ForegroundServer
{
    /// <summary>
    /// Starts the server, calls <paramref name="started"/> with it, then waits. A stop request is
    /// the normal way to end, so it returns <see cref="ExitCodes.Success"/> after a graceful stop.
    /// </summary>
    public static async Task<int> RunAsync(ServerOptions options, Func<RunningServer, CancellationToken, Task> started, CancellationToken cancellationToken)
    {
        RunningServer server;
        try
        {
            server = await ParleyHost.StartAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Success;
        }

        await using (server.ConfigureAwait(false))
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, server.App.Lifetime.ApplicationStopping);
            try
            {
                await started(server, stop.Token).ConfigureAwait(false);
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Asked to stop: disposing the server below drains requests and closes storage.
            }
        }
        return ExitCodes.Success;
    }
}
