using System.Collections.Immutable;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Parley.Client.Documents;
using Parley.Protocol.Api;
using Parley.Protocol.Classification;
using Parley.Protocol.Crypto;
using Parley.Protocol.Documents;
using Parley.Protocol.Formats;
using Parley.Protocol.Identity;
using Parley.Server.Tests.Identity.Support;
using Parley.Server.Tests.Rooms.Support;

namespace Parley.Server.Tests.Documents.Support;

/// <summary>A version as its author's client made it: the envelope and the ciphertext.</summary>
public sealed record MadeVersion(DocumentEnvelope Envelope, byte[] Ciphertext)
{
    public DocumentVersion Manifest => Envelope.Manifest.Body;

    public byte[] Hash => Manifest.Hash();
}

/// <summary>
/// The client side of documents, done by the test against a real server: uploads in parts, versions encrypted
/// with <see cref="DocumentEncryptor"/> for devices verified from the directory (or a room epoch key the test
/// holds), hand-made envelopes with made-up wraps for what a client would refuse to make, and reading back.
/// </summary>
public sealed class DocumentsWorld(IdentityHostFixture fixture)
{
    public static CryptoSuite Suite => CryptoSuite.Default;

    public static MarkingScheme Scheme => MarkingScheme.Generic;

    public RoomsWorld Rooms { get; } = new(fixture);

    public ClientDriver Client => Rooms.Client;

    public IdentityHost Host => fixture.Host;

    public DocumentEncryptor Encryptor { get; } = new(Suite, Scheme);

    public DateTimeOffset Now => Host.Clock.GetUtcNow();

    public static Label Label(string banner) => Scheme.ParseBanner(banner).Value;

    // ---- Uploads ----

    public async Task<UploadView> NewUploadAsync(RoomUser user) =>
        await ClientDriver.ReadAsync<UploadView>(await Client.PostEmptyAsync("/api/uploads", user.Token), HttpStatusCode.Created);

    public Task<HttpResponseMessage> PutPartAsync(RoomUser user, Guid upload, long offset, byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return Client.SendAsync(HttpMethod.Put, $"/api/uploads/{upload}?offset={offset}", content, user.Token);
    }

    /// <summary>Uploads <paramref name="bytes"/> in <paramref name="parts"/> parts; returns the upload id.</summary>
    public async Task<Guid> UploadAsync(RoomUser user, byte[] bytes, int parts = 3)
    {
        var upload = await NewUploadAsync(user);
        var size = Math.Max(1, (bytes.Length + parts - 1) / parts);
        long offset = 0;
        while (offset < bytes.Length)
        {
            var part = bytes.AsSpan((int)offset, (int)Math.Min(size, bytes.Length - offset)).ToArray();
            var view = await ClientDriver.ReadAsync<UploadView>(await PutPartAsync(user, upload.Id, offset, part));
            offset += part.Length;
            Assert.Equal(offset, view.Received);
        }
        return upload.Id;
    }

    // ---- Recipients ----

    private async Task<DelegationTrust> TrustAsync(string code, string token)
    {
        var view = await ClientDriver.ReadAsync<DelegationTrustView>(await Client.GetAsync($"/api/directory/delegations/{code}", token));
        return new DelegationTrust(Signed<DelegationRoot>.Decode(view.Root).Value,
            view.OfficerCertificates.Select(c => Signed<ClearanceCertificate>.Decode(c).Value).ToList(),
            view.OfficerKeys.Select(k => CompositePublicKey.Decode(k).Value).ToList(),
            view.Revocations.Select(r => Signed<Revocation>.Decode(r).Value).ToList());
    }

