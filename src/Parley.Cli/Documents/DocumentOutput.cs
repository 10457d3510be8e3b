using System.Globalization;
using Parley.Client.Documents;
using Parley.Protocol.Api;
using Parley.Protocol.Documents;
using Parley.Protocol.Documents.Canary;
using Parley.Protocol.Identity;

namespace Parley.Cli.Documents;

/// <summary>The JSON shape of <c>parley doc put --json</c> and <c>parley doc version --json</c>: the document and its latest version.</summary>
internal sealed record DocumentOutput(Guid Id, Guid RoomId, string Title, int Version, string Label, string MediaType, long Size, bool Restricted,
    DateOnly? DeclassifyOn, DateOnly? DestroyAfter, DateTimeOffset CreatedAt)
{
    public static DocumentOutput From(DocumentView view)
    {
        var latest = view.Versions[^1];
        return new DocumentOutput(view.Id, view.RoomId, view.Title, latest.Version, latest.Label, latest.MediaType, latest.ContentLength, view.Restricted,
            view.DeclassifyOn, view.DestroyAfter, latest.CreatedAt);
    }
}

/// <summary>One document in <c>parley doc list --json</c>.</summary>
internal sealed record DocumentListOutput(Guid Id, string Title, string Label, int Version, string MediaType, long Size, DateTimeOffset UpdatedAt, int Endorsements,
    bool Restricted, bool Destroyed)
{
    public static DocumentListOutput From(DocumentSummary s) =>
        new(s.Id, s.Title, s.Label, s.LatestVersion, s.MediaType, s.ContentLength, s.UpdatedAt, s.Endorsements, s.Restricted, s.Destroyed);
}

/// <summary>The JSON shape of <c>parley doc get --json</c>: what was written, verified.</summary>
internal sealed record DownloadOutput(Guid Id, string Title, int Version, string Label, string MediaType, long Size, IReadOnlyList<string> PortionMarks, Guid AuthorUserId, string File)
{
    public static DownloadOutput From(OpenedDocument opened, string file) =>
        new(opened.DocumentId, opened.Title, opened.Version, opened.Label.ToBanner(), opened.MediaType, opened.Length, [.. opened.PortionMarks], opened.AuthorUserId, file);
}

/// <summary>One version in <c>parley doc show --json</c>; <c>problem</c> is null when its author's signature verified on this device.</summary>
internal sealed record DocumentVersionOutput(int Version, string Label, string MediaType, long Size, Guid AuthorUserId, string? Author, DateTimeOffset CreatedAt, string VersionHash,
    bool Verified, string? Problem);

/// <summary>An initial or signature in <c>parley doc show --json</c>; <c>rejected</c> says why it does not count, null when it does.</summary>
internal sealed record EndorsementOutput(string Kind, int Version, string Delegation, Guid SignerUserId, string? Signer, DateTimeOffset EndorsedAt, bool Valid, string? Rejected);

/// <summary>The JSON shape of <c>parley doc show --json</c>.</summary>
internal sealed record DocumentStatusOutput(Guid Id, Guid RoomId, string Title, string Label, bool Restricted, Guid CreatedBy, DateTimeOffset CreatedAt,
    DateOnly? DeclassifyOn, DateOnly? DestroyAfter, int Prints, IReadOnlyList<DocumentVersionOutput> Versions, IReadOnlyList<EndorsementOutput> Endorsements,
    int? AgreedVersion, IReadOnlyList<string> PartiesYetToSign, IReadOnlyList<string> Problems, DateTimeOffset? DestroyedAt, CertificateOutput? Certificate);

/// <summary>A destruction certificate (NIST SP 800-88 fields), in <c>parley doc destroy --json</c> and <c>parley doc show --json</c>.</summary>
internal sealed record CertificateOutput(Guid CertificateId, Guid DocumentId, IReadOnlyList<int> Versions, string Label, string MediaDescription, string Method, string Technique,
    string Tool, Guid PerformedBy, string Delegation, DateTimeOffset PerformedAt, string Reason, string VerifiedBy, string VerificationMethod, int WrappedKeysRemaining, string Result,
    string Hash)
{
    public static CertificateOutput From(Signed<DestructionCertificate> signed)
    {
        var c = signed.Body;
        return new CertificateOutput(c.CertificateId, c.DocumentId, [.. c.Versions], c.Label, c.MediaDescription, DestructionCertificate.Method, DestructionCertificate.Technique,
            c.Tool, c.PerformedBy, c.Delegation, DateTimeOffset.FromUnixTimeSeconds(c.PerformedAt), c.Reason, c.VerifiedBy, c.VerificationMethod, c.WrappedKeysRemaining,
            c.Result == SanitizationResult.Succeeded ? "succeeded" : "failed", Convert.ToHexStringLower(signed.Hash()));
    }
}

