using Parley.Client.Api;
using Parley.Client.Flows;
using Parley.Client.Profiles;
using Parley.Client.Rooms;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;

namespace Parley.Cli.Demo;

/// <summary>
/// Seeds the demo's rooms through the rooms SDK, as the people themselves would from their seeded
/// profiles: a joint negotiation between ATL and BOR, ATL's internal caucus, and a SECRET technical
/// cell that ATL's interpreter (cleared CONFIDENTIAL) cannot join, each with a few messages encrypted
/// on the senders' devices. The server sees only ciphertext, like any other room's.
/// </summary>
internal sealed class DemoRooms(HttpClient http)
{
    private static readonly CryptoSuite Suite = CryptoSuite.Default;

    private sealed record Plan(string Name, string Label, string[] Parties, string Creator, string[] Members, (string From, string Text)[] Messages);

    public const string Joint = "Treaty talks";
    public const string Caucus = "ATL caucus";
    public const string Cell = "ATL technical cell";

    private static readonly Plan[] Plans =
    [
        new(Joint, "CONFIDENTIAL//REL TO ATL, BOR", ["ATL", "BOR"], "head@atl.example",
            ["analyst@atl.example", "interpreter@atl.example", "head@bor.example", "analyst@bor.example", "interpreter@bor.example"],
            [
                ("head@atl.example", "Opening position: a verification regime with on-site inspections at 30 days' notice."),
                ("head@bor.example", "Borduria can accept inspections at 45 days' notice, with a cap of six a year."),
                ("analyst@atl.example", "Our experts propose a technical annex on sampling methods."),
                ("analyst@bor.example", "Agreed in principle; we will table a draft annex at the next session."),
            ]),
        new(Caucus, "CONFIDENTIAL//REL TO ATL", ["ATL"], "head@atl.example", ["analyst@atl.example", "interpreter@atl.example"],
            [
                ("head@atl.example", "Fallback: 40 days' notice if they drop the cap."),
                ("interpreter@atl.example", "Their head used the word 'provisional' twice; it may signal room to move."),
            ]),
        new(Cell, "SECRET//REL TO ATL", ["ATL"], "head@atl.example", ["analyst@atl.example"],
            [
                ("analyst@atl.example", "Assessment: six inspections a year is enough to detect the declared facilities."),
                ("head@atl.example", "Then the cap is acceptable; keep this within the cell."),
            ]),
    ];

    /// <summary>Names of the rooms, for the manifest.</summary>
    public static IReadOnlyList<string> Names => [.. Plans.Select(p => p.Name)];

    /// <summary>The ATL member who may not join <see cref="Cell"/>: cleared below its label.</summary>
    public const string Excluded = "interpreter@atl.example";

    public async Task<string> SeedAsync(DemoManifest manifest, CancellationToken cancellationToken)
    {
        var people = new Dictionary<string, RoomsClient>(StringComparer.OrdinalIgnoreCase);
        try
        {
            var messages = 0;
            foreach (var plan in Plans)
            {
                var creator = await PersonAsync(manifest, plan.Creator, people, cancellationToken).ConfigureAwait(false);
                var room = await creator.CreateRoomAsync(plan.Name, plan.Label, plan.Parties, cancellationToken: cancellationToken).ConfigureAwait(false);
                foreach (var member in plan.Members) await creator.AddMemberAsync(room.Id, member, cancellationToken).ConfigureAwait(false);
                foreach (var (from, text) in plan.Messages)
                {
                    var sender = await PersonAsync(manifest, from, people, cancellationToken).ConfigureAwait(false);
                    await sender.SendAsync(room.Id, text, cancellationToken: cancellationToken).ConfigureAwait(false);
                    messages++;
                }
            }
            return $"{string.Join(", ", Plans.Select(p => $"{p.Name} ({p.Label})"))}; {messages} messages, encrypted on the senders' devices";
        }
        finally
        {
            foreach (var client in people.Values) await client.DisposeAsync().ConfigureAwait(false);
        }
    }

    // The person's seeded profile, signed in and bound to its device since seeding; the password opens its keys.
    private async Task<RoomsClient> PersonAsync(DemoManifest manifest, string email, Dictionary<string, RoomsClient> people, CancellationToken cancellationToken)
    {
        if (people.TryGetValue(email, out var known)) return known;
        var person = await DemoPeople.OpenAsync(http, manifest, email, Suite, cancellationToken).ConfigureAwait(false);
        using var identity = person.Identity;
        var rooms = await RoomsClient.OpenAsync(person.Client, person.Store, Suite, identity, cancellationToken: cancellationToken).ConfigureAwait(false);
        people[email] = rooms;
        return rooms;
    }
}
