using Parley.Client;

namespace Parley.Cli.Demo;

/// <summary>What a demo step can use: the running server's address and a client for it.</summary>
/// <param name="ServerUrl">Where the server listens.</param>
/// <param name="Http">An HTTP client whose base address is <paramref name="ServerUrl"/>.</param>
internal sealed record DemoContext(Uri ServerUrl, HttpClient Http);

/// <summary>
/// One thing <c>parley demo</c> does once the server is up. Steps go through the client SDK over
/// HTTP, as a user's client would, so the demo exercises the same paths as real use; a step that
/// cannot complete throws and the demo exits with a failure.
/// </summary>
internal interface IDemoStep
{
    /// <summary>Shown next to the step's outcome.</summary>
    string Description { get; }

    /// <summary>Runs the step and says what it found or made.</summary>
    Task<string> RunAsync(DemoContext context, CancellationToken cancellationToken);
}

/// <summary>The steps, in order.</summary>
internal static class DemoSteps
{
    public static IReadOnlyList<IDemoStep> All { get; } = [new ConfirmHealthy()];
}

/// <summary>Checks through <c>/healthz</c> that the database and blob store work before anyone is sent to the browser.</summary>
internal sealed class ConfirmHealthy : IDemoStep
{
    public string Description => "Server health";

    public async Task<string> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var health = await ServerHealthClient.GetAsync(context.Http, cancellationToken).ConfigureAwait(false);
        var storage = $"{health.Storage.Provider} database {health.Storage.Database}, blobs {health.Storage.Blobs}";
        if (health.Status != "ok")
            throw new InvalidOperationException($"The server reports '{health.Status}' ({storage}).");
        return $"{health.Status}, version {health.Version}, {storage}";
    }
}
