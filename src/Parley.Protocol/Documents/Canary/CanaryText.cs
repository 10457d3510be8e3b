using System.Globalization;
using System.Text;

namespace Parley.Protocol.Documents.Canary;

/// <summary>A word of a text: its span and its lower-case form.</summary>
internal readonly record struct Word(int Start, int End, string Lower);

/// <summary>A place in the original text where the canary trap chooses a variant.</summary>
/// <param name="Index">The site's number, in order of occurrence: what the keyed choice is made for.</param>
/// <param name="Group">The variant group.</param>
/// <param name="Start">First character of the original occurrence.</param>
/// <param name="Length">Its length in characters.</param>
/// <param name="FirstWord">Index of its first word among the text's words (for a comma, the word after it).</param>
/// <param name="WordCount">How many words it spans (0 for a comma, which lies between words).</param>
public sealed record CanarySite(int Index, VariantGroup Group, int Start, int Length, int FirstWord, int WordCount);

/// <summary>Words, variant occurrences and sites of a text, the same way for marking and tracing.</summary>
internal static class CanaryText
{
    private static readonly HashSet<string> ReferenceWords = new(StringComparer.Ordinal)
    {
        "article", "articles", "paragraph", "paragraphs", "section", "sections", "annex", "annexes", "chapter", "part", "protocol",
        "table", "figure", "page", "item", "no", "number", "rule", "schedule", "appendix", "clause", "subparagraph", "line",
        "and", "or", "to", "of", "through", "version", "level", "phase", "stage", "category", "resolution",
    };

