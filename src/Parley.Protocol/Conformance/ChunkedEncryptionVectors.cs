using System.IO.Compression;
using Parley.Protocol.Crypto;
using Parley.Protocol.Streams;

namespace Parley.Protocol.Conformance;

/// <summary>
/// c2sp_chunked_encryption_aes_256_gcm_test.json (Cobblestone-256), applied as C2SP/wycheproof
/// doc/c2sp_chunked_encryption.md describes:
/// <list type="bullet">
/// <item>valid: the sequential decryptor (over a non-seekable input, with large and one-chunk batches)
/// and the random-access decryptor (over a seekable input) both give msgLength bytes with SHA-512
/// msgSha512; re-encrypting with the vector's salt reproduces the ciphertext byte for byte; raw mode
/// (aeadKey, baseNonce, header removed) decrypts and re-encrypts to the same bytes;</item>
/// <item>invalid: HeaderFailure vectors are refused when the header is read; otherwise the sequential
/// decryptor outputs exactly the valid prefix (msgLength and msgSha512 with PartialPlaintext, nothing
/// without), then fails, and keeps failing on later reads; opening for random access (which
/// authenticates the length) fails unless the final chunk is valid (ValidFinalChunk), and then reading
/// the whole message fails; raw mode fails.</item>
/// </list>
/// </summary>
internal sealed class ChunkedEncryptionVectors(ICryptoBackend backend) : VectorSuite
{
    // The vectors are at most a few MiB; this bounds what a hostile file can make us allocate.
    private const int MaxCiphertextSize = 64 * 1024 * 1024;
    private static readonly int[] SequentialBatches = [64, 1];

    public override string Algorithm => "Cobblestone-256";

    public override string GroupType => "ChunkedEncryption";

    public override string Runner => backend.Name;

    public override ValueTask RunGroupAsync(VectorGroup group, CaseLog log, CancellationToken cancellationToken)
    {
        Require(group.Fields, "aead", "AEAD_AES_256_GCM");
        Require(group.Fields, "sha", "SHA-512");
        return RunEachAsync(group, log, test => CheckAsync(test, cancellationToken), cancellationToken);
    }

    private async ValueTask<Verdict> CheckAsync(VectorCase test, CancellationToken cancellationToken)
    {
        var key = test.Fields.Hex("key");
        var context = test.Fields.Hex("ctx");
        var ciphertext = await InflateAsync(test.Fields.Hex("ct"), cancellationToken).ConfigureAwait(false);
        return test.Result switch
        {
            ExpectedResult.Valid => await CheckValidAsync(test, key, context, ciphertext, cancellationToken).ConfigureAwait(false),
            ExpectedResult.Invalid => await CheckInvalidAsync(test, key, context, ciphertext, cancellationToken).ConfigureAwait(false),
            _ => throw new MalformedVectorException("this schema has no \"acceptable\" cases."),
        };
    }

    private async ValueTask<Verdict> CheckValidAsync(VectorCase test, byte[] key, byte[] context, byte[] ciphertext, CancellationToken cancellationToken)
    {
        var length = test.Fields.Long("msgLength");
        var digest = test.Fields.Hex("msgSha512");
        byte[] plaintext = [];
        foreach (var batch in SequentialBatches)
        {
            var sequential = await DecryptSequentiallyAsync(key, context, ciphertext, batch, cancellationToken).ConfigureAwait(false);
            if (sequential.OpenError is { } openError) return test.Rejected($"sequential open: {openError}");
            if (sequential.ReadError is { } readError) return test.Rejected($"sequential read ({batch}-chunk batches): {readError}");
            if (await DescribeMismatchAsync(sequential.Output, length, digest, cancellationToken).ConfigureAwait(false) is { } mismatch)
                return Verdict.Fail($"{length} bytes with the vector's SHA-512 (sequential, {batch}-chunk batches)", mismatch);
            plaintext = sequential.Output;
        }

        if (await CheckRandomAccessAsync(key, context, ciphertext, plaintext, cancellationToken).ConfigureAwait(false) is { } randomAccessFailure)
            return randomAccessFailure;

        var reencrypted = await EncryptWithSaltAsync(key, context, ciphertext.AsMemory(0, Cobblestone256.SaltSize).ToArray(), plaintext, cancellationToken).ConfigureAwait(false);
        if (!reencrypted.AsSpan().SequenceEqual(ciphertext))
            return Verdict.Fail("re-encryption with the vector's salt to reproduce ct", $"{reencrypted.Length} bytes that differ from the {ciphertext.Length}-byte ct");

        if (RawKeys(test) is not { } raw) throw new MalformedVectorException("a valid vector lacks aeadKey and baseNonce.");
        var body = ciphertext.AsMemory(Cobblestone256.HeaderSize);
        var rawPlaintext = await RawDecryptAsync(raw.Key, raw.BaseNonce, body, cancellationToken).ConfigureAwait(false);
        if (!rawPlaintext.TryGetValue(out var rawOutput, out var rawError)) return test.Rejected($"raw mode: {rawError}");
        if (!rawOutput.AsSpan().SequenceEqual(plaintext)) return Verdict.Fail("raw mode to give the same plaintext", "a different plaintext");
        var rawCiphertext = await RawEncryptAsync(raw.Key, raw.BaseNonce, plaintext, cancellationToken).ConfigureAwait(false);
        if (!body.Span.SequenceEqual(rawCiphertext)) return Verdict.Fail("raw-mode encryption to reproduce ct without its header", "different bytes");
        return Verdict.Pass;
    }

