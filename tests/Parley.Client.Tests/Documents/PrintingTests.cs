using System.Text;
using Parley.Client.Documents.Printing;
using Parley.Protocol.Classification;
using Parley.Protocol.Crypto;
using Parley.Protocol.Documents.Canary;
using Parley.Protocol.Tests.Documents;
using PdfSharp.Pdf.Content;
using PdfSharp.Pdf.Content.Objects;
using PdfSharp.Pdf.IO;

namespace Parley.Client.Tests.Documents;

/// <summary>Controlled printing: read back with PDFsharp, every page has both banners and the recipient's
/// watermark, the printed text carries the recipient's canary marks (the tracer finds them, in the whole
/// text and in an excerpt), and labels the rules forbid are refused before anything is written.</summary>
public class PrintingTests
{
    private static readonly MarkingScheme Scheme = MarkingScheme.Generic;
    private static readonly Guid Document = Guid.NewGuid();
    private static readonly DateTimeOffset When = new(2026, 11, 28, 14, 30, 0, TimeSpan.Zero);
    private readonly SecretKey _markingKey = SecretKey.Generate(32);

    // Three times the draft, so that the copy runs over several pages.
    private static readonly string Text = string.Join("\n\n", Enumerable.Repeat(TreatyText.Draft, 3));

    private List<CanaryChoices> Copies() => Enumerable.Range(1, 10)
        .Select(n => CanaryChoices.Derive(_markingKey, Document, new CanaryCopy(Guid.NewGuid(), n), CanaryMarker.Sites(Text).Count)).ToList();

    private static PrintJob Job(CanaryChoices choices, string? label = null, string? text = null) =>
        new(Document, 2, "Draft treaty", text ?? Text, Scheme.ParseBanner(label ?? "SECRET//REL TO ATL, BOR").Value, $"Recipient {choices.Copy.CopyNumber}", choices, When);

    [Fact]
    public async Task A_printed_copy_has_banners_watermark_and_the_recipients_marks_on_every_page()
    {
        var copies = Copies();
        var printer = new ControlledPrinter(Scheme, PrintRules.AllowAll);
        using var pdf = new MemoryStream();
        var outcome = await printer.PrintAsync(Job(copies[3]), pdf);
        Assert.True(outcome.Printed, outcome.Refusal?.Message);
        Assert.Equal(CanaryMarker.Mark(Text, copies[3]), outcome.Copy!.MarkedText);

        pdf.Position = 0;
        using var document = PdfReader.Open(pdf, PdfDocumentOpenMode.Import);
        Assert.Equal(outcome.Copy.Pages, document.PageCount);
        Assert.True(document.PageCount >= 3, $"{document.PageCount} pages");
        var body = new StringBuilder();
        for (var i = 0; i < document.PageCount; i++)
        {
            var strings = Strings(ContentReader.ReadContent(document.Pages[i])).ToList();
            Assert.Equal(2, strings.Count(s => s == "SECRET//REL TO ATL, BOR"));
            Assert.Equal(2, strings.Count(s => s == "Recipient 4 · copy 4 · 2026-11-28 14:30 UTC"));
            Assert.Contains(strings, s => s.EndsWith($"page {i + 1} of {document.PageCount}", StringComparison.Ordinal));
            foreach (var s in strings) body.Append(s).Append('\n');
        }

        var printed = body.ToString();
        var whole = CanaryTracer.Trace(Text, copies, printed);
        Assert.True(whole.Verdict == CanaryVerdict.Identified, whole.Explanation + "\n" + printed[..600].Replace("\u00A0", "~"));
        Assert.Equal(copies[3].Copy, whole.Copy);

        // What someone would copy out of the PDF: 300 characters from the middle of the second page.
        var start = printed.IndexOf("Article 2", printed.Length / 3, StringComparison.Ordinal);
        var excerpt = printed.Substring(start, 300).Replace('\n', ' ');
        var trace = CanaryTracer.Trace(Text, copies, excerpt);
        Assert.True(trace.Verdict == CanaryVerdict.Identified, trace.Explanation + "\n" + excerpt.Replace("\u00A0", "~"));
        Assert.Equal(copies[3].Copy, trace.Copy);
    }

