using System.Globalization;
using System.Runtime.Versioning;
using Parley.Protocol.Classification;
using Parley.Protocol.Documents;
using Parley.Protocol.Documents.Canary;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Parley.Client.Documents.Printing;

/// <summary>One copy to print: what, for whom, and the copy's canary choices (from the print register).</summary>
/// <param name="DocumentId">The document.</param>
/// <param name="Version">The version printed.</param>
/// <param name="Title">A title for the page footer.</param>
/// <param name="Text">The decrypted text, Markdown or plain, portion-marked, as the author wrote it.</param>
/// <param name="Label">The version's label.</param>
/// <param name="RecipientName">Who the copy is for, as the watermark shows it.</param>
/// <param name="Choices">The copy's canary choices; they carry the recipient and the copy number.</param>
/// <param name="PrintedAt">When the copy was registered.</param>
public sealed record PrintJob(Guid DocumentId, int Version, string Title, string Text, Label Label, string RecipientName, CanaryChoices Choices, DateTimeOffset PrintedAt)
{
    /// <summary>The copy number.</summary>
    public int CopyNumber => Choices.Copy.CopyNumber;
}

/// <summary>A rendered copy.</summary>
/// <param name="Pages">Number of pages.</param>
/// <param name="Bytes">Size of the PDF.</param>
/// <param name="MarkedText">The text as printed, with the recipient's canary marks: what the on-screen view shows too.</param>
public sealed record PrintedCopy(int Pages, long Bytes, string MarkedText);

/// <summary>A print either rendered or refused.</summary>
public sealed record PrintOutcome(PrintedCopy? Copy, PrintRefusal? Refusal)
{
    /// <summary>True when a PDF was written.</summary>
    public bool Printed => Copy is not null;
}

/// <summary>
/// Controlled printing (DESIGN §9), on the client: a PDF with the classification banner at the top and
/// bottom of every page, a visible diagonal watermark with the recipient's name, the time and the copy
/// number over the text of every page, and the text carrying the recipient's canary marks. Refuses,
/// before rendering anything, a label the rules do not allow on paper or that does not cover the text.
/// Managed code only (PDFsharp's core build): it runs in the CLI with the system's DejaVu fonts and in the
/// browser's WebAssembly with the same fonts given as bytes.
/// </summary>
public sealed class ControlledPrinter
{
    private const double Margin = 56;
    private const double BannerSize = 11;
    private const double BodySize = 10.5;
    private const double HeadingSize = 12.5;
    private const double LineGap = 3.5;

    private readonly PrintRules _rules;
    private readonly MarkingScheme _scheme;

    /// <summary>A printer that applies <paramref name="rules"/> to labels of <paramref name="scheme"/>, with the DejaVu faces of <paramref name="fontDirectory"/>.</summary>
    [UnsupportedOSPlatform("browser")]
    public ControlledPrinter(MarkingScheme scheme, PrintRules rules, string fontDirectory = DejaVuFonts.DefaultDirectory)
        : this(scheme, rules)
    {
        DejaVuFontFolder.Install(fontDirectory);
    }

    /// <summary>A printer that applies <paramref name="rules"/> to labels of <paramref name="scheme"/>, with the DejaVu
    /// faces given as bytes (<see cref="DejaVuFonts.RegularFile"/> and <see cref="DejaVuFonts.BoldFile"/>): where there is no font folder, as in the browser.</summary>
    public ControlledPrinter(MarkingScheme scheme, PrintRules rules, byte[] regularFont, byte[] boldFont)
        : this(scheme, rules)
    {
        DejaVuFonts.Install(regularFont, boldFont);
    }

    private ControlledPrinter(MarkingScheme scheme, PrintRules rules)
    {
        _scheme = scheme ?? throw new ArgumentNullException(nameof(scheme));
        _rules = rules ?? throw new ArgumentNullException(nameof(rules));
    }

