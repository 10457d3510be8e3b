namespace Parley.Cli.Demo;

/// <summary>
/// The demo's draft treaty: a portion-marked Markdown text for the joint room (CONFIDENTIAL//REL TO ATL, BOR),
/// in two versions. Version 2 is Borduria's counter-proposal: a few words changed (notice periods, the
/// reduction period, the Commission's sessions), which <c>parley doc diff</c> shows.
/// </summary>
internal static class DemoTreaty
{
    public const string Title = "Draft treaty on verified reductions";

    public const string FileName = "draft-treaty.md";

    public const string Version1 = """
        # (U) Draft Treaty on the Verified Reduction of Strategic Delivery Systems

        (U) The States Parties to this Treaty, recognising that co-operation among them in order to stabilise the strategic balance is in their common interest, and endeavouring to minimise the risks of misunderstanding, have agreed as follows.

        ## (U) Article 1

        (C//REL TO ATL, BOR) Each Party shall organise its forces so as to realise, within seven years of entry into force, the reductions set out in the Protocol. Each Party shall prioritise the demilitarisation of launchers whilst it modernises its verification centres, and shall co-ordinate with the other Party regarding the schedule of eliminations.

        (C//REL TO ATL, BOR) Upon entry into force, each Party shall notify the other Party of the location of its three main storage centres, the number of launchers at each centre, and the organisation of the units responsible for them. Prior to any movement of more than ten launchers, the Party concerned shall notify the other Party promptly, in accordance with the procedures finalised by the Commission.

        ## (U) Article 2

        (C//REL TO ATL, BOR) Each Party shall authorise inspectors of the other Party to visit, with thirty days' notice, the facilities listed in the Annex, and shall utilise the standardised procedures that the Commission has characterised as necessary. The host Party shall co-operate fully while the inspectors are present.

        (C//REL TO ATL, BOR) Each Party shall analyse the data it receives, and shall acknowledge receipt within two days. The Parties shall endeavour to harmonise their national procedures, and therefore each Party shall appoint a co-ordination officer.

        ## (U) Article 3

        (U) The Commission shall meet at least twice each year, and shall commence its first session within sixty days of entry into force. It shall finalise its rules of procedure by consensus, and shall organise working groups in order to analyse technical matters.

        (U) This Treaty shall be of unlimited duration. Each Party shall, in exercising its national sovereignty, have the right to terminate this Treaty if it decides that extraordinary events have jeopardised its supreme interests, upon notice of ninety days.
        """;

    /// <summary>Version 2: 45 days' notice for inspections with a cap of six a year, ten years for the reductions, three sessions a year.</summary>
    public static string Version2 => Version1
        .Replace("within seven years of entry into force", "within ten years of entry into force", StringComparison.Ordinal)
        .Replace("with thirty days' notice, the facilities listed in the Annex,", "with forty-five days' notice and no more than six times a year, the facilities listed in the Annex,", StringComparison.Ordinal)
        .Replace("at least twice each year", "at least three times each year", StringComparison.Ordinal);
}
