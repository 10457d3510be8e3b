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
    public static IPolicyContextSource CreateLabel { get; } = PolicyContextSources.FromJsonBody<CreateDocumentRequest>((request, context, http) => WithLabel(http, context, request.Envelope));

    /// <summary>The label of a new version.</summary>
    public static IPolicyContextSource VersionLabel { get; } = PolicyContextSources.FromJsonBody<AddVersionRequest>((request, context, http) => WithLabel(http, context, request.Envelope));

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
}
