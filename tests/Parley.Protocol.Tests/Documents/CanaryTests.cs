using Parley.Protocol.Classification;
using Parley.Protocol.Crypto;
using Parley.Protocol.Documents.Canary;
using Xunit.Abstractions;

namespace Parley.Protocol.Tests.Documents;

/// <summary>The canary trap: every recipient's copy carries keyed variants at many sites, the rest of the
/// text (and its portion marks) untouched; an excerpt of a copy, typos and all, is traced to it; an excerpt
/// of the unmarked original, of unrelated text, or traced with the wrong key names nobody.</summary>
public class CanaryTests(ITestOutputHelper output)
{
    private static readonly Guid Document = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
    private static readonly SecretKey MarkingKey = SecretKey.Import(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());

    private static List<CanaryChoices> Copies(SecretKey key, int count = 10)
    {
        var sites = CanaryMarker.Sites(TreatyText.Draft).Count;
        return Enumerable.Range(1, count).Select(n => CanaryChoices.Derive(key, Document, new CanaryCopy(new Guid(n, 0, 0, new byte[8]), n), sites)).ToList();
    }

    [Fact]
    public void The_treaty_has_many_sites_and_marking_changes_only_them()
    {
        var sites = CanaryMarker.Sites(TreatyText.Draft);
        output.WriteLine($"{sites.Count} sites in {TreatyText.Draft.Length} characters");
        output.WriteLine(string.Join(" | ", sites.Select(s => $"[{TreatyText.Draft.Substring(s.Start, s.Length)}]")));
        Assert.True(sites.Count >= 60, $"{sites.Count} sites");
        // Numerals used as references are never sites.
        Assert.DoesNotContain(sites, s => TreatyText.Draft.Substring(s.Start, s.Length) is "1" or "2" or "3");

        var copies = Copies(MarkingKey);
        var marked = copies.Select(c => CanaryMarker.Mark(TreatyText.Draft, c)).ToList();
        Assert.Equal(10, marked.Distinct().Count());
        Assert.Equal(marked[0], CanaryMarker.Mark(TreatyText.Draft, MarkingKey, Document, copies[0].Copy));
        foreach (var copy in marked)
        {
            // Outside the sites the copy is the original, character for character; each site holds a variant of its group.
            var delta = 0;
            var at = 0;
            foreach (var site in sites)
            {
                Assert.Equal(TreatyText.Draft[at..site.Start], copy.Substring(at + delta, site.Start - at));
                var written = site.Group.Variants
                    .Select(v => CanaryTextCase(TreatyText.Draft.Substring(site.Start, site.Length), v))
                    .Where(v => string.CompareOrdinal(copy, site.Start + delta, v, 0, v.Length) == 0)
                    .OrderByDescending(v => v.Length).First();
                delta += written.Length - site.Length;
                at = site.Start + site.Length;
            }
            Assert.Equal(TreatyText.Draft[at..], copy[(at + delta)..]);
            Assert.Equal(DocumentMarking.Read(MarkingScheme.Generic, TreatyText.Draft).Value.Banner, DocumentMarking.Read(MarkingScheme.Generic, copy).Value.Banner);
        }
        var differences = marked[0].Zip(marked[1]).Count(p => p.First != p.Second);
        Assert.True(differences > 20, $"{differences}");
    }

    private static string CanaryTextCase(string original, string variant)
    {
        var letters = original.Where(char.IsLetter).ToList();
        if (letters.Count > 1 && letters.All(char.IsUpper)) return variant.ToUpperInvariant();
        return letters.Count > 0 && char.IsUpper(letters[0]) && char.IsLetter(variant[0]) ? char.ToUpperInvariant(variant[0]) + variant[1..] : variant;
    }

