namespace Parley.Protocol.Classification;

/// <summary>A portion of a text document and its label.</summary>
/// <param name="Line">1-based line where the portion starts.</param>
/// <param name="Column">1-based column (UTF-16 code units) of its mark, or of its first character when unmarked.</param>
/// <param name="Label">The portion's label.</param>
/// <param name="Defaulted">True when the portion carried no mark and took the caller's default.</param>
public sealed record MarkedPortion(int Line, int Column, Label Label, bool Defaulted);

/// <summary>
/// The portion markings of a Markdown or plain-text document and the banner they imply: the join of
/// every portion's label (highest level, union of compartments, intersection of releasability).
/// </summary>
/// <remarks>
/// A portion begins at the first line of every paragraph (after a blank line, at a heading, at a
/// list item) and at every line that starts with a well-formed portion mark. Paragraph-starting
/// lines must carry a mark, e.g. <c>(S//REL TO ATL) The parties...</c>, after any Markdown prefix
/// (<c>#</c>, <c>&gt;</c>, <c>-</c>, <c>1.</c>); a fenced code block belongs to the paragraph it follows
/// directly. See docs/PROTOCOL.md, "Labels", for the full rules.
/// </remarks>
public sealed class DocumentMarking
{
    private DocumentMarking(Label banner, IReadOnlyList<MarkedPortion> portions)
    {
        Banner = banner;
        Portions = portions;
    }

    /// <summary>The banner: the join of every portion; the scheme's lowest label for a document without portions.</summary>
    public Label Banner { get; }

    /// <summary>The portions in document order.</summary>
    public IReadOnlyList<MarkedPortion> Portions { get; }