    private async ValueTask<Verdict> CheckInvalidAsync(VectorCase test, byte[] key, byte[] context, byte[] ciphertext, CancellationToken cancellationToken)
    {
        if (test.HasFlag("HeaderFailure"))
        {
            var sequential = await DecryptSequentiallyAsync(key, context, ciphertext, SequentialBatches[0], cancellationToken).ConfigureAwait(false);
            if (sequential.OpenError is null) return Verdict.Fail("rejection while reading the header", $"header accepted ({sequential.Output.Length} bytes decrypted)");
            var seekable = await OpenSeekableAsync(key, context, ciphertext, cancellationToken).ConfigureAwait(false);
            if (seekable.IsOk)
            {
                await seekable.Value.DisposeAsync().ConfigureAwait(false);
                return Verdict.Fail("rejection while reading the header (seekable input)", "header accepted");
            }
            return Verdict.Pass;
        }

        var partial = test.HasFlag("PartialPlaintext");
        var prefixLength = partial ? test.Fields.Long("msgLength") : 0;
        var prefixDigest = partial ? test.Fields.Hex("msgSha512") : await backend.HashAsync(HashName.Sha512, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        foreach (var batch in SequentialBatches)
        {
            var sequential = await DecryptSequentiallyAsync(key, context, ciphertext, batch, cancellationToken).ConfigureAwait(false);
            if (sequential.OpenError is null && sequential.ReadError is null)
                return Verdict.Fail("decryption to fail", $"decrypted {sequential.Output.Length} bytes without error ({batch}-chunk batches)");
            if (!sequential.ErrorRepeats)
                return Verdict.Fail("the error to repeat on every later read", $"a later read did not fail ({batch}-chunk batches)");
            if (await DescribeMismatchAsync(sequential.Output, prefixLength, prefixDigest, cancellationToken).ConfigureAwait(false) is { } mismatch)
                return Verdict.Fail($"exactly the {prefixLength}-byte valid prefix before the error ({batch}-chunk batches)", mismatch);
        }

        var opened = await OpenSeekableAsync(key, context, ciphertext, cancellationToken).ConfigureAwait(false);
        if (opened.TryGetValue(out var reader, out _))
        {
            await using (reader.ConfigureAwait(false))
            {
                if (!test.HasFlag("ValidFinalChunk"))
                    return Verdict.Fail("length authentication (the final chunk) to fail when opening for random access", "opened");
                var whole = await ReadToEndAsync(reader, cancellationToken).ConfigureAwait(false);
                if (whole.Error is null) return Verdict.Fail("reading the whole message by random access to fail", $"read {whole.Output.Length} bytes");
            }
        }

        if (RawKeys(test) is { } raw)
        {
            var rawPlaintext = await RawDecryptAsync(raw.Key, raw.BaseNonce, ciphertext.AsMemory(Math.Min(ciphertext.Length, Cobblestone256.HeaderSize)), cancellationToken).ConfigureAwait(false);
            if (rawPlaintext.IsOk) return Verdict.Fail("raw-mode decryption to fail", $"decrypted {rawPlaintext.Value.Length} bytes");
        }
        return Verdict.Pass;
    }

    private sealed record Decryption(ProtocolError? OpenError, byte[] Output, ProtocolError? ReadError, bool ErrorRepeats);

    private async ValueTask<Decryption> DecryptSequentiallyAsync(byte[] key, byte[] context, byte[] ciphertext, int batchChunks, CancellationToken cancellationToken)
    {
        var opened = await ChunkedDecryptingStream.OpenAsync(backend, key, context, new ForwardOnlyStream(ciphertext), batchChunks, leaveOpen: false, cancellationToken).ConfigureAwait(false);
        if (!opened.TryGetValue(out var reader, out var error)) return new Decryption(error, [], null, ErrorRepeats: true);
        await using (reader.ConfigureAwait(false))
        {
            var (output, readError) = await ReadToEndAsync(reader, cancellationToken).ConfigureAwait(false);
            var repeats = readError is null
                || (await FailsAgainAsync(reader, cancellationToken).ConfigureAwait(false) && await FailsAgainAsync(reader, cancellationToken).ConfigureAwait(false));
            return new Decryption(null, output, readError, repeats);
        }
    }

    private ValueTask<Result<ChunkedDecryptingStream>> OpenSeekableAsync(byte[] key, byte[] context, byte[] ciphertext, CancellationToken cancellationToken) =>
        ChunkedDecryptingStream.OpenAsync(backend, key, context, new MemoryStream(ciphertext, writable: false), 64, leaveOpen: false, cancellationToken);

    // Reads in an odd-sized buffer so reads straddle chunk and batch boundaries.
    private static async ValueTask<(byte[] Output, ProtocolError? Error)> ReadToEndAsync(Stream reader, CancellationToken cancellationToken)
    {
        using var output = new MemoryStream();
        var buffer = new byte[7001];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                output.Write(buffer, 0, read);
            return (output.ToArray(), null);
        }
        catch (ProtocolException e)
        {
            return (output.ToArray(), e.Error);
        }
    }

