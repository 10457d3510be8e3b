using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Classification;
using Parley.Protocol.Crypto;
using Parley.Protocol.Documents;
using Parley.Server.Documents.Model;
using Parley.Server.Documents.Storage;
using Parley.Server.Identity;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Sessions;
using Parley.Server.Policy.Engine;
using Parley.Server.Rooms.Access;
using Parley.Server.Rooms.Log;
using Parley.Server.Rooms.Model;
using Parley.Server.Storage;

namespace Parley.Server.Documents.Management;

/// <summary>A version that passed every check, ready to be stored.</summary>
public sealed record AcceptedVersion(DocumentEnvelope Envelope, DocumentVersion Manifest, byte[] Hash, Label Label);

/// <summary>
/// The checks a new version passes before anything is stored, each refusal with its reason: the envelope
/// decodes; the manifest is the expected document and version and chains to the latest; its author is the
/// caller on the device their session is bound to (not revoked) and its composite signature verifies under
/// the identity key the server holds for them; the label and portion marks are valid in the deployment's
/// scheme and the room's label covers the label; the upload is the caller's and its length and SHA-256 are
/// the manifest's; every wrap names this version; and the key is wrapped only for whom it may be: the room's
/// current epoch (not restricted), or non-revoked devices of current members cleared for the label.
/// </summary>
public sealed class VersionIntake(ParleyDbContext db, CryptoSuite suite, PolicyEngine engine, MemberEligibility eligibility, DocumentBlobs blobs, Rotation rotation, TimeProvider time)
{
    /// <summary>The envelope decoded, or the 400 that says why not.</summary>
    public static (DocumentEnvelope? Envelope, ProblemHttpResult? Problem) Decode(byte[]? envelope)
    {
        if (envelope is null || envelope.Length == 0) return (null, Problems.BadRequest("Give the envelope (the signed manifest and the key wraps)."));
        return DocumentEnvelope.Decode(envelope).TryGetValue(out var decoded, out var error)
            ? (decoded, null)
            : (null, Problems.BadRequest($"The envelope is malformed: {error.Message}"));
    }

    /// <summary>
    /// Checks version <c>latest + 1</c> of <paramref name="documentId"/> (1 when <paramref name="latest"/> is null),
    /// whose ciphertext is <paramref name="upload"/>, for <paramref name="room"/>.
    /// </summary>
    public async Task<(AcceptedVersion? Version, ProblemHttpResult? Problem)> CheckAsync(DocumentEnvelope envelope, Caller caller, RoomRecord room, bool restricted,
        Guid documentId, DocumentVersionRecord? latest, UploadRecord upload, CancellationToken cancellationToken)
    {
        var manifest = envelope.Manifest.Body;
        var expected = (latest?.Version ?? 0) + 1;
        if (manifest.DocumentId != documentId) return Refused($"The manifest is for document {manifest.DocumentId}, not {documentId}.");
        if (manifest.Version < expected) return (null, Problems.Conflict($"Version {manifest.Version} exists already; the latest is {expected - 1}. Make version {expected} from it."));
        if (manifest.Version > expected) return Refused($"The next version is {expected}, not {manifest.Version}.");
        if (latest is not null && !manifest.PreviousVersionHash.AsSpan().SequenceEqual(latest.VersionHash))
            return Refused($"The manifest's previous version hash is not the hash of version {latest.Version}: it was made from another version.");

        // The author: the caller, on the device this session is bound to, signing with their identity key as the server holds it.
        if (manifest.AuthorUserId != caller.User.Id) return Refused($"The manifest names {manifest.AuthorUserId} as its author; only you may upload your own version.");
        if (caller.Session.DeviceId is not { } bound || manifest.AuthorDeviceId != bound)
            return Refused("The manifest's author device must be the device this session is bound to.");
        var device = await db.Set<DeviceRecord>().AsNoTracking().SingleOrDefaultAsync(d => d.Id == bound, cancellationToken);
        if (device is null || device.UserId != caller.User.Id || device.RevokedAt is not null) return Refused("The author device is not one of your current devices.");
        if (!CompositePublicKey.Decode(caller.User.IdentityPublicKey).TryGetValue(out var identity, out _))
            return Refused("Your identity key on this server does not decode; ask your security officer.");
        if (!await envelope.Manifest.VerifyAsync(suite, identity, cancellationToken))
            return Refused("The manifest is not signed by its author: the signature does not verify under your identity key.");

        // The label: valid in the deployment's scheme, covering its portions, and covered by the room's.
        var scheme = engine.Settings.Scheme;
        if (!manifest.CheckLabel(scheme).TryGetValue(out var label, out var labelError)) return Refused($"The version's label is not valid here: {labelError.Message}");
        if (!scheme.ParseBanner(room.Label).TryGetValue(out var roomLabel, out _)) return Refused("The room's label is not valid in this server's scheme.");
        if (!roomLabel.Dominates(label)) return Refused($"A {label.ToBanner()} version cannot be kept in room {room.Name}, labelled {roomLabel.ToBanner()}.");

        // The ciphertext: the caller's upload, exactly the bytes the author hashed.
        if (upload.Received != manifest.CiphertextLength)
            return Refused($"The upload has {upload.Received} bytes but the manifest says the ciphertext has {manifest.CiphertextLength}.");
        var (_, hash) = await DocumentBlobs.HashAsync(blobs.UploadPath(upload.Id), cancellationToken);
        if (!CryptographicOperations.FixedTimeEquals(hash, manifest.CiphertextHash.AsSpan()))
            return Refused("The upload's SHA-256 is not the manifest's ciphertext hash: the bytes uploaded are not the ones the author encrypted.");

        var versionHash = manifest.Hash();
        var problem = await WrapsProblemAsync(envelope.Wraps, manifest, versionHash, label, room, restricted, cancellationToken);
        if (problem is not null) return Refused(problem);
        return (new AcceptedVersion(envelope, manifest, versionHash, label), null);
    }

