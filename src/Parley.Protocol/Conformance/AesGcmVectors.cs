using Parley.Protocol.Crypto;

namespace Parley.Protocol.Conformance;

/// <summary>
/// aes_gcm_test.json (schema aead_test_schema_v1). PARLEY-PQ1 uses AES-256-GCM with 96-bit nonces and
/// 128-bit tags only: those groups run in full (seal and open). Every other group must be refused by
/// our API with a typed error (key import fails, or opening returns false), whatever the vector's
/// result, since a backend that quietly accepted other sizes would not be the one we specified.
/// </summary>
internal sealed class AesGcmVectors(ICryptoBackend backend) : VectorSuite
{
    private const int TagSize = 16;

    public override string Algorithm => "AES-GCM";

    public override string GroupType => "AeadTest";

    public override string Runner => backend.Name;

    public override ValueTask RunGroupAsync(VectorGroup group, CaseLog log, CancellationToken cancellationToken)
    {
        var keyBits = group.Fields.Int("keySize");
        var ivBits = group.Fields.Int("ivSize");
        var tagBits = group.Fields.Int("tagSize");
        var suiteParameters = keyBits == 256 && ivBits == 96 && tagBits == 128;
        return RunEachAsync(group, log, test => suiteParameters
            ? CheckAsync(test, keyBits, ivBits, tagBits, cancellationToken)
            : CheckRefusedAsync(test, keyBits, ivBits, tagBits, cancellationToken), cancellationToken);
    }

    private async ValueTask<Verdict> CheckAsync(VectorCase test, int keyBits, int ivBits, int tagBits, CancellationToken cancellationToken)
    {
        var (key, iv, aad, message, sealedBytes) = Read(test, keyBits, ivBits, tagBits);
        var imported = await backend.ImportAesGcmKeyAsync(key, cancellationToken).ConfigureAwait(false);
        if (!imported.TryGetValue(out var aead, out var error)) return test.Rejected($"key import: {error}");
        using (aead)
        {
            if (test.Result != ExpectedResult.Invalid)
            {
                // Sealing the message must reproduce ciphertext and tag exactly. Sealing comes first:
                // BouncyCastle refuses to seal under a nonce its key handle has just opened with.
                var resealed = new byte[message.Length + TagSize];
                await aead.SealAsync(iv, message, aad, resealed, cancellationToken).ConfigureAwait(false);
                if (test.Accepted(resealed, sealedBytes, "ciphertext || tag") is { Kind: not VerdictKind.Passed } differs) return differs;
            }
            var opened = new byte[Math.Max(0, sealedBytes.Length - TagSize)];
            if (!await aead.OpenAsync(iv, sealedBytes, aad, opened, cancellationToken).ConfigureAwait(false))
                return test.Rejected("authentication failed");
            return test.Accepted(opened, message, "plaintext");
        }
    }

    private async ValueTask<Verdict> CheckRefusedAsync(VectorCase test, int keyBits, int ivBits, int tagBits, CancellationToken cancellationToken)
    {
        var (key, iv, aad, _, sealedBytes) = Read(test, keyBits, ivBits, tagBits);
        var imported = await backend.ImportAesGcmKeyAsync(key, cancellationToken).ConfigureAwait(false);
        if (!imported.IsOk) return Verdict.Pass;
        using var aead = imported.Value;
        var opened = new byte[Math.Max(0, sealedBytes.Length - TagSize)];
        return await aead.OpenAsync(iv, sealedBytes, aad, opened, cancellationToken).ConfigureAwait(false)
            ? Verdict.Fail($"a {keyBits}-bit key, {ivBits}-bit IV and {tagBits}-bit tag refused (PARLEY-PQ1 uses 256/96/128)", "opened")
            : Verdict.Pass;
    }

    private static (byte[] Key, byte[] Iv, byte[] Aad, byte[] Message, byte[] Sealed) Read(VectorCase test, int keyBits, int ivBits, int tagBits)
    {
        var key = test.Fields.Hex("key");
        var iv = test.Fields.Hex("iv");
        var tag = test.Fields.Hex("tag");
        // The group's sizes describe the vectors; a case that disagrees is malformed. Tags of invalid
        // cases may be cut short on purpose, so only valid cases are held to the tag size.
        if (key.Length * 8 != keyBits || iv.Length * 8 != ivBits || (test.Result == ExpectedResult.Valid && tag.Length * 8 != tagBits))
            throw new MalformedVectorException($"the key, IV or tag size differs from the group's {keyBits}/{ivBits}/{tagBits} bits.");
        var ciphertext = test.Fields.Hex("ct");
        return (key, iv, test.Fields.Hex("aad"), test.Fields.Hex("msg"), [.. ciphertext, .. tag]);
    }
}