    private static async ValueTask<bool> FailsAgainAsync(Stream reader, CancellationToken cancellationToken)
    {
        try
        {
            await reader.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false);
            return false;
        }
        catch (ProtocolException)
        {
            return true;
        }
    }

    private async ValueTask<Verdict?> CheckRandomAccessAsync(byte[] key, byte[] context, byte[] ciphertext, byte[] plaintext, CancellationToken cancellationToken)
    {
        var opened = await OpenSeekableAsync(key, context, ciphertext, cancellationToken).ConfigureAwait(false);
        if (!opened.TryGetValue(out var reader, out var error)) return Verdict.Fail("random-access open (length authentication) to succeed", error.ToString());
        await using (reader.ConfigureAwait(false))
        {
            if (reader.Length != plaintext.Length) return Verdict.Fail($"authenticated length {plaintext.Length}", reader.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var whole = await ReadToEndAsync(reader, cancellationToken).ConfigureAwait(false);
            if (whole.Error is not null || !whole.Output.AsSpan().SequenceEqual(plaintext))
                return Verdict.Fail("random access to read the whole plaintext", whole.Error?.ToString() ?? "different bytes");
            // Reads that start at and around chunk boundaries, in the middle, and relative to the end.
            long[] offsets = [0, 1, Cobblestone256.ChunkSize - 1, Cobblestone256.ChunkSize, Cobblestone256.ChunkSize + 1, plaintext.Length / 2, plaintext.Length - 1];
            foreach (var offset in offsets.Where(o => o >= 0 && o < plaintext.Length))
            {
                reader.Seek(offset, SeekOrigin.Begin);
                if (await ReadWindowAsync(reader, plaintext, offset, cancellationToken).ConfigureAwait(false) is { } bad) return bad;
            }
            var tail = Math.Min(100, plaintext.Length);
            reader.Seek(-tail, SeekOrigin.End);
            return await ReadWindowAsync(reader, plaintext, plaintext.Length - tail, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async ValueTask<Verdict?> ReadWindowAsync(Stream reader, byte[] plaintext, long offset, CancellationToken cancellationToken)
    {
        var window = new byte[(int)Math.Min(100, plaintext.Length - offset)];
        var filled = 0;
        int read;
        while (filled < window.Length && (read = await reader.ReadAsync(window.AsMemory(filled), cancellationToken).ConfigureAwait(false)) > 0)
            filled += read;
        return filled == window.Length && window.AsSpan().SequenceEqual(plaintext.AsSpan((int)offset, window.Length))
            ? null
            : Verdict.Fail($"random access at offset {offset} to read the plaintext there", "different bytes");
    }

    private async ValueTask<byte[]> EncryptWithSaltAsync(byte[] key, byte[] context, byte[] salt, byte[] plaintext, CancellationToken cancellationToken)
    {
        using var output = new MemoryStream();
        var writer = await ChunkedEncryptingStream.CreateAsync(backend, key, context, output, salt, 64, leaveOpen: true, cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            await writer.WriteAsync(plaintext, cancellationToken).ConfigureAwait(false);
            await writer.FinishAsync(cancellationToken).ConfigureAwait(false);
        }
        return output.ToArray();
    }

    private static (byte[] Key, byte[] BaseNonce)? RawKeys(VectorCase test)
    {
        if (test.Fields.OptionalHex("aeadKey") is not { } aeadKey) return null;
        var baseNonce = test.Fields.Hex("baseNonce");
        if (aeadKey.Length != Cobblestone256.KeySize || baseNonce.Length != Cobblestone256.NonceSize)
            throw new MalformedVectorException("aeadKey or baseNonce has the wrong size.");
        return (aeadKey, baseNonce);
    }

    // Raw mode: the chunk sequence alone, under the derived AEAD key and base nonce.
    private async ValueTask<Result<byte[]>> RawDecryptAsync(byte[] aeadKey, byte[] baseNonce, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var length = Cobblestone256.PlaintextLength(Cobblestone256.HeaderSize + (long)body.Length);
        if (!length.TryGetValue(out var plaintextLength, out var error)) return error;
        var segments = (int)(plaintextLength / Cobblestone256.ChunkSize + 1);
        var imported = await backend.ImportAesGcmKeyAsync(aeadKey, cancellationToken).ConfigureAwait(false);
        if (!imported.TryGetValue(out var aead, out error)) return error;
        using (aead)
        {
            var plaintext = new byte[plaintextLength];
            var opened = await aead.OpenSegmentsAsync(baseNonce, 0, Cobblestone256.ChunkSize, segments, body, plaintext, cancellationToken).ConfigureAwait(false);
            return opened == segments
                ? plaintext
                : Result<byte[]>.Fail(ProtocolErrorCode.AuthenticationFailed, $"Chunk {opened} failed to authenticate.");
        }
    }

    private async ValueTask<byte[]> RawEncryptAsync(byte[] aeadKey, byte[] baseNonce, byte[] plaintext, CancellationToken cancellationToken)
    {
        var segments = plaintext.Length / Cobblestone256.ChunkSize + 1;
        using var aead = (await backend.ImportAesGcmKeyAsync(aeadKey, cancellationToken).ConfigureAwait(false)).Value;
        var output = new byte[plaintext.Length + segments * Cobblestone256.TagSize];
        await aead.SealSegmentsAsync(baseNonce, 0, Cobblestone256.ChunkSize, segments, plaintext, output, cancellationToken).ConfigureAwait(false);
        return output;
    }

    private async ValueTask<string?> DescribeMismatchAsync(byte[] output, long expectedLength, byte[] expectedDigest, CancellationToken cancellationToken)
    {
        if (output.Length != expectedLength) return $"{output.Length} bytes";
        var digest = await backend.HashAsync(HashName.Sha512, output, cancellationToken).ConfigureAwait(false);
        return digest.AsSpan().SequenceEqual(expectedDigest) ? null : $"{output.Length} bytes with SHA-512 {Convert.ToHexStringLower(digest)}";
    }

    private static async ValueTask<byte[]> InflateAsync(byte[] compressed, CancellationToken cancellationToken)
    {
        try
        {
            await using var zlib = new ZLibStream(new MemoryStream(compressed, writable: false), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await zlib.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (output.Length + read > MaxCiphertextSize) throw new MalformedVectorException($"ct inflates to more than {MaxCiphertextSize} bytes.");
                output.Write(buffer, 0, read);
            }
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new MalformedVectorException($"ct is not zlib data: {e.Message}");
        }
    }

    /// <summary>An in-memory input that cannot seek, so decryption takes the sequential path.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : MemoryStream(data, writable: false)
    {
        public override bool CanSeek => false;
    }
}
