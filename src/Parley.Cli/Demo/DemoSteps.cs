using Parley.Client;

namespace Parley.Cli.Demo;

/// <summary>What a demo step can use: the running server's address, a client for it and the data folder.</summary>
/// <param name="ServerUrl">Where the server listens.</param>
/// <param name="Http">An HTTP client whose base address is <paramref name="ServerUrl"/>.</param>
/// <param name="DataDirectory">The server's data folder, where <c>demo.json</c> lives.</param>
internal sealed record DemoContext(Uri ServerUrl, HttpClient Http, string DataDirectory)
{
    /// <summary>The seeded accounts, once the seeding step has run.</summary>
    public DemoManifest? Manifest { get; set; }
}

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
    public static IReadOnlyList<IDemoStep> All { get; } = [new ConfirmHealthy(), new SeedAccounts(), new SeedRooms(), new SeedDocuments()];
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

/// <summary>Seeds the demo delegations and accounts once; on a seeded folder, reads what was seeded.</summary>
internal sealed class SeedAccounts : IDemoStep
{
    public string Description => "Demo accounts";

    public async Task<string> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var existing = await DemoManifest.ReadAsync(context.DataDirectory, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            context.Manifest = existing;
            return $"already seeded on {existing.SeededAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC ({existing.Users.Count} accounts in {DemoManifest.PathIn(context.DataDirectory)})";
        }
        var seeder = new DemoSeeder(context.ServerUrl, context.Http, context.DataDirectory);
        var manifest = await seeder.SeedAsync(new Progress<string>(), cancellationToken).ConfigureAwait(false);
        await manifest.WriteAsync(context.DataDirectory, cancellationToken).ConfigureAwait(false);
        context.Manifest = manifest;
        return $"seeded ATL and BOR, {manifest.Users.Count} accounts with TOTP; written to {DemoManifest.PathIn(context.DataDirectory)} (0600)";
    }
}

/// <summary>Seeds the demo rooms and their messages once, from the seeded people's own profiles.</summary>
internal sealed class SeedRooms : IDemoStep
{
    public string Description => "Demo rooms";

    public async Task<string> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var manifest = context.Manifest ?? throw new InvalidOperationException("The accounts were not seeded.");
        if (manifest.Rooms is { } seeded) return $"already seeded ({string.Join(", ", seeded)})";
        var outcome = await new DemoRooms(context.Http).SeedAsync(manifest, cancellationToken).ConfigureAwait(false);
        var updated = manifest with { Rooms = DemoRooms.Names };
        await updated.WriteAsync(context.DataDirectory, cancellationToken).ConfigureAwait(false);
        context.Manifest = updated;
        return outcome;
    }
}

/// <summary>Seeds the draft treaty in the joint room once: two versions, the second initialled ad referendum.</summary>
internal sealed class SeedDocuments : IDemoStep
{
    public string Description => "Demo documents";

    public async Task<string> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var manifest = context.Manifest ?? throw new InvalidOperationException("The accounts were not seeded.");
        if (manifest.Rooms is null) throw new InvalidOperationException("The rooms were not seeded.");
        if (manifest.Document is { } seeded) return $"already seeded ('{seeded.Title}' in {seeded.Room}, {seeded.Id})";
        var document = await new DemoDocuments(context.Http).SeedAsync(manifest, cancellationToken).ConfigureAwait(false);
        var updated = manifest with { Document = document };
        await updated.WriteAsync(context.DataDirectory, cancellationToken).ConfigureAwait(false);
        context.Manifest = updated;
        return Describe(document);
    }

    public static string Describe(DemoDocument d) =>
        $"'{d.Title}' in {d.Room} ({d.Id}): {d.Versions} versions by {string.Join(" and ", d.Authors)}, version {d.InitialledVersion} initialled ad referendum by {d.InitialledBy}; encrypted on their devices";
}
