using System.Collections.Immutable;
using System.Security.Cryptography;
using Parley.Client.Documents;
using Parley.Protocol.Classification;
using Parley.Protocol.Crypto;
using Parley.Protocol.Documents;
using Parley.Protocol.Identity;
using Parley.Protocol.Tests.Identity;

namespace Parley.Client.Tests.Documents;

/// <summary>Streamed document encryption: round trips for devices and room epochs at chunk boundaries, and
/// a clear typed error for every way a stored version can be wrong: any flipped byte of the envelope or the
/// ciphertext, truncation, extension, a ciphertext re-made by a key holder, a forged author, another document,
/// another recipient, a label the deployment does not know.</summary>
public sealed class DocumentEncryptorTests : IAsyncLifetime, IDisposable
{
    private static readonly CryptoSuite Suite = CryptoSuite.Default;
    private static readonly MarkingScheme Scheme = MarkingScheme.Generic;
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly DocumentEncryptor _encryptor = new(Suite, Scheme);
    private readonly Guid _document = Guid.NewGuid();
    private static readonly Label Secret = Scheme.ParseBanner("SECRET//REL TO ATL, BOR").Value;
    private readonly IdentityWorld _world = new();
    private Guid _deviceId;
    private DocumentRecipient _recipient = null!;
    private CompositePrivateKey _author = null!;
    private HybridKemPrivateKey _device = null!;
    private RoomDocumentKey _room = null!;

    public async Task InitializeAsync()
    {
        _author = await Suite.Signatures.GenerateAsync();
        _device = await Suite.Kem.GenerateAsync();
        _room = new RoomDocumentKey(Guid.NewGuid(), 4, Secret, SecretKey.Generate(32));
        _recipient = DocumentRecipient.Admit(await VerifiedDeviceAsync(_device), Secret, Scheme).Value;
        _deviceId = _recipient.DeviceId;
    }

    private async Task<VerifiedDevice> VerifiedDeviceAsync(HybridKemPrivateKey kem)
    {
        var officer = await _world.CreateDelegationAsync("ATL");
        var person = await _world.CreatePersonAsync();
        var clearance = await _world.CertifyAsync(officer.Key, "ATL", person);
        using var signing = await Suite.Backend.GenerateP384KeyPairAsync();
        var device = await Signed<DeviceCertificate>.SignAsync(Suite, person.Key, new DeviceCertificate(
            person.UserId, Guid.NewGuid(), "laptop", kem.PublicKey.Encode(), signing.Q.ToArray(), IdentityWorld.Now.ToUnixTimeSeconds(), person.Key.PublicKey.Fingerprint()));
        return (await new TrustVerifier(Suite).VerifyDeviceAsync(IdentityWorld.Trust(officer), person.UserId, person.Key.PublicKey, clearance, device, IdentityWorld.Now)).Value;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _author.Dispose();
        _device.Dispose();
        _room.Dispose();
    }

    private VersionSpec Spec(string label = "SECRET//REL TO ATL, BOR") =>
        new(_document, 1, [], Scheme.ParseBanner(label).Value, ["(S//REL TO ATL, BOR)", "(U)"], "text/markdown");

    private async Task<(byte[] Envelope, byte[] Ciphertext, byte[] Plaintext)> EncryptAsync(int size, IProgress<long>? progress = null, bool room = true)
    {
        var plaintext = RandomNumberGenerator.GetBytes(size);
        using var ciphertext = new MemoryStream();
        var envelope = await _encryptor.EncryptAsync(new MemoryStream(plaintext), ciphertext, Spec(), new DocumentAuthor(Guid.NewGuid(), Guid.NewGuid(), _author),
            [_recipient], room ? _room : null, Now, progress);
        return (envelope.Encode(), ciphertext.ToArray(), plaintext);
    }