    [Fact]
    public async Task Two_recipients_get_different_copies()
    {
        var copies = Copies();
        var printer = new ControlledPrinter(Scheme, PrintRules.AllowAll);
        using var a = new MemoryStream();
        using var b = new MemoryStream();
        var first = await printer.PrintAsync(Job(copies[0]), a);
        var second = await printer.PrintAsync(Job(copies[1]), b);
        Assert.NotEqual(first.Copy!.MarkedText, second.Copy!.MarkedText);
        Assert.Equal(copies[1].Copy, CanaryTracer.Trace(Text, copies, second.Copy.MarkedText).Copy);
    }

    [Fact]
    public async Task Fonts_given_as_bytes_print_the_same_copy_as_fonts_read_from_the_folder_and_other_faces_or_non_fonts_are_refused()
    {
        // The browser has no font folder: it fetches the two faces and gives their bytes.
        var regular = File.ReadAllBytes(Path.Combine(DejaVuFonts.DefaultDirectory, DejaVuFonts.RegularFile));
        var bold = File.ReadAllBytes(Path.Combine(DejaVuFonts.DefaultDirectory, DejaVuFonts.BoldFile));
        var copies = Copies();
        using var fromBytes = new MemoryStream();
        var outcome = await new ControlledPrinter(Scheme, PrintRules.AllowAll, regular, bold).PrintAsync(Job(copies[2]), fromBytes);
        Assert.True(outcome.Printed, outcome.Refusal?.Message);
        Assert.Equal("%PDF-"u8.ToArray(), fromBytes.ToArray()[..5]);
        using var fromFolder = new MemoryStream();
        var again = await new ControlledPrinter(Scheme, PrintRules.AllowAll).PrintAsync(Job(copies[2]), fromFolder);
        Assert.Equal(outcome.Copy!.MarkedText, again.Copy!.MarkedText);
        Assert.Equal(outcome.Copy.Pages, again.Copy.Pages);

        Assert.Throws<ArgumentException>(() => new ControlledPrinter(Scheme, PrintRules.AllowAll, "<html>not a font</html>"u8.ToArray(), bold));
        // The resolver is process-wide: another face cannot replace the installed one behind a printer's back.
        var oblique = File.ReadAllBytes(Path.Combine(DejaVuFonts.DefaultDirectory, "DejaVuSans-Oblique.ttf"));
        Assert.Throws<InvalidOperationException>(() => new ControlledPrinter(Scheme, PrintRules.AllowAll, oblique, bold));
    }

    [Fact]
    public async Task Labels_the_rules_forbid_are_refused_and_nothing_is_written()
    {
        var copies = Copies();
        var rules = new PrintRules(Scheme.FindLevel("SECRET"), new HashSet<string> { "BRAVO" });
        var printer = new ControlledPrinter(Scheme, rules);
        using var output = new MemoryStream();

        var tooHigh = await printer.PrintAsync(Job(copies[0], "TOP SECRET//REL TO ATL, BOR"), output);
        Assert.False(tooHigh.Printed);
        Assert.Equal(PrintRefusalReason.LevelTooHigh, tooHigh.Refusal!.Reason);
        Assert.Equal("TOP SECRET documents may not be printed; the highest level allowed on paper is SECRET.", tooHigh.Refusal.Message);

        var compartment = await printer.PrintAsync(Job(copies[0], "CONFIDENTIAL//BRAVO"), output);
        Assert.Equal(PrintRefusalReason.CompartmentNotPrintable, compartment.Refusal!.Reason);

        // The text's portions are SECRET; a CONFIDENTIAL label does not cover them.
        var under = await printer.PrintAsync(Job(copies[0], "CONFIDENTIAL//REL TO ATL, BOR"), output);
        Assert.Equal(PrintRefusalReason.LabelDoesNotCoverText, under.Refusal!.Reason);
        Assert.Equal(0, output.Length);

        var allowed = await printer.PrintAsync(Job(copies[0], "SECRET//REL TO ATL, BOR"), output);
        Assert.True(allowed.Printed);
        Assert.True(output.Length > 1000);
    }

    // Every string shown by a text operator, in order.
    private static IEnumerable<string> Strings(CObject item)
    {
        switch (item)
        {
            case CSequence sequence:
                foreach (var child in sequence)
                    foreach (var s in Strings(child)) yield return s;
                break;
            case COperator op when op.Name is "Tj" or "TJ" or "'" or "\"":
                var text = new StringBuilder();
                foreach (var operand in op.Operands) Collect(operand, text);
                yield return text.ToString();
                break;
        }
    }

    private static void Collect(CObject item, StringBuilder text)
    {
        if (item is CString s) text.Append(s.Value);
        else if (item is CArray array)
            foreach (var child in array) Collect(child, text);
    }
}
