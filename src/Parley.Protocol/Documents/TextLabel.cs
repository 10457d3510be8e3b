using System.Collections.Immutable;
using Parley.Protocol.Classification;

namespace Parley.Protocol.Documents;

/// <summary>The label of a text document version and the portion-mark summary its manifest carries.</summary>
/// <param name="Label">The version's label: the banner computed from the portions, or the declared label when it is higher.</param>
/// <param name="Banner">The banner computed from the portions (PROTOCOL §11.6).</param>
/// <param name="PortionMarks">The distinct portion marks, in ordinal order.</param>
public sealed record TextLabel(Label Label, Label Banner, ImmutableArray<string> PortionMarks)
{
    /// <summary>
    /// Reads the portion marks of <paramref name="text"/>. With no <paramref name="declared"/> label the
    /// version is labelled with its banner; a declared label must dominate the banner (a text is never
    /// labelled below its portions). Unmarked paragraphs are an error unless <paramref name="unmarked"/> is given.
    /// </summary>
    public static Result<TextLabel> Read(MarkingScheme scheme, string text, Label? declared = null, Label? unmarked = null)
    {
        var marking = DocumentMarking.Read(scheme, text, unmarked);
        if (!marking.TryGetValue(out var read, out var error)) return error;
        if (declared is not null && !declared.Dominates(read.Banner))
            return Result<TextLabel>.Fail(ProtocolErrorCode.Malformed, $"The text's portions need {read.Banner.ToBanner()}; {declared.ToBanner()} does not cover them.");
        var marks = read.Portions.Select(p => p.Label.ToPortionMark()).Distinct().Order(StringComparer.Ordinal).ToImmutableArray();
        if (marks.Length > DocumentVersion.MaxPortionMarks)
            return Result<TextLabel>.Fail(ProtocolErrorCode.LimitExceeded, $"The text has {marks.Length} different portion marks; a version lists at most {DocumentVersion.MaxPortionMarks}.");
        return new TextLabel(declared ?? read.Banner, read.Banner, marks);
    }
}
