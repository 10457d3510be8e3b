using Parley.Server.Documents.Access;
using Parley.Server.Documents.Delivery;
using Parley.Server.Documents.Destruction;
using Parley.Server.Documents.Endorsements;
using Parley.Server.Documents.Management;
using Parley.Server.Documents.Printing;
using Parley.Server.Documents.Reading;
using Parley.Server.Documents.Retention;
using Parley.Server.Documents.Storage;
using Parley.Server.Documents.Uploads;
using Parley.Server.Policy.Resolution;

namespace Parley.Server.Documents;

/// <summary>
/// Wires classified documents into the host: blob storage under <c>DATA/documents/</c>, the checks of a new
/// version, the hub events (through the rooms hub), the daily retention review, the <c>document</c> resource
/// kind and the endpoints (docs/API.md, "Documents").
/// </summary>
public static class DocumentsFeature
{
    public static IServiceCollection AddParleyDocuments(this IServiceCollection services, DocumentsOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<DocumentBlobs>();
        services.AddSingleton<Printing.MarkingKeys>();
        services.AddSingleton<DocumentLocks>();
        services.AddSingleton<DocumentDelivery>();
        services.AddScoped<DocumentViews>();
        services.AddScoped<VersionIntake>();
        services.AddSingleton<DocumentReviewJob>();
        services.AddHostedService(provider => provider.GetRequiredService<DocumentReviewJob>());
        return services;
    }

    public static IEndpointRouteBuilder MapDocumentsApi(this IEndpointRouteBuilder app)
    {
        app.ServiceProvider.GetRequiredService<ResourceKinds>().Add<DocumentResolver>(DocumentResolver.Kind);
        app.MapDocumentUploads();
        app.MapDocumentsManagement();
        app.MapDocumentReading();
        app.MapDocumentEndorsements();
        app.MapDocumentPrinting();
        app.MapDocumentDestruction();
        app.MapDocumentReviews();
        return app;
    }
}
