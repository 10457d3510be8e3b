using Parley.Protocol.Crypto;
using Parley.Protocol.Formats;
using Parley.Protocol.Rooms;

namespace Parley.Protocol.Tests.Rooms;

/// <summary>
/// The derivations and formats of PROTOCOL.md §12 on fixed inputs. The expected values were computed
/// independently of this code (Python: hmac, hashlib and the cryptography package's AES-GCM) from the
/// rules as written there, so a change to either the code or the spec fails here.
/// </summary>
public class RoomVectorTests
{
    private static readonly Guid Room = new("00112233-4455-6677-8899-aabbccddeeff");
    private static readonly Guid Sender = new("0f0e0d0c-0b0a-0908-0706-050403020100");
    private static readonly Guid Recipient = new("a1a2a3a4-a5a6-a7a8-a9aa-abacadaeafb0");
    private static readonly byte[] RosterHash = [.. Enumerable.Range(0xa0, 32).Select(b => (byte)b)];
    private static readonly SecretKey EpochSecretValue = SecretKey.Import([.. Enumerable.Range(0, 32).Select(b => (byte)b)]);
    private const string HeaderHex = "89781a7061726c65792f726f6f6d2d6d6573736167652d686561646572015000112233445566778899aabbccddeeff025820a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf500f0e0d0c0b0a0908070605040302010001781d434f4e464944454e5449414c2f2f52454c20544f2041544c2c20424f521a6b0ac240";
    private const string Plaintext = "We propose a ceiling of 700 deployed launchers.";
    private const string CiphertextHex = "cf78bd37b6bdad129dc4c3db692d0048892e5cb9978bd67d854b38b27e156a3ea4dc78741aec12f5a455e35d587c1feaab605e175e70d64c7a840b4fe8ef392535982bb7a32247d7c3eea57de34eeb2e";

    public static TheoryData<string> BackendNames => Backends.Names;

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task Epoch_and_chain_derivations_match_the_specification(string backend)
    {
        var keys = Backends.Suite(backend).Keys;

        var commitment = await SenderChain.CommitmentAsync(keys, EpochSecretValue, Room, 2, default);
        using var epochKey = await SenderChain.EpochKeyAsync(keys, EpochSecretValue, RosterHash, default);
        using var chain0 = await SenderChain.StartAsync(keys, epochKey, Room, 2, Sender, default);
        using var message0 = await SenderChain.MessageKeyAsync(keys, chain0, 0, default);
        using var chain1 = await SenderChain.StepAsync(keys, chain0, 0, default);
        using var message1 = await SenderChain.MessageKeyAsync(keys, chain1, 1, default);

        Assert.Equal("e2533600430ba1737bf220247dab273a49c09f3829c1610f29f7cdbde3b22efa", Convert.ToHexStringLower(commitment));
        Assert.Equal("4ec6dc510583fbf42f0151b0c30453341fb20792140cc23245c1ac7f28749b46", Hex(epochKey));
        Assert.Equal("465dbca46c3a978be0593bb348bab37c58b0df7ce3fccec0091537347a548d12", Hex(chain0));
        Assert.Equal("b7edb40315b98bab3ef0189cc6a47e84e56e93dbb92be2ad7276a36b0d82a9e4d8e6239b2cfcf5bc5d48e2ab", Hex(message0));
        Assert.Equal("34ede4945cba7c48bbbbc0d1ba140dc2ad4dd8523e6faf9c31031857b0f5b47c", Hex(chain1));
        Assert.Equal("611a365ea167ddab241200edf5650e64d0e263a854c9dd07b0f7023784d3fae300f75799ba4a8a3813723dee", Hex(message1));
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task A_message_header_and_ciphertext_match_the_specification(string backend)
    {
        var suite = Backends.Suite(backend);
        var header = new MessageHeader(Room, 2, [.. RosterHash], Sender, 1, "CONFIDENTIAL//REL TO ATL, BOR", new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds());
        var headerBytes = Canonical.Encode(header);
        Assert.Equal(HeaderHex, Convert.ToHexStringLower(headerBytes));
        Assert.Equal(header, Canonical.Decode<MessageHeader>(headerBytes).Value);
        Assert.NotEqual(header, header with { RosterHash = [.. new byte[32]] });

        using var messageKey = SecretKey.Import(Convert.FromHexString("611a365ea167ddab241200edf5650e64d0e263a854c9dd07b0f7023784d3fae300f75799ba4a8a3813723dee"));
        using var aead = (await suite.Backend.ImportAesGcmKeyAsync(messageKey.Memory[..32])).Value;
        var padded = MessagePadding.Pad(System.Text.Encoding.UTF8.GetBytes(Plaintext));
        Assert.Equal(64, padded.Length);
        var ciphertext = new byte[padded.Length + 16];
        await aead.SealAsync(messageKey.Memory[32..], padded, Labels.Bind(Labels.RoomMessage, headerBytes), ciphertext);
        Assert.Equal(CiphertextHex, Convert.ToHexStringLower(ciphertext));

        var opened = new byte[padded.Length];
        Assert.True(await aead.OpenAsync(messageKey.Memory[32..], Convert.FromHexString(CiphertextHex), Labels.Bind(Labels.RoomMessage, headerBytes), opened));
        Assert.Equal(Plaintext, System.Text.Encoding.UTF8.GetString(MessagePadding.Unpad(opened)!));
    }

    [Fact]
    public async Task A_key_package_context_and_sealing_key_match_the_specification()
    {
        var context = KeyPackage.Context(Room, 2, RosterHash, Sender, Recipient);
        Assert.Equal("00112233445566778899aabbccddeeff0000000000000002a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf0f0e0d0c0b0a09080706050403020100a1a2a3a4a5a6a7a8a9aaabacadaeafb0",
            Convert.ToHexStringLower(context));
        using var kemSecret = SecretKey.Import([.. Enumerable.Range(0x40, 32).Select(b => (byte)b)]);
        using var sealingKey = await CryptoSuite.Default.Keys.DeriveAsync(kemSecret, Labels.RoomKeyPackage, context);
        Assert.Equal("4a35d18a05121832e1b5893c979751b0026d22349a75e864f4f7854e226a8c4b", Hex(sealingKey));
    }

    [Theory]
    [InlineData("", "80000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("41", "41800000000000000000000000000000000000000000000000000000000000")]
    public void Padding_adds_0x80_then_zeros_to_the_next_multiple_of_32(string plaintextHex, string paddedPrefixHex)
    {
        var padded = MessagePadding.Pad(Convert.FromHexString(plaintextHex));
        Assert.Equal(32, padded.Length);
        Assert.StartsWith(paddedPrefixHex, Convert.ToHexStringLower(padded));
        Assert.Equal(64, MessagePadding.Pad(new byte[32]).Length);
        Assert.Equal(Convert.FromHexString(plaintextHex), MessagePadding.Unpad(padded));
        Assert.Null(MessagePadding.Unpad(new byte[32]));
        Assert.Null(MessagePadding.Unpad([.. new byte[31], 0x81]));
        // More than one block of padding never comes out of Pad.
        Assert.Null(MessagePadding.Unpad([0x80, .. new byte[63]]));
    }

    private static string Hex(SecretKey key) => Convert.ToHexStringLower(key.Export());
}
