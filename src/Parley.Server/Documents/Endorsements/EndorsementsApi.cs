using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Documents;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;
using Parley.Server.Documents.Access;
using Parley.Server.Documents.Delivery;
using Parley.Server.Documents.Management;
using Parley.Server.Documents.Model;
using Parley.Server.Identity;
using Parley.Server.Identity.Sessions;
using Parley.Server.Ledger;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Rooms.Model;
using Parley.Server.Storage;

namespace Parley.Server.Documents.Endorsements;

/// <summary>
/// Initials (ad referendum) and signatures: by a head of delegation of a party to the document's room who may
/// read it, of an existing version by its hash, signed with their identity key as the server holds it, made
/// within ten minutes of the server's clock, once per kind, version and head. The server keeps the signed
/// bytes; every client verifies them again (docs/PROTOCOL.md §14.5).
/// </summary>
public static class EndorsementsApi
{
    /// <summary>How far ahead of the server's clock an endorsement may be dated (a client's clock may run fast).</summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(10);

    /// <summary>How old an endorsement may be when filed: a head may initial on a device that was offline, or
    /// whose clock runs slow; the server records when it received it besides the signed time.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(24);

    public static IEndpointRouteBuilder MapDocumentEndorsements(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/documents/{id}/endorsements", EndorseAsync).WithTags("Documents")
            .RequiresPolicy(Actions.Read, Resources.Of(DocumentResolver.Kind, fromRoute: "id"))
            .WithSummary("Records a head of delegation's initials or signature of a version.");
        return app;
    }

    private static async Task<Results<Created<DocumentView>, ProblemHttpResult>> EndorseAsync(
        EndorseRequest request, HttpContext http, Caller caller, ParleyDbContext db, CryptoSuite suite, DocumentLocks locks, LedgerWriter ledger,
        DocumentDelivery delivery, DocumentViews views, TimeProvider time, CancellationToken cancellationToken)
    {
        var id = DocumentsApi.DocumentIdOf(http);
        var user = caller.User;
        if (!user.Roles.HasFlag(Roles.HeadOfDelegation)) return Problems.Forbidden("Only a head of delegation initials or signs a document.");
        if (request.Endorsement is null || !Signed<Endorsement>.Decode(request.Endorsement).TryGetValue(out var signed, out var error))
            return Problems.BadRequest("The endorsement is malformed.");

        using var held = await locks.AcquireAsync(id, cancellationToken);
        var document = await db.Set<DocumentRecord>().SingleAsync(d => d.Id == id, cancellationToken);
        if (document.DestroyedAt is not null) return DocumentProblems.Destroyed(document);
        var room = await db.Set<RoomRecord>().AsNoTracking().SingleAsync(r => r.Id == document.RoomId, cancellationToken);
        if (user.DelegationCode is not { } delegation || !room.PartyList().Contains(delegation))
            return Problems.Forbidden($"Your delegation {user.DelegationCode} is not a party to room {room.Name}.");
        if (!await db.Set<RoomMemberRecord>().AnyAsync(m => m.RoomId == room.Id && m.UserId == user.Id && m.RemovedAt == null, cancellationToken))
            return Problems.Forbidden($"Only a member of room {room.Name} endorses its documents.");

        var body = signed.Body;
        if (body.DocumentId != id) return Problems.Unacceptable($"The endorsement is for document {body.DocumentId}, not {id}.");
        var version = await db.Set<DocumentVersionRecord>().AsNoTracking().SingleOrDefaultAsync(v => v.DocumentId == id && v.Version == body.Version, cancellationToken);
        if (version is null) return Problems.Unacceptable($"The document has no version {body.Version}.");
        if (!body.VersionHash.AsSpan().SequenceEqual(version.VersionHash)) return Problems.Unacceptable($"The endorsement names another hash than version {body.Version}'s.");
        if (body.SignerUserId != user.Id) return Problems.Unacceptable("The endorsement names another signer; you endorse in your own name only.");
        if (body.Delegation != delegation) return Problems.Unacceptable($"The endorsement speaks for {body.Delegation}; you are of {delegation}.");
        var now = time.GetUtcNow();
        var at = DateTimeOffset.FromUnixTimeSeconds(body.EndorsedAt);
        if (at > now + ClockTolerance || at < now - MaxAge)
            return Problems.Unacceptable($"The endorsement is dated {at.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC; the server ({now.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC) takes endorsements made in the last {MaxAge.TotalHours} hours, and at most {ClockTolerance.TotalMinutes} minutes ahead of its clock.");
        if (!CompositePublicKey.Decode(user.IdentityPublicKey).TryGetValue(out var identity, out _) || !await signed.VerifyAsync(suite, identity, cancellationToken))
            return Problems.Unacceptable("The endorsement's signature does not verify under your identity key.");
        var kind = (int)body.Kind;
        if (await db.Set<EndorsementRecord>().AnyAsync(e => e.DocumentId == id && e.Version == body.Version && e.Kind == kind && e.SignerUserId == user.Id, cancellationToken))
            return Problems.Conflict($"You have already {(body.Kind == EndorsementKind.Sign ? "signed" : "initialled")} version {body.Version}.");

        db.Add(new EndorsementRecord
        {
            DocumentId = id, Version = body.Version, VersionHash = version.VersionHash, Kind = kind, Delegation = delegation, SignerUserId = user.Id,
            EndorsedAt = at, ReceivedAt = now, Signed = request.Endorsement,
        });
        document.Version++;
        ledger.Record(body.Kind == EndorsementKind.Sign ? LedgerEventType.DocumentSigned : LedgerEventType.DocumentInitialled, user.Id, delegation, DocumentsApi.Subject(id),
            new LedgerField("room", room.Id.ToString()), new LedgerField("document", id.ToString()),
            new LedgerField("version", body.Version.ToString(CultureInfo.InvariantCulture)), new LedgerField("version-hash", Convert.ToHexStringLower(version.VersionHash)),
            new LedgerField("delegation", delegation), new LedgerField("endorsement-hash", LedgerEntry.HashOf(request.Endorsement)));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return Problems.Conflict("This endorsement was recorded at the same moment, or the document changed; reload it.");
        }
        await delivery.SendAsync(room.Id, id, "endorsed", body.Version, cancellationToken);
        return TypedResults.Created($"/api/documents/{id}", await views.ViewAsync(document, cancellationToken));
    }
}
