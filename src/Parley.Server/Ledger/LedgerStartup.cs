using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.FileProviders;
using Parley.Protocol.Ledger;
using Parley.Server.Hosting;
using Parley.Server.Storage;

namespace Parley.Server.Ledger;

/// <summary>Gets the ledger ready before the server listens: its origin, its first checkpoint, the web client's hash.</summary>
public static class LedgerStartup
{
    /// <summary>Adds the ledger's services.</summary>
    public static IServiceCollection AddLedger(this IServiceCollection services, DataDirectory data, LedgerOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(LedgerHmacKey.LoadOrCreate(data));
        services.AddSingleton(_ => LedgerIdentity.LoadOrCreate(data));
        services.AddSingleton<SqliteLedgerStorage>();
        services.AddSingleton<ILedgerStorage>(sp => sp.GetRequiredService<SqliteLedgerStorage>());
        services.AddSingleton<ILedgerReader>(sp => sp.GetRequiredService<SqliteLedgerStorage>());
        services.AddSingleton<ICosignatureStore>(sp => sp.GetRequiredService<SqliteLedgerStorage>());
        services.AddSingleton<LedgerSequencer>();
        services.AddHostedService(sp => sp.GetRequiredService<LedgerSequencer>());
        services.AddSingleton<LedgerQueueSignal>();
        services.AddScoped<LedgerWriter>();
        services.AddScoped<WitnessRegistry>();
        services.AddScoped<CosignatureIntake>();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Add(Parley.Protocol.Api.LedgerJson.Default));
        return services;
    }

    /// <summary>
    /// Fixes the origin (from the first checkpoint, or <c>parley.&lt;instance id&gt;/ledger</c> on a new log), signs
    /// the empty tree's checkpoint on a new log, refuses keys that did not sign the log, and logs the web
    /// client's bundle hash if it is new. Runs after migrations, before the server listens.
    /// </summary>
    public static async Task InitializeAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var identity = services.GetRequiredService<LedgerIdentity>();
        var storage = services.GetRequiredService<ILedgerStorage>();
        var latest = await storage.ReadLatestCheckpointAsync(cancellationToken).ConfigureAwait(false);
        if (latest is null)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ParleyDbContext>();
            var instance = await db.Instance.AsNoTracking().SingleAsync(cancellationToken).ConfigureAwait(false);
            identity.Initialize(LedgerIdentity.DefaultOrigin(instance.InstanceId));
            var empty = Checkpoint.Create(identity.Origin, 0, MerkleHash.EmptyRoot());
            var signed = new SignedCheckpoint(0, identity.Sign(empty).Format(), DateTimeOffset.UtcNow);
            await storage.IntegrateAsync(new LedgerBatch(null, [], [], signed), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var checkpoint = latest.Checkpoint;
            identity.Initialize(checkpoint.Origin);
            var verified = new LogVerifier(checkpoint.Origin, identity.Verifiers).Verify(latest.Note);
            if (!verified.IsOk)
                throw new ServerConfigurationException($"The ledger keys in the data folder did not sign its log ({verified.Error.Message}); restore {LedgerIdentity.Ed25519KeyFile} and {LedgerIdentity.MlDsa87KeyFile}.");
        }
        await RecordWebClientBundleAsync(services, cancellationToken).ConfigureAwait(false);
    }

    private static async Task RecordWebClientBundleAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var bundle = WebClientBundle.Compute(services.GetRequiredService<IWebHostEnvironment>().WebRootFileProvider);
        if (bundle.Files == 0) return;
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDbContext>();
        if (await db.Set<WebClientBundleRecord>().AnyAsync(b => b.Hash == bundle.Hash, cancellationToken).ConfigureAwait(false)) return;
        db.Set<WebClientBundleRecord>().Add(new WebClientBundleRecord { Hash = bundle.Hash, RecordedAt = DateTimeOffset.UtcNow });
        scope.ServiceProvider.GetRequiredService<LedgerWriter>().Record(LedgerEventType.WebClientBundle, null, null, "web-client",
            new LedgerField("sha256", bundle.Hash), new LedgerField("files", bundle.Files.ToString(CultureInfo.InvariantCulture)));
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// The hash of the web client as served: every file of the web root except the precompressed copies
/// (<c>.gz</c>, <c>.br</c>), listed as <c>sha256sum</c> does (<c>&lt;hex SHA-256&gt;␠␠&lt;path&gt;\n</c>, paths
/// relative to the root, sorted by ordinal), and the SHA-256 of that list.
/// </summary>
/// <param name="Hash">Hex SHA-256 of <paramref name="Manifest"/>.</param>
/// <param name="Files">Number of files.</param>
/// <param name="Manifest">The list.</param>
public sealed record WebClientBundle(string Hash, int Files, string Manifest)
{
    /// <summary>Hashes the files of <paramref name="webRoot"/>.</summary>
    public static WebClientBundle Compute(IFileProvider webRoot)
    {
        ArgumentNullException.ThrowIfNull(webRoot);
        var files = new List<(string Path, string Hash)>();
        Walk(webRoot, "", files);
        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        var manifest = new StringBuilder();
        foreach (var (path, hash) in files) manifest.Append(hash).Append("  ").Append(path).Append('\n');
        var text = manifest.ToString();
        return new WebClientBundle(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))), files.Count, text);
    }

    private static void Walk(IFileProvider provider, string folder, List<(string, string)> files)
    {
        foreach (var item in provider.GetDirectoryContents(folder))
        {
            var path = folder.Length == 0 ? item.Name : $"{folder}/{item.Name}";
            if (item.IsDirectory)
            {
                Walk(provider, path, files);
                continue;
            }
            if (path.EndsWith(".gz", StringComparison.Ordinal) || path.EndsWith(".br", StringComparison.Ordinal)) continue;
            // Resolve the path as requests do: a directory listing of static web assets can name a file
            // (index.html) whose served version, after build-time processing, is another.
            var served = provider.GetFileInfo(path);
            using var stream = (served.Exists ? served : item).CreateReadStream();
            files.Add((path, Convert.ToHexStringLower(SHA256.HashData(stream))));
        }
    }
}
