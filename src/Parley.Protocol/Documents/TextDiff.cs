namespace Parley.Protocol.Documents;

/// <summary>What a piece of a comparison is.</summary>
public enum DiffKind
{
    /// <summary>In both versions.</summary>
    Same = 0,
    /// <summary>Only in the older version.</summary>
    Removed = 1,
    /// <summary>Only in the newer version.</summary>
    Added = 2,
}

/// <summary>A run of text and whether it was kept, removed or added.</summary>
public sealed record DiffPiece(DiffKind Kind, string Text);

/// <summary>
/// Word-level differences between two versions of a text, for showing what changed before someone
/// initials or signs (issue 7). Myers' O((N+M)·D) algorithm over words and the spaces and punctuation
/// between them; adjacent pieces of one kind are merged. Beyond <see cref="MaxEdits"/> edits the texts are
/// reported as wholly replaced rather than spending quadratic time.
/// </summary>
public static class TextDiff
{
    /// <summary>Most token edits searched for.</summary>
    public const int MaxEdits = 4_000;

    /// <summary>The pieces that turn <paramref name="older"/> into <paramref name="newer"/>; concatenating the
    /// Same and Removed pieces gives the older text, the Same and Added pieces the newer.</summary>
    public static IReadOnlyList<DiffPiece> Compare(string older, string newer)
    {
        ArgumentNullException.ThrowIfNull(older);
        ArgumentNullException.ThrowIfNull(newer);
        var a = Tokens(older);
        var b = Tokens(newer);
        var pieces = new List<DiffPiece>();
        var edits = Edits(a, b);
        if (edits is null)
        {
            Add(pieces, DiffKind.Removed, older);
            Add(pieces, DiffKind.Added, newer);
            return pieces;
        }
        foreach (var (kind, token) in edits) Add(pieces, kind, token);
        return pieces;
    }

    private static void Add(List<DiffPiece> pieces, DiffKind kind, string text)
    {
        if (text.Length == 0) return;
        if (pieces.Count > 0 && pieces[^1].Kind == kind) pieces[^1] = pieces[^1] with { Text = pieces[^1].Text + text };
        else pieces.Add(new DiffPiece(kind, text));
    }

    // Words (letters, digits, inner hyphens and apostrophes) and single other characters.
    private static List<string> Tokens(string text)
    {
        var tokens = new List<string>();
        for (var i = 0; i < text.Length;)
        {
            var start = i;
            if (char.IsLetterOrDigit(text[i]))
            {
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || (text[i] is '-' or '\'' && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1])))) i++;
            }
            else
            {
                i++;
            }
            tokens.Add(text[start..i]);
        }
        return tokens;
    }

    // Myers' greedy forward search, keeping each step's frontier (diagonals −d..d only, so memory grows with
    // the square of the edits, not with the texts) to walk back the shortest edit script.
    private static List<(DiffKind, string)>? Edits(List<string> a, List<string> b)
    {
        int n = a.Count, m = b.Count, offset = n + m + 1;
        var v = new int[2 * offset + 1];
        var trace = new List<int[]>();
        for (var d = 0; d <= n + m; d++)
        {
            if (d > MaxEdits) return null;
            trace.Add(v[(offset - d)..(offset + d + 1)]);
            for (var k = -d; k <= d; k += 2)
            {
                var x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
                var y = x - k;
                while (x < n && y < m && a[x] == b[y])
                {
                    x++;
                    y++;
                }
                v[offset + k] = x;
                if (x >= n && y >= m) return Backtrack(a, b, trace, offset, d);
            }
        }
        return null;
    }

    private static List<(DiffKind, string)> Backtrack(List<string> a, List<string> b, List<int[]> trace, int offset, int edits)
    {
        var script = new List<(DiffKind, string)>();
        int x = a.Count, y = b.Count;
        for (var d = edits; d > 0; d--)
        {
            var v = trace[d];
            var k = x - y;
            var previousK = k == -d || (k != d && v[d + k - 1] < v[d + k + 1]) ? k + 1 : k - 1;
            var previousX = v[d + previousK];
            var previousY = previousX - previousK;
            while (x > previousX && y > previousY)
            {
                script.Add((DiffKind.Same, a[--x]));
                y--;
            }
            if (x == previousX) script.Add((DiffKind.Added, b[--y]));
            else script.Add((DiffKind.Removed, a[--x]));
        }
        while (x > 0)
        {
            script.Add((DiffKind.Same, a[--x]));
            y--;
        }
        script.Reverse();
        return script;
    }
}
