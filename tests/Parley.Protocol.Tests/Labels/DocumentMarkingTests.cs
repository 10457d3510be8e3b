using Parley.Protocol.Classification;
using static Parley.Protocol.Tests.Classification.TestSchemes;

namespace Parley.Protocol.Tests.Classification;

/// <summary>Portion marks found in Markdown and plain text, and the banner they add up to.</summary>
public class DocumentMarkingTests
{
    [Fact]
    public void A_markdown_document_s_banner_is_the_join_of_its_portions()
    {
        const string text = """
            # (U) Negotiating positions

            (S//REL TO ATL, BOR) The delegation proposes a ceiling of 800 deployed launchers,
            to be reached within seven years of entry into force.

            (C//ALPHA//REL TO ATL, CRD) Verification by on-site inspection:
            ```text
            (TS) inside a code block: not a mark

            still inside
            ```
            - (U) First fallback.
            - (S//ATL EYES ONLY) Second fallback,
              only if the first is refused.

            > (U) "Trust, but verify."

            ---
            """;

        var marking = DocumentMarking.Read(Generic, text).Value;

        Assert.Equal("SECRET//ALPHA//ATL EYES ONLY", marking.Banner.ToBanner());
        Assert.Equal(
            [(1, 3, "(U)"), (3, 1, "(S//REL TO ATL, BOR)"), (6, 1, "(C//ALPHA//REL TO ATL, CRD)"), (12, 3, "(U)"), (13, 3, "(S//ATL EYES ONLY)"), (16, 3, "(U)")],
            marking.Portions.Select(p => (p.Line, p.Column, p.Label.ToPortionMark())));
        Assert.All(marking.Portions, p => Assert.False(p.Defaulted));
    }

    [Fact]
    public void Plain_text_with_windows_line_ends_and_indented_paragraphs_is_read_the_same_way()
    {
        var text = "  (NS//REL TO ATL, BOR) Article I.\r\n\tThe parties shall...\r\n\r\n\t(NC//ATOMAL//REL TO BOR, CRD) Article II.\r\n";

        var marking = DocumentMarking.Read(Nato, text).Value;

        Assert.Equal("NATO SECRET//ATOMAL//REL TO BOR", marking.Banner.ToBanner());
        Assert.Equal([(1, 3), (4, 2)], marking.Portions.Select(p => (p.Line, p.Column)));
    }

    [Fact]
    public void An_unmarked_paragraph_is_an_error_naming_its_line()
    {
        var read = DocumentMarking.Read(Generic, "(U) Marked.\n\nNot marked.\n");

        Assert.Equal(ProtocolErrorCode.Malformed, read.Error?.Code);
        Assert.Equal("line 3, column 1: paragraph not portion-marked; start it with a mark such as (U)", read.Error?.Message);
    }

    [Fact]
    public void An_unmarked_paragraph_takes_the_default_when_one_is_given()
    {
        var container = Generic.Banner("SECRET//REL TO ATL, BOR");

        var marking = DocumentMarking.Read(Generic, "(C//REL TO ATL) Marked.\n\nNot marked.\n", container).Value;

        Assert.Equal("SECRET//REL TO ATL", marking.Banner.ToBanner());
        Assert.Equal([false, true], marking.Portions.Select(p => p.Defaulted));
        Assert.Equal(container, marking.Portions[1].Label);
    }

    [Fact]
    public void A_heading_is_a_portion_of_its_own_so_the_next_line_needs_a_mark()
    {
        Assert.Equal("line 2, column 1: paragraph not portion-marked; start it with a mark such as (U)",
            DocumentMarking.Read(Generic, "## (U) Title\nSecret text under an unclassified title.").Error?.Message);
        Assert.Equal("line 2, column 3: paragraph not portion-marked; start it with a mark such as (U)",
            DocumentMarking.Read(Generic, "- (U) item\n- unmarked item").Error?.Message);
    }

    [Fact]
    public void A_mark_at_the_start_of_any_line_starts_a_portion_so_it_can_only_raise_the_banner()
    {
        var marking = DocumentMarking.Read(Generic, "(U) The parties agree\n(TS) that nothing is agreed.").Value;

        Assert.Equal("TOP SECRET", marking.Banner.ToBanner());
        Assert.Equal(2, marking.Portions.Count);
    }

    [Fact]
    public void Parentheses_opening_a_line_inside_a_paragraph_are_text_but_open_no_paragraph()
    {
        var inside = DocumentMarking.Read(Generic, "(C) The parties shall:\n(a) limit launchers;\n(b) exchange data.").Value;
        var opening = DocumentMarking.Read(Generic, "(a) limit launchers;");

        Assert.Equal("CONFIDENTIAL", inside.Banner.ToBanner());
        Assert.Single(inside.Portions);
        Assert.Equal("line 1, column 2: unknown level 'a'; expected one of U, R, C, S, TS", opening.Error?.Message);
    }

    [Theory]
    [InlineData("(SECRT) text", "line 1, column 2: unknown level 'SECRT'; did you mean S (SECRET)?")]
    [InlineData("\n\n   (S//REL TO BOR, ATL) text", "line 3, column 20: delegation ATL out of order; write (S//REL TO ATL, BOR)")]
    [InlineData("(S)text", "line 1, column 4: expected a space after the portion mark")]
    [InlineData("(S text", "line 1, column 8: expected ')'; portion marks are enclosed in parentheses")]
    [InlineData("```\n(S) code\n```", "line 1, column 1: paragraph not portion-marked; start it with a mark such as (U)")]
    [InlineData("(S//REL TO ATL) one\n\n(S//REL TO BOR) two", "line 3: (S//REL TO BOR) has no delegation in common with the portions before it (SECRET//REL TO ATL); no banner would be releasable to anyone")]
    public void Malformed_documents_say_what_is_wrong_and_where(string text, string message)
    {
        var read = DocumentMarking.Read(Generic, text);

        Assert.Equal(ProtocolErrorCode.Malformed, read.Error?.Code);
        Assert.Equal(message, read.Error?.Message);
    }

    [Fact]
    public void An_overlong_mark_is_a_limit_error()
    {
        var read = DocumentMarking.Read(Generic, "(" + new string('S', 2000) + ") text");

        Assert.Equal(ProtocolErrorCode.LimitExceeded, read.Error?.Code);
        Assert.Equal("line 1, column 1025: portion mark longer than 1024 characters", read.Error?.Message);
    }

    [Fact]
    public void Rules_and_underlines_carry_no_text_and_need_no_mark()
    {
        var marking = DocumentMarking.Read(Generic, "(R) Title\n=====\n\n***\n\n- - -\n\n(C) Text.\n").Value;

        Assert.Equal("CONFIDENTIAL", marking.Banner.ToBanner());
        Assert.Equal(2, marking.Portions.Count);
    }

    [Fact]
    public void A_document_without_paragraphs_has_the_lowest_banner()
    {
        var empty = DocumentMarking.Read(Generic, "").Value;
        var blank = DocumentMarking.Read(Generic, "\n  \n\t\n", Generic.Banner("SECRET")).Value;

        Assert.Equal("UNCLASSIFIED", empty.Banner.ToBanner());
        Assert.Empty(empty.Portions);
        Assert.Equal("UNCLASSIFIED", blank.Banner.ToBanner());
    }

    [Fact]
    public void A_default_of_another_scheme_is_refused()
    {
        Assert.Throws<ArgumentException>(() => DocumentMarking.Read(Generic, "text", Nato.Banner("NATO SECRET")));
    }
}