/// <summary>The JSON shape of <c>parley doc sign|initial --json</c>.</summary>
internal sealed record EndorseOutput(Guid Id, string Title, int Version, string Kind, string Delegation, int Endorsements);

/// <summary>The JSON shape of <c>parley doc print --json</c>.</summary>
internal sealed record PrintOutput(Guid Id, int Version, int CopyNumber, string Label, string Recipient, DateTimeOffset PrintedAt, int Pages, long Bytes, string File)
{
    public static PrintOutput From(PrintedDocument printed, string file) =>
        new(printed.DocumentId, printed.Version, printed.CopyNumber, printed.Label.ToBanner(), printed.RecipientName, printed.PrintedAt, printed.Pages, printed.Bytes, file);
}

/// <summary>The copy a trace names: its recipient and number (0: their on-screen view).</summary>
internal sealed record TraceCopyOutput(int CopyNumber, Guid RecipientUserId, string RecipientName, string RecipientEmail, Guid? RecipientDeviceId, DateTimeOffset IssuedAt);

/// <summary>The JSON shape of <c>parley doc trace --json</c>.</summary>
internal sealed record TraceOutput(string Verdict, Guid DocumentId, string Title, int Version, TraceCopyOutput? Copy, double Confidence, double MarginBits,
    int SitesRead, int SitesMatched, string Explanation)
{
    public static TraceOutput From(TraceReport report) => new(
        report.Verdict == CanaryVerdict.Identified ? "identified" : "inconclusive", report.DocumentId, report.Title, report.Version,
        report.Copy is { } c ? new TraceCopyOutput(c.CopyNumber, c.RecipientUserId, c.RecipientName, c.RecipientEmail, c.RecipientDeviceId, c.IssuedAt) : null,
        report.Confidence, report.MarginBits, report.SitesRead, report.SitesMatched, report.Explanation);
}

/// <summary>The JSON shape of <c>parley doc destroy --json</c>.</summary>
internal sealed record DestroyOutput(Guid Id, string Title, DateTimeOffset? DestroyedAt, CertificateOutput Certificate);

/// <summary>One copy in <c>parley doc register --json</c>.</summary>
internal sealed record RegisterEntryOutput(int CopyNumber, int Version, Guid RecipientUserId, string RecipientName, Guid RecipientDeviceId, string Label, DateTimeOffset PrintedAt,
    string RecordHash, DateTimeOffset? DestroyedAt, Guid? DestroyedBy, string? DestructionNote)
{
    public static RegisterEntryOutput From(PrintRegisterEntry e) => new(e.CopyNumber, e.Version, e.RecipientUserId, e.RecipientName, e.RecipientDeviceId, e.Label, e.PrintedAt,
        Convert.ToHexStringLower(e.RecordHash), e.DestroyedAt, e.DestroyedBy, e.DestructionNote);
}

/// <summary>The JSON shape of <c>parley doc retention --json</c>.</summary>
internal sealed record RetentionOutput(Guid Id, string Title, DateOnly? DeclassifyOn, DateOnly? DestroyAfter);

/// <summary>One review in <c>parley doc reviews --json</c>.</summary>
internal sealed record ReviewOutput(Guid DocumentId, Guid RoomId, string Title, string Label, string Kind, DateOnly Date, int DaysOverdue, DateTimeOffset ListedAt)
{
    public static ReviewOutput From(DocumentReviewView r) => new(r.DocumentId, r.RoomId, r.Title, r.Label, r.Kind, r.Date, r.DaysOverdue, r.ListedAt);
}

internal static class DocumentText
{
    public static string Kind(EndorsementKind kind) => kind == EndorsementKind.Sign ? "sign" : "initial";

    public static string KindPast(EndorsementKind kind) => kind == EndorsementKind.Sign ? "signed" : "initialled ad referendum";

    /// <summary>Bytes in binary units, one decimal: 3.0 MiB.</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0' KiB'", CultureInfo.InvariantCulture),
        < 1024L * 1024 * 1024 => (bytes / (1024.0 * 1024)).ToString("0.0' MiB'", CultureInfo.InvariantCulture),
        _ => (bytes / (1024.0 * 1024 * 1024)).ToString("0.0' GiB'", CultureInfo.InvariantCulture),
    };

    public static string Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-";
}
