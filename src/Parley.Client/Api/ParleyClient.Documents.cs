using System.Net.Http.Headers;
using System.Net.Http.Json;
using Parley.Protocol.Api;

namespace Parley.Client.Api;

// The documents endpoints of docs/API.md ("Documents"). They move ciphertext, envelopes and signed
// records only; Documents.DocumentsClient encrypts, verifies and decrypts.
public sealed partial class ParleyClient
{
    /// <summary>Opens a staging area for one version's ciphertext.</summary>
    public Task<UploadView> StartUploadAsync(CancellationToken cancellationToken = default) =>
        SendAsync<object, UploadView>(HttpMethod.Post, ApiRoutes.Uploads, null, null, Json.UploadView, cancellationToken);

    /// <summary>Appends <paramref name="part"/> at <paramref name="offset"/> (which must be what the server has received so far).</summary>
    public async Task<UploadView> UploadPartAsync(Guid uploadId, long offset, ReadOnlyMemory<byte> part, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, ApiRoutes.UploadPart(uploadId, offset)) { Content = new ReadOnlyMemoryContent(part) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        Session?.Apply(request);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw new ParleyApiException(await ProblemReader.ReadAsync(response, cancellationToken).ConfigureAwait(false));
        return await response.Content.ReadFromJsonAsync(Json.UploadView, cancellationToken).ConfigureAwait(false) ?? throw Unexpected(response, "an empty body");
    }

    /// <summary>Deletes an unused upload.</summary>
    public Task CancelUploadAsync(Guid uploadId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, ApiRoutes.Upload(uploadId), cancellationToken);

    /// <summary>Creates a document in a room from its first version.</summary>
    public Task<DocumentView> CreateDocumentAsync(Guid roomId, CreateDocumentRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.RoomDocuments(roomId), request, Json.CreateDocumentRequest, Json.DocumentView, cancellationToken);

    /// <summary>Adds the next version of a document.</summary>
    public Task<DocumentView> AddDocumentVersionAsync(Guid documentId, AddVersionRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.DocumentVersions(documentId), request, Json.AddVersionRequest, Json.DocumentView, cancellationToken);

    /// <summary>The documents of a room.</summary>
    public Task<IReadOnlyList<DocumentSummary>> ListDocumentsAsync(Guid roomId, CancellationToken cancellationToken = default) =>
        SendAsync<object, IReadOnlyList<DocumentSummary>>(HttpMethod.Get, ApiRoutes.RoomDocuments(roomId), null, null, Json.IReadOnlyListDocumentSummary, cancellationToken);

    /// <summary>A document with its versions and endorsements (or, once destroyed, its certificate).</summary>
    public Task<DocumentView> GetDocumentAsync(Guid documentId, CancellationToken cancellationToken = default) =>
        SendAsync<object, DocumentView>(HttpMethod.Get, ApiRoutes.Document(documentId), null, null, Json.DocumentView, cancellationToken);

    /// <summary>The envelope of a version as this device may have it: the signed manifest, this device's wraps and the room-epoch wraps.</summary>
    public async Task<byte[]> GetDocumentEnvelopeAsync(Guid documentId, int version, CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Get, ApiRoutes.DocumentEnvelope(documentId, version), cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The ciphertext of a version, streamed: the caller disposes the response.</summary>
    public Task<HttpResponseMessage> GetDocumentContentAsync(Guid documentId, int version, CancellationToken cancellationToken = default) =>
        SendRawAsync(HttpMethod.Get, ApiRoutes.DocumentContent(documentId, version), cancellationToken);

    /// <summary>Adds room-epoch wraps of a version for the room's current epoch.</summary>
    public Task<DocumentView> AddDocumentWrapsAsync(Guid documentId, int version, AddWrapsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.DocumentWraps(documentId, version), request, Json.AddWrapsRequest, Json.DocumentView, cancellationToken);

    /// <summary>Records an initial or a signature.</summary>
    public Task<DocumentView> EndorseDocumentAsync(Guid documentId, EndorseRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.DocumentEndorsements(documentId), request, Json.EndorseRequest, Json.DocumentView, cancellationToken);

    /// <summary>Registers a printed copy and returns its copy number and canary choices.</summary>
    public Task<PrintGrant> RegisterPrintAsync(Guid documentId, int version, int sites, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.DocumentPrint(documentId, version), new MarksRequest(sites), Json.MarksRequest, Json.PrintGrant, cancellationToken);

    /// <summary>The caller's on-screen marks of a version.</summary>
    public Task<ViewMarks> GetViewMarksAsync(Guid documentId, int version, int sites, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.DocumentMarks(documentId, version), new MarksRequest(sites), Json.MarksRequest, Json.ViewMarks, cancellationToken);

    /// <summary>A document's print register (a security officer of a party).</summary>
    public Task<IReadOnlyList<PrintRegisterEntry>> GetPrintRegisterAsync(Guid documentId, CancellationToken cancellationToken = default) =>
        SendAsync<object, IReadOnlyList<PrintRegisterEntry>>(HttpMethod.Get, ApiRoutes.DocumentPrints(documentId), null, null, Json.IReadOnlyListPrintRegisterEntry, cancellationToken);

    /// <summary>Records that a printed copy was destroyed (a security officer of a party).</summary>
    public Task RecordCopyDestroyedAsync(Guid documentId, int copyNumber, string note, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.DocumentCopyDestroyed(documentId, copyNumber), new RecordCopyDestroyedRequest(note), Json.RecordCopyDestroyedRequest, cancellationToken);

    /// <summary>Every copy's canary choices of a version, to trace a leak (a security officer of a party).</summary>
    public Task<IReadOnlyList<CopyChoicesView>> GetTraceCopiesAsync(Guid documentId, int version, int sites, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.DocumentTraceCopies(documentId), new TraceCopiesRequest(version, sites), Json.TraceCopiesRequest, Json.IReadOnlyListCopyChoicesView, cancellationToken);

    /// <summary>Destroys a document with the performer's signed certificate.</summary>
    public Task<DocumentView> DestroyDocumentAsync(Guid documentId, byte[] signedCertificate, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ApiRoutes.DocumentDestroy(documentId), new DestroyDocumentRequest(signedCertificate), Json.DestroyDocumentRequest, Json.DocumentView, cancellationToken);

    /// <summary>Changes a document's declassification and destruction dates.</summary>
    public Task<DocumentView> SetDocumentRetentionAsync(Guid documentId, SetRetentionRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, ApiRoutes.DocumentRetention(documentId), request, Json.SetRetentionRequest, Json.DocumentView, cancellationToken);

    /// <summary>The documents due for review in rooms the delegation is a party to.</summary>
    public Task<IReadOnlyList<DocumentReviewView>> GetDocumentReviewsAsync(string delegation, CancellationToken cancellationToken = default) =>
        SendAsync<object, IReadOnlyList<DocumentReviewView>>(HttpMethod.Get, ApiRoutes.DelegationDocumentReviews(delegation), null, null, Json.IReadOnlyListDocumentReviewView, cancellationToken);

    // A request whose successful response body is not JSON; failures become ParleyApiException as everywhere.
    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        Session?.Apply(request);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            throw new ParleyApiException(await ProblemReader.ReadAsync(response, cancellationToken).ConfigureAwait(false));
        }
    }
}
