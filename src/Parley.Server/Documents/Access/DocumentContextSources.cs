using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Parley.Protocol.Api;
using Parley.Protocol.Documents;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Enforcement;

namespace Parley.Server.Documents.Access;

/// <summary>
/// The facts of document requests the rules need: the label a new version carries, read from the
/// author-signed manifest inside its envelope (the label its encryption binds), not from a field beside it.
/// </summary>
public static class DocumentContextSources
{
    /// <summary>The label of the first version of a new document.</summary>
    public static IPolicyContextSource CreateLabel { get; } = new FromBody<CreateDocumentRequest>((request, context, http) => WithLabel(http, context, request.Envelope));

    /// <summary>The label of a new version.</summary>
    public static IPolicyContextSource VersionLabel { get; } = new FromBody<AddVersionRequest>((request, context, http) => WithLabel(http, context, request.Envelope));

    private static ContextReading WithLabel(HttpContext http, PolicyContext context, byte[]? envelope)
    {
        if (envelope is null || envelope.Length == 0) return ContextReading.Bad(context, "Give the envelope (the signed manifest and the key wraps).");
        if (!DocumentEnvelope.Decode(envelope).TryGetValue(out var decoded, out var error))
            return ContextReading.Bad(context, $"The envelope is malformed: {error.Message}");
        var scheme = http.RequestServices.GetRequiredService<PolicyEngine>().Settings.Scheme;
        return scheme.ParseBanner(decoded.Manifest.Body.Label).TryGetValue(out var label, out error)
            ? ContextReading.Ok(context with { WrittenLabel = label })
            : ContextReading.Bad(context, $"The version's label is not valid: {error.Message}");
    }

    // The body is read here and again by the handler's binding: buffered and rewound.
    private sealed class FromBody<TBody>(Func<TBody, PolicyContext, HttpContext, ContextReading> read) : IPolicyContextSource where TBody : class
    {
        public async ValueTask<ContextReading> ReadAsync(HttpContext http, PolicyContext context)
        {
            var typeInfo = (JsonTypeInfo<TBody>)ApiJson.Default.GetTypeInfo(typeof(TBody))!;
            http.Request.EnableBuffering();
            TBody? body;
            try
            {
                body = await JsonSerializer.DeserializeAsync(http.Request.Body, typeInfo, http.RequestAborted);
            }
            catch (JsonException e)
            {
                return ContextReading.Bad(context, $"The request body is not valid JSON for this endpoint: {e.Message}");
            }
            finally
            {
                http.Request.Body.Position = 0;
            }
            return body is null ? ContextReading.Bad(context, "The request needs a JSON body.") : read(body, context, http);
        }
    }
}
