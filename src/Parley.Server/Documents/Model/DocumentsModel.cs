using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Parley.Server.Identity.Model;
using Parley.Server.Rooms.Model;

namespace Parley.Server.Documents.Model;

/// <summary>Tables, keys and indexes of documents.</summary>
public static class DocumentsModel
{
    // Unix milliseconds, as rooms store them: SQLite compares and orders them as numbers.
    private static readonly ValueConverter<DateTimeOffset, long> Instant =
        new(v => v.ToUnixTimeMilliseconds(), v => DateTimeOffset.FromUnixTimeMilliseconds(v));
    private static readonly ValueConverter<DateTimeOffset?, long?> OptionalInstant =
        new(v => v.HasValue ? v.Value.ToUnixTimeMilliseconds() : null, v => v.HasValue ? DateTimeOffset.FromUnixTimeMilliseconds(v.Value) : null);

    public static void Configure(ModelBuilder model)
    {
        model.Entity<DocumentRecord>(e =>
        {
            e.ToTable("documents");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => x.RoomId);
            e.Property(x => x.Version).IsConcurrencyToken();
            e.HasOne<RoomRecord>().WithMany().HasForeignKey(x => x.RoomId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<UserAccount>().WithMany().HasForeignKey(x => x.CreatedBy).OnDelete(DeleteBehavior.Restrict);
        });
        model.Entity<DocumentVersionRecord>(e =>
        {
            e.ToTable("document_versions");
            e.HasKey(x => new { x.DocumentId, x.Version });
            e.HasOne<DocumentRecord>().WithMany().HasForeignKey(x => x.DocumentId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<DocumentWrapRecord>(e =>
        {
            e.ToTable("document_wraps");
            e.HasKey(x => x.Id);
            // One wrap per recipient (device, or room epoch) and version.
            e.HasIndex(x => new { x.DocumentId, x.Version, x.Kind, x.RecipientId, x.Epoch }).IsUnique();
            e.HasIndex(x => x.RecipientId);
            e.HasOne<DocumentVersionRecord>().WithMany().HasForeignKey(x => new { x.DocumentId, x.Version }).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<EndorsementRecord>(e =>
        {
            e.ToTable("document_endorsements");
            e.HasKey(x => x.Id);
            // The same kind of endorsement of a version by the same head once.
            e.HasIndex(x => new { x.DocumentId, x.Version, x.Kind, x.SignerUserId }).IsUnique();
            e.HasOne<DocumentVersionRecord>().WithMany().HasForeignKey(x => new { x.DocumentId, x.Version }).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<PrintRecordRow>(e =>
        {
            e.ToTable("document_prints");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.DocumentId, x.CopyNumber }).IsUnique();
            e.HasOne<DocumentRecord>().WithMany().HasForeignKey(x => x.DocumentId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<ViewMarksRecord>(e =>
        {
            e.ToTable("document_view_marks");
            e.HasKey(x => new { x.DocumentId, x.Version, x.UserId });
            e.HasOne<DocumentRecord>().WithMany().HasForeignKey(x => x.DocumentId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<UploadRecord>(e =>
        {
            e.ToTable("document_uploads");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => x.UserId);
            e.HasIndex(x => x.ExpiresAt);
            e.HasOne<UserAccount>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<ReviewListedRecord>(e =>
        {
            e.ToTable("document_reviews");
            e.HasKey(x => new { x.DocumentId, x.Kind, x.Date });
            e.HasOne<DocumentRecord>().WithMany().HasForeignKey(x => x.DocumentId).OnDelete(DeleteBehavior.Cascade);
        });

        foreach (var type in new[] { typeof(DocumentRecord), typeof(DocumentVersionRecord), typeof(DocumentWrapRecord), typeof(EndorsementRecord),
                     typeof(PrintRecordRow), typeof(ViewMarksRecord), typeof(UploadRecord), typeof(ReviewListedRecord) })
        {
            foreach (var property in model.Model.FindEntityType(type)!.GetProperties())
            {
                if (property.ClrType == typeof(DateTimeOffset)) property.SetValueConverter(Instant);
                else if (property.ClrType == typeof(DateTimeOffset?)) property.SetValueConverter(OptionalInstant);
            }
        }
    }
}
