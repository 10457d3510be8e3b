using System.Text;
using Parley.Client.Api;
using Parley.Cli.Documents;
using Parley.Client.Documents;
using Parley.Client.Flows;
using Parley.Client.Keys;
using Parley.Client.Profiles;
using Parley.Client.Rooms;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Documents;

namespace Parley.Cli.Demo;

/// <summary>What the demo seeded of documents: the draft treaty in the joint room.</summary>
/// <param name="Id">The document's id.</param>
/// <param name="Title">Its title.</param>
/// <param name="Room">The room it is in.</param>
/// <param name="Versions">How many versions it has.</param>
/// <param name="Authors">Who uploaded each version, in order.</param>
/// <param name="InitialledVersion">The version initialled ad referendum.</param>
/// <param name="InitialledBy">Who initialled it (a head of delegation).</param>
internal sealed record DemoDocument(Guid Id, string Title, string Room, int Versions, IReadOnlyList<string> Authors, int InitialledVersion, string InitialledBy);

/// <summary>
/// Seeds the draft treaty through the documents SDK from the seeded people's own profiles, as they
/// would with <c>parley doc</c>: ATL's analyst uploads version 1 to the joint room, BOR's analyst adds
/// version 2 (a counter-proposal), and ATL's head of delegation initials version 2 ad referendum.
/// Encrypted on their devices; the server holds ciphertext and signed records only.
/// </summary>
internal sealed class DemoDocuments(HttpClient http)
{
    private static readonly CryptoSuite Suite = CryptoSuite.Default;

    public const string FirstAuthor = "analyst@atl.example";
    public const string SecondAuthor = "analyst@bor.example";
    public const string Initialler = "head@atl.example";

    public async Task<DemoDocument> SeedAsync(DemoManifest manifest, CancellationToken cancellationToken)
    {
        DocumentView created;
        await using (var author = await OpenAsync(http, manifest, FirstAuthor, cancellationToken).ConfigureAwait(false))
        {
            var room = await JointRoomAsync(author, cancellationToken).ConfigureAwait(false);
            using var text = new MemoryStream(Encoding.UTF8.GetBytes(DemoTreaty.Version1));
            created = await author.Documents.UploadAsync(room, text, new DocumentUpload(DemoTreaty.Title, "text/markdown"), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        await using (var second = await OpenAsync(http, manifest, SecondAuthor, cancellationToken).ConfigureAwait(false))
        {
            using var text = new MemoryStream(Encoding.UTF8.GetBytes(DemoTreaty.Version2));
            await second.Documents.AddVersionAsync(created.Id, text, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        await using (var head = await OpenAsync(http, manifest, Initialler, cancellationToken).ConfigureAwait(false))
            await head.Documents.EndorseAsync(created.Id, 2, EndorsementKind.Initial, cancellationToken).ConfigureAwait(false);
        return new DemoDocument(created.Id, DemoTreaty.Title, DemoRooms.Joint, 2, [FirstAuthor, SecondAuthor], 2, Initialler);
    }

    private static async Task<Guid> JointRoomAsync(CliDocuments person, CancellationToken cancellationToken)
    {
        var rooms = await person.Rooms.ListRoomsAsync(cancellationToken).ConfigureAwait(false);
        return rooms.FirstOrDefault(r => r.Name == DemoRooms.Joint)?.Id
            ?? throw new InvalidOperationException($"{person.Rooms.Email} is not in '{DemoRooms.Joint}'; start the demo on a new folder.");
    }

    // A seeded person with their keys open for as long as they act: documents are signed by their authors and endorsers.
    private static async Task<CliDocuments> OpenAsync(HttpClient http, DemoManifest manifest, string email, CancellationToken cancellationToken)
    {
        var person = await DemoPeople.OpenAsync(http, manifest, email, Suite, cancellationToken).ConfigureAwait(false);
        return await CliDocuments.OpenAsync(person.Client, person.Store, person.Identity, cancellationToken).ConfigureAwait(false);
    }
}
