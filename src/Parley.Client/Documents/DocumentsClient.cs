using System.Collections.Immutable;
using System.Runtime.Versioning;
using System.Text;
using Parley.Client.Api;
using Parley.Client.Documents.Printing;
using Parley.Client.Keys;
using Parley.Client.Rooms;
using Parley.Protocol;
using Parley.Protocol.Api;
using Parley.Protocol.Classification;
using Parley.Protocol.Crypto;
using Parley.Protocol.Documents;
using Parley.Protocol.Documents.Canary;
using Parley.Protocol.Identity;

namespace Parley.Client.Documents;

/// <summary>
/// Classified documents of rooms, end to end (DESIGN §9, PROTOCOL §14): upload and download with the
/// streaming AEAD in constant memory, versions signed by their authors, initials and signatures of heads
/// of delegation, the marked on-screen text, controlled printing, leak tracing and destruction. Keys are
/// wrapped for the room's current epoch (or, restricted, for named people's devices) on this device;
/// the server stores ciphertext and signed records only. Errors are <see cref="DocumentException"/>
/// (typed, for what this client found) or <see cref="ParleyApiException"/> (what the server refused).
/// </summary>
public sealed class DocumentsClient
{
    /// <summary>Bytes sent per upload request.</summary>
    public const int PartSize = 8 * 1024 * 1024;

    /// <summary>Largest text this client decrypts into memory for the marked view, printing or tracing.</summary>
    public const int MaxTextBytes = 16 * 1024 * 1024;

    private readonly RoomsClient _rooms;
    private readonly UnlockedIdentity _identity;
    private readonly DocumentEncryptor _encryptor;
    private readonly DocumentKeys _keys;

    private DocumentsClient(RoomsClient rooms, UnlockedIdentity identity)
    {
        _rooms = rooms;
        _identity = identity;
        _encryptor = new DocumentEncryptor(rooms.Suite, rooms.Scheme);
        _keys = new DocumentKeys(rooms.Suite);
    }

    /// <summary>Documents for the account of <paramref name="rooms"/>, signing with <paramref name="identity"/>'s key (both stay the caller's to dispose).</summary>
    public static DocumentsClient Open(RoomsClient rooms, UnlockedIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(rooms);
        ArgumentNullException.ThrowIfNull(identity);
        if (identity.UserId != rooms.UserId) throw new ArgumentException("The identity is another account's than the rooms client's.", nameof(identity));
        return new DocumentsClient(rooms, identity);
    }

    /// <summary>The rooms client this one works through.</summary>
    public RoomsClient Rooms => _rooms;

    private ParleyClient Api => _rooms.Api;

    private MarkingScheme Scheme => _rooms.Scheme;

    private DateTimeOffset Now => _rooms.Time.GetUtcNow();

    // ---- Listing ----

    /// <summary>The documents of a room.</summary>
    public Task<IReadOnlyList<DocumentSummary>> ListAsync(Guid roomId, CancellationToken cancellationToken = default) => Api.ListDocumentsAsync(roomId, cancellationToken);

    /// <summary>A document: versions, endorsements, retention, or its destruction certificate.</summary>
    public Task<DocumentView> GetAsync(Guid documentId, CancellationToken cancellationToken = default) => Api.GetDocumentAsync(documentId, cancellationToken);

    // ---- Uploading ----

