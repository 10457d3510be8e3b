namespace Parley.Protocol.Documents.Canary;

/// <summary>What a trace concluded.</summary>
public enum CanaryVerdict
{
    /// <summary>The excerpt came from one copy, with the confidence given.</summary>
    Identified = 1,
    /// <summary>Too few marks could be read, or no copy stands out (including: the excerpt reads as the unmarked original).</summary>
    Inconclusive = 2,
}

/// <summary>How well one copy explains the excerpt.</summary>
/// <param name="Copy">The copy; null for the unmarked original.</param>
/// <param name="Matched">Sites read in the excerpt that carry this copy's variant.</param>
/// <param name="LogLikelihood">Log-likelihood of the excerpt's variants if it came from this copy, in bits.</param>
/// <param name="Read">Sites read in the placement of the excerpt that favours this copy most.</param>
public sealed record CanaryScore(CanaryCopy? Copy, int Matched, double LogLikelihood, int Read);

/// <summary>The result of tracing an excerpt.</summary>
/// <param name="Verdict">Identified or inconclusive.</param>
/// <param name="Copy">The copy identified, or the closest one when inconclusive (null if none, or the original is closest).</param>
/// <param name="Confidence">Posterior probability of <paramref name="Copy"/> among all copies and the unmarked original, equal priors.</param>
/// <param name="MarginBits">Log-likelihood ratio of the best over the second-best candidate, in bits.</param>
/// <param name="SitesRead">Sites of the original located in the excerpt with a readable variant.</param>
/// <param name="SitesMatched">Of those, how many carry the best candidate's variant.</param>
/// <param name="Scores">Every candidate, best first.</param>
/// <param name="Explanation">One sentence for the security officer.</param>
public sealed record CanaryTrace(CanaryVerdict Verdict, CanaryCopy? Copy, double Confidence, double MarginBits, int SitesRead, int SitesMatched,
    IReadOnlyList<CanaryScore> Scores, string Explanation);

/// <summary>
/// Traces a leaked excerpt (a few hundred characters, copied or re-typed with small errors) to the copy
/// it came from: it aligns the excerpt's words with the original's (local alignment tolerant of typos),
/// reads the variant at every site it covers, and scores each copy by the likelihood of those variants.
/// </summary>
public static class CanaryTracer
{
    /// <summary>Fewest sites that must be read before naming a copy.</summary>
    public const int MinSites = 5;
    /// <summary>Smallest log-likelihood margin, in bits, over the runner-up before naming a copy.</summary>
    public const double MinMarginBits = 8;
    /// <summary>Smallest fraction of read sites that must carry the named copy's variant.</summary>
    public const double MinMatchedFraction = 0.85;

    // Chance that a read variant is not the one printed (a typo that turned one variant into another).
    private const double ReadError = 0.05;

    private const int NoGroup = int.MinValue;
    private const int GapGroup = int.MinValue + 1;

    private readonly record struct Token(int Group, int Variant, string Word, int Site);

    /// <summary>Traces <paramref name="excerpt"/> among <paramref name="copies"/> of <paramref name="original"/>.</summary>
    public static CanaryTrace Trace(string original, IReadOnlyList<CanaryChoices> copies, string excerpt)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(copies);
        ArgumentNullException.ThrowIfNull(excerpt);
        var sites = CanaryText.Sites(original);
        foreach (var copy in copies)
        {
            if (copy.Count < sites.Count) throw new ArgumentException($"Choices for copy {copy.Copy.CopyNumber} cover {copy.Count} of {sites.Count} sites.", nameof(copies));
        }
        var source = Tokens(original, sites, fuzzy: false);
        var leaked = Tokens(excerpt, null, fuzzy: true);
        // A passage the original repeats aligns equally well in several places: each place is a hypothesis,
        // and a copy's likelihood is the mean over them (equal priors), so marks read in the wrong place dilute
        // the evidence instead of misleading it.
        var placements = Observe(source, leaked, sites);
        // Spaces carry marks only while the excerpt keeps its no-break spaces: one that has none was
        // re-typed or normalised, and its ordinary spaces say nothing about the copy.
        if (!excerpt.Contains('\u00A0'))
        {
            foreach (var placement in placements) placement.RemoveAll(o => sites[o.Site].Group == VariantTable.Space);
        }

        var originalVariant = source.Where(t => t.Site >= 0).ToDictionary(t => t.Site, t => t.Variant);
        var candidates = new List<CanaryScore> { Score(null, placements, (site, k) => originalVariant[site]) };
        foreach (var copy in copies) candidates.Add(Score(copy.Copy, placements, copy.Choice));
        candidates.Sort((a, b) => b.LogLikelihood.CompareTo(a.LogLikelihood));