    /// <summary>
    /// Reads the portion marks of <paramref name="text"/> and computes its banner. A paragraph with no
    /// mark is an error naming its line, unless <paramref name="unmarked"/> is given, in which case it
    /// takes that label (a container's label is the natural choice; never a lower one). A malformed
    /// mark at the start of a paragraph, or portions with no delegation in common, are errors too.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="unmarked"/> belongs to an incompatible scheme.</exception>
    public static Result<DocumentMarking> Read(MarkingScheme scheme, string text, Label? unmarked = null)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentNullException.ThrowIfNull(text);
        if (unmarked is not null && !scheme.IsCompatibleWith(unmarked.Scheme))
            throw new ArgumentException($"The default label belongs to scheme {unmarked.Scheme.Name}, not {scheme.Name}.", nameof(unmarked));
        return new Scanner(scheme, unmarked).Scan(text);
    }

    private sealed class Scanner(MarkingScheme scheme, Label? unmarked)
    {
        private readonly List<MarkedPortion> _portions = [];
        private Label _banner = scheme.Lowest;

        public Result<DocumentMarking> Scan(string text)
        {
            var inParagraph = false;
            string? fence = null;
            var lineNumber = 0;
            for (var start = 0; start <= text.Length;)
            {
                var end = text.IndexOf('\n', start);
                if (end < 0) end = text.Length;
                var line = text.AsSpan(start, end - start).TrimEnd('\r').ToString();
                start = end + 1;
                lineNumber++;

                if (fence is not null)
                {
                    // Inside a fenced block nothing is a mark and blank lines do not end the paragraph.
                    if (IsFenceClose(line, fence)) fence = null;
                    continue;
                }

                var prefix = ReadPrefix(line);
                var content = line[prefix.ContentStart..];
                var column = prefix.ContentStart + 1;
                if (prefix.IsThematicBreak) continue;
                if (content.Length == 0)
                {
                    inParagraph = false;
                    continue;
                }

                var startsParagraph = !inParagraph || prefix.StartsBlock;
                inParagraph = !prefix.IsHeading;
                if (FenceOpening(content) is { } opening)
                {
                    fence = opening;
                    inParagraph = true;
                    if (startsParagraph && Unmarked(lineNumber, column) is { } error) return error;
                    continue;
                }

                if (content[0] == '(')
                {
                    var close = content.IndexOf(')');
                    if (close >= 0)
                    {
                        var fault = MarkingParser.Read(scheme, content[..(close + 1)], portion: true, out var label);
                        var separated = close + 1 == content.Length || content[close + 1] is ' ' or '\t';
                        if (fault is null && separated)
                        {
                            if (Add(new MarkedPortion(lineNumber, column, label!, Defaulted: false)) is { } error) return error;
                            continue;
                        }
                        if (startsParagraph)
                        {
                            return fault is { } f
                                ? Fail(f.Code, lineNumber, column + f.Position, f.Problem, f.Hint)
                                : Fail(ProtocolErrorCode.Malformed, lineNumber, column + close + 1, "expected a space after the portion mark");
                        }
                    }
                    else if (startsParagraph)
                    {
                        return Fail(ProtocolErrorCode.Malformed, lineNumber, column + content.Length, "expected ')'", "portion marks are enclosed in parentheses");
                    }
                    // A line inside a paragraph that opens with something else in parentheses is text.
                }

                if (startsParagraph && Unmarked(lineNumber, column) is { } unmarkedError) return unmarkedError;
            }
            return new DocumentMarking(_banner, _portions);
        }

        private Result<DocumentMarking>? Unmarked(int line, int column)
        {
            if (unmarked is null)
                return Fail(ProtocolErrorCode.Malformed, line, column, "paragraph not portion-marked", $"start it with a mark such as ({scheme.Levels[0].Abbreviation})");
            return Add(new MarkedPortion(line, column, unmarked, Defaulted: true));
        }

        private Result<DocumentMarking>? Add(MarkedPortion portion)
        {
            var joined = _banner.Join(portion.Label);
            if (!joined.IsOk)
            {
                return Result<DocumentMarking>.Fail(ProtocolErrorCode.Malformed,
                    $"line {portion.Line}: {portion.Label.ToPortionMark()} has no delegation in common with the portions before it ({_banner.ToBanner()}); no banner would be releasable to anyone");
            }
            _banner = joined.Value;
            _portions.Add(portion);
            return null;
        }

        private static Result<DocumentMarking> Fail(ProtocolErrorCode code, int line, int column, string problem, string? hint = null) =>
            Result<DocumentMarking>.Fail(code, $"line {line}, column {column}: {problem}{(hint is null ? "" : "; " + hint)}");
    }

    private readonly record struct Prefix(int ContentStart, bool StartsBlock, bool IsHeading, bool IsThematicBreak);

    // Indentation, block quotes, then one heading or list marker, as far as portion marking needs.
    private static Prefix ReadPrefix(string line)
    {
        var i = SkipSpace(line, 0);
        while (i < line.Length && line[i] == '>') i = SkipSpace(line, i + 1);
        if (IsThematicBreak(line.AsSpan(i))) return new Prefix(line.Length, false, false, true);

        var hashes = 0;
        while (i + hashes < line.Length && line[i + hashes] == '#') hashes++;
        if (hashes is >= 1 and <= 6 && (i + hashes == line.Length || line[i + hashes] is ' ' or '\t'))
            return new Prefix(SkipSpace(line, i + hashes), true, true, false);

        if (i + 1 < line.Length && line[i] is '-' or '*' or '+' && line[i + 1] is ' ' or '\t')
            return new Prefix(SkipSpace(line, i + 1), true, false, false);

        var digits = 0;
        while (i + digits < line.Length && digits < 10 && char.IsAsciiDigit(line[i + digits])) digits++;
        if (digits is >= 1 and <= 9 && i + digits + 1 < line.Length && line[i + digits] is '.' or ')' && line[i + digits + 1] is ' ' or '\t')
            return new Prefix(SkipSpace(line, i + digits + 1), true, false, false);

        return new Prefix(i, false, false, false);
    }

    private static int SkipSpace(string line, int i)
    {
        while (i < line.Length && line[i] is ' ' or '\t' or '\uFEFF') i++;
        return i;
    }

    // Three or more of one of - * _ = and nothing else but spaces: a rule or a setext underline, no text.
    private static bool IsThematicBreak(ReadOnlySpan<char> rest)
    {
        rest = rest.TrimEnd(" \t");
        if (rest.Length == 0 || rest[0] is not ('-' or '*' or '_' or '=')) return false;
        var marker = rest[0];
        var count = 0;
        foreach (var c in rest)
        {
            if (c == marker) count++;
            else if (c is not (' ' or '\t')) return false;
        }
        return count >= 3;
    }

    private static string? FenceOpening(string content)
    {
        if (content.Length < 3 || content[0] is not ('`' or '~')) return null;
        var length = 0;
        while (length < content.Length && content[length] == content[0]) length++;
        return length >= 3 ? content[..length] : null;
    }

    private static bool IsFenceClose(string line, string fence)
    {
        var i = SkipSpace(line, 0);
        while (i < line.Length && line[i] == '>') i = SkipSpace(line, i + 1);
        var length = 0;
        while (i + length < line.Length && line[i + length] == fence[0]) length++;
        return length >= fence.Length && line.AsSpan(i + length).Trim(" \t").Length == 0;
    }
}
