namespace Parley.Protocol.Classification;

/// <summary>Suggestions for near-misses of known names: "did you mean SECRET?".</summary>
internal static class NearMiss
{
    /// <summary>The candidate closest to <paramref name="token"/> by optimal string alignment distance
    /// (case ignored), if one is close enough to be a plausible slip; ties go to the earlier candidate.</summary>
    public static string? Closest(string token, IEnumerable<string> candidates)
    {
        var upper = token.ToUpperInvariant();
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            // A slip is about one edit per three letters of the intended word, capped; one- and
            // two-letter abbreviations match only when case is the difference, since any letter is
            // one edit from them.
            var limit = Math.Min(candidate.Length / 3, 3);
            if (Math.Abs(candidate.Length - upper.Length) > limit) continue;
            var distance = Distance(upper, candidate);
            if (distance <= limit && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    // Levenshtein distance with adjacent transpositions counted as one edit (CONFIDENTAIL).
    internal static int Distance(string a, string b)
    {
        var previous2 = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var value = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    value = Math.Min(value, previous2[j - 2] + 1);
                current[j] = value;
            }
            (previous2, previous, current) = (previous, current, previous2);
        }
        return previous[b.Length];
    }
}
