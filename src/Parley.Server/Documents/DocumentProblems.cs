using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Protocol.Api;
using Parley.Server.Documents.Model;

namespace Parley.Server.Documents;

/// <summary>The problem details of documents that a client acts on.</summary>
public static class DocumentProblems
{
    /// <summary>A download of a destroyed document: 410 with the signed destruction certificate (base64) as <c>certificate</c>.</summary>
    public static ProblemHttpResult Destroyed(DocumentRecord document) =>
        TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Destroyed",
            detail: $"The document was destroyed on {document.DestroyedAt!.Value.UtcDateTime:yyyy-MM-dd HH:mm} UTC by cryptographic erase: no key of it remains. Drop any copy and key you hold.",
            type: DocumentsProtocol.DestroyedProblemType,
            extensions: new Dictionary<string, object?> { [DocumentsProtocol.CertificateExtension] = document.Certificate is null ? null : Convert.ToBase64String(document.Certificate) });

    /// <summary>A part sent at another offset than the upload's length: the detail says where to go on from, <c>received</c> says it too.</summary>
    public static ProblemHttpResult WrongOffset(UploadRecord upload, long offset) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Wrong offset",
            detail: $"The upload has {upload.Received} bytes; send the next part at offset {upload.Received}, not {offset}.",
            type: "urn:parley:problem:upload-offset",
            extensions: new Dictionary<string, object?> { ["received"] = upload.Received, ["expiresAt"] = upload.ExpiresAt });

    /// <summary>The print register's key of the document does not open (the database was altered); nothing was registered.</summary>
    public static ProblemHttpResult MarkingKeyDamaged() =>
        TypedResults.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Print register damaged",
            detail: "The print register's key of this document does not open: its record was altered. Nothing was registered; tell the host administrator.",
            type: "urn:parley:problem:marking-key-damaged");

    /// <summary>Another server node changed the document at the same moment; nothing was stored.</summary>
    public static ProblemHttpResult Concurrent() =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
            detail: "The document changed while this request was handled; nothing was stored. Try again.", type: "urn:parley:problem:conflict");

    /// <summary>A part too large (413).</summary>
    public static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large", detail: detail, type: "urn:parley:problem:too-large");
}