    /// <summary><paramref name="recipient"/>'s device, verified from the directory by <paramref name="reader"/>'s client and admitted for <paramref name="label"/>.</summary>
    public async Task<DocumentRecipient> RecipientAsync(RoomUser reader, RoomUser recipient, string label)
    {
        var entry = await ClientDriver.ReadAsync<DirectoryEntry>(await Client.GetAsync($"/api/directory/users/{recipient.Id}", reader.Token));
        var trust = await TrustAsync(entry.User.Delegation!, reader.Token);
        var identity = CompositePublicKey.Decode(entry.User.IdentityPublicKey).Value;
        var clearance = Signed<ClearanceCertificate>.Decode(entry.ClearanceCertificates[^1]).Value;
        var certificate = entry.DeviceCertificates.Select(b => Signed<DeviceCertificate>.Decode(b).Value).Single(c => c.Body.DeviceId == recipient.Device.Id);
        var verified = await new TrustVerifier(Suite).VerifyDeviceAsync(trust, recipient.Id, identity, clearance, certificate, Now);
        Assert.True(verified.IsOk, verified.Error?.ToString());
        var admitted = DocumentRecipient.Admit(verified.Value, Label(label), Scheme);
        Assert.True(admitted.IsOk, admitted.Error?.ToString());
        return admitted.Value;
    }

    // ---- Making versions ----

    /// <summary>Encrypts <paramref name="plaintext"/> as <paramref name="author"/>'s client does.</summary>
    public async Task<MadeVersion> EncryptAsync(RoomUser author, Guid document, int version, byte[]? previous, string label, byte[] plaintext,
        IReadOnlyList<DocumentRecipient> devices, RoomDocumentKey? room, CompositePrivateKey? signer = null)
    {
        using var ciphertext = new MemoryStream();
        var spec = new VersionSpec(document, version, [.. previous ?? []], Label(label), [], "application/octet-stream");
        var envelope = await Encryptor.EncryptAsync(new MemoryStream(plaintext), ciphertext, spec, new DocumentAuthor(author.Id, author.Device.Id, signer ?? author.Account.IdentityKey),
            devices, room, Now);
        return new MadeVersion(envelope, ciphertext.ToArray());
    }

    /// <summary>
    /// A version with random "ciphertext" and made-up wraps for the given recipients: what a client would refuse
    /// to make (a wrap for a device not cleared, for another version), yet well-formed and signed by the author.
    /// The server cannot open wraps, so it checks everything else about them.
    /// </summary>
    public async Task<MadeVersion> HandMadeAsync(RoomUser author, Guid document, int version, byte[]? previous, string label,
        IEnumerable<(KeyWrapRecipient Kind, Guid Recipient, long Epoch)> wraps, long contentLength = 1000, CompositePrivateKey? signer = null,
        Func<byte[], byte[]>? wrapHash = null, Guid? authorDevice = null)
    {
        var ciphertext = RandomNumberGenerator.GetBytes((int)DocumentVersion.CiphertextLengthOf(contentLength));
        var manifest = new DocumentVersion(document, version, [.. previous ?? []], label, [], "application/octet-stream", contentLength,
            [.. ciphertext.AsSpan(0, DocumentVersion.SaltSize)], ciphertext.Length, [.. SHA256.HashData(ciphertext)], [.. RandomNumberGenerator.GetBytes(32)],
            author.Id, authorDevice ?? author.Device.Id, Now.ToUnixTimeSeconds());
        var signed = await Signed<DocumentVersion>.SignAsync(Suite, signer ?? author.Account.IdentityKey, manifest);
        var hash = manifest.Hash();
        var made = wraps.Select(w => DocumentKeyWrap.Decode(Wrap(w.Kind, document, version, wrapHash?.Invoke(hash) ?? hash, w.Recipient, w.Epoch)).Value).ToList();
        return new MadeVersion(new DocumentEnvelope(signed, made), ciphertext);
    }

    /// <summary>A well-formed wrap whose wrapped key opens for no one.</summary>
    public static byte[] Wrap(KeyWrapRecipient kind, Guid document, int version, byte[] versionHash, Guid recipient, long epoch)
    {
        var writer = Canonical.CreateWriter();
        Canonical.WriteHeader(writer, "parley/document-key-wrap", 1, 8);
        writer.WriteInt32((int)kind);
        writer.WriteByteString(document.ToByteArray(bigEndian: true));
        writer.WriteInt32(version);
        writer.WriteByteString(versionHash);
        writer.WriteByteString(recipient.ToByteArray(bigEndian: true));
        writer.WriteInt64(epoch);
        writer.WriteByteString(kind == KeyWrapRecipient.Device ? RandomNumberGenerator.GetBytes(HybridKem.EncapsulationSize) : []);
        writer.WriteByteString(RandomNumberGenerator.GetBytes(DocumentKeyWrap.WrappedKeySize));
        writer.WriteEndArray();
        return writer.Encode();
    }

