using Parley.Protocol.Crypto;
using Parley.Protocol.Rooms;
using Parley.Protocol.Tests.Robustness;

namespace Parley.Protocol.Tests.Rooms;

public class SafetyNumberTests
{
    private static readonly Guid UserA = new("00112233-4455-6677-8899-aabbccddeeff");
    private static readonly Guid UserB = new("ffeeddcc-bbaa-9988-7766-554433221100");
    private static readonly ICryptoBackend Backend = CryptoSuite.Default.Backend;

    // ML-DSA-87 seed of 32 equal bytes and P-384 scalar 1 or 2: fixed keys for a known answer.
    private static CompositePublicKey FixedKey(byte fill) =>
        CompositePrivateKey.Import([.. Enumerable.Repeat(fill, 32), .. new byte[47], fill]).Value.PublicKey;

    [Fact]
    public async Task The_number_of_two_fixed_keys_is_the_documented_one()
    {
        // Recomputed independently (Python hashlib) from the two public keys and the rule in PROTOCOL.md §12.11.
        var number = await SafetyNumber.ComputeAsync(Backend, UserA, FixedKey(1), UserB, FixedKey(2));

        Assert.Equal("202852669809989161683772188169328987807812539164361960465212", number.Digits);
        Assert.Equal("20285 26698 09989 16168 37721 88169 32898 78078 12539 16436 19604 65212", number.Formatted);
        Assert.Equal("84747061726c65792f7361666574792d6e756d62657201825000112233445566778899aabbccddeeff5820644784e0fda679da63eadc611bb1856d930b2428c46a4a3359c3f6166f69d4198250ffeeddccbbaa998877665544332211005820001a1d60a2098d2d8bfe690bc651db27ddfc2f340c2fadb07487d8958f7cd37f",
            Convert.ToHexStringLower(number.QrPayload()));
    }

    [Fact]
    public async Task Both_users_see_the_same_number_and_payload_whichever_computes_it()
    {
        var a = await CryptoSuite.Default.Signatures.GenerateAsync();
        var b = await CryptoSuite.Default.Signatures.GenerateAsync();
        var ida = Guid.NewGuid();
        var idb = Guid.NewGuid();

        var fromA = await SafetyNumber.ComputeAsync(Backend, ida, a.PublicKey, idb, b.PublicKey);
        var fromB = await SafetyNumber.ComputeAsync(Backend, idb, b.PublicKey, ida, a.PublicKey);
        var again = await SafetyNumber.ComputeAsync(Backend, ida, a.PublicKey, idb, b.PublicKey);

        Assert.Equal(60, fromA.Digits.Length);
        Assert.All(fromA.Digits, c => Assert.InRange(c, '0', '9'));
        Assert.Equal(fromA.Digits, fromB.Digits);
        Assert.Equal(fromA.QrPayload(), fromB.QrPayload());
        Assert.Equal(fromA, again);
        Assert.True(fromB.MatchesQrPayload(fromA.QrPayload()).Value);
    }

    [Fact]
    public async Task The_number_changes_when_either_key_or_user_changes_and_a_scan_says_so()
    {
        var a = await CryptoSuite.Default.Signatures.GenerateAsync();
        var b = await CryptoSuite.Default.Signatures.GenerateAsync();
        var replaced = await CryptoSuite.Default.Signatures.GenerateAsync();
        var verified = await SafetyNumber.ComputeAsync(Backend, UserA, a.PublicKey, UserB, b.PublicKey);

        var bChanged = await SafetyNumber.ComputeAsync(Backend, UserA, a.PublicKey, UserB, replaced.PublicKey);
        var aChanged = await SafetyNumber.ComputeAsync(Backend, UserA, replaced.PublicKey, UserB, b.PublicKey);
        var otherUser = await SafetyNumber.ComputeAsync(Backend, Guid.NewGuid(), a.PublicKey, UserB, b.PublicKey);

        foreach (var changed in new[] { bChanged, aChanged, otherUser })
        {
            Assert.NotEqual(verified.Digits, changed.Digits);
            Assert.False(verified.MatchesQrPayload(changed.QrPayload()).Value);
            Assert.NotEqual(verified, changed);
        }
        // The unchanged user's half stays put: only the changed half moves.
        Assert.True(bChanged.Digits.Contains(verified.Digits[..30], StringComparison.Ordinal) || bChanged.Digits.Contains(verified.Digits[30..], StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_number_between_a_user_and_themselves_is_refused()
    {
        var a = await CryptoSuite.Default.Signatures.GenerateAsync();
        await Assert.ThrowsAsync<ArgumentException>(async () => await SafetyNumber.ComputeAsync(Backend, UserA, a.PublicKey, UserA, a.PublicKey));
    }

    [Fact]
    public async Task Malformed_scans_are_typed_errors()
    {
        var number = await SafetyNumber.ComputeAsync(Backend, UserA, FixedKey(1), UserB, FixedKey(2));
        var valid = number.QrPayload();
        var checkedCount = 0;
        foreach (var input in Mutations.Of(valid, 400, seed: 12))
        {
            var result = number.MatchesQrPayload(input);
            Assert.True(!result.IsOk || !result.Value, $"a mutated payload matched: {Mutations.Show(input)}");
            if (!result.IsOk) Assert.Equal(ProtocolErrorCode.Malformed, result.Error.Code);
            checkedCount++;
        }
        Assert.True(checkedCount > 400);
        Assert.True(number.MatchesQrPayload(valid).Value);
    }
}