        var best = candidates[0];
        var margin = candidates.Count > 1 ? best.LogLikelihood - candidates[1].LogLikelihood : 0;
        var total = candidates.Sum(c => Math.Pow(2, c.LogLikelihood - best.LogLikelihood));
        var confidence = 1 / total;
        var read = candidates[0].Read;
        if (read < MinSites)
            return new(CanaryVerdict.Inconclusive, null, 0, margin, read, best.Matched, candidates,
                $"Only {read} marked site{(read == 1 ? "" : "s")} could be read in the excerpt; at least {MinSites} are needed.");
        if (best.Copy is null)
            return new(CanaryVerdict.Inconclusive, null, confidence, margin, read, best.Matched, candidates,
                $"The excerpt reads as the unmarked original at {best.Matched} of {read} sites: it does not come from a marked copy.");
        var fraction = (double)best.Matched / read;
        if (margin < MinMarginBits || fraction < MinMatchedFraction)
            return new(CanaryVerdict.Inconclusive, best.Copy, confidence, margin, read, best.Matched, candidates,
                $"Copy {best.Copy.CopyNumber} is closest ({best.Matched} of {read} sites) but does not stand out (margin {margin:F1} bits).");
        return new(CanaryVerdict.Identified, best.Copy, confidence, margin, read, best.Matched, candidates,
            $"Copy {best.Copy.CopyNumber} (recipient {best.Copy.RecipientId}) matches {best.Matched} of {read} marked sites; margin {margin:F1} bits over the next candidate.");
    }

    private static CanaryScore Score(CanaryCopy? copy, List<List<(int Site, int Variant, int Variants)>> placements, Func<int, int, int> expected)
    {
        if (placements.Count == 0) return new CanaryScore(copy, 0, 0, 0);
        var scored = placements.Select(observations =>
        {
            double ll = 0;
            var matched = 0;
            foreach (var (site, variant, variants) in observations)
            {
                if (expected(site, variants) == variant)
                {
                    matched++;
                    ll += Math.Log2(1 - ReadError);
                }
                else
                {
                    ll += Math.Log2(ReadError / (variants - 1));
                }
            }
            return (Matched: matched, Read: observations.Count, LogLikelihood: ll);
        }).ToList();
        var top = scored.MaxBy(s => s.LogLikelihood);
        var mixture = top.LogLikelihood + Math.Log2(scored.Sum(s => Math.Pow(2, s.LogLikelihood - top.LogLikelihood)) / scored.Count);
        return new CanaryScore(copy, top.Matched, mixture, top.Read);
    }

    // Every variant becomes one token naming its group (and, in the original, its site), so that the
    // alignment compares copies that differ only in their marks as equal.
    private static List<Token> Tokens(string text, List<CanarySite>? sites, bool fuzzy)
    {
        var words = CanaryText.Words(text);
        var wordSites = sites?.Where(s => s.WordCount > 0).ToDictionary(s => s.FirstWord) ?? [];
        var commaSites = sites?.Where(s => s.WordCount == 0).ToDictionary(s => s.FirstWord) ?? [];
        var tokens = new List<Token>(2 * words.Count);
        for (var i = 0; i < words.Count;)
        {
            // Every gap between words is a token too, so that optional commas can be read where the
            // original has a comma site, whichever way the copy wrote it.
            if (i > 0)
            {
                var gap = text[words[i - 1].End..words[i].Start];
                tokens.Add(commaSites.TryGetValue(i, out var gapSite)
                    ? new Token(GapGroup, CanaryText.Reading(gapSite.Group, gap), gap, gapSite.Index)
                    : new Token(GapGroup, -1, gap, -1));
            }
            if (CanaryText.VariantAt(text, words, i) is { } found)
            {
                var site = wordSites.TryGetValue(i, out var at) && at.WordCount == found.WordCount && at.Group == found.Group ? at.Index : -1;
                tokens.Add(new Token(found.Group.Id, IndexOf(found.Group, found.Variant), found.Variant, site));
                i += found.WordCount;
                continue;
            }
            var word = words[i].Lower;
            tokens.Add(fuzzy && Misspelt(word) is { } guess ? guess : new Token(NoGroup, -1, word, -1));
            i++;
        }
        return tokens;
    }

    private static int IndexOf(VariantGroup group, string variant)
    {
        for (var i = 0; i < group.Variants.Count; i++)
        {
            if (group.Variants[i] == variant) return i;
        }
        return -1;
    }

    // A re-typed variant with one error: the group is clear when every variant within one edit belongs to
    // one group; the variant is read only if exactly one is within one edit.
    private static Token? Misspelt(string word)
    {
        if (word.Length < 5) return null;
        VariantGroup? group = null;
        string? closest = null;
        var within = 0;
        foreach (var variant in VariantTable.SingleWords)
        {
            if (CanaryText.Distance(word, variant, 1) > 1) continue;
            var owner = VariantTable.ByVariant[variant];
            if (group is not null && owner != group) return null;
            group = owner;
            closest = variant;
            within++;
        }
        if (group is null) return null;
        return new Token(group.Id, within == 1 ? IndexOf(group, closest!) : -1, word, -1);
    }

    private static bool Same(Token a, Token b)
    {
        if (a.Group != NoGroup || b.Group != NoGroup) return a.Group == b.Group;
        if (a.Word == b.Word) return true;
        var limit = Math.Min(a.Word.Length, b.Word.Length) switch { >= 8 => 2, >= 4 => 1, _ => 0 };
        return limit > 0 && CanaryText.Distance(a.Word, b.Word, limit) <= limit;
    }

    private static List<List<(int Site, int Variant, int Variants)>> Observe(List<Token> source, List<Token> leaked, List<CanarySite> sites)
    {
        if (leaked.Count == 0 || source.Count == 0) return [];
        // Seed: vote for the diagonal (source position − excerpt position) of exact word matches, then
        // align around the best-voted places only, so the cost does not grow with the document squared.
        var positions = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var j = 0; j < source.Count; j++)
        {
            var key = Key(source[j]);
            if (!positions.TryGetValue(key, out var list)) positions[key] = list = [];
            list.Add(j);
        }
        var votes = new Dictionary<int, int>();
        for (var i = 0; i < leaked.Count; i++)
        {
            if (leaked[i].Group == GapGroup || (leaked[i].Group == NoGroup && leaked[i].Word.Length < 4)) continue;
            if (!positions.TryGetValue(Key(leaked[i]), out var list) || list.Count > 50) continue;
            foreach (var j in list) votes[(j - i) / 4] = votes.GetValueOrDefault((j - i) / 4) + 1;
        }
        var places = new List<int>();
        foreach (var diagonal in votes.OrderByDescending(v => v.Value).Select(v => v.Key * 4))
        {
            if (places.Count == 8) break;
            if (places.All(p => Math.Abs(p - diagonal) > leaked.Count)) places.Add(diagonal);
        }

        var aligned = new List<(int Score, List<(int Site, int Variant, int Variants)> Observations)>();
        foreach (var diagonal in places)
        {
            var from = Math.Max(0, diagonal - leaked.Count / 2 - 8);
            var to = Math.Min(source.Count, diagonal + leaked.Count + leaked.Count / 2 + 8);
            var (score, pairs) = Align(source, from, to, leaked);
            var observations = new List<(int Site, int Variant, int Variants)>();
            foreach (var (s, l) in pairs)
            {
                if (source[s].Site < 0) continue;
                var group = sites[source[s].Site].Group;
                var variant = leaked[l].Group == GapGroup ? CanaryText.Reading(group, leaked[l].Word) : leaked[l].Variant;
                if (variant >= 0) observations.Add((source[s].Site, variant, group.Variants.Count));
            }
            aligned.Add((score, observations));
        }
        if (aligned.Count == 0) return [];
        // Places that align about as well as the best are all plausible; the rest are not the excerpt's.
        var best = aligned.Max(a => a.Score);
        return aligned.Where(a => a.Score > 0 && a.Score >= best * 0.9).Select(a => a.Observations).ToList();
    }

    private static string Key(Token token) => token.Group != NoGroup ? "#" + token.Group : token.Word;

    // Gaps between words always match one another but count for little, so that only words anchor the alignment.
    private static int Match(Token leaked, Token source) => !Same(leaked, source) ? -1 : leaked.Group == GapGroup ? 1 : 2;

    // Smith–Waterman local alignment of the excerpt against source[from..to): +2 for equal words or
    // variants, +1 for a gap between words, −1 for a substitution, −2 for an insertion or deletion. Returns the best score and the equal pairs on its path.
    private static (int Score, List<(int Source, int Leaked)> Pairs) Align(List<Token> source, int from, int to, List<Token> leaked)
    {
        var rows = leaked.Count + 1;
        var columns = to - from + 1;
        var h = new int[rows, columns];
        int bestScore = 0, bestI = 0, bestJ = 0;
        for (var i = 1; i < rows; i++)
        {
            for (var j = 1; j < columns; j++)
            {
                var diagonal = h[i - 1, j - 1] + Match(leaked[i - 1], source[from + j - 1]);
                var value = Math.Max(0, Math.Max(diagonal, Math.Max(h[i - 1, j] - 2, h[i, j - 1] - 2)));
                h[i, j] = value;
                if (value > bestScore) (bestScore, bestI, bestJ) = (value, i, j);
            }
        }
        var pairs = new List<(int, int)>();
        for (int i = bestI, j = bestJ; i > 0 && j > 0 && h[i, j] > 0;)
        {
            var match = Match(leaked[i - 1], source[from + j - 1]);
            if (h[i, j] == h[i - 1, j - 1] + match)
            {
                if (match > 0) pairs.Add((from + j - 1, i - 1));
                i--;
                j--;
            }
            else if (h[i, j] == h[i - 1, j] - 2) i--;
            else j--;
        }
        return (bestScore, pairs);
    }
}
