using Parley.Protocol.Classification;

namespace Parley.Client.Documents.Printing;

/// <summary>Why a print was refused.</summary>
public enum PrintRefusalReason
{
    /// <summary>The label is above the highest level the deployment allows on paper.</summary>
    LevelTooHigh = 1,
    /// <summary>The label carries a compartment that may not be printed.</summary>
    CompartmentNotPrintable = 2,
    /// <summary>The text to print is not the text of the label given (its portions need a higher label).</summary>
    LabelDoesNotCoverText = 3,
}

/// <summary>A refused print: the reason and a sentence for the user.</summary>
public sealed record PrintRefusal(PrintRefusalReason Reason, string Message);

/// <summary>
/// Which labels may be printed: up to a highest label and without certain compartments. Checked on
/// the client before anything is rendered; the server applies the same rule when it registers the copy.
/// </summary>
/// <param name="HighestPrintable">The highest level that may be printed; null allows every level.</param>
/// <param name="NoPrintCompartments">Compartments whose documents never leave the screen.</param>
public sealed record PrintRules(ClassificationLevel? HighestPrintable, IReadOnlySet<string> NoPrintCompartments)
{
    /// <summary>Everything may be printed.</summary>
    public static PrintRules AllowAll { get; } = new(null, new HashSet<string>());

    /// <summary>Null when <paramref name="label"/> may be printed, else why not.</summary>
    public PrintRefusal? Check(Label label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var forbidden = label.Compartments.Where(NoPrintCompartments.Contains).ToList();
        if (forbidden.Count > 0)
            return new PrintRefusal(PrintRefusalReason.CompartmentNotPrintable, $"Documents in {string.Join(", ", forbidden)} may not be printed.");
        if (HighestPrintable is not null && label.Level.Rank > HighestPrintable.Rank)
            return new PrintRefusal(PrintRefusalReason.LevelTooHigh, $"{label.Level.Name} documents may not be printed; the highest level allowed on paper is {HighestPrintable.Name}.");
        return null;
    }
}
