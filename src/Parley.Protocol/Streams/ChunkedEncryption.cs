using System.Buffers;
using Parley.Protocol.Crypto;

namespace Parley.Protocol.Streams;

/// <summary>Whole-stream encryption and decryption with Cobblestone-256, in constant memory.</summary>
public sealed class ChunkedEncryption(ICryptoBackend backend)
{
    private const int CopyBufferSize = 1024 * 1024;

    /// <summary>Encrypts all of <paramref name="plaintext"/> into <paramref name="ciphertext"/>.
    /// Reports plaintext bytes consumed to <paramref name="progress"/>. Returns ciphertext bytes written.</summary>
    public async Task<long> EncryptAsync(SecretKey key, ReadOnlyMemory<byte> context, Stream plaintext, Stream ciphertext, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        var encryptor = await ChunkedEncryptingStream.CreateAsync(backend, key, context, ciphertext, leaveOpen: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (encryptor.ConfigureAwait(false))
        {
            await CopyAsync(plaintext, encryptor, progress, cancellationToken).ConfigureAwait(false);
            await encryptor.FinishAsync(cancellationToken).ConfigureAwait(false);
            return encryptor.CiphertextWritten;
        }
    }

    /// <summary>Decrypts all of <paramref name="ciphertext"/> into <paramref name="plaintext"/>. Plaintext is
    /// written only after it authenticates, but an error can come after some of it was written: on
    /// error, discard the output. Reports plaintext bytes written to <paramref name="progress"/>.</summary>
    public async Task<Result<long>> DecryptAsync(SecretKey key, ReadOnlyMemory<byte> context, Stream ciphertext, Stream plaintext, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        var opened = await ChunkedDecryptingStream.OpenAsync(backend, key, context, ciphertext, leaveOpen: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!opened.TryGetValue(out var decryptor, out var error)) return error;
        await using (decryptor.ConfigureAwait(false))
        {
            try
            {
                return await CopyAsync(decryptor, plaintext, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (ProtocolException e)
            {
                return e.Error;
            }
        }
    }

    private static async Task<long> CopyAsync(Stream source, Stream destination, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                total += read;
                progress?.Report(total);
            }
            return total;
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(buffer.AsSpan(0, CopyBufferSize));
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
