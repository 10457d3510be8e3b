using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Server.Documents.Model;
using Parley.Server.Storage;

namespace Parley.Server.Documents;

/// <summary>Documents as the API shows them. A destroyed document shows its metadata and certificate only.</summary>
public sealed class DocumentViews(ParleyDbContext db)
{
    public async Task<DocumentView> ViewAsync(DocumentRecord document, CancellationToken cancellationToken)
    {
        var prints = await db.Set<PrintRecordRow>().CountAsync(p => p.DocumentId == document.Id, cancellationToken);
        if (document.DestroyedAt is not null) return View(document, [], [], prints);
        var versions = await db.Set<DocumentVersionRecord>().AsNoTracking().Where(v => v.DocumentId == document.Id).OrderBy(v => v.Version).ToListAsync(cancellationToken);
        var endorsements = await db.Set<EndorsementRecord>().AsNoTracking().Where(e => e.DocumentId == document.Id).OrderBy(e => e.Id).ToListAsync(cancellationToken);
        return View(document, versions, endorsements, prints);
    }

    public static DocumentView View(DocumentRecord document, IEnumerable<DocumentVersionRecord> versions, IEnumerable<EndorsementRecord> endorsements, int prints) => new(
        document.Id, document.RoomId, document.Title, document.Label, document.Restricted, document.CreatedBy, document.CreatedAt,
        document.DeclassifyOn, document.DestroyAfter,
        versions.Select(Version).ToList(),
        endorsements.Select(e => new EndorsementView(e.Version, e.VersionHash, e.Kind, e.Delegation, e.SignerUserId, e.EndorsedAt, e.Signed)).ToList(),
        prints, document.DestroyedAt, document.Certificate);

    public static DocumentVersionView Version(DocumentVersionRecord v) =>
        new(v.Version, v.VersionHash, v.Label, v.MediaType, v.ContentLength, v.CiphertextLength, v.AuthorUserId, v.AuthorDeviceId, v.CreatedAt, v.SignedManifest);

    public static UploadView Upload(UploadRecord upload, DocumentsOptions options) => new(upload.Id, upload.Received, options.MaxVersionBytes, upload.ExpiresAt);
}