    // ---- Documents ----

    public Task<HttpResponseMessage> CreateResponseAsync(RoomUser author, Guid room, Guid upload, DocumentEnvelope envelope, bool restricted = false,
        string? title = null, DateOnly? declassifyOn = null, DateOnly? destroyAfter = null) =>
        Client.PostAsync($"/api/rooms/{room}/documents", new CreateDocumentRequest(title ?? $"Draft treaty {Guid.NewGuid():N}", upload, envelope.Encode(), restricted, declassifyOn, destroyAfter), author.Token);

    /// <summary>Uploads the version's ciphertext in parts and creates the document from it.</summary>
    public async Task<DocumentView> CreateAsync(RoomUser author, Guid room, MadeVersion version, bool restricted = false, string? title = null,
        DateOnly? declassifyOn = null, DateOnly? destroyAfter = null)
    {
        var upload = await UploadAsync(author, version.Ciphertext);
        return await ClientDriver.ReadAsync<DocumentView>(await CreateResponseAsync(author, room, upload, version.Envelope, restricted, title, declassifyOn, destroyAfter), HttpStatusCode.Created);
    }

    public async Task<HttpResponseMessage> AddVersionResponseAsync(RoomUser author, Guid document, MadeVersion version)
    {
        var upload = await UploadAsync(author, version.Ciphertext);
        return await Client.PostAsync($"/api/documents/{document}/versions", new AddVersionRequest(upload, version.Envelope.Encode()), author.Token);
    }

    public async Task<DocumentView> GetAsync(RoomUser user, Guid document) =>
        await ClientDriver.ReadAsync<DocumentView>(await Client.GetAsync($"/api/documents/{document}", user.Token));

    public async Task<byte[]> BytesAsync(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.RequestMessage?.RequestUri?.AbsolutePath}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(bytes)}");
        return bytes;
    }

    /// <summary>Fetches envelope and ciphertext of a version and opens them as <paramref name="reader"/>'s client does.</summary>
    public async Task<(byte[]? Plaintext, DocumentError? Error)> ReadAsync(RoomUser reader, Guid document, int version, KeyHolder holder, CompositePublicKey author)
    {
        var envelope = await BytesAsync(await Client.GetAsync($"/api/documents/{document}/versions/{version}/envelope", reader.Token));
        var ciphertext = await BytesAsync(await Client.GetAsync($"/api/documents/{document}/versions/{version}/content", reader.Token));
        using var output = new MemoryStream();
        var (opened, error) = await Encryptor.DecryptAsync(envelope, new MemoryStream(ciphertext), output, document, version, _ => author, holder);
        return opened is null ? (null, error) : (output.ToArray(), null);
    }

    /// <summary>A signed destruction certificate by <paramref name="officer"/>.</summary>
    public async Task<byte[]> CertificateAsync(TestAccount officer, string delegation, Guid document, int[] versions, string label, int remaining = 0,
        SanitizationResult result = SanitizationResult.Succeeded, DateTimeOffset? at = null) =>
        (await Signed<DestructionCertificate>.SignAsync(Suite, officer.IdentityKey, new DestructionCertificate(Guid.NewGuid(), document, [.. versions], label,
            "The version keys' wraps and the ciphertext on the Parley server", "Parley server 0.1.0", officer.UserId, delegation,
            (at ?? Now).ToUnixTimeSeconds(), "The negotiation ended", "Parley server", "Count of the document's key wraps after the erase", remaining, result))).Encode();

    public T Service<T>() where T : notnull => Host.Server.App.Services.GetRequiredService<T>();

    public string BlobPath(Guid document, int version) => Path.Combine(Host.DataDirectory, "documents", document.ToString("N"), $"{version}.bin");
}