    private Task<(OpenedVersion? Opened, DocumentError? Error)> DecryptAsync(byte[] envelope, byte[] ciphertext, Stream output, KeyHolder? holder = null,
        CompositePublicKey? author = null, Guid? document = null, int version = 1, DocumentEncryptor? encryptor = null) =>
        (encryptor ?? _encryptor).DecryptAsync(envelope, new MemoryStream(ciphertext), output, document ?? _document, version, _ => author ?? _author.PublicKey,
            holder ?? new KeyHolder.Device(_deviceId, _device));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(16383)]
    [InlineData(16384)]
    [InlineData(16385)]
    [InlineData(3 * 1024 * 1024 + 7)]
    public async Task A_version_round_trips_for_its_device_and_its_room(int size)
    {
        long reported = 0;
        var (envelope, ciphertext, plaintext) = await EncryptAsync(size, new Progress(n => reported = n));
        Assert.Equal(size, reported);
        Assert.Equal(DocumentVersion.CiphertextLengthOf(size), ciphertext.Length);

        foreach (var holder in new KeyHolder[] { new KeyHolder.Device(_deviceId, _device), new KeyHolder.Room(_room) })
        {
            using var output = new MemoryStream();
            var (opened, error) = await DecryptAsync(envelope, ciphertext, output, holder);
            Assert.Null(error);
            Assert.Equal(size, opened!.PlaintextLength);
            Assert.Equal("SECRET//REL TO ATL, BOR", opened.Label.ToBanner());
            Assert.Equal(plaintext, output.ToArray());
        }
    }

    [Fact]
    public async Task Every_region_of_the_ciphertext_is_protected()
    {
        var (envelope, ciphertext, _) = await EncryptAsync(5 * 16384 + 100);
        var last = ciphertext.Length - 1;
        int[] positions = [0, 23, 24, 55, 56, 57, 16000, 16439, 16440, 40000, last - 20, last];
        foreach (var position in positions)
        {
            var tampered = (byte[])ciphertext.Clone();
            tampered[position] ^= 0x20;
            await AssertFails(DocumentErrorCode.Tampered, envelope, tampered, $"byte {position}");
        }
        await AssertFails(DocumentErrorCode.Tampered, envelope, ciphertext[..^1], "one byte short");
        await AssertFails(DocumentErrorCode.Tampered, envelope, ciphertext[..^(100 + 16)], "last chunk missing");
        await AssertFails(DocumentErrorCode.Tampered, envelope, [.. ciphertext, 0], "one byte more");
        await AssertFails(DocumentErrorCode.Tampered, envelope, [], "empty");
        // Two chunks swapped.
        var swapped = (byte[])ciphertext.Clone();
        ciphertext.AsSpan(56, 16400).CopyTo(swapped.AsSpan(56 + 16400));
        ciphertext.AsSpan(56 + 16400, 16400).CopyTo(swapped.AsSpan(56));
        await AssertFails(DocumentErrorCode.Tampered, envelope, swapped, "chunks swapped");
    }

    [Fact]
    public async Task Every_byte_of_the_envelope_is_protected()
    {
        // The envelope as a device downloads it: the manifest and that device's wrap.
        var (envelope, ciphertext, _) = await EncryptAsync(20000, room: false);
        var codes = new HashSet<DocumentErrorCode>();
        for (var position = 0; position < envelope.Length; position += position < 400 ? 1 : 11)
        {
            var tampered = (byte[])envelope.Clone();
            tampered[position] ^= 0x04;
            using var output = new MemoryStream();
            var (opened, error) = await DecryptAsync(tampered, ciphertext, output);
            Assert.True(opened is null && error is not null, $"byte {position} of {envelope.Length} was not noticed");
            codes.Add(error.Code);
        }
        // Manifest fields, the signature and the wraps each fail in their own way.
        Assert.Contains(DocumentErrorCode.Malformed, codes);
        Assert.Contains(DocumentErrorCode.BadAuthorSignature, codes);
        Assert.Contains(DocumentErrorCode.NoKey, codes);
    }

    [Fact]
    public async Task Wraps_are_independent_but_each_must_name_this_version()
    {
        var (envelope, ciphertext, _) = await EncryptAsync(1000);
        var stored = DocumentEnvelope.Decode(envelope).Value;
        var roomWrap = stored.Wraps.Single(w => w.Kind == KeyWrapRecipient.RoomEpoch).Encode();
        var at = envelope.AsSpan().IndexOf(roomWrap);

        // The room's wrapped key (its last bytes) modified: the room can no longer open it, the device still can.
        var broken = (byte[])envelope.Clone();
        broken[at + roomWrap.Length - 1] ^= 1;
        using (var output = new MemoryStream()) Assert.Equal(DocumentErrorCode.NoKey, (await DecryptAsync(broken, ciphertext, output, new KeyHolder.Room(_room))).Error!.Code);
        using (var output = new MemoryStream()) Assert.Null((await DecryptAsync(broken, ciphertext, output)).Error);

        // The room wrap's version hash modified: every reader refuses the envelope.
        var moved = (byte[])envelope.Clone();
        moved[at + roomWrap.AsSpan().IndexOf(stored.Manifest.Body.Hash()) + 5] ^= 1;
        using (var output = new MemoryStream()) Assert.Equal(DocumentErrorCode.Malformed, (await DecryptAsync(moved, ciphertext, output)).Error!.Code);
    }

    [Fact]
    public async Task A_ciphertext_remade_by_a_key_holder_is_refused()
    {
        var (envelope, ciphertext, _) = await EncryptAsync(50000);
        var stored = DocumentEnvelope.Decode(envelope).Value;
        var manifest = stored.Manifest.Body;
        // A recipient holds the document key and can make chunks that authenticate; the author's hash says otherwise.
        using var key = (await new DocumentKeys(Suite).UnwrapForDeviceAsync(stored.Wraps.Single(w => w.Kind == KeyWrapRecipient.Device), manifest, _deviceId, _device)).Value;
        using var forged = new MemoryStream();
        await Suite.Streams.EncryptAsync(key, manifest.StreamContext.Encode(), new MemoryStream(new byte[50000]), forged);
        Assert.Equal(ciphertext.Length, forged.Length);
        await AssertFails(DocumentErrorCode.Tampered, envelope, forged.ToArray(), "re-encrypted");
    }

    [Fact]
    public async Task Wrong_author_document_recipient_or_scheme_are_refused()
    {
        var (envelope, ciphertext, _) = await EncryptAsync(1000);
        using var impostor = await Suite.Signatures.GenerateAsync();
        using var stranger = await Suite.Kem.GenerateAsync();
        using var otherRoom = new RoomDocumentKey(_room.RoomId, 5, Secret, SecretKey.Generate(32));
        var cases = new (DocumentErrorCode Code, Func<Stream, Task<(OpenedVersion?, DocumentError?)>> Open)[]
        {
            (DocumentErrorCode.BadAuthorSignature, o => DecryptAsync(envelope, ciphertext, o, author: impostor.PublicKey)),
            (DocumentErrorCode.WrongDocument, o => DecryptAsync(envelope, ciphertext, o, document: Guid.NewGuid())),
            (DocumentErrorCode.WrongDocument, o => DecryptAsync(envelope, ciphertext, o, version: 2)),
            (DocumentErrorCode.NoKey, o => DecryptAsync(envelope, ciphertext, o, new KeyHolder.Device(_deviceId, stranger))),
            (DocumentErrorCode.NoKey, o => DecryptAsync(envelope, ciphertext, o, new KeyHolder.Device(Guid.NewGuid(), _device))),
            (DocumentErrorCode.NoKey, o => DecryptAsync(envelope, ciphertext, o, new KeyHolder.Room(otherRoom))),
            (DocumentErrorCode.BadLabel, o => DecryptAsync(envelope, ciphertext, o, encryptor: new DocumentEncryptor(Suite, MarkingScheme.Nato))),
        };
        foreach (var (code, open) in cases)
        {
            using var output = new MemoryStream();
            var (opened, error) = await open(output);
            Assert.Null(opened);
            Assert.Equal(code, error!.Code);
            Assert.Equal(0, output.Length);
        }
    }

    [Fact]
    public async Task A_label_below_the_portions_a_mixed_label_or_no_recipient_is_refused_at_encryption()
    {
        var forConfidential = DocumentRecipient.Admit(_recipient.Device, Scheme.ParseBanner("CONFIDENTIAL").Value, Scheme).Value;
        var output = new MemoryStream();
        await Assert.ThrowsAsync<ArgumentException>(() => _encryptor.EncryptAsync(new MemoryStream([1, 2, 3]), output, Spec(),
            new DocumentAuthor(Guid.NewGuid(), Guid.NewGuid(), _author), [forConfidential], null, Now));
        using var lowRoom = new RoomDocumentKey(Guid.NewGuid(), 1, Scheme.ParseBanner("CONFIDENTIAL//REL TO ATL, BOR").Value, SecretKey.Generate(32));
        await Assert.ThrowsAsync<ArgumentException>(() => _encryptor.EncryptAsync(new MemoryStream([1, 2, 3]), output, Spec(),
            new DocumentAuthor(Guid.NewGuid(), Guid.NewGuid(), _author), [], lowRoom, Now));
        Assert.Equal(0, output.Length);

        // Portion marks (S//REL TO ATL, BOR) under a CONFIDENTIAL label, shared with a room that could take it.
        var low = Spec("CONFIDENTIAL//REL TO ATL, BOR");
        var below = await Assert.ThrowsAsync<ArgumentException>(() => _encryptor.EncryptAsync(new MemoryStream([1, 2, 3]), new MemoryStream(), low,
            new DocumentAuthor(Guid.NewGuid(), Guid.NewGuid(), _author), [], _room, Now));
        Assert.Contains("portions need SECRET//REL TO ATL, BOR", below.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => _encryptor.EncryptAsync(new MemoryStream([1, 2, 3]), new MemoryStream(), Spec(),
            new DocumentAuthor(Guid.NewGuid(), Guid.NewGuid(), _author), [], null, Now));
    }

    private async Task AssertFails(DocumentErrorCode code, byte[] envelope, byte[] ciphertext, string what)
    {
        using var output = new MemoryStream();
        var (opened, error) = await DecryptAsync(envelope, ciphertext, output);
        Assert.True(opened is null, $"{what}: opened");
        Assert.True(error!.Code == code, $"{what}: {error}");
    }

    private sealed class Progress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
