using System.Collections.Frozen;

namespace Parley.Protocol.Documents.Canary;

/// <summary>A set of interchangeable spellings or phrasings. Occurrences of a trigger in the original
/// text are sites; any variant may replace it without changing the meaning.</summary>
/// <param name="Id">The group's index in the table.</param>
/// <param name="Variants">The variants, lower case, words separated by single spaces.</param>
/// <param name="Triggers">The variants whose presence in the original makes a site (some variants are
/// safe replacements but not safe to replace, e.g. "before" is not always "prior to").</param>
public sealed record VariantGroup(int Id, IReadOnlyList<string> Variants, IReadOnlyList<string> Triggers);

/// <summary>
/// The fixed table of equivalent variants the canary trap chooses among (PROTOCOL §14.7). Changing
/// it changes every mark: copies marked under one table are traced under the same table.
/// </summary>
public static class VariantTable
{
    // Verbs spelt -ise in British and -ize in Oxford and American usage; every form is generated.
    private static readonly string[] IseStems =
    [
        "recogn", "author", "organ", "util", "minim", "maxim", "real", "emphas", "final", "summar", "character", "priorit",
        "harmon", "standard", "categor", "critic", "apolog", "central", "decentral", "modern", "normal", "optim", "special",
        "stabil", "destabil", "subsid", "synchron", "neutral", "memor", "mobil", "demobil", "militar", "demilitar", "legal",
        "formal", "visual", "rational", "international", "jeopard", "civil", "familiar", "capital", "digit", "global",
        "local", "equal", "initial", "operational", "institutional", "regular", "criminal", "denuclear", "weapon", "privat",
        "computer", "synthes", "hospital", "econom", "item", "scrutin", "penal", "human", "patron", "fertil", "steril",
    ];

    private static readonly (string British, string Other)[] IseSuffixes =
        [("ise", "ize"), ("ised", "ized"), ("ises", "izes"), ("ising", "izing"), ("isation", "ization"), ("isations", "izations"), ("iser", "izer"), ("isers", "izers")];

    // Spelling pairs and phrasings that mean the same in treaty English. The first entry is a trigger
    // only when listed in the second array position as such (see Build).
    private static readonly string[][] Pairs =
    [
        ["co-operation", "cooperation"], ["co-operate", "cooperate"], ["co-operative", "cooperative"], ["co-operating", "cooperating"],
        ["co-ordinate", "coordinate"], ["co-ordinated", "coordinated"], ["co-ordination", "coordination"], ["co-ordinating", "coordinating"],
        ["non-proliferation", "nonproliferation"], ["per cent", "percent"], ["judgement", "judgment"], ["judgements", "judgments"],
        ["acknowledgement", "acknowledgment"], ["acknowledgements", "acknowledgments"], ["fulfil", "fulfill"], ["fulfilment", "fulfillment"],
        ["defence", "defense"], ["defences", "defenses"], ["centre", "center"], ["centres", "centers"], ["labour", "labor"],
        ["endeavour", "endeavor"], ["endeavours", "endeavors"], ["favour", "favor"], ["favourable", "favorable"], ["honour", "honor"],
        ["behaviour", "behavior"], ["neighbouring", "neighboring"], ["catalogue", "catalog"], ["analyse", "analyze"], ["analysed", "analyzed"],
        ["kilometre", "kilometer"], ["kilometres", "kilometers"], ["metres", "meters"], ["cancelled", "canceled"], ["cancelling", "canceling"],
        ["travelled", "traveled"], ["modelling", "modeling"], ["labelled", "labeled"], ["labelling", "labeling"], ["grey", "gray"],
        ["aluminium", "aluminum"], ["sulphur", "sulfur"], ["manoeuvre", "maneuver"], ["manoeuvres", "maneuvers"], ["programme", "program"],
        ["toward", "towards"], ["among", "amongst"], ["while", "whilst"], ["in order to", "so as to"], ["a number of", "several"],
        ["regarding", "concerning", "with respect to", "with regard to", "in relation to"],
        ["therefore", "accordingly", "consequently"], ["furthermore", "moreover", "additionally"],
        ["promptly", "without delay", "expeditiously", "forthwith"], ["in accordance with", "pursuant to", "in conformity with"],
        ["each year", "every year", "annually"], ["commence", "begin"], ["commences", "begins"], ["shall be entitled to", "shall have the right to"],
        ["if necessary", "where necessary", "as necessary"], ["as soon as possible", "at the earliest opportunity"],
        ["two", "2"], ["three", "3"], ["four", "4"], ["five", "5"], ["six", "6"], ["seven", "7"], ["eight", "8"], ["nine", "9"],
        ["ten", "10"], ["eleven", "11"], ["twelve", "12"], ["fifteen", "15"], ["twenty", "20"], ["thirty", "30"], ["sixty", "60"], ["ninety", "90"],
    ];