    /// <summary>Renders <paramref name="job"/> to <paramref name="output"/>, or says why it may not be printed.</summary>
    public async Task<PrintOutcome> PrintAsync(PrintJob job, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(output);
        if (_rules.Check(job.Label) is { } refusal) return new PrintOutcome(null, refusal);
        var text = TextLabel.Read(_scheme, job.Text, declared: job.Label, unmarked: job.Label);
        if (!text.IsOk) return new PrintOutcome(null, new PrintRefusal(PrintRefusalReason.LabelDoesNotCoverText, text.Error.Message));

        var marked = CanaryMarker.Mark(job.Text, job.Choices);
        using var buffer = new MemoryStream();
        int pages;
        using (var document = Render(job, marked))
        {
            pages = document.PageCount;
            document.Save(buffer, closeStream: false);
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
        return new PrintOutcome(new PrintedCopy(pages, buffer.Length, marked), null);
    }

    private static PdfDocument Render(PrintJob job, string marked)
    {
        var document = new PdfDocument();
        document.Info.Title = $"{job.Title} (copy {job.CopyNumber})";
        document.Info.Creator = "Parley controlled printing";
        var options = new XPdfFontOptions(PdfFontEncoding.Automatic);
        var body = new XFont(DejaVuFonts.Family, BodySize, XFontStyleEx.Regular, options);
        var heading = new XFont(DejaVuFonts.Family, HeadingSize, XFontStyleEx.Bold, options);
        var banner = new XFont(DejaVuFonts.Family, BannerSize, XFontStyleEx.Bold, options);
        var small = new XFont(DejaVuFonts.Family, 7.5, XFontStyleEx.Regular, options);
        var watermark = new XFont(DejaVuFonts.Family, 26, XFontStyleEx.Bold, options);

        PdfPage? page = null;
        XGraphics? graphics = null;
        double y = 0;
        void NewPage()
        {
            graphics?.Dispose();
            page = document.AddPage();
            page.Size = PdfSharp.PageSize.A4;
            graphics = XGraphics.FromPdfPage(page);
            y = Margin + BannerSize + 18;
        }

        NewPage();
        foreach (var (line, isHeading, blank) in Lines(marked))
        {
            if (blank)
            {
                y += BodySize * 0.8;
                continue;
            }
            var font = isHeading ? heading : body;
            var width = page!.Width.Point - 2 * Margin;
            foreach (var row in Wrap(graphics!, line, font, width))
            {
                var height = font.Size + LineGap;
                if (y + height > page.Height.Point - Margin - BannerSize - 24) NewPage();
                graphics!.DrawString(row, font, XBrushes.Black, new XPoint(Margin, y + font.Size));
                y += height;
            }
            if (isHeading) y += 4;
        }
        graphics?.Dispose();

        // Banners, watermark and footer go on last, over the text, once the page count is known.
        var colour = BannerColour(job.Label.Level.Colour);
        var bannerText = job.Label.ToBanner();
        var stamp = $"{job.RecipientName} · copy {job.CopyNumber} · {job.PrintedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}";
        for (var i = 0; i < document.PageCount; i++)
        {
            var p = document.Pages[i];
            using var g = XGraphics.FromPdfPage(p, XGraphicsPdfPageOptions.Append);
            var w = p.Width.Point;
            var h = p.Height.Point;
            var state = g.Save();
            g.RotateAtTransform(-35, new XPoint(w / 2, h / 2));
            var brush = new XSolidBrush(XColor.FromArgb(70, 120, 120, 120));
            g.DrawString(stamp, watermark, brush, new XRect(0, h / 2 - 60, w, 40), XStringFormats.Center);
            g.DrawString(stamp, watermark, brush, new XRect(0, h / 2 + 20, w, 40), XStringFormats.Center);
            g.Restore(state);
            g.DrawString(bannerText, banner, colour, new XRect(0, Margin - 30, w, BannerSize + 6), XStringFormats.Center);
            g.DrawString(bannerText, banner, colour, new XRect(0, h - Margin + 12, w, BannerSize + 6), XStringFormats.Center);
            var footer = $"{job.Title} · version {job.Version} · {stamp} · page {i + 1} of {document.PageCount}";
            g.DrawString(footer, small, XBrushes.DimGray, new XRect(0, h - Margin - 6, w, 10), XStringFormats.Center);
        }
        return document;
    }

    private static XBrush BannerColour(string key) => key switch
    {
        "green" => XBrushes.Green,
        "purple" => XBrushes.Purple,
        "blue" => XBrushes.Blue,
        "red" => XBrushes.Red,
        "orange" => XBrushes.DarkOrange,
        "yellow" => XBrushes.Goldenrod,
        _ => XBrushes.Black,
    };

    // Lines of the text; Markdown headings lose their #s and print bold, everything else prints as written.
    private static IEnumerable<(string Line, bool Heading, bool Blank)> Lines(string text)
    {
        foreach (var raw in text.Replace("\r", "", StringComparison.Ordinal).Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.Length == 0)
            {
                yield return ("", false, true);
                continue;
            }
            var trimmed = line.TrimStart();
            var hashes = trimmed.TakeWhile(c => c == '#').Count();
            if (hashes is >= 1 and <= 6 && trimmed.Length > hashes && trimmed[hashes] == ' ')
                yield return (trimmed[(hashes + 1)..].Trim(), true, false);
            else
                yield return (line.Replace("\t", "    ", StringComparison.Ordinal), false, false);
        }
    }

    // Breaks at ordinary spaces only: a no-break space (a canary mark) keeps its words together, as it should.
    private static IEnumerable<string> Wrap(XGraphics graphics, string line, XFont font, double width)
    {
        var words = line.Split(' ');
        var current = "";
        foreach (var word in words)
        {
            var candidate = current.Length == 0 ? word : current + " " + word;
            if (current.Length > 0 && graphics.MeasureString(candidate, font).Width > width)
            {
                yield return current;
                current = word;
            }
            else
            {
                current = candidate;
            }
        }
        if (current.Length > 0) yield return current;
    }
}
