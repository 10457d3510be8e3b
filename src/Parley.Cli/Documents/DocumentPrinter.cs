using System.Globalization;
using Parley.Cli.Identity;
using Parley.Client.Documents;
using Parley.Protocol.Documents;
using Spectre.Console;

namespace Parley.Cli.Documents;

/// <summary>How documents, certificates, differences and document errors are shown.</summary>
internal static class DocumentPrinter
{
    /// <summary>The certificate's NIST SP 800-88 fields, one per line, indented.</summary>
    public static IEnumerable<string> CertificateLines(CertificateOutput c, string? performer = null)
    {
        yield return $"Destruction certificate {c.CertificateId}";
        yield return $"  document:        {c.DocumentId} (versions {string.Join(", ", c.Versions)})";
        yield return $"  label:           {c.Label}";
        yield return $"  what:            {c.MediaDescription}";
        yield return $"  performed by:    {performer ?? c.PerformedBy.ToString()} ({c.Delegation})";
        yield return $"  performed at:    {c.PerformedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)}";
        yield return $"  reason:          {c.Reason}";
        yield return $"  method:          {c.Method} ({c.Technique})";
        yield return $"  tool:            {c.Tool}";
        yield return $"  verified by:     {c.VerifiedBy}";
        yield return $"  verification:    {c.VerificationMethod}";
        yield return $"  keys remaining:  {c.WrappedKeysRemaining}";
        yield return $"  result:          {c.Result}";
        yield return $"  SHA-256:         {c.Hash}";
    }

    /// <summary>Word differences: removed in red and struck through, added in green; as <c>[-removed-]</c> and <c>{+added+}</c> without colours.</summary>
    public static void Diff(IReadOnlyList<DiffPiece> pieces)
    {
        var colours = AnsiConsole.Profile.Capabilities.ColorSystem != ColorSystem.NoColors && !Console.IsOutputRedirected;
        if (colours)
        {
            foreach (var piece in pieces)
            {
                var text = Markup.Escape(piece.Text);
                AnsiConsole.Markup(piece.Kind switch
                {
                    DiffKind.Removed => $"[red strikethrough]{text}[/]",
                    DiffKind.Added => $"[green]{text}[/]",
                    _ => text,
                });
            }
            AnsiConsole.WriteLine();
            return;
        }
        var plain = new System.Text.StringBuilder();
        foreach (var piece in pieces)
            plain.Append(piece.Kind switch
            {
                DiffKind.Removed => $"[-{piece.Text}-]",
                DiffKind.Added => $"{{+{piece.Text}+}}",
                _ => piece.Text,
            });
        Console.Out.WriteLine(plain.ToString());
    }

    /// <summary>A line for a document error, the exit code it gives, and for a destroyed document the certificate's fields.</summary>
    public static (int Code, string Message) Describe(DocumentException e)
    {
        var error = e.Error;
        var (code, summary) = error.Code switch
        {
            DocumentErrorCode.Tampered => (ExitCodes.Integrity, "The document was modified on the server"),
            DocumentErrorCode.BadAuthorSignature => (ExitCodes.Integrity, "The document is not signed by its author"),
            DocumentErrorCode.WrongDocument => (ExitCodes.Integrity, "The server gave another document or version than the one asked for"),
            DocumentErrorCode.Malformed => (ExitCodes.Integrity, "The document cannot be read"),
            DocumentErrorCode.Destroyed => (ExitCodes.Destroyed, "The document was destroyed"),
            DocumentErrorCode.NotPermitted => (ExitCodes.Denied, "denied"),
            DocumentErrorCode.NoKey => (ExitCodes.Failure, "No key of the document for this device"),
            DocumentErrorCode.BadLabel => (ExitCodes.Failure, "The label is refused"),
            DocumentErrorCode.NotText => (ExitCodes.Failure, "Not a text"),
            _ => (ExitCodes.Failure, "Document error"),
        };
        var message = $"{summary} ({error.Code}): {error.Message}";
        if (e.Certificate is { } certificate)
            message += Environment.NewLine + string.Join(Environment.NewLine, CertificateLines(CertificateOutput.From(certificate)));
        return (code, message);
    }

    /// <summary>The status of a document: versions with authors and verification, initials and signatures per party, agreement.</summary>
    public static void Status(DocumentStatusOutput s)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(s.Title)}[/] [grey]{Markup.Escape(s.Label)} · {s.Id}{(s.Restricted ? " · restricted to named people" : "")}[/]");
        if (s.Certificate is { } certificate)
        {
            AnsiConsole.MarkupLine("[bold red]Destroyed.[/]");
            foreach (var line in CertificateLines(certificate)) AnsiConsole.WriteLine(line);
            return;
        }
        var versions = new Table().AddColumns("Version", "Label", "Type", "Size", "Author", "Added", "Signature");
        foreach (var v in s.Versions)
            versions.AddRow(new Text(v.Version.ToString(CultureInfo.InvariantCulture)), new Text(v.Label), new Text(v.MediaType), new Text(DocumentText.Size(v.Size)),
                new Text(v.Author ?? v.AuthorUserId.ToString()), new Text(Output.Time(v.CreatedAt)),
                v.Verified ? new Markup("[green]verified[/]") : new Markup($"[bold red]NOT VERIFIED[/]: {Markup.Escape(v.Problem ?? "")}"));
        AnsiConsole.Write(versions);
        if (s.Endorsements.Count == 0) AnsiConsole.WriteLine("No initials or signatures yet.");
        else
        {
            var endorsements = new Table().AddColumns("Party", "Version", "Act", "By", "When", "Counts");
            foreach (var e in s.Endorsements)
                endorsements.AddRow(new Text(e.Delegation), new Text(e.Version.ToString(CultureInfo.InvariantCulture)), new Text(e.Kind == "sign" ? "signed" : "initialled ad referendum"),
                    new Text(e.Signer ?? e.SignerUserId.ToString()), new Text(Output.Time(e.EndorsedAt)),
                    e.Valid ? new Markup("[green]yes[/]") : new Markup($"[red]no[/]: {Markup.Escape(e.Rejected ?? "")}"));
            AnsiConsole.Write(endorsements);
        }
        if (s.AgreedVersion is { } agreed) AnsiConsole.MarkupLine($"[bold green]Agreed:[/] every party's head of delegation signed version {agreed}.");
        else AnsiConsole.WriteLine($"Not agreed.{(s.PartiesYetToSign.Count > 0 ? $" Yet to sign: {string.Join(", ", s.PartiesYetToSign)}." : "")}");
        var retention = $"Declassify on {DocumentText.Date(s.DeclassifyOn)}, destroy after {DocumentText.Date(s.DestroyAfter)}; {s.Prints} printed cop{(s.Prints == 1 ? "y" : "ies")} on the register.";
        AnsiConsole.WriteLine(retention);
        foreach (var problem in s.Problems) AnsiConsole.MarkupLine($"[bold red]{Markup.Escape(problem)}[/]");
    }
}
