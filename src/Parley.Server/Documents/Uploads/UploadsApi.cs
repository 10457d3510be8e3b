using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Server.Documents.Model;
using Parley.Server.Documents.Storage;
using Parley.Server.Identity;
using Parley.Server.Identity.Sessions;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Storage;

namespace Parley.Server.Documents.Uploads;

/// <summary>
/// Uploads: a staging file for one version's ciphertext, filled in parts of at most
/// <see cref="DocumentsProtocol.MaxPartBytes"/> each at the offset the server has reached (so an interrupted
/// upload goes on where it stopped), then consumed by creating a document or a version. Only its owner sees
/// it; an unused one is deleted when it expires. Uploading is writing content, so it needs what writing needs
/// (a member or head of delegation, training current, a session bound to a device that is not revoked).
/// </summary>
public static class UploadsApi
{
    public static IEndpointRouteBuilder MapDocumentUploads(this IEndpointRouteBuilder app)
    {
        var uploads = app.MapGroup("/api/uploads").WithTags("Documents");
        uploads.MapPost("", CreateAsync).RequiresPolicy(Actions.Write, Resources.Self)
            .WithSummary("Opens an upload for one version's ciphertext.");
        uploads.MapPut("/{id:guid}", AppendAsync).RequiresPolicy(Actions.Write, Resources.Self)
            .WithSummary("Appends a part (application/octet-stream, at most 64 MiB) at ?offset=N, which must be the bytes received so far.");
        uploads.MapDelete("/{id:guid}", DeleteAsync).RequiresPolicy(Actions.Write, Resources.Self)
            .WithSummary("Deletes an upload and what it received.");
        return app;
    }

    private static async Task<Results<Created<UploadView>, ProblemHttpResult>> CreateAsync(
        Caller caller, ParleyDbContext db, DocumentBlobs blobs, DocumentsOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var open = await db.Set<UploadRecord>().CountAsync(u => u.UserId == caller.User.Id && u.ExpiresAt > now, cancellationToken);
        if (open >= options.MaxOpenUploads)
            return Problems.Conflict($"You have {open} uploads open, the most one person may; finish or delete one (DELETE /api/uploads/ID) first.");
        var upload = new UploadRecord { Id = Guid.NewGuid(), UserId = caller.User.Id, CreatedAt = now, ExpiresAt = now + options.UploadLifetime };
        blobs.CreateUpload(upload.Id);
        db.Add(upload);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch
        {
            blobs.DeleteUpload(upload.Id);
            throw;
        }
        return TypedResults.Created($"/api/uploads/{upload.Id}", DocumentViews.Upload(upload, options));
    }

    private static async Task<Results<Ok<UploadView>, ProblemHttpResult>> AppendAsync(
        Guid id, long? offset, HttpContext http, Caller caller, ParleyDbContext db, DocumentBlobs blobs, DocumentsOptions options, DocumentLocks locks,
        TimeProvider time, CancellationToken cancellationToken)
    {
        // Lifted for this endpoint only; the part limit is checked below as the body streams in.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = DocumentsProtocol.MaxPartBytes;
        using var held = await locks.AcquireAsync(id, cancellationToken);
        var upload = await FindAsync(db, id, caller, time, cancellationToken);
        if (upload is null) return Problems.NotFound("There is no such upload of yours (it may have expired or been used).");
        if (offset is not { } at) return Problems.BadRequest($"Say where the part goes with ?offset=N (the upload has {upload.Received} bytes).");
        if (at != upload.Received) return DocumentProblems.WrongOffset(upload, at);
        var type = http.Request.ContentType;
        if (type is not null && !type.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase))
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: $"Send the ciphertext as application/octet-stream, not {type}.", type: "urn:parley:problem:media-type");
        if (http.Request.ContentLength is { } length && length > DocumentsProtocol.MaxPartBytes)
            return DocumentProblems.TooLarge($"A part is at most {DocumentsProtocol.MaxPartBytes} bytes; this one is {length}. Send it in several parts.");
        if (http.Request.ContentLength is { } total && upload.Received + total > options.MaxVersionBytes)
            return DocumentProblems.TooLarge($"A version is at most {options.MaxVersionBytes} bytes on this server; this part would take the upload to {upload.Received + total}.");

        long written;
        try
        {
            written = await blobs.AppendAsync(id, upload.Received, http.Request.Body, DocumentsProtocol.MaxPartBytes, options.MaxVersionBytes, cancellationToken);
        }
        catch (UploadTooLargeException e)
        {
            return DocumentProblems.TooLarge(e.Message);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return DocumentProblems.TooLarge($"A part is at most {DocumentsProtocol.MaxPartBytes} bytes. Send the rest in further parts.");
        }
        upload.Received += written;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(DocumentViews.Upload(upload, options));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, Caller caller, ParleyDbContext db, DocumentBlobs blobs, DocumentLocks locks, TimeProvider time, CancellationToken cancellationToken)
    {
        using var held = await locks.AcquireAsync(id, cancellationToken);
        var upload = await FindAsync(db, id, caller, time, cancellationToken);
        if (upload is null) return Problems.NotFound("There is no such upload of yours.");
        db.Remove(upload);
        await db.SaveChangesAsync(cancellationToken);
        blobs.DeleteUpload(id);
        return TypedResults.NoContent();
    }

    /// <summary>The caller's unexpired upload <paramref name="id"/>, tracked; null for anyone else's, an expired or an unknown one.</summary>
    public static async Task<UploadRecord?> FindAsync(ParleyDbContext db, Guid id, Caller caller, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await db.Set<UploadRecord>().SingleOrDefaultAsync(u => u.Id == id && u.UserId == caller.User.Id && u.ExpiresAt > now, cancellationToken);
    }
}