    /// <summary>
    /// Creates a document in <paramref name="roomId"/> from <paramref name="plaintext"/> (read once, to the
    /// end): encrypted here in one pass, sent in parts as it is encrypted, then described by the signed
    /// manifest and key wraps. A version takes the declared label or the room's (a lower one is a write-down
    /// the server refuses without an officer's downgrade); a text's (<c>text/markdown</c> or <c>text/plain</c>)
    /// portion marks must fit under it, and are listed in the manifest.
    /// Reports plaintext bytes encrypted to <paramref name="progress"/>.
    /// </summary>
    public async Task<DocumentView> UploadAsync(Guid roomId, Stream plaintext, DocumentUpload upload, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        ArgumentNullException.ThrowIfNull(upload);
        if (DocumentTitles.Problem(upload.Title) is { } titleProblem) throw Refused(DocumentErrorCode.Malformed, titleProblem);
        var room = await _rooms.GetRoomAsync(roomId, cancellationToken).ConfigureAwait(false);
        var roomLabel = ParseBanner(room.Label);
        var (body, spec) = await SpecAsync(Guid.NewGuid(), 1, [], plaintext, upload.MediaType, upload.Label, roomLabel, cancellationToken).ConfigureAwait(false);
        var restricted = upload.RestrictedTo is { Count: > 0 };
        var (envelope, uploadId) = await EncryptAndSendAsync(body, spec, room.Id, restricted ? upload.RestrictedTo : null, progress, cancellationToken).ConfigureAwait(false);
        return await FinishAsync(uploadId, () => Api.CreateDocumentAsync(room.Id,
            new CreateDocumentRequest(upload.Title.Trim(), uploadId, envelope, restricted, upload.DeclassifyOn, upload.DestroyAfter), cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds the next version of a document, chained to the latest (its hash is in the new manifest, so the
    /// server cannot reorder or drop versions). A restricted document's version goes to the people named in
    /// <paramref name="restrictedTo"/> (required for it, refused for a room document), admitted afresh.
    /// </summary>
    public async Task<DocumentView> AddVersionAsync(Guid documentId, Stream plaintext, string? mediaType = null, string? label = null, IReadOnlyList<string>? restrictedTo = null,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        var document = await GetLiveAsync(documentId, cancellationToken).ConfigureAwait(false);
        var latest = document.Versions[^1];
        var previous = await VerifiedManifestAsync(document, latest, cancellationToken).ConfigureAwait(false);
        var room = await _rooms.GetRoomAsync(document.RoomId, cancellationToken).ConfigureAwait(false);
        var (body, spec) = await SpecAsync(documentId, latest.Version + 1, [.. previous.Hash()], plaintext, mediaType ?? latest.MediaType, label, ParseBanner(room.Label), cancellationToken)
            .ConfigureAwait(false);
        if (document.Restricted && restrictedTo is not { Count: > 0 })
            throw Refused(DocumentErrorCode.NoKey, "The document is restricted: name the people the new version is for.");
        if (!document.Restricted && restrictedTo is { Count: > 0 })
            throw Refused(DocumentErrorCode.NoKey, "The document is shared with its room: a version of it cannot be restricted to named people.");
        var (envelope, uploadId) = await EncryptAndSendAsync(body, spec, room.Id, document.Restricted ? restrictedTo : null, progress, cancellationToken).ConfigureAwait(false);
        return await FinishAsync(uploadId, () => Api.AddDocumentVersionAsync(documentId, new AddVersionRequest(uploadId, envelope), cancellationToken)).ConfigureAwait(false);
    }

    // A refused version leaves no upload behind.
    private async Task<DocumentView> FinishAsync(Guid uploadId, Func<Task<DocumentView>> finish)
    {
        try
        {
            return await finish().ConfigureAwait(false);
        }
        catch (ParleyApiException)
        {
            await CancelQuietlyAsync(uploadId).ConfigureAwait(false);
            throw;
        }
    }

    private async Task CancelQuietlyAsync(Guid uploadId)
    {
        try
        {
            await Api.CancelUploadAsync(uploadId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ParleyApiException)
        {
            // The server deletes unused uploads when they expire.
        }
    }

    private async Task<(Stream Body, VersionSpec Spec)> SpecAsync(Guid documentId, int version, ImmutableArray<byte> previous, Stream plaintext, string? mediaType,
        string? declared, Label roomLabel, CancellationToken cancellationToken)
    {
        var media = string.IsNullOrWhiteSpace(mediaType) ? "application/octet-stream" : mediaType.Trim();
        var declaredLabel = declared is null ? null : ParseLabel(declared);
        if (!IsText(media))
        {
            var label = declaredLabel ?? roomLabel;
            CheckUnderRoom(label, roomLabel);
            return (plaintext, new VersionSpec(documentId, version, previous, label, [], media));
        }
        // A text is read whole to compute its banner from its portion marks, then encrypted from memory.
        var bytes = await ReadTextBytesAsync(plaintext, cancellationToken).ConfigureAwait(false);
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Refused(DocumentErrorCode.Malformed, $"A {media} document must be UTF-8 text.");
        }
        // Labelled at the room's label unless declared: the policy takes a lower label for a write-down,
        // which needs an officer's downgrade; the portions must fit under it either way.
        var read = TextLabel.Read(Scheme, text, declaredLabel ?? roomLabel);
        if (!read.TryGetValue(out var textLabel, out var error)) throw Refused(DocumentErrorCode.BadLabel, $"The text's portion marks: {error.Message}");
        CheckUnderRoom(textLabel.Label, roomLabel);
        return (new MemoryStream(bytes, writable: false), VersionSpec.ForText(documentId, version, previous, textLabel, media));
    }

    private static void CheckUnderRoom(Label label, Label roomLabel)
    {
        if (!roomLabel.Dominates(label))
            throw Refused(DocumentErrorCode.BadLabel, $"A {label.ToBanner()} document cannot be kept in a room labelled {roomLabel.ToBanner()}.");
    }

    private async Task<(byte[] Envelope, Guid UploadId)> EncryptAndSendAsync(Stream body, VersionSpec spec, Guid roomId, IReadOnlyList<string>? restrictedTo,
        IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var author = new DocumentAuthor(_rooms.UserId, _rooms.DeviceId, _identity.Key);
        List<DocumentRecipient> devices = [];
        RoomDocumentKey? roomKey = null;
        if (restrictedTo is not null) devices = await AdmitRecipientsAsync(restrictedTo, spec.Label, cancellationToken).ConfigureAwait(false);
        else roomKey = await _rooms.CurrentDocumentKeyAsync(roomId, cancellationToken).ConfigureAwait(false);
        try
        {
            var started = await Api.StartUploadAsync(cancellationToken).ConfigureAwait(false);
            await using var parts = new PartUploadStream(Api, started.Id);
            try
            {
                var envelope = await _encryptor.EncryptAsync(body, parts, spec, author, devices, roomKey, Now, progress, cancellationToken).ConfigureAwait(false);
                await parts.FlushAsync(cancellationToken).ConfigureAwait(false);
                return (envelope.Encode(), started.Id);
            }
            catch
            {
                await CancelQuietlyAsync(started.Id).ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            roomKey?.Dispose();
        }
    }

    // The devices of the named people (and this device, so the author can read it back) whose
    // certificates chain to their delegation's root and whose clearance covers the label.
    private async Task<List<DocumentRecipient>> AdmitRecipientsAsync(IReadOnlyList<string> people, Label label, CancellationToken cancellationToken)
    {
        var recipients = new Dictionary<Guid, DocumentRecipient>();
        var refusals = new List<string>();
        var everyone = people.Select(p => p.Trim()).Where(p => p.Length > 0).ToList();
        foreach (var person in everyone.Append(_rooms.UserId.ToString()).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var verified = Guid.TryParse(person, out var id)
                ? await _rooms.Directory.VerifyAsync(id, cancellationToken).ConfigureAwait(false)
                : await _rooms.Directory.VerifyAsync(person, cancellationToken).ConfigureAwait(false);
            var admitted = 0;
            foreach (var device in verified.Devices)
            {
                var recipient = DocumentRecipient.Admit(device, label, Scheme);
                if (recipient.TryGetValue(out var ok, out var error)) { recipients.TryAdd(ok.DeviceId, ok); admitted++; }
                else refusals.Add($"{verified.User.Email}: {error.Message}");
            }
            if (admitted == 0)
                refusals.Add(verified.Refusals.Count > 0 ? $"{verified.User.Email}: {string.Join("; ", verified.Refusals)}" : $"{verified.User.Email} has no trusted device.");
            if (admitted == 0 && person != _rooms.UserId.ToString())
                throw Refused(DocumentErrorCode.NoKey, $"The document cannot be given to {person}: {string.Join("; ", refusals)}");
        }
        if (!recipients.ContainsKey(_rooms.DeviceId))
            throw Refused(DocumentErrorCode.NoKey, $"This device may not hold a {label.ToBanner()} document: {string.Join("; ", refusals)}");
        return [.. recipients.Values];
    }

    // ---- Downloading ----

    /// <summary>
    /// Downloads and opens version <paramref name="version"/> (the latest when null) into <paramref name="output"/>,
    /// checking the author's signature (with the author's key as the directory verifies it), the label, the
    /// key and every chunk. On any failure the output holds unverified bytes and must be discarded: the
    /// exception says why (<see cref="DocumentErrorCode.Destroyed"/> carries the destruction certificate).
    /// When this device opened a room document with an older epoch's key, it adds a wrap for the room's
    /// current epoch so that members who joined since can read it.
    /// </summary>
    public async Task<OpenedDocument> DownloadAsync(Guid documentId, int? version, Stream output, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var document = await GetLiveAsync(documentId, cancellationToken).ConfigureAwait(false);
        var chosen = Version(document, version);
        var envelopeBytes = await Call(() => Api.GetDocumentEnvelopeAsync(documentId, chosen.Version, cancellationToken)).ConfigureAwait(false);
        var decoded = DocumentEnvelope.Decode(envelopeBytes);
        if (!decoded.TryGetValue(out var envelope, out var malformed)) throw Refused(DocumentErrorCode.Malformed, $"The stored document is malformed: {malformed.Message}");
        var manifest = envelope.Manifest.Body;
        var authorKey = await AuthorKeyAsync(manifest.AuthorUserId, cancellationToken).ConfigureAwait(false);
        var holders = await HoldersAsync(document, envelope, cancellationToken).ConfigureAwait(false);
        try
        {
            if (holders.Count == 0)
                throw Refused(DocumentErrorCode.NoKey, document.Restricted
                    ? "This restricted version was not given to this device."
                    : "No key of this version reached this device: it was shared before this device joined the room, and becomes readable once a member who holds it opens it again.");
            using var response = await Call(() => Api.GetDocumentContentAsync(documentId, chosen.Version, cancellationToken)).ConfigureAwait(false);
            await using var ciphertext = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var (opened, error) = await _encryptor.DecryptAsync(envelopeBytes, ciphertext, output, documentId, chosen.Version, id => id == manifest.AuthorUserId ? authorKey : null,
                holders[0], progress, cancellationToken).ConfigureAwait(false);
            if (error is not null) throw new DocumentException(error);
            if (!document.Restricted) await ShareWithCurrentEpochAsync(document, envelope, holders[0], cancellationToken).ConfigureAwait(false);
            return new OpenedDocument(document.Id, document.Title, opened!.Manifest.Version, opened.Label, opened.Manifest.MediaType, opened.PlaintextLength,
                [.. opened.Manifest.PortionMarks], manifest.AuthorUserId);
        }
        finally
        {
            foreach (var holder in holders) if (holder is KeyHolder.Room room) room.Key.Dispose();
        }
    }

    /// <summary>The text of a version as this account sees it on screen: decrypted, verified, and carrying this account's canary marks (copy 0).</summary>
    public async Task<MarkedText> ReadTextAsync(Guid documentId, int? version = null, CancellationToken cancellationToken = default)
    {
        var (opened, text) = await OpenTextAsync(documentId, version, cancellationToken).ConfigureAwait(false);
        var sites = CanaryMarker.Sites(text).Count;
        var marks = await Api.GetViewMarksAsync(documentId, opened.Version, sites, cancellationToken).ConfigureAwait(false);
        var choices = Choices(new CanaryCopy(_rooms.UserId, 0), marks.Choices, sites);
        return new MarkedText(opened, CanaryMarker.Mark(text, choices));
    }

    private async Task<(OpenedDocument Opened, string Text)> OpenTextAsync(Guid documentId, int? version, CancellationToken cancellationToken)
    {
        var document = await GetLiveAsync(documentId, cancellationToken).ConfigureAwait(false);
        var chosen = Version(document, version);
        if (!IsText(chosen.MediaType)) throw Refused(DocumentErrorCode.NotText, $"Version {chosen.Version} is {chosen.MediaType}, not a text: only texts have a marked view, print and trace.");
        if (chosen.ContentLength > MaxTextBytes) throw Refused(DocumentErrorCode.NotText, $"The text is {chosen.ContentLength} bytes; this client shows and prints texts of up to {MaxTextBytes} bytes.");
        using var buffer = new MemoryStream((int)chosen.ContentLength);
        var opened = await DownloadAsync(documentId, chosen.Version, buffer, null, cancellationToken).ConfigureAwait(false);
        return (opened, Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    // ---- Versions, initials and signatures ----

    /// <summary>
    /// Initials (ad referendum) or signs version <paramref name="version"/> (the latest when null) as this
    /// account's head of delegation: the endorsement binds the version's hash, which this client checks
    /// against the author's signed manifest first.
    /// </summary>
    public async Task<DocumentView> EndorseAsync(Guid documentId, int? version, EndorsementKind kind, CancellationToken cancellationToken = default)
    {
        var document = await GetLiveAsync(documentId, cancellationToken).ConfigureAwait(false);
        var chosen = Version(document, version);
        var manifest = await VerifiedManifestAsync(document, chosen, cancellationToken).ConfigureAwait(false);
        if (_rooms.Delegation is not { } delegation) throw Refused(DocumentErrorCode.NotPermitted, "Only a member of a delegation endorses a text.");
        var signed = await Endorsement.CreateAsync(_rooms.Suite, _identity.Key, kind, manifest, delegation, _rooms.UserId, Now, cancellationToken).ConfigureAwait(false);
        return await Api.EndorseDocumentAsync(documentId, new EndorseRequest(signed.Encode()), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Who has initialled and signed what, verified here: every endorsement against the key of its
    /// party's head of delegation as the directory verifies it, every version against its author; and
    /// whether the text is agreed (every party's head signed the same version hash).
    /// </summary>
    public async Task<DocumentStatus> StatusAsync(Guid documentId, CancellationToken cancellationToken = default)
    {
        var document = await Api.GetDocumentAsync(documentId, cancellationToken).ConfigureAwait(false);
        if (document.DestroyedAt is not null) return new DocumentStatus(document, [], null, [], Certificate(document));
        var room = await _rooms.GetRoomAsync(document.RoomId, cancellationToken).ConfigureAwait(false);
        var versions = new List<VersionStatus>();
        foreach (var version in document.Versions)
        {
            string? problem = null;
            try
            {
                await VerifiedManifestAsync(document, version, cancellationToken).ConfigureAwait(false);
            }
            catch (DocumentException e)
            {
                problem = e.Error.Message;
            }
            versions.Add(new VersionStatus(version, problem));
        }

        var records = new List<Signed<Endorsement>>();
        var malformed = new List<string>();
        foreach (var view in document.Endorsements)
        {
            if (Signed<Endorsement>.Decode(view.Signed).TryGetValue(out var record, out var error)) records.Add(record);
            else malformed.Add($"An endorsement is malformed: {error.Message}");
        }
        var parties = new List<AgreementParty>();
        var headless = new List<string>();
        foreach (var party in room.Parties)
        {
            var head = await HeadAsync(party, records, cancellationToken).ConfigureAwait(false);
            if (head is null) headless.Add(party);
            else parties.Add(new AgreementParty(party, head));
        }
        AgreementStatus? agreement = parties.Count == 0 ? null
            : await Agreement.EvaluateAsync(_rooms.Suite, documentId, parties, records, cancellationToken).ConfigureAwait(false);
        var endorsements = new List<EndorsementStatus>();
        for (var i = 0; i < records.Count; i++)
        {
            var body = records[i].Body;
            var rejected = agreement?.Rejected.FirstOrDefault(r => r.Index == i)?.Reason
                ?? (headless.Contains(body.Delegation) ? $"No head of delegation of {body.Delegation} verifies in the directory." : null);
            endorsements.Add(new EndorsementStatus(body.Kind, body.Version, body.Delegation, body.SignerUserId, DateTimeOffset.FromUnixTimeSeconds(body.EndorsedAt), rejected));
        }
        var agreed = headless.Count == 0 && agreement is { IsAgreed: true } ? agreement.AgreedVersion : null;
        var yetToSign = (agreement?.PartiesYetToSign ?? []).Concat(headless).Distinct().Order(StringComparer.Ordinal).ToList();
        return new DocumentStatus(document, versions, agreed, endorsements, null) { PartiesYetToSign = agreed is null ? yetToSign : [], Problems = malformed };
    }

    // The party's head: the one who endorsed, if the directory verifies them as head; else the directory's head.
    private async Task<VerifiedMember?> HeadAsync(string party, IReadOnlyList<Signed<Endorsement>> records, CancellationToken cancellationToken)
    {
        var candidates = records.Where(r => r.Body.Delegation == party).Select(r => r.Body.SignerUserId).Distinct().ToList();
        if (candidates.Count == 0)
        {
            try
            {
                var users = await Api.ListDelegationUsersAsync(party, cancellationToken).ConfigureAwait(false);
                candidates = users.Where(u => u.Roles.Contains(RoleNames.Name(Roles.HeadOfDelegation))).Select(u => u.Id).ToList();
            }
            catch (ParleyApiException)
            {
                return null;
            }
        }
        foreach (var candidate in candidates)
        {
            var verified = await _rooms.Directory.VerifyAsync(candidate, cancellationToken).ConfigureAwait(false);
            if (verified.Member is { } member && member.Delegation == party && member.Clearance.RoleSet.HasFlag(Roles.HeadOfDelegation)) return member;
        }
        return null;
    }

    /// <summary>Word-level differences between two versions of a text (both opened and verified here).</summary>
    public async Task<IReadOnlyList<DiffPiece>> CompareAsync(Guid documentId, int older, int newer, CancellationToken cancellationToken = default)
    {
        var (_, before) = await OpenTextAsync(documentId, older, cancellationToken).ConfigureAwait(false);
        var (_, after) = await OpenTextAsync(documentId, newer, cancellationToken).ConfigureAwait(false);
        return TextDiff.Compare(before, after);
    }

    // ---- Printing ----

    /// <summary>
    /// Registers a printed copy of version <paramref name="version"/> (the latest when null) with the print
    /// register, which answers with the copy number and that copy's canary choices, and returns the job to
    /// render with a <see cref="ControlledPrinter"/> and the deployment's print rules. A label the rules
    /// forbid is refused by the server before anything is registered.
    /// </summary>
    public async Task<(PrintJob Job, PrintRules Rules, PrintGrant Grant)> PreparePrintAsync(Guid documentId, int? version, CancellationToken cancellationToken = default)
    {
        var (opened, text) = await OpenTextAsync(documentId, version, cancellationToken).ConfigureAwait(false);
        var rulesBefore = opened.Label;
        var sites = CanaryMarker.Sites(text).Count;
        var grant = await Api.RegisterPrintAsync(documentId, opened.Version, sites, cancellationToken).ConfigureAwait(false);
        var choices = Choices(new CanaryCopy(_rooms.UserId, grant.CopyNumber), grant.Choices, sites);
        var highest = grant.HighestPrintableLevel is null ? null : Scheme.FindLevel(grant.HighestPrintableLevel);
        var rules = new PrintRules(highest, grant.NoPrintCompartments.ToHashSet(StringComparer.Ordinal));
        var job = new PrintJob(documentId, opened.Version, opened.Title, text, rulesBefore, grant.RecipientName, choices, grant.PrintedAt);
        return (job, rules, grant);
    }

    /// <summary>Registers and renders a printed copy to <paramref name="pdf"/> with the DejaVu fonts of <paramref name="fontDirectory"/>.</summary>
    [UnsupportedOSPlatform("browser")]
    public async Task<PrintedDocument> PrintAsync(Guid documentId, int? version, Stream pdf, string fontDirectory = DejaVuFonts.DefaultDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pdf);
        var (job, rules, grant) = await PreparePrintAsync(documentId, version, cancellationToken).ConfigureAwait(false);
        var outcome = await new ControlledPrinter(Scheme, rules, fontDirectory).PrintAsync(job, pdf, cancellationToken).ConfigureAwait(false);
        if (outcome.Refusal is { } refusal) throw Refused(DocumentErrorCode.NotPermitted, refusal.Message);
        return new PrintedDocument(documentId, job.Version, grant.CopyNumber, job.Label, grant.RecipientName, grant.PrintedAt, outcome.Copy!.Pages, outcome.Copy.Bytes);
    }

    // ---- Leak tracing ----

    /// <summary>
    /// Traces a leaked excerpt to the copy it came from, for a security officer of a party who may also read
    /// the documents: every text version with registered copies (of <paramref name="documentId"/>, or of every
    /// room this account is in) is opened here, the register gives every copy's choices, and the tracer scores
    /// them. The best identified copy wins; otherwise the closest inconclusive reading is returned.
    /// </summary>
    public async Task<TraceReport> TraceAsync(string excerpt, Guid? documentId = null, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(excerpt);
        var documents = new List<DocumentSummary>();
        if (documentId is { } only)
        {
            var view = await Api.GetDocumentAsync(only, cancellationToken).ConfigureAwait(false);
            if (view.DestroyedAt is not null) throw Destroyed(view);
            var latest = view.Versions[^1];
            documents.Add(new DocumentSummary(view.Id, view.RoomId, view.Title, view.Label, view.Restricted, latest.Version, latest.MediaType, latest.ContentLength, latest.CreatedAt, 0, false));
        }
        else
        {
            foreach (var room in await _rooms.ListRoomsAsync(cancellationToken).ConfigureAwait(false))
                documents.AddRange(await Api.ListDocumentsAsync(room.Id, cancellationToken).ConfigureAwait(false));
        }

        TraceReport? best = null;
        var examined = 0;
        var notPermitted = 0;
        foreach (var summary in documents.Where(d => !d.Destroyed))
        {
            var view = await Api.GetDocumentAsync(summary.Id, cancellationToken).ConfigureAwait(false);
            foreach (var version in view.Versions.Where(v => IsText(v.MediaType) && v.ContentLength <= MaxTextBytes).Reverse())
            {
                progress?.Report($"{view.Title} v{version.Version}");
                string text;
                try
                {
                    (_, text) = await OpenTextAsync(view.Id, version.Version, cancellationToken).ConfigureAwait(false);
                }
                catch (DocumentException)
                {
                    continue;
                }
                var sites = CanaryMarker.Sites(text).Count;
                IReadOnlyList<CopyChoicesView> copies;
                try
                {
                    copies = await Api.GetTraceCopiesAsync(view.Id, version.Version, sites, cancellationToken).ConfigureAwait(false);
                }
                catch (ParleyApiException e) when (e.Kind is ApiProblemKind.Denied or ApiProblemKind.NotFound)
                {
                    notPermitted++;
                    continue;
                }
                if (copies.Count == 0) continue;
                examined++;
                var choices = copies.Select(c => Choices(new CanaryCopy(c.RecipientUserId, c.CopyNumber), c.Choices, sites)).ToList();
                var trace = CanaryTracer.Trace(text, choices, excerpt);
                var copy = trace.Copy is { } found ? copies.FirstOrDefault(c => c.RecipientUserId == found.RecipientId && c.CopyNumber == found.CopyNumber) : null;
                var report = new TraceReport(trace.Verdict, view.Id, view.Title, version.Version, copy, trace.Confidence, trace.MarginBits, trace.SitesRead, trace.SitesMatched, trace.Explanation);
                if (best is null || Better(report, best)) best = report;
            }
        }
        if (best is null)
        {
            var why = notPermitted > 0 && examined == 0
                ? "The print register refused this account: tracing is for a security officer of a party to the room."
                : "No text with registered copies that this account can open was found.";
            throw Refused(notPermitted > 0 && examined == 0 ? DocumentErrorCode.NotPermitted : DocumentErrorCode.NoKey, why);
        }
        return best;
    }

    private static bool Better(TraceReport candidate, TraceReport best) =>
        (candidate.Verdict == CanaryVerdict.Identified) != (best.Verdict == CanaryVerdict.Identified)
            ? candidate.Verdict == CanaryVerdict.Identified
            : candidate.SitesRead * candidate.Confidence > best.SitesRead * best.Confidence;

    // ---- Register, retention, destruction ----

    /// <summary>A document's print register (a security officer of a party).</summary>
    public Task<IReadOnlyList<PrintRegisterEntry>> PrintRegisterAsync(Guid documentId, CancellationToken cancellationToken = default) =>
        Api.GetPrintRegisterAsync(documentId, cancellationToken);

    /// <summary>Records that a printed copy was destroyed (a security officer of a party).</summary>
    public Task RecordCopyDestroyedAsync(Guid documentId, int copyNumber, string note, CancellationToken cancellationToken = default) =>
        Api.RecordCopyDestroyedAsync(documentId, copyNumber, note, cancellationToken);

    /// <summary>Sets a document's declassification and destruction dates (a security officer of a party).</summary>
    public Task<DocumentView> SetRetentionAsync(Guid documentId, DateOnly? declassifyOn, DateOnly? destroyAfter, CancellationToken cancellationToken = default) =>
        Api.SetDocumentRetentionAsync(documentId, new SetRetentionRequest(declassifyOn, destroyAfter), cancellationToken);

    /// <summary>What the daily job lists for review in rooms of <paramref name="delegation"/> (this account's when null).</summary>
    public Task<IReadOnlyList<DocumentReviewView>> ReviewsAsync(string? delegation = null, CancellationToken cancellationToken = default) =>
        Api.GetDocumentReviewsAsync(delegation ?? _rooms.Delegation ?? throw Refused(DocumentErrorCode.NotPermitted, "This account belongs to no delegation."), cancellationToken);

    /// <summary>
    /// Destroys a document by cryptographic erase (NIST SP 800-88 "purge"): this account signs a destruction
    /// certificate for every version, and the server deletes every wrapped key in the same transaction in
    /// which it checks that none remains, then the ciphertext. Later downloads fail with the certificate.
    /// Printed copies stay on the register until a security officer records their destruction.
    /// </summary>
    public async Task<DestroyedDocument> DestroyAsync(Guid documentId, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var document = await GetLiveAsync(documentId, cancellationToken).ConfigureAwait(false);
        if (_rooms.Delegation is not { } delegation) throw Refused(DocumentErrorCode.NotPermitted, "Only a member of a delegation destroys a document.");
        var trimmed = reason.Trim();
        if (trimmed.Length is 0 or > DestructionCertificate.MaxTextLength) throw Refused(DocumentErrorCode.Malformed, $"Give a reason of 1 to {DestructionCertificate.MaxTextLength} characters.");
        var bytes = document.Versions.Sum(v => v.CiphertextLength);
        var certificate = new DestructionCertificate(Guid.NewGuid(), documentId, [.. document.Versions.Select(v => v.Version)], document.Label,
            Limit($"Document \"{document.Title}\": {document.Versions.Count} encrypted version(s), {bytes} bytes of ciphertext, and every wrapped copy of their keys, on the Parley server"),
            $"Parley {typeof(DocumentsClient).Assembly.GetName().Version} (deletion of every document key wrap, then of the ciphertext)",
            _rooms.UserId, delegation, Now.ToUnixTimeSeconds(), trimmed,
            "the Parley server, in the transaction that deletes the wraps",
            "count of the document's stored key wraps after deletion, which must be 0 for the transaction to commit; downloads then answer \"destroyed\"",
            0, SanitizationResult.Succeeded);
        var signed = await Signed<DestructionCertificate>.SignAsync(_rooms.Suite, _identity.Key, certificate, cancellationToken).ConfigureAwait(false);
        var view = await Api.DestroyDocumentAsync(documentId, signed.Encode(), cancellationToken).ConfigureAwait(false);
        return new DestroyedDocument(view, Certificate(view) ?? signed);
    }

    private static string Limit(string text) => text.Length <= DestructionCertificate.MaxTextLength ? text : text[..DestructionCertificate.MaxTextLength];

    // ---- Helpers ----

    private async Task<DocumentView> GetLiveAsync(Guid documentId, CancellationToken cancellationToken)
    {
        var document = await Api.GetDocumentAsync(documentId, cancellationToken).ConfigureAwait(false);
        if (document.DestroyedAt is not null) throw Destroyed(document);
        if (document.Versions.Count == 0) throw Refused(DocumentErrorCode.Malformed, "The server lists no version of the document.");
        return document;
    }

    private static DocumentVersionView Version(DocumentView document, int? version)
    {
        if (version is null) return document.Versions[^1];
        return document.Versions.FirstOrDefault(v => v.Version == version)
            ?? throw Refused(DocumentErrorCode.WrongDocument, $"The document has no version {version}; it has {string.Join(", ", document.Versions.Select(v => v.Version))}.");
    }

    // Server refusals that mean "destroyed" become the typed error with the certificate.
    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (ParleyApiException e) when (e.Kind == ApiProblemKind.Denied && e.Problem.Policy is null)
        {
            // Not the policy: the server holds no wrap of the version for this device.
            throw Refused(DocumentErrorCode.NoKey, e.Problem.Detail ?? "No key of this version was given to this device.");
        }
        catch (ParleyApiException e) when (e.Problem.Type == DocumentsProtocol.DestroyedProblemType)
        {
            Signed<DestructionCertificate>? certificate = null;
            if (e.Problem.Extensions.TryGetValue(DocumentsProtocol.CertificateExtension, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String
                && value.TryGetBytesFromBase64(out var bytes) && Signed<DestructionCertificate>.Decode(bytes).TryGetValue(out var decoded, out _))
                certificate = decoded;
            throw new DocumentException(new DocumentError(DocumentErrorCode.Destroyed, DestroyedMessage(certificate))) { Certificate = certificate };
        }
    }

    private static DocumentException Destroyed(DocumentView document)
    {
        var certificate = Certificate(document);
        return new DocumentException(new DocumentError(DocumentErrorCode.Destroyed, DestroyedMessage(certificate))) { Certificate = certificate };
    }

    private static string DestroyedMessage(Signed<DestructionCertificate>? certificate) => certificate?.Body is { } c
        ? $"The document was destroyed on {DateTimeOffset.FromUnixTimeSeconds(c.PerformedAt):yyyy-MM-dd HH:mm} UTC by {c.Delegation} ({c.Reason}); certificate {c.CertificateId}."
        : "The document was destroyed.";

    private static Signed<DestructionCertificate>? Certificate(DocumentView document) =>
        document.Certificate is { } bytes && Signed<DestructionCertificate>.Decode(bytes).TryGetValue(out var decoded, out _) ? decoded : null;

    private async Task<DocumentVersion> VerifiedManifestAsync(DocumentView document, DocumentVersionView version, CancellationToken cancellationToken)
    {
        var decoded = Signed<DocumentVersion>.Decode(version.SignedManifest);
        if (!decoded.TryGetValue(out var signed, out var error)) throw Refused(DocumentErrorCode.Malformed, $"Version {version.Version}'s manifest is malformed: {error.Message}");
        var body = signed.Body;
        if (body.DocumentId != document.Id || body.Version != version.Version)
            throw Refused(DocumentErrorCode.WrongDocument, $"The server gave version {body.Version} of {body.DocumentId} for version {version.Version} of {document.Id}.");
        var author = await AuthorKeyAsync(body.AuthorUserId, cancellationToken).ConfigureAwait(false);
        if (author is null || !await signed.VerifyAsync(_rooms.Suite, author, cancellationToken).ConfigureAwait(false))
            throw Refused(DocumentErrorCode.BadAuthorSignature, $"Version {version.Version} is not signed by its author.");
        if (!body.Hash().AsSpan().SequenceEqual(version.VersionHash))
            throw Refused(DocumentErrorCode.Malformed, $"The server lists another hash for version {version.Version} than its manifest's.");
        return body;
    }

    private async Task<CompositePublicKey?> AuthorKeyAsync(Guid authorId, CancellationToken cancellationToken)
    {
        if (authorId == _rooms.UserId) return _identity.PublicKey;
        try
        {
            var verified = await _rooms.Directory.VerifyAsync(authorId, cancellationToken).ConfigureAwait(false);
            return verified.Member?.IdentityKey;
        }
        catch (ParleyApiException e) when (e.Kind == ApiProblemKind.NotFound)
        {
            return null;
        }
    }

    // How this device can hold the version's key: its own wrap first, else a room epoch it holds.
    private async Task<List<KeyHolder>> HoldersAsync(DocumentView document, DocumentEnvelope envelope, CancellationToken cancellationToken)
    {
        var holders = new List<KeyHolder>();
        if (envelope.Wraps.Any(w => w.Kind == KeyWrapRecipient.Device && w.RecipientId == _rooms.DeviceId))
            holders.Add(new KeyHolder.Device(_rooms.DeviceId, _rooms.DeviceKem));
        var epochs = envelope.Wraps.Where(w => w.Kind == KeyWrapRecipient.RoomEpoch && w.RecipientId == document.RoomId).Select(w => w.Epoch).Distinct().ToList();
        if (holders.Count == 0 && epochs.Count > 0)
        {
            var held = await _rooms.HeldDocumentKeysAsync(document.RoomId, epochs, cancellationToken).ConfigureAwait(false);
            holders.AddRange(held.OrderByDescending(k => k.Epoch).Select(k => (KeyHolder)new KeyHolder.Room(k)));
        }
        return holders;
    }

    // After opening a room document with an older epoch's key, a wrap for the room's current epoch (made
    // first if the room needs one, as before a message), so that members who joined since can read it.
    private async Task ShareWithCurrentEpochAsync(DocumentView document, DocumentEnvelope envelope, KeyHolder holder, CancellationToken cancellationToken)
    {
        if (holder is not KeyHolder.Room { Key: var old }) return;
        var manifest = envelope.Manifest.Body;
        var room = await _rooms.GetRoomAsync(document.RoomId, cancellationToken).ConfigureAwait(false);
        if (room.RekeyRequired.Count == 0 && room.Epoch is { } settled && envelope.Wraps.Any(w => w.Kind == KeyWrapRecipient.RoomEpoch && w.Epoch == settled.Epoch)) return;
        using var current = await _rooms.CurrentDocumentKeyAsync(document.RoomId, cancellationToken).ConfigureAwait(false);
        if (current.Epoch == old.Epoch || envelope.Wraps.Any(w => w.Kind == KeyWrapRecipient.RoomEpoch && w.Epoch == current.Epoch)) return;
        if (!current.Label.Dominates(ParseBanner(manifest.Label))) return;
        var wrap = envelope.Wraps.First(w => w.Kind == KeyWrapRecipient.RoomEpoch && w.RecipientId == old.RoomId && w.Epoch == old.Epoch);
        var unwrapped = await _keys.UnwrapForRoomAsync(wrap, manifest, old, cancellationToken).ConfigureAwait(false);
        if (!unwrapped.TryGetValue(out var key, out _)) return;
        using (key)
        {
            var added = await _keys.WrapForRoomAsync(key, manifest, current, cancellationToken).ConfigureAwait(false);
            try
            {
                await Api.AddDocumentWrapsAsync(document.Id, manifest.Version, new AddWrapsRequest([added.Encode()]), cancellationToken).ConfigureAwait(false);
            }
            catch (ParleyApiException)
            {
                // Sharing with later members is a courtesy of readers; the next reader tries again.
            }
        }
    }

    private static CanaryChoices Choices(CanaryCopy copy, byte[] encoded, int sites)
    {
        var decoded = CanaryChoices.Decode(copy, encoded);
        if (!decoded.TryGetValue(out var choices, out var error)) throw Refused(DocumentErrorCode.Malformed, $"The print register's choices are malformed: {error.Message}");
        if (choices.Count != sites) throw Refused(DocumentErrorCode.Malformed, $"The print register gave {choices.Count} choices for {sites} sites.");
        return choices;
    }

    private static async Task<byte[]> ReadTextBytesAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxTextBytes)
                throw Refused(DocumentErrorCode.NotText, $"A text document is read whole to compute its banner; this one is over {MaxTextBytes} bytes. Upload it as application/octet-stream with a label.");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>True for the media types treated as portion-marked text.</summary>
    public static bool IsText(string mediaType) =>
        mediaType.StartsWith("text/markdown", StringComparison.OrdinalIgnoreCase) || mediaType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase);

    /// <summary>The media type for a file name: Markdown and plain text are texts, everything else is opaque.</summary>
    public static string MediaTypeOf(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        ".md" or ".markdown" => "text/markdown",
        ".txt" or ".text" => "text/plain",
        ".pdf" => "application/pdf",
        _ => "application/octet-stream",
    };

    private Label ParseLabel(string text)
    {
        try
        {
            return RoomCreation.ParseLabel(Scheme, text);
        }
        catch (RoomOperationException e)
        {
            throw Refused(DocumentErrorCode.BadLabel, e.Message);
        }
    }

    private Label ParseBanner(string banner) =>
        Scheme.ParseBanner(banner).TryGetValue(out var label, out var error) ? label : throw Refused(DocumentErrorCode.BadLabel, $"The label '{banner}' does not parse: {error.Message}");

    private static DocumentException Refused(DocumentErrorCode code, string message) => new(new DocumentError(code, message));

    /// <inheritdoc />
    public override string ToString() => $"DocumentsClient({_rooms.Email}, private)";
}
