using Parley.Protocol;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;

namespace Parley.Client.Keys;

/// <summary>
/// A user's composite identity private key, opened with the password-derived master key. It signs
/// device certificates, revocations, and (for officers) delegation roots and clearance certificates.
/// Sealed form: <c>SealedBox(master key, identity private key, Bind("identity-key v1", user id))</c>,
/// the user id as 16 big-endian bytes, so a sealed key moved to another account does not open.
/// </summary>
public sealed class UnlockedIdentity : IDisposable
{
    private UnlockedIdentity(Guid userId, CompositePrivateKey key, SecretKey masterKey)
    {
        UserId = userId;
        Key = key;
        MasterKey = masterKey;
    }

    /// <summary>Whose key it is.</summary>
    public Guid UserId { get; }

    /// <summary>The composite identity private key.</summary>
    public CompositePrivateKey Key { get; }

    /// <summary>The key that seals this user's private keys (identity and local device keys).</summary>
    public SecretKey MasterKey { get; }

    /// <summary>The public half.</summary>
    public CompositePublicKey PublicKey => Key.PublicKey;

    /// <summary>Generates a new identity key for <paramref name="userId"/>; takes a copy of the master key.</summary>
    public static async Task<UnlockedIdentity> GenerateAsync(CryptoSuite suite, Guid userId, SecretKey masterKey, CancellationToken cancellationToken)
    {
        var key = await suite.Signatures.GenerateAsync(cancellationToken).ConfigureAwait(false);
        return new UnlockedIdentity(userId, key, CopyOf(masterKey));
    }

    /// <summary>
    /// Opens a sealed identity key and checks that it is the key whose public half the caller
    /// expects, so a server that swaps the sealed key for another cannot make the client sign with it.
    /// </summary>
    public static async Task<Result<UnlockedIdentity>> UnsealAsync(CryptoSuite suite, Guid userId, SecretKey masterKey, byte[] sealedKey, byte[] expectedPublicKey, CancellationToken cancellationToken)
    {
        var opened = await suite.Boxes.OpenAsync(masterKey, sealedKey, Context(userId), cancellationToken).ConfigureAwait(false);
        if (!opened.TryGetValue(out var bytes, out _))
            return Result<UnlockedIdentity>.Fail(ProtocolErrorCode.AuthenticationFailed, "The identity key does not open with this password.");
        try
        {
            var imported = CompositePrivateKey.Import(bytes);
            if (!imported.TryGetValue(out var key, out var error)) return error;
            if (!key.PublicKey.Encode().AsSpan().SequenceEqual(expectedPublicKey))
            {
                key.Dispose();
                return Result<UnlockedIdentity>.Fail(ProtocolErrorCode.Untrusted, "The sealed identity key does not match the account's identity public key.");
            }
            return new UnlockedIdentity(userId, key, CopyOf(masterKey));
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>The identity key sealed under the master key, as the server keeps it.</summary>
    public async Task<byte[]> SealAsync(CryptoSuite suite, CancellationToken cancellationToken)
    {
        var exported = Key.Export();
        try
        {
            return await suite.Boxes.SealAsync(MasterKey, exported, Context(UserId), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(exported);
        }
    }

    /// <summary>Signs <paramref name="body"/> with the identity key.</summary>
    public Task<Signed<T>> SignAsync<T>(CryptoSuite suite, T body, CancellationToken cancellationToken) where T : ISignedBody<T> =>
        Signed<T>.SignAsync(suite, Key, body, cancellationToken).AsTask();

    private static byte[] Context(Guid userId) => Labels.Bind(Labels.IdentityKey, userId.ToByteArray(bigEndian: true));

    private static SecretKey CopyOf(SecretKey key)
    {
        var bytes = key.Export();
        try
        {
            return SecretKey.Import(bytes);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Key.Dispose();
        MasterKey.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"UnlockedIdentity({UserId}, private)";
}