    [Fact]
    public void Choices_depend_on_key_document_and_copy()
    {
        var copy = new CanaryCopy(Guid.NewGuid(), 1);
        var a = CanaryChoices.Derive(MarkingKey, Document, copy, 100);
        var values = Enumerable.Range(0, 100).Select(i => a.Choice(i, 1 << 30)).ToList();
        Assert.Equal(values, Enumerable.Range(0, 100).Select(i => CanaryChoices.Derive(MarkingKey, Document, copy, 100).Choice(i, 1 << 30)));
        Assert.NotEqual(values, Enumerable.Range(0, 100).Select(i => CanaryChoices.Derive(MarkingKey, Guid.NewGuid(), copy, 100).Choice(i, 1 << 30)));
        Assert.NotEqual(values, Enumerable.Range(0, 100).Select(i => CanaryChoices.Derive(MarkingKey, Document, copy with { CopyNumber = 2 }, 100).Choice(i, 1 << 30)));
        using var other = SecretKey.Generate(32);
        Assert.NotEqual(values, Enumerable.Range(0, 100).Select(i => CanaryChoices.Derive(other, Document, copy, 100).Choice(i, 1 << 30)));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_300_character_excerpt_with_typos_is_traced_to_its_copy(int seed)
    {
        var random = new Random(seed);
        var copies = Copies(MarkingKey);
        var leaker = copies[seed % copies.Count];
        var copy = CanaryMarker.Mark(TreatyText.Draft, leaker);
        var excerpt = Retype(Excerpt(copy, random, 300), random, typos: 3 + seed % 3);

        var trace = CanaryTracer.Trace(TreatyText.Draft, copies, excerpt);
        output.WriteLine($"{trace.Verdict} copy {trace.Copy?.CopyNumber} {trace.SitesMatched}/{trace.SitesRead} margin {trace.MarginBits:F1} confidence {trace.Confidence:F6}\n{excerpt}");
        Assert.Equal(CanaryVerdict.Identified, trace.Verdict);
        Assert.Equal(leaker.Copy, trace.Copy);
        Assert.True(trace.Confidence > 0.99, trace.Explanation);
    }

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var seed = 0; seed < 60; seed++) data.Add(seed);
        return data;
    }

    [Fact]
    public void A_retyped_excerpt_keeps_only_the_lexical_marks_and_is_never_misattributed()
    {
        var copies = Copies(MarkingKey);
        var identified = 0;
        const int runs = 60;
        for (var seed = 0; seed < runs; seed++)
        {
            var random = new Random(1000 + seed);
            var leaker = copies[seed % copies.Count];
            // Re-typing loses the no-break spaces; the spellings, phrasings and commas stay.
            var excerpt = Retype(Excerpt(CanaryMarker.Mark(TreatyText.Draft, leaker), random, 300), random, typos: 3).Replace('\u00A0', ' ');
            var trace = CanaryTracer.Trace(TreatyText.Draft, copies, excerpt);
            if (trace.Verdict != CanaryVerdict.Identified) continue;
            Assert.Equal(leaker.Copy, trace.Copy);
            identified++;
        }
        output.WriteLine($"re-typed 300-character excerpts identified: {identified} of {runs}");
        // Lexical marks alone are sparse (about one site in seven words of this text): most short re-typed
        // excerpts are still named, the rest are inconclusive, none is wrong.
        Assert.True(identified >= runs / 2, $"{identified} of {runs}");

        // A longer re-typed passage carries enough lexical marks on its own.
        var longRandom = new Random(77);
        var whole = Retype(Excerpt(CanaryMarker.Mark(TreatyText.Draft, copies[6]), longRandom, 1200), longRandom, typos: 6).Replace('\u00A0', ' ');
        var longTrace = CanaryTracer.Trace(TreatyText.Draft, copies, whole);
        output.WriteLine(longTrace.Explanation);
        Assert.Equal(CanaryVerdict.Identified, longTrace.Verdict);
        Assert.Equal(copies[6].Copy, longTrace.Copy);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void An_excerpt_of_the_unmarked_original_is_inconclusive(int seed)
    {
        var random = new Random(seed);
        var excerpt = Retype(Excerpt(TreatyText.Draft, random, 300), random, typos: 2);
        var trace = CanaryTracer.Trace(TreatyText.Draft, Copies(MarkingKey), excerpt);
        output.WriteLine(trace.Explanation);
        Assert.Equal(CanaryVerdict.Inconclusive, trace.Verdict);
        Assert.Null(trace.Copy);
    }

    [Fact]
    public void Unrelated_text_and_a_short_excerpt_are_inconclusive()
    {
        const string unrelated = "The delegation arrived on Tuesday and asked for coffee, a quiet room and the agenda; lunch was served at one and the meeting adjourned early because the interpreters had another engagement in the afternoon.";
        var trace = CanaryTracer.Trace(TreatyText.Draft, Copies(MarkingKey), unrelated);
        Assert.Equal(CanaryVerdict.Inconclusive, trace.Verdict);
        Assert.Null(trace.Copy);

        var copy = CanaryMarker.Mark(TreatyText.Draft, Copies(MarkingKey)[3]);
        var tiny = CanaryTracer.Trace(TreatyText.Draft, Copies(MarkingKey), copy.Substring(copy.IndexOf("Each Party may", StringComparison.Ordinal), 40));
        Assert.Equal(CanaryVerdict.Inconclusive, tiny.Verdict);
        Assert.Equal(CanaryVerdict.Inconclusive, CanaryTracer.Trace(TreatyText.Draft, Copies(MarkingKey), "").Verdict);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Tracing_with_another_marking_key_names_nobody(int seed)
    {
        var random = new Random(seed);
        var copy = CanaryMarker.Mark(TreatyText.Draft, Copies(MarkingKey)[seed % 10]);
        var excerpt = Excerpt(copy, random, 300);
        using var wrong = SecretKey.Generate(32);
        var trace = CanaryTracer.Trace(TreatyText.Draft, Copies(wrong), excerpt);
        output.WriteLine(trace.Explanation);
        Assert.Equal(CanaryVerdict.Inconclusive, trace.Verdict);
    }

    // A run of about `length` characters starting and ending at word boundaries, newlines flattened as a
    // paste into an e-mail would.
    internal static string Excerpt(string text, Random random, int length)
    {
        var start = random.Next(0, text.Length - length);
        while (start > 0 && char.IsLetterOrDigit(text[start - 1])) start++;
        var end = Math.Min(text.Length, start + length);
        while (end < text.Length && char.IsLetterOrDigit(text[end])) end++;
        return string.Join(' ', text[start..end].Split((char[])['\n', '\r'], StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
    }

    // Typing errors: a letter substituted, dropped, doubled, or two letters swapped.
    internal static string Retype(string text, Random random, int typos)
    {
        var chars = text.ToList();
        for (var t = 0; t < typos; t++)
        {
            int at;
            do at = random.Next(1, chars.Count - 1); while (!char.IsLetter(chars[at]) || !char.IsLetter(chars[at + 1]));
            switch (random.Next(4))
            {
                case 0: chars[at] = (char)('a' + random.Next(26)); break;
                case 1: chars.RemoveAt(at); break;
                case 2: chars.Insert(at, chars[at]); break;
                default: (chars[at], chars[at + 1]) = (chars[at + 1], chars[at]); break;
            }
        }
        return new string(chars.ToArray());
    }
}