    /// <summary>Why the wraps may not be stored with the version, or null.</summary>
    public async Task<string?> WrapsProblemAsync(IReadOnlyList<DocumentKeyWrap> wraps, DocumentVersion manifest, byte[] versionHash, Label label, RoomRecord room,
        bool restricted, CancellationToken cancellationToken)
    {
        foreach (var wrap in wraps)
        {
            if (wrap.DocumentId != manifest.DocumentId || wrap.Version != manifest.Version || !wrap.VersionHash.AsSpan().SequenceEqual(versionHash))
                return "A key wrap names another document, version or version hash than this version's.";
        }
        if (wraps.Select(w => (w.Kind, w.RecipientId, w.Epoch)).Distinct().Count() != wraps.Count) return "Two key wraps are for the same recipient.";

        var roomWraps = wraps.Where(w => w.Kind == KeyWrapRecipient.RoomEpoch).ToList();
        var deviceWraps = wraps.Where(w => w.Kind == KeyWrapRecipient.Device).ToList();
        if (restricted)
        {
            if (roomWraps.Count > 0) return "A restricted document is wrapped for named devices only, never for a room epoch.";
            if (deviceWraps.Count == 0) return "A restricted document needs at least one device wrap.";
        }
        else
        {
            if (room.Epoch == 0) return $"Room {room.Name} has no epoch yet, so there is no room key to wrap the document for; make an epoch first (or make it restricted).";
            if (roomWraps.Any(w => w.RecipientId != room.Id || w.Epoch != room.Epoch))
                return $"Room wraps are for this room's current epoch ({room.Epoch}) only.";
            if (roomWraps.Count == 0) return $"The document key must be wrapped for the room's current epoch ({room.Epoch}).";
            // As for messages: an epoch someone removed (or a revoked device) still holds takes no new key.
            if (roomWraps.Count > 0 && await rotation.ReasonsAsync(room, time.GetUtcNow(), cancellationToken) is { Count: > 0 } reasons)
                return $"Room {room.Name} needs a new epoch before anything else is wrapped for it ({string.Join(", ", reasons)}): make one, then wrap for it.";
        }
        return await DevicesProblemAsync(deviceWraps, label, room, cancellationToken);
    }

    private async Task<string?> DevicesProblemAsync(IReadOnlyList<DocumentKeyWrap> wraps, Label label, RoomRecord room, CancellationToken cancellationToken)
    {
        if (wraps.Count == 0) return null;
        var ids = wraps.Select(w => w.RecipientId).ToList();
        var devices = await db.Set<DeviceRecord>().AsNoTracking().Where(d => ids.Contains(d.Id)).ToDictionaryAsync(d => d.Id, cancellationToken);
        var members = await db.Set<RoomMemberRecord>().AsNoTracking().Where(m => m.RoomId == room.Id && m.RemovedAt == null).Select(m => m.UserId).ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        var checkedUsers = new Dictionary<Guid, string?>();
        foreach (var id in ids)
        {
            if (!devices.TryGetValue(id, out var device)) return $"Device {id} is not registered here.";
            if (device.RevokedAt is not null) return $"Device {id} is revoked; no key is wrapped for it.";
            if (!members.Contains(device.UserId)) return $"Device {id} belongs to someone who is not a current member of room {room.Name}.";
            if (!checkedUsers.TryGetValue(device.UserId, out var problem))
            {
                var user = await db.Set<UserAccount>().AsNoTracking().SingleAsync(u => u.Id == device.UserId, cancellationToken);
                problem = await eligibility.ProblemAsync(user, room.PartyList().ToList(), label, now, cancellationToken);
                checkedUsers[device.UserId] = problem;
            }
            if (problem is not null) return $"Device {id} may not receive the key: {problem}";
        }
        return null;
    }

    private static (AcceptedVersion?, ProblemHttpResult?) Refused(string detail) => (null, Problems.Unacceptable(detail));
}
