using System.Reflection;
using System.Security.Cryptography;
using Parley.Protocol.Crypto;

namespace Parley.Protocol.Tests.Crypto;

/// <summary>HKDF-SHA-384 key schedule: every use has its own label, and different labels, contexts or
/// salts never give the same key.</summary>
public class KeyScheduleTests
{
    public static TheoryData<string> BackendNames => Backends.Names;

    [Theory]
    [MemberData(nameof(BackendNames))]
    public async Task Derivation_is_HKDF_SHA384_over_the_labelled_info(string backend)
    {
        var ikm = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var salt = "salt"u8.ToArray();
        using var secret = SecretKey.Import(ikm);
        using var derived = await Backends.Suite(backend).Keys.DeriveAsync(secret, "epoch", "room 1"u8.ToArray(), 40, salt);
        // Computed here independently: info = "PARLEY-PQ1 " || label || 0x00 || context.
        var expected = HKDF.DeriveKey(HashAlgorithmName.SHA384, ikm, 40, salt, "PARLEY-PQ1 epoch\0room 1"u8.ToArray());
        Assert.Equal(expected, derived.Export());
    }

    [Fact]
    public async Task Different_labels_give_different_keys()
    {
        using var secret = SecretKey.Generate(32);
        var keys = Backends.Suite("platform").Keys;
        var derived = new List<byte[]>();
        foreach (var label in new[] { "epoch", "message", "sender-chain", "key-wrap v1" })
        {
            using var key = await keys.DeriveAsync(secret, label, "room 1"u8.ToArray());
            derived.Add(key.Export());
        }
        Assert.Equal(derived.Count, derived.Select(Convert.ToHexString).Distinct().Count());
    }

    [Fact]
    public async Task Different_contexts_or_salts_give_different_keys()
    {
        using var secret = SecretKey.Generate(32);
        var keys = Backends.Suite("platform").Keys;
        using var a = await keys.DeriveAsync(secret, "epoch", "room 1"u8.ToArray());
        using var b = await keys.DeriveAsync(secret, "epoch", "room 2"u8.ToArray());
        using var c = await keys.DeriveAsync(secret, "epoch", "room 1"u8.ToArray(), salt: "other"u8.ToArray());
        using var again = await keys.DeriveAsync(secret, "epoch", "room 1"u8.ToArray());
        Assert.False(a.ContentEquals(b));
        Assert.False(a.ContentEquals(c));
        Assert.True(a.ContentEquals(again));
    }

    [Fact]
    public async Task Moving_bytes_between_label_and_context_changes_the_key()
    {
        // The zero byte after the label keeps ("ab", "c") apart from ("a", "bc").
        using var secret = SecretKey.Generate(32);
        var keys = Backends.Suite("platform").Keys;
        using var first = await keys.DeriveAsync(secret, "ab", "c"u8.ToArray());
        using var second = await keys.DeriveAsync(secret, "a", "bc"u8.ToArray());
        Assert.False(first.ContentEquals(second));
        Assert.NotEqual(Labels.Bind("ab", "c"u8), Labels.Bind("a", "bc"u8));
    }

    [Fact]
    public void The_suite_labels_are_distinct()
    {
        var labels = typeof(Labels).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name != nameof(Labels.SuitePrefix))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToArray();
        Assert.True(labels.Length >= 6);
        Assert.Equal(labels.Length, labels.Distinct().Count());
    }

    [Fact]
    public async Task An_empty_label_is_refused()
    {
        using var secret = SecretKey.Generate(32);
        await Assert.ThrowsAsync<ArgumentException>(() => Backends.Suite("platform").Keys.DeriveAsync(secret, "", default).AsTask());
    }
}
