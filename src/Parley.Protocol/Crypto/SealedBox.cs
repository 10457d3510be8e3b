using System.Security.Cryptography;

namespace Parley.Protocol.Crypto;

/// <summary>
/// AES-256-GCM of small payloads with a random 96-bit nonce:
/// <c>0x01 || nonce (12) || ciphertext || tag (16)</c>, the associated data being
/// "PARLEY-PQ1 sealed-box v1" || 0x00 || caller's associated data. Wrapped keys use the same format with
/// "PARLEY-PQ1 key-wrap v1" || 0x00 || context instead.
/// </summary>
public sealed class SealedBox(ICryptoBackend backend)
{
    /// <summary>Format version byte.</summary>
    public const byte Version = 0x01;
    /// <summary>Bytes added to the plaintext.</summary>
    public const int Overhead = 1 + 12 + 16;
    /// <summary>Largest payload: random nonces stay far from collision bounds and payloads stay small;
    /// bulk data goes through chunked encryption.</summary>
    public const int MaxPlaintextSize = 16 * 1024 * 1024;

    /// <summary>Encrypts <paramref name="plaintext"/> under <paramref name="key"/> (32 bytes).</summary>
    public ValueTask<byte[]> SealAsync(SecretKey key, ReadOnlyMemory<byte> plaintext, ReadOnlyMemory<byte> associatedData = default, CancellationToken cancellationToken = default) =>
        SealCoreAsync(key, plaintext, Labels.Bind(Labels.SealedBox, associatedData.Span), cancellationToken);

    /// <summary>Decrypts a sealed box; a typed error if it is malformed or does not authenticate.</summary>
    public ValueTask<Result<byte[]>> OpenAsync(SecretKey key, ReadOnlyMemory<byte> box, ReadOnlyMemory<byte> associatedData = default, CancellationToken cancellationToken = default) =>
        OpenCoreAsync(key, box, Labels.Bind(Labels.SealedBox, associatedData.Span), cancellationToken);

    private async ValueTask<byte[]> SealCoreAsync(SecretKey key, ReadOnlyMemory<byte> plaintext, byte[] associatedData, CancellationToken cancellationToken)
    {
        if (plaintext.Length > MaxPlaintextSize) throw new ArgumentException("Payload too large for a sealed box; use chunked encryption.", nameof(plaintext));
        using var aead = (await backend.ImportAesGcmKeyAsync(key.Memory, cancellationToken).ConfigureAwait(false)).Value;
        var output = new byte[Overhead + plaintext.Length];
        output[0] = Version;
        RandomNumberGenerator.Fill(output.AsSpan(1, 12));
        await aead.SealAsync(output.AsMemory(1, 12), plaintext, associatedData, output.AsMemory(13), cancellationToken).ConfigureAwait(false);
        return output;
    }

    private async ValueTask<Result<byte[]>> OpenCoreAsync(SecretKey key, ReadOnlyMemory<byte> box, byte[] associatedData, CancellationToken cancellationToken)
    {
        if (box.Length < Overhead) return Result<byte[]>.Fail(ProtocolErrorCode.Truncated, "The sealed box is too short.");
        if (box.Span[0] != Version) return Result<byte[]>.Fail(ProtocolErrorCode.Unsupported, $"Sealed box version {box.Span[0]} is not supported.");
        var imported = await backend.ImportAesGcmKeyAsync(key.Memory, cancellationToken).ConfigureAwait(false);
        if (!imported.TryGetValue(out var aead, out var error)) return error;
        using (aead)
        {
            var plaintext = new byte[box.Length - Overhead];
            if (!await aead.OpenAsync(box[1..13], box[13..], associatedData, plaintext, cancellationToken).ConfigureAwait(false))
                return Result<byte[]>.Fail(ProtocolErrorCode.AuthenticationFailed, "The sealed box could not be decrypted: wrong key, wrong context, or modified data.");
            return plaintext;
        }
    }

    /// <summary>Wraps <paramref name="key"/> under <paramref name="wrappingKey"/>, bound to <paramref name="context"/>.</summary>
    public async ValueTask<byte[]> WrapKeyAsync(SecretKey wrappingKey, SecretKey key, ReadOnlyMemory<byte> context, CancellationToken cancellationToken = default) =>
        await SealCoreAsync(wrappingKey, key.Memory, Labels.Bind(Labels.KeyWrap, context.Span), cancellationToken).ConfigureAwait(false);

    /// <summary>Unwraps a key wrapped by <see cref="WrapKeyAsync"/> with the same context.</summary>
    public async ValueTask<Result<SecretKey>> UnwrapKeyAsync(SecretKey wrappingKey, ReadOnlyMemory<byte> wrapped, ReadOnlyMemory<byte> context, CancellationToken cancellationToken = default)
    {
        var opened = await OpenCoreAsync(wrappingKey, wrapped, Labels.Bind(Labels.KeyWrap, context.Span), cancellationToken).ConfigureAwait(false);
        if (!opened.TryGetValue(out var bytes, out var error)) return error;
        if (bytes.Length == 0) return Result<SecretKey>.Fail(ProtocolErrorCode.InvalidKey, "The wrapped key is empty.");
        return SecretKey.Adopt(bytes);
    }
}
