using System.Collections.Immutable;
using Parley.Client.Api;
using Parley.Protocol.Api;
using Parley.Protocol.Classification;
using Parley.Protocol.Documents;
using Parley.Protocol.Documents.Canary;
using Parley.Protocol.Identity;

namespace Parley.Client.Documents;

/// <summary>A document to create.</summary>
/// <param name="Title">1 to 200 characters, no control characters (metadata the server sees, like a room's name).</param>
/// <param name="MediaType">Its media type; <c>text/markdown</c> and <c>text/plain</c> are portion-marked texts.</param>
/// <param name="Label">A declared label (banner or portion mark); a text's must cover its portions; null: the text's banner, or the room's label.</param>
/// <param name="RestrictedTo">People (addresses or user ids) whose devices alone get the key; null or empty: the room's current epoch.</param>
/// <param name="DeclassifyOn">Declassification review date.</param>
/// <param name="DestroyAfter">Last day of keeping; a destruction review is due from the next day.</param>
public sealed record DocumentUpload(string Title, string MediaType, string? Label = null, IReadOnlyList<string>? RestrictedTo = null,
    DateOnly? DeclassifyOn = null, DateOnly? DestroyAfter = null);

/// <summary>A version opened and verified on this device.</summary>
public sealed record OpenedDocument(Guid DocumentId, string Title, int Version, Label Label, string MediaType, long Length, ImmutableArray<string> PortionMarks, Guid AuthorUserId);

/// <summary>A text as this account sees it on screen: with its own canary marks.</summary>
public sealed record MarkedText(OpenedDocument Document, string Text);

/// <summary>A version's standing: null problem when its author's signature verified here.</summary>
public sealed record VersionStatus(DocumentVersionView Version, string? Problem);

/// <summary>An initial or signature, and why it does not count if it does not (null when it does).</summary>
public sealed record EndorsementStatus(EndorsementKind Kind, int Version, string Delegation, Guid SignerUserId, DateTimeOffset EndorsedAt, string? Rejected);

/// <summary>Who initialled and signed what, as verified on this device, and the agreed version if any.</summary>
public sealed record DocumentStatus(DocumentView Document, IReadOnlyList<VersionStatus> Versions, int? AgreedVersion, IReadOnlyList<EndorsementStatus> Endorsements,
    Signed<DestructionCertificate>? Certificate)
{
    /// <summary>Parties whose head has not signed the latest version any party signed.</summary>
    public IReadOnlyList<string> PartiesYetToSign { get; init; } = [];

    /// <summary>Records that could not be read at all.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];
}

/// <summary>A printed copy: registered, rendered and written.</summary>
public sealed record PrintedDocument(Guid DocumentId, int Version, int CopyNumber, Label Label, string RecipientName, DateTimeOffset PrintedAt, int Pages, long Bytes);

/// <summary>The result of tracing a leaked excerpt.</summary>
/// <param name="Verdict">Identified, or inconclusive.</param>
/// <param name="DocumentId">The document whose copies explain the excerpt best.</param>
/// <param name="Title">Its title.</param>
/// <param name="Version">The version.</param>
/// <param name="Copy">The copy identified (or the closest when inconclusive); null when none stands out.</param>
/// <param name="Confidence">Posterior probability of that copy.</param>
/// <param name="MarginBits">Its lead over the runner-up, in bits.</param>
/// <param name="SitesRead">Marks read in the excerpt.</param>
/// <param name="SitesMatched">Of those, how many match the copy.</param>
/// <param name="Explanation">One sentence for the security officer.</param>
public sealed record TraceReport(CanaryVerdict Verdict, Guid DocumentId, string Title, int Version, CopyChoicesView? Copy, double Confidence, double MarginBits,
    int SitesRead, int SitesMatched, string Explanation);

/// <summary>A destroyed document and its signed certificate.</summary>
public sealed record DestroyedDocument(DocumentView Document, Signed<DestructionCertificate> Certificate);

/// <summary>A document operation this client refused or found wrong, typed; <see cref="Certificate"/> is set for <see cref="DocumentErrorCode.Destroyed"/>.</summary>
public sealed class DocumentException(DocumentError error) : Exception(error.Message)
{
    /// <summary>What went wrong.</summary>
    public DocumentError Error { get; } = error;

    /// <summary>The destruction certificate, when the document was destroyed and the server gave it.</summary>
    public Signed<DestructionCertificate>? Certificate { get; init; }
}

/// <summary>Rules of document titles (the server applies the same).</summary>
public static class DocumentTitles
{
    /// <summary>Longest title.</summary>
    public const int MaxLength = 200;

    /// <summary>Why <paramref name="title"/> cannot be a title, or null.</summary>
    public static string? Problem(string? title)
    {
        var trimmed = title?.Trim() ?? "";
        if (trimmed.Length == 0) return "Give the document a title.";
        if (trimmed.Length > MaxLength) return $"A title has at most {MaxLength} characters.";
        if (trimmed.Any(char.IsControl)) return "A title cannot contain control characters.";
        return null;
    }
}

/// <summary>
/// A write-only stream that sends what is written to an upload in parts of <see cref="DocumentsClient.PartSize"/>
/// bytes: one buffer, so memory stays flat whatever the size. Asynchronous writes only (the browser has no
/// blocking I/O); <see cref="FlushAsync(CancellationToken)"/> sends what is buffered.
/// </summary>
internal sealed class PartUploadStream(ParleyClient api, Guid uploadId) : Stream
{
    private readonly byte[] _buffer = new byte[DocumentsClient.PartSize];
    private int _buffered;
    private long _sent;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _sent + _buffered;
    public override long Position { get => Length; set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            var take = Math.Min(buffer.Length, _buffer.Length - _buffered);
            buffer[..take].CopyTo(_buffer.AsMemory(_buffered));
            _buffered += take;
            buffer = buffer[take..];
            if (_buffered == _buffer.Length) await SendAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => _buffered == 0 ? Task.CompletedTask : SendAsync(cancellationToken);

    private async Task SendAsync(CancellationToken cancellationToken)
    {
        var view = await api.UploadPartAsync(uploadId, _sent, _buffer.AsMemory(0, _buffered), cancellationToken).ConfigureAwait(false);
        _sent += _buffered;
        _buffered = 0;
        if (view.Received != _sent) throw new ParleyApiException(new ApiProblem(System.Net.HttpStatusCode.Conflict, ApiProblemKind.Conflict, "Upload out of step",
            $"The server holds {view.Received} bytes of the upload; this client sent {_sent}.", null, null));
    }

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Write asynchronously.");
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
