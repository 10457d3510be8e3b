using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Server.Documents;
using Parley.Server.Health;
using Parley.Server.Identity;
using Parley.Server.Identity.Enrollment;
using Parley.Server.Policy;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Policy.Engine;
using Parley.Server.Ledger;
using Parley.Server.Rooms;
using Parley.Server.Storage;

namespace Parley.Server.Hosting;

/// <summary>Raised when the server cannot start because its configuration is wrong (a usage error).</summary>
public sealed class ServerConfigurationException(string message) : Exception(message);

/// <summary>A started server.</summary>
public sealed class RunningServer(WebApplication app) : IAsyncDisposable
{
    /// <summary>The application.</summary>
    public WebApplication App { get; } = app;

    /// <summary>The addresses actually bound (with the real port when 0 was asked for).</summary>
    public IReadOnlyList<Uri> Addresses { get; } =
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();

    /// <summary>Stops the server and closes its database.</summary>
    public async ValueTask DisposeAsync()
    {
        var data = App.Services.GetRequiredService<DataDirectory>();
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
        // Pooled connections would keep the file open (and its WAL unmerged) after the server is gone.
        ParleyDbContext.ReleaseConnections(data);
    }
}

/// <summary>Builds and starts the Parley server: the HTTP API, the web client and storage.</summary>
public static class ParleyHost
{
    /// <summary>Why the web client's files need no session (the authorization matrix finds them by it).</summary>
    public const string WebClientFilesArePublic = "The web client's files are public; it signs in like any client.";

    /// <summary>Builds the application; throws <see cref="ServerConfigurationException"/> for bad options.</summary>
    public static WebApplication Build(ServerOptions options)
    {
        var tls = options.TlsCertificatePath is not null;
        if (tls != (options.TlsKeyPath is not null))
            throw new ServerConfigurationException("--tls-cert and --tls-key go together.");
        var (addresses, error) = ListenAddresses.Parse(options.Urls, tls);
        if (error is not null) throw new ServerConfigurationException(error);
        var certificate = tls ? LoadCertificate(options.TlsCertificatePath!, options.TlsKeyPath!) : null;
        var data = DataDirectory.Open(options.DataDirectory);
        PolicySettings policy;
        try
        {
            policy = options.Policy ?? PolicySettings.Load(data.Root);
        }
        catch (InvalidDataException e)
        {
            throw new ServerConfigurationException($"The policy settings are not valid: {e.Message}");
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(ParleyHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.WebHost.UseStaticWebAssets();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            foreach (var address in addresses!)
            {
                kestrel.Listen(address.Address, address.Url.Port, listen =>
                {
                    if (address.IsHttps) listen.UseHttps(certificate!);
                });
            }
        });
        ConfigureLogging(builder.Logging, options);

        builder.Services.AddSingleton(data);
        builder.Services.AddSingleton(options.Time);
        builder.Services.AddLedger(data, options.Ledger);
        builder.Services.AddDbContext<ParleyDbContext>((services, db) =>
        {
            ParleyDbContext.UseSqlite(db, data);
            db.AddInterceptors(services.GetRequiredService<LedgerQueueSignal>());
        });
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJson.Default));
        builder.Services.AddParleyIdentity(data);
        builder.Services.AddParleyPolicy(policy);
        builder.Services.AddParleyRooms();
        builder.Services.AddParleyDocuments(options.Documents);
        builder.Services.AddOpenApi("v1");

        var app = builder.Build();
        var contentSecurityPolicy = ContentSecurityPolicy.For(app.Environment.WebRootFileProvider);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseHsts();
        app.Use((context, next) => SecurityHeaders(context, next, contentSecurityPolicy));
        app.UseParleyIdentity();
        app.UseParleyPolicy();

        app.MapOpenApi("/openapi/{documentName}.json").Public("The API description is public.");
        app.MapHealthApi();
        app.MapIdentityApis();
        app.MapPolicyApis();
        app.MapLedgerApi();
        app.MapRoomsApi();
        app.MapDocumentsApi();
        // Unknown API paths answer with problem details, not with the web client.
        app.Map("/api/{**rest}", () => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "There is no API endpoint at this address."))
            .Public("Unknown API paths answer 404 to anyone.");
        // In a group, so that what MapStaticAssets maps beyond the manifest's files (its fallback for
        // files served from the build folder) carries the same declaration.
        app.MapGroup("").Public(WebClientFilesArePublic).MapStaticAssets();
        app.MapFallbackToFile("index.html").Public("The web client's page is public.");
        return app;
    }

    /// <summary>Builds, migrates the database and starts listening.</summary>
    public static async Task<RunningServer> StartAsync(ServerOptions options, CancellationToken cancellationToken = default)
    {
        var app = Build(options);
        try
        {
            await InitializeStorageAsync(app.Services, cancellationToken).ConfigureAwait(false);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            return new RunningServer(app);
        }
        catch
        {
            // A port already in use or a broken database must not leave the host and its SQLite pool behind.
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Applies migrations, records the installation on first start and gets the ledger ready (its first checkpoint, the web client's hash).</summary>
    public static async Task InitializeStorageAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDbContext>();
        await db.UseWriteAheadLogAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        if (!await db.Instance.AnyAsync(cancellationToken).ConfigureAwait(false))
        {
            db.Instance.Add(new ServerInstance { InstanceId = Guid.NewGuid(), CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        await LedgerStartup.InitializeAsync(services, cancellationToken).ConfigureAwait(false);
        await scope.ServiceProvider.GetRequiredService<BootstrapToken>().EnsureAsync(
            db, scope.ServiceProvider.GetRequiredService<Ledger.LedgerWriter>(), scope.ServiceProvider.GetRequiredService<TimeProvider>(), cancellationToken).ConfigureAwait(false);
    }

    private static void ConfigureLogging(ILoggingBuilder logging, ServerOptions options)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(options.MinimumLogLevel);
        // EF Core logs SQL text at Information; parameters are never logged (no sensitive data logging).
        logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        if (options.LogFormat == LogFormat.Json) logging.AddJsonConsole(json => json.UseUtcTimestamp = true);
        else logging.AddSimpleConsole(text => { text.SingleLine = true; text.UseUtcTimestamp = true; });
    }

    private static X509Certificate2 LoadCertificate(string certificatePath, string keyPath)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException)
        {
            throw new ServerConfigurationException($"Cannot load the TLS certificate: {e.Message}");
        }
    }

    private static Task SecurityHeaders(HttpContext context, Func<Task> next, string contentSecurityPolicy)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers.ContentSecurityPolicy = contentSecurityPolicy;
        return next();
    }
}