    // Safe to write in place of the trigger, not the other way round.
    private static readonly (string Trigger, string Alternative)[] OneWay =
        [("prior to", "before"), ("upon", "on"), ("terminate", "end"), ("have the right to", "be entitled to"), ("which", "that")];

    /// <summary>An optional comma between two words: the serial (Oxford) comma before the last item of a
    /// list (<c>A, B and C</c> or <c>A, B, and C</c>) and the comma after a short introductory phrase
    /// (<c>Upon entry into force, each Party</c>). Its variants are what stands between the two words.</summary>
    public static VariantGroup Comma { get; } = new(-1, [" ", ", "], [" ", ", "]);

    /// <summary>The space between two words of running text: an ordinary space or a no-break space
    /// (U+00A0), which looks the same. It survives copy and paste but not re-typing, so it complements the
    /// lexical choices, which survive both but are sparse.</summary>
    public static VariantGroup Space { get; } = new(-2, [" ", "\u00A0"], [" "]);

    /// <summary>The groups, in table order.</summary>
    public static IReadOnlyList<VariantGroup> Groups { get; } = Build();

    /// <summary>A group by id, the serial-comma groups included.</summary>
    public static VariantGroup Group(int id) => id == Comma.Id ? Comma : id == Space.Id ? Space : Groups[id];

    /// <summary>Each variant (lower case) and the group it belongs to.</summary>
    public static FrozenDictionary<string, VariantGroup> ByVariant { get; } =
        Groups.SelectMany(g => g.Variants.Select(v => (v, g))).ToFrozenDictionary(p => p.v, p => p.g, StringComparer.Ordinal);

    /// <summary>Most words in a variant.</summary>
    public static int MaxWords { get; } = Groups.SelectMany(g => g.Variants).Max(v => v.Count(c => c == ' ') + 1);

    /// <summary>Single-word variants, for recognising a variant through a typo.</summary>
    internal static IReadOnlyList<string> SingleWords { get; } = Groups.SelectMany(g => g.Variants).Where(v => !v.Contains(' ') && v.Length >= 5).ToList();

    private static List<VariantGroup> Build()
    {
        var groups = new List<VariantGroup>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string[] variants, string[] triggers)
        {
            // A word in two groups would make a site ambiguous; the table is fixed, so this is a build-time check.
            foreach (var v in variants)
            {
                if (!seen.Add(v)) throw new InvalidOperationException($"'{v}' is in two variant groups.");
            }
            groups.Add(new VariantGroup(groups.Count, variants, triggers));
        }
        foreach (var stem in IseStems)
        {
            foreach (var (british, other) in IseSuffixes)
            {
                string[] both = [stem + british, stem + other];
                Add(both, both);
            }
        }
        foreach (var pair in Pairs) Add(pair, pair);
        foreach (var (trigger, alternative) in OneWay) Add([trigger, alternative], [trigger]);
        return groups;
    }
}
