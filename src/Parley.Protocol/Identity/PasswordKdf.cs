using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Parley.Protocol.Crypto;

namespace Parley.Protocol.Identity;

/// <summary>Argon2id parameters of a user's password derivation, stored by the server and handed to
/// clients before sign-in (they are not secret).</summary>
/// <param name="MemoryKiB">Memory cost in KiB.</param>
/// <param name="Iterations">Time cost.</param>
/// <param name="Parallelism">Lanes.</param>
/// <param name="Salt">Random per-user salt (16 bytes).</param>
public sealed record KdfParameters(int MemoryKiB, int Iterations, int Parallelism, byte[] Salt)
{
    /// <summary>Default cost: 64 MiB, 3 passes, 1 lane (about 2 s in a browser, 0.2 s natively).</summary>
    public static KdfParameters CreateDefault() => new(64 * 1024, 3, 1, RandomNumberGenerator.GetBytes(16));

    /// <summary>Rejects parameters too weak to protect a password or too costly for a browser.</summary>
    public ProtocolError? Validate()
    {
        if (Salt is null || Salt.Length != 16) return new ProtocolError(ProtocolErrorCode.InvalidLength, "The KDF salt must be 16 bytes.");
        if (MemoryKiB < 19 * 1024 || MemoryKiB > 1024 * 1024) return new ProtocolError(ProtocolErrorCode.LimitExceeded, "Argon2id memory must be between 19 MiB and 1 GiB.");
        if (Iterations < 2 || Iterations > 10) return new ProtocolError(ProtocolErrorCode.LimitExceeded, "Argon2id iterations must be between 2 and 10.");
        if (Parallelism < 1 || Parallelism > 4) return new ProtocolError(ProtocolErrorCode.LimitExceeded, "Argon2id parallelism must be between 1 and 4.");
        return null;
    }
}

/// <summary>What a password yields on the client: a key that seals the user's private keys and a
/// separate secret that authenticates to the server. The password itself never leaves the client,
/// and the server cannot derive the sealing key from what it receives.</summary>
public sealed class PasswordKeys : IDisposable
{
    /// <summary>Size of the authentication secret.</summary>
    public const int AuthSecretSize = 32;

    private readonly byte[] _authSecret;

    private PasswordKeys(SecretKey masterKey, byte[] authSecret)
    {
        MasterKey = masterKey;
        _authSecret = authSecret;
    }

    /// <summary>Seals the identity private key (kept on the server) and the local device keys.</summary>
    public SecretKey MasterKey { get; }

    /// <summary>Sent to the server at sign-in; the server stores only an Argon2id hash of it.</summary>
    public ReadOnlySpan<byte> AuthSecret => _authSecret;

    /// <summary>
    /// stretched = Argon2id(password (UTF-8 of its Unicode NFC form, so that "é" typed as one or two
    /// code points signs in alike on every client), salt, m, t, p, 32 bytes);
    /// master key = HKDF-SHA-384(stretched, Bind("password-master-key v1", "")),
    /// auth secret = HKDF-SHA-384(stretched, Bind("password-auth v1", "")).
    /// </summary>
    public static async ValueTask<PasswordKeys> DeriveAsync(CryptoSuite suite, string password, KdfParameters parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (parameters.Validate() is { } error) throw new ProtocolException(error);
        using var stretched = SecretKey.Adopt(Argon2id(Encoding.UTF8.GetBytes(password.Normalize(NormalizationForm.FormC)), parameters, 32));
        var master = await suite.Keys.DeriveAsync(stretched, Labels.PasswordMasterKey, ReadOnlyMemory<byte>.Empty, 32, cancellationToken: cancellationToken).ConfigureAwait(false);
        using var auth = await suite.Keys.DeriveAsync(stretched, Labels.PasswordAuth, ReadOnlyMemory<byte>.Empty, AuthSecretSize, cancellationToken: cancellationToken).ConfigureAwait(false);
        return new PasswordKeys(master, auth.Export());
    }

    /// <summary>Argon2id (RFC 9106, version 1.3) through BouncyCastle.</summary>
    public static byte[] Argon2id(byte[] secret, KdfParameters parameters, int length)
    {
        var generator = new Argon2BytesGenerator();
        generator.Init(new Argon2Parameters.Builder(Argon2Parameters.Argon2id)
            .WithVersion(Argon2Parameters.Version13)
            .WithMemoryAsKB(parameters.MemoryKiB)
            .WithIterations(parameters.Iterations)
            .WithParallelism(parameters.Parallelism)
            .WithSalt(parameters.Salt)
            .Build());
        var output = new byte[length];
        try
        {
            generator.GenerateBytes(secret, output);
            return output;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        MasterKey.Dispose();
        CryptographicOperations.ZeroMemory(_authSecret);
    }

    /// <inheritdoc />
    public override string ToString() => "PasswordKeys(private)";
}
