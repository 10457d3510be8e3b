using Parley.Protocol.Documents;

namespace Parley.Protocol.Tests.Documents;

/// <summary>Differences between versions: exact reconstruction of both texts, minimal word edits.</summary>
public class TextDiffTests
{
    [Fact]
    public void A_changed_word_is_one_removal_and_one_addition()
    {
        var pieces = TextDiff.Compare("Each Party shall notify the other Party within seven days.", "Each Party shall inform the other Party within 7 days.");
        Assert.Equal(
        [
            new DiffPiece(DiffKind.Same, "Each Party shall "),
            new DiffPiece(DiffKind.Removed, "notify"),
            new DiffPiece(DiffKind.Added, "inform"),
            new DiffPiece(DiffKind.Same, " the other Party within "),
            new DiffPiece(DiffKind.Removed, "seven"),
            new DiffPiece(DiffKind.Added, "7"),
            new DiffPiece(DiffKind.Same, " days."),
        ], TextDiff.Compare("Each Party shall notify the other Party within seven days.", "Each Party shall inform the other Party within 7 days."));
        Assert.Equal(7, pieces.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Both_versions_are_rebuilt_from_the_pieces(int seed)
    {
        var random = new Random(seed);
        var words = TreatyText.Draft.Split(' ');
        var older = string.Join(' ', words);
        var edited = words.ToList();
        for (var i = 0; i < 20; i++)
        {
            var at = random.Next(edited.Count);
            switch (random.Next(3))
            {
                case 0: edited.RemoveAt(at); break;
                case 1: edited.Insert(at, "inserted"); break;
                default: edited[at] = "changed"; break;
            }
        }
        var newer = string.Join(' ', edited);
        var pieces = TextDiff.Compare(older, newer);
        Assert.Equal(older, string.Concat(pieces.Where(p => p.Kind != DiffKind.Added).Select(p => p.Text)));
        Assert.Equal(newer, string.Concat(pieces.Where(p => p.Kind != DiffKind.Removed).Select(p => p.Text)));
        Assert.True(pieces.Count(p => p.Kind != DiffKind.Same) <= 2 * 20 + 2, $"{pieces.Count} pieces");
    }

    [Fact]
    public void Texts_too_different_to_compare_word_by_word_are_shown_as_replaced()
    {
        var older = string.Concat(Enumerable.Repeat("alpha ", 3000));
        var newer = string.Concat(Enumerable.Repeat("bravo, ", 3000));
        Assert.Equal([new DiffPiece(DiffKind.Removed, older), new DiffPiece(DiffKind.Added, newer)], TextDiff.Compare(older, newer));
    }

    [Fact]
    public void Identical_and_empty_texts()
    {
        Assert.Equal([new DiffPiece(DiffKind.Same, "(U) Text.")], TextDiff.Compare("(U) Text.", "(U) Text."));
        Assert.Equal([new DiffPiece(DiffKind.Added, "(U) Text.")], TextDiff.Compare("", "(U) Text."));
        Assert.Equal([new DiffPiece(DiffKind.Removed, "(U) Text.")], TextDiff.Compare("(U) Text.", ""));
        Assert.Empty(TextDiff.Compare("", ""));
    }
}