    public static List<Word> Words(string text)
    {
        var words = new List<Word>();
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsLetterOrDigit(text[i]))
            {
                i++;
                continue;
            }
            var start = i;
            while (i < text.Length)
            {
                if (char.IsLetterOrDigit(text[i])) i++;
                // Hyphens and apostrophes inside a word keep it one word: co-operation, party's.
                else if (text[i] is '-' or '\'' or '\u2019' && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1]) && i > start) i++;
                else break;
            }
            words.Add(new Word(start, i, text[start..i].ToLowerInvariant()));
        }
        return words;
    }

    /// <summary>The variant starting at word <paramref name="at"/>, longest first, words separated by whitespace only.</summary>
    public static (VariantGroup Group, string Variant, int WordCount)? VariantAt(string text, List<Word> words, int at)
    {
        for (var count = Math.Min(VariantTable.MaxWords, words.Count - at); count >= 1; count--)
        {
            var builder = new StringBuilder(words[at].Lower);
            var contiguous = true;
            for (var k = 1; k < count && contiguous; k++)
            {
                contiguous = IsWhitespace(text, words[at + k - 1].End, words[at + k].Start);
                builder.Append(' ').Append(words[at + k].Lower);
            }
            if (!contiguous) continue;
            var phrase = builder.ToString();
            if (VariantTable.ByVariant.TryGetValue(phrase, out var group)) return (group, phrase, count);
        }
        return null;
    }

    /// <summary>The sites of an original text, in order.</summary>
    public static List<CanarySite> Sites(string text)
    {
        var words = Words(text);
        var sites = new List<CanarySite>();
        var lastSpace = -2;
        for (var i = 0; i < words.Count;)
        {
            if (OptionalComma(text, words, i))
            {
                var start = words[i - 1].End;
                sites.Add(new CanarySite(sites.Count, VariantTable.Comma, start, words[i].Start - start, i, 0));
            }
            else if (i > 0 && lastSpace < i - 1 && IsSpaceSite(text, words, i))
            {
                // Every other gap at most, so that no-break spaces never glue long runs of words together.
                sites.Add(new CanarySite(sites.Count, VariantTable.Space, words[i - 1].End, 1, i, 0));
                lastSpace = i;
            }
            var found = VariantAt(text, words, i);
            if (found is { } f && f.Group.Triggers.Contains(f.Variant) && SafeSite(text, words, i, f.Variant))
            {
                var end = words[i + f.WordCount - 1].End;
                sites.Add(new CanarySite(sites.Count, f.Group, words[i].Start, end - words[i].Start, i, f.WordCount));
                i += f.WordCount;
            }
            else
            {
                i += found?.WordCount ?? 1;
            }
        }
        return sites;
    }

    /// <summary>The comma reading of the gap before word <paramref name="at"/>: 1 for a comma (and spaces),
    /// 0 for spaces only, -1 for anything else.</summary>
    public static int Gap(string text, List<Word> words, int at) => CommaReading(text.AsSpan(words[at - 1].End, words[at].Start - words[at - 1].End));

    /// <summary>How a gap between words reads for a site of <paramref name="group"/>: the variant's index, or -1.</summary>
    public static int Reading(VariantGroup group, ReadOnlySpan<char> gap) =>
        group == VariantTable.Comma ? CommaReading(gap) : gap is " " ? 0 : gap is "\u00A0" ? 1 : -1;

    private static int CommaReading(ReadOnlySpan<char> gap)
    {
        if (gap.Length == 0) return -1;
        if (gap.Trim().Length == 0) return 0;
        var comma = gap.IndexOf(',');
        return comma >= 0 && gap[..comma].Trim().Length == 0 && gap[(comma + 1)..].Trim().Length == 0 && gap[(comma + 1)..].Length > 0 ? 1 : -1;
    }

    private static readonly HashSet<string> Introductions = new(StringComparer.Ordinal)
    {
        "upon", "on", "after", "before", "prior", "within", "following", "during", "notwithstanding", "thereafter", "furthermore",
        "moreover", "therefore", "accordingly", "consequently", "additionally", "in", "for", "subject", "without", "pending", "once",
    };

    private static readonly HashSet<string> Prepositions = new(StringComparer.Ordinal)
    {
        "in", "of", "by", "to", "for", "with", "from", "on", "at", "under", "upon", "through", "during", "after", "before", "within",
        "without", "against", "between", "among", "amongst", "into", "onto", "over", "about", "each", "all", "both", "some", "none",
    };

    // An optional comma in the original, written exactly " " or ", " before word `at`: the last
    // conjunction of a list (an earlier comma in the same sentence at most eight words back), or the end
    // of an introductory phrase of at most six words at the start of a sentence. Sentences end at
    // . ; : and brackets, so a portion mark's comma never counts.
    private static bool OptionalComma(string text, List<Word> words, int at)
    {
        if (at == 0 || Gap(text, words, at) < 0 || text[words[at - 1].End] is not (' ' or ',')) return false;
        var gap = text[words[at - 1].End..words[at].Start];
        if (gap is not (" " or ", ")) return false;
        if (words[at].Lower is "and" or "or")
        {
            for (int k = 0, item = at - 1; k < 8 && item >= 1; k++, item--)
            {
                var before = text.AsSpan(words[item - 1].End, words[item].Start - words[item - 1].End);
                if (before.IndexOfAny(".;:()\n") >= 0) return false;
                if (before.Contains(',')) return true;
            }
            return false;
        }
        if (gap != ", ") return false;
        for (var first = at - 1; first >= 0 && at - first <= 6; first--)
        {
            var before = first == 0 ? text.AsSpan(0, words[0].Start) : text.AsSpan(words[first - 1].End, words[first].Start - words[first - 1].End);
            if (first > 0 && before.Trim().Length == 0 && !before.Contains('\n')) continue;
            // The phrase must open a sentence (after . ; : a bracket or a line break) with an introductory word.
            var opens = first == 0 || before.TrimEnd().Length == 0 || before.TrimEnd()[^1] is '.' or ';' or ':' or ')' or '\n' || before.Contains('\n');
            return opens && Introductions.Contains(words[first].Lower) && !Ends(text, words, first, at);
        }
        return false;
    }

    // A single space between two words of running text (both with a lower-case letter, so never inside a
    // portion mark, a heading number or a reference such as "Article 3").
    private static bool IsSpaceSite(string text, List<Word> words, int at) =>
        words[at].Start - words[at - 1].End == 1 && text[words[at - 1].End] == ' ' &&
        text.AsSpan(words[at - 1].Start, words[at - 1].End - words[at - 1].Start).ContainsAnyInRange('a', 'z') &&
        text.AsSpan(words[at].Start, words[at].End - words[at].Start).ContainsAnyInRange('a', 'z');

    // True when a gap strictly inside the phrase holds punctuation.
    private static bool Ends(string text, List<Word> words, int first, int at)
    {
        for (var k = first + 1; k < at; k++)
        {
            if (Gap(text, words, k) != 0) return true;
        }
        return false;
    }

    // A numeral is a site only as a count of something ("within 7 days"), never as a reference
    // ("Article 7", "Articles 2 and 3") or part of a number ("2.5", "7%", "1,000").
    private static bool SafeSite(string text, List<Word> words, int at, string variant)
    {
        // Only a restrictive "which" (no comma before it, not after a preposition) may become "that".
        if (variant == "which") return at > 0 && Gap(text, words, at) == 0 && !Prepositions.Contains(words[at - 1].Lower);
        if (!char.IsAsciiDigit(variant[0])) return true;
        var word = words[at];
        if (word.Start > 0 && !char.IsWhiteSpace(text[word.Start - 1])) return false;
        if (word.End >= text.Length - 1 || text[word.End] != ' ' || !char.IsLower(text[word.End + 1])) return false;
        return at == 0 || !ReferenceWords.Contains(words[at - 1].Lower);
    }

    private static bool IsWhitespace(string text, int from, int to)
    {
        if (to <= from) return false;
        for (var i = from; i < to; i++)
        {
            if (!char.IsWhiteSpace(text[i])) return false;
        }
        return true;
    }

    /// <summary><paramref name="variant"/> written in the case of <paramref name="original"/>.</summary>
    public static string InCaseOf(string original, string variant)
    {
        var letters = original.Where(char.IsLetter).ToList();
        if (letters.Count > 1 && letters.All(char.IsUpper)) return variant.ToUpperInvariant();
        if (letters.Count > 0 && char.IsUpper(letters[0]) && char.IsLetter(variant[0]))
            return char.ToUpper(variant[0], CultureInfo.InvariantCulture) + variant[1..];
        return variant;
    }

    /// <summary>Optimal string alignment distance (edits and adjacent transpositions), capped at <paramref name="limit"/> + 1.</summary>
    public static int Distance(string a, string b, int limit)
    {
        if (Math.Abs(a.Length - b.Length) > limit) return limit + 1;
        var previous2 = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMin = current[0];
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var value = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) value = Math.Min(value, previous2[j - 2] + 1);
                current[j] = value;
                rowMin = Math.Min(rowMin, value);
            }
            if (rowMin > limit) return limit + 1;
            (previous2, previous, current) = (previous, current, previous2);
        }
        return Math.Min(previous[b.Length], limit + 1);
    }
}
