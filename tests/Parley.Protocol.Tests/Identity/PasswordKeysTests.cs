using Parley.Protocol.Crypto;
using System.Text;
using Parley.Protocol.Identity;

namespace Parley.Protocol.Tests.Identity;

public class PasswordKeysTests
{
    private static readonly KdfParameters Fast = new(19 * 1024, 2, 1, Encoding.ASCII.GetBytes("0123456789abcdef"));

    [Fact]
    public void Argon2id_matches_the_reference_implementation()
    {
        // Reference: echo -n "correct horse" | argon2 0123456789abcdef -id -t 3 -m 16 -p 1 -l 32 -r  (Debian's argon2 20190702)
        var parameters = new KdfParameters(64 * 1024, 3, 1, Encoding.ASCII.GetBytes("0123456789abcdef"));
        var output = PasswordKeys.Argon2id(Encoding.UTF8.GetBytes("correct horse"), parameters, 32);
        Assert.Equal("92599c67f23f1d9dce9b6f0cfb5a9b18ce110336de00799947472465edd9e49a", Convert.ToHexStringLower(output));
    }

    [Fact]
    public async Task The_same_password_and_parameters_give_the_same_keys_and_the_two_keys_differ()
    {
        using var first = await PasswordKeys.DeriveAsync(CryptoSuite.Default, "correct horse", Fast);
        using var second = await PasswordKeys.DeriveAsync(CryptoSuite.Default, "correct horse", Fast);
        Assert.True(first.MasterKey.ContentEquals(second.MasterKey));
        Assert.True(first.AuthSecret.SequenceEqual(second.AuthSecret));
        Assert.False(first.AuthSecret.SequenceEqual(first.MasterKey.Export()));
    }

    [Fact]
    public async Task Another_password_or_salt_gives_other_keys()
    {
        using var baseline = await PasswordKeys.DeriveAsync(CryptoSuite.Default, "correct horse", Fast);
        using var otherPassword = await PasswordKeys.DeriveAsync(CryptoSuite.Default, "correct horsf", Fast);
        using var otherSalt = await PasswordKeys.DeriveAsync(CryptoSuite.Default, "correct horse", Fast with { Salt = Encoding.ASCII.GetBytes("0123456789abcdeg") });
        Assert.False(baseline.AuthSecret.SequenceEqual(otherPassword.AuthSecret));
        Assert.False(baseline.AuthSecret.SequenceEqual(otherSalt.AuthSecret));
    }

    [Fact]
    public async Task Unicode_passwords_are_normalised_so_either_composition_signs_in()
    {
        using var composed = await PasswordKeys.DeriveAsync(CryptoSuite.Default, "caf\u00e9", Fast);
        using var decomposed = await PasswordKeys.DeriveAsync(CryptoSuite.Default, "cafe\u0301", Fast);
        Assert.True(composed.AuthSecret.SequenceEqual(decomposed.AuthSecret));
    }

    [Theory]
    [InlineData(8 * 1024, 3, 1, 16)]
    [InlineData(64 * 1024, 1, 1, 16)]
    [InlineData(64 * 1024, 3, 0, 16)]
    [InlineData(64 * 1024, 3, 1, 8)]
    public async Task Weak_or_malformed_parameters_are_refused(int memory, int iterations, int parallelism, int saltLength)
    {
        var parameters = new KdfParameters(memory, iterations, parallelism, new byte[saltLength]);
        Assert.NotNull(parameters.Validate());
        await Assert.ThrowsAsync<ProtocolException>(async () => await PasswordKeys.DeriveAsync(CryptoSuite.Default, "pw", parameters));
    }

    [Fact]
    public async Task Keys_do_not_show_in_ToString()
    {
        using var keys = await PasswordKeys.DeriveAsync(CryptoSuite.Default, "correct horse", Fast);
        Assert.Equal("PasswordKeys(private)", keys.ToString());
        Assert.Equal("SecretKey(32 bytes)", keys.MasterKey.ToString());
    }
}
