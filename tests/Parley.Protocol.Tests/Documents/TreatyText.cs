namespace Parley.Protocol.Tests.Documents;

/// <summary>A draft treaty text in the register negotiators write, used to test the canary trap.</summary>
internal static class TreatyText
{
    public const string Draft = """
        # (U) Draft Treaty on the Verified Reduction of Strategic Delivery Systems

        (U) The States Parties to this Treaty, recognising that co-operation among them in order to stabilise the strategic balance is in their common interest, and endeavouring to minimise the risks of misunderstanding, have agreed as follows.

        ## (U) Article 1

        (S//REL TO ATL, BOR) Each Party shall organise its forces so as to realise, within seven years of entry into force, the reductions set out in the Protocol. Each Party shall prioritise the demilitarisation of launchers whilst it modernises its verification centres, and shall co-ordinate with the other Party regarding the schedule of eliminations.

        (S//REL TO ATL, BOR) Upon entry into force, each Party shall notify the other Party of the location of its three main storage centres, the number of launchers at each centre, and the organisation of the units responsible for them. Prior to any movement of more than ten launchers, the Party concerned shall notify the other Party promptly, in accordance with the procedures finalised by the Commission.

        ## (U) Article 2

        (C//REL TO ATL, BOR) The Parties recognise that an inspection regime must be organised in a manner that minimises the burden on either Party. Each Party shall authorise inspectors of the other Party to visit, with thirty days' notice, the facilities listed in the Annex, and shall utilise the standardised procedures that the Commission has characterised as necessary. Inspectors shall travel toward the site by the route the host Party designates, and the host Party shall co-operate fully while they are present.

        (C//REL TO ATL, BOR) Each Party shall analyse the data it receives, and furthermore shall acknowledge receipt within two days. The Parties shall endeavour to harmonise their national procedures, and therefore each Party shall appoint a co-ordination officer. Among the duties of that officer is the fulfilment of the obligations regarding notifications, and the centralisation of records in a standardised format.

        ## (U) Article 3

        (U) The Commission shall meet at least twice each year, and shall commence its first session within sixty days of entry into force. It shall finalise its rules of procedure by consensus, and shall organise working groups in order to analyse technical matters. Each Party may nominate five experts to each working group. The Commission shall prioritise questions regarding the demobilisation of units and the neutralisation of propellant, and shall summarise its conclusions in a report to the Parties prior to each review conference.

        (U) This Treaty shall be of unlimited duration. Each Party shall, in exercising its national sovereignty, have the right to terminate this Treaty if it decides that extraordinary events have jeopardised its supreme interests, upon notice of ninety days; such notice shall set out the events that the notifying Party regards as having jeopardised its interests, and the Commission shall analyse them promptly.
        """;
}
