using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Storage;

namespace Parley.Server.Health;

/// <summary><c>GET /healthz</c>: whether the server, its database and its blob store work.</summary>
public static class HealthApi
{
    /// <summary>The health report.</summary>
    public sealed record HealthReport(string Status, string Version, StorageReport Storage);

    /// <summary>Storage part of the report.</summary>
    public sealed record StorageReport(string Provider, string Database, string Blobs);

    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", GetAsync)
            .WithName("GetHealth")
            .WithTags("Operations")
            .WithSummary("Server, database and blob store health.")
            .Public("Monitoring probes the server without signing in.");
        return app;
    }

    private static async Task<Results<Ok<HealthReport>, JsonHttpResult<HealthReport>>> GetAsync(ParleyDbContext db, DataDirectory data, CancellationToken cancellationToken)
    {
        var database = await db.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false) ? "ok" : "unreachable";
        var blobs = BlobsWritable(data) ? "ok" : "not writable";
        var healthy = database == "ok" && blobs == "ok";
        var report = new HealthReport(healthy ? "ok" : "degraded", ServerVersion.Current, new StorageReport("sqlite", database, blobs));
        return healthy ? TypedResults.Ok(report) : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static bool BlobsWritable(DataDirectory data)
    {
        var probe = Path.Combine(data.BlobsPath, $".probe-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}

/// <summary>The version of this build.</summary>
public static class ServerVersion
{
    /// <summary>Informational version of the server assembly.</summary>
    public static string Current { get; } =
        typeof(ServerVersion).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
