using System.Diagnostics;
using System.Security.Cryptography;
using Parley.Protocol.Crypto;
using Parley.Protocol.Streams;

namespace Parley.Protocol.SelfTest;

/// <summary>One check of the self-test.</summary>
/// <param name="Name">What was checked.</param>
/// <param name="Passed">Whether it passed.</param>
/// <param name="Milliseconds">How long it took.</param>
/// <param name="Detail">Figures (throughput) on success, the failure otherwise.</param>
public sealed record SelfTestCheck(string Name, bool Passed, double Milliseconds, string Detail);

/// <summary>The outcome of a self-test run.</summary>
/// <param name="Suite">The crypto suite identifier.</param>
/// <param name="Backend">The backend that ran it.</param>
/// <param name="Passed">True when every check passed.</param>
/// <param name="Checks">Every check, in order.</param>
/// <param name="TotalMilliseconds">Wall time of the whole run.</param>
public sealed record SelfTestReport(string Suite, string Backend, bool Passed, IReadOnlyList<SelfTestCheck> Checks, double TotalMilliseconds)
{
    /// <summary>"PASS ..." or "FAIL: first failing check: reason".</summary>
    public string Summary
    {
        get
        {
            var failed = Checks.FirstOrDefault(c => !c.Passed);
            return failed is null
                ? $"PASS {Checks.Count} checks on {Backend} in {TotalMilliseconds:F0} ms"
                : $"FAIL {failed.Name}: {failed.Detail}";
        }
    }
}

/// <summary>
/// Power-up self-test of PARLEY-PQ1, run by <c>parley selftest</c> natively and by the web
/// client's <c>/selftest</c> page in the browser: known-answer tests of every primitive (from
/// RFC 8032 and Wycheproof), round trips of the composite constructions with negative checks,
/// and a timed streaming round trip.
/// </summary>
public sealed class SelfTestSuite(CryptoSuite suite)
{
    private sealed class CheckFailed(string message) : Exception(message);

    /// <summary>Runs every check; never throws for a failing check, it reports it.</summary>
    /// <param name="streamBytes">Size of the timed streaming round trip.</param>
    /// <param name="progress">Receives each check as it completes.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    public async Task<SelfTestReport> RunAsync(int streamBytes = 8 * 1024 * 1024, IProgress<SelfTestCheck>? progress = null, CancellationToken cancellationToken = default)
    {
        var checks = new List<SelfTestCheck>();
        var total = Stopwatch.StartNew();
        foreach (var (name, run) in Checks(streamBytes))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            SelfTestCheck check;
            try
            {
                var detail = await run(cancellationToken).ConfigureAwait(false);
                check = new SelfTestCheck(name, true, clock.Elapsed.TotalMilliseconds, detail);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                check = new SelfTestCheck(name, false, clock.Elapsed.TotalMilliseconds, e is CheckFailed ? e.Message : $"{e.GetType().Name}: {e.Message}");
            }
            checks.Add(check);
            progress?.Report(check);
        }
        return new SelfTestReport(CryptoSuite.Id, suite.Backend.Name, checks.All(c => c.Passed), checks, total.Elapsed.TotalMilliseconds);
    }

    private IEnumerable<(string, Func<CancellationToken, Task<string>>)> Checks(int streamBytes)
    {
        yield return ("AES-256-GCM known answer", AesGcmKnownAnswerAsync);
        yield return ("HKDF-SHA-384 known answer", HkdfKnownAnswerAsync);
        yield return ("P-384 ECDH known answer", EcdhKnownAnswerAsync);
        yield return ("ECDSA P-384 known answer and round trip", EcdsaAsync);
        yield return ("Ed25519 known answer (RFC 8032)", _ => Task.FromResult(Ed25519KnownAnswer()));
        yield return ("ML-KEM-1024 known answer", _ => Task.FromResult(MlKemKnownAnswer()));
        yield return ("ML-DSA-87 known answer", _ => Task.FromResult(MlDsaKnownAnswer()));
        yield return ("Hybrid KEM round trip", HybridKemAsync);
        yield return ("Composite signature round trip", CompositeSignatureAsync);
        yield return ("Sealed box and key wrap round trip", SealedBoxAsync);
        yield return ("Chunked encryption known answer (C2SP)", ChunkedKnownAnswerAsync);
        yield return ($"Chunked encryption round trip ({streamBytes / (1024.0 * 1024):F0} MiB)", ct => ChunkedRoundTripAsync(streamBytes, ct));
    }

    private async Task<string> AesGcmKnownAnswerAsync(CancellationToken ct)
    {
        // Wycheproof aes_gcm_test.json tcId 91.
        var key = Hex("92ace3e348cd821092cd921aa3546374299ab46209691bc28b8752d17f123c20");
        var nonce = Hex("00112233445566778899aabb");
        var aad = Hex("00000000ffffffff");
        var message = Hex("00010203040506070809");
        var expected = Hex("e27abdd2d2a53d2f136b" + "9a4a2579529301bcfb71c78d4060f52c");
        using var aes = (await suite.Backend.ImportAesGcmKeyAsync(key, ct)).Value;
        var output = new byte[message.Length + 16];
        await aes.SealAsync(nonce, message, aad, output, ct);
        Expect(output.AsSpan().SequenceEqual(expected), "ciphertext differs from the known answer");
        var opened = new byte[message.Length];
        Expect(await aes.OpenAsync(nonce, expected, aad, opened, ct) && opened.AsSpan().SequenceEqual(message), "known ciphertext does not decrypt");
        expected[^1] ^= 1;
        Expect(!await aes.OpenAsync(nonce, expected, aad, opened, ct), "a modified tag was accepted");
        return "seal, open, modified tag refused";
    }

    private async Task<string> HkdfKnownAnswerAsync(CancellationToken ct)
    {
        // Wycheproof hkdf_sha384_test.json tcId 10.
        var okm = await suite.Backend.HkdfAsync(HashName.Sha384, Hex("c360e16084cfd13cb44b0dc02d8665de"), Hex("685ac7df93701d6c78babd847861bb3c"), Hex("e0ddfaaaa7afb53f59a007a205c7149b5b5a72be"), 20, ct);
        Expect(okm.IsOk && okm.Value.AsSpan().SequenceEqual(Hex("00aa140387a3d43aae915c35b306533179019bab")), "output differs from the known answer");
        Expect(!(await suite.Backend.HkdfAsync(HashName.Sha384, new byte[16], default, default, 255 * 48 + 1, ct)).IsOk, "an oversized output was allowed");
        return "extract and expand";
    }

    private async Task<string> EcdhKnownAnswerAsync(CancellationToken ct)
    {
        // Wycheproof ecdh_secp384r1_webcrypto_test.json tcId 1.
        using var own = new P384KeyPair(
            Hex("766e61425b2da9f846c09fc3564b93a6f8603b7392c785165bf20da948c49fd1fb1dee4edd64356b9f21c588b75dfd81"),
            Hex("047a6ec8d311d5ca588baed41be3e98f30c9294844ecbb629995653635dbc22da2f083f29711e0f9c5963bc021bd8cb2109daf56a55f883a7200cea9c4de44488e6dc49fb9c394f51cb5a49fc69d7e8a034792963ae4eabc63483a2cf1a899e8c8"));
        var peer = Hex("04790a6e059ef9a5940163183d4a7809135d29791643fc43a2f17ee8bf677ab84f791b64a6be15969ffa012dd9185d8796d9b954baa8a75e82df711b3b56eadff6b0f668c3b26b4b1aeb308a1fcc1c680d329a6705025f1c98a0b5e5bfcb163caa");
        var shared = await suite.Backend.P384AgreeAsync(own, peer, ct);
        Expect(shared.IsOk && shared.Value.AsSpan().SequenceEqual(Hex("6461defb95d996b24296f5a1832b34db05ed031114fbe7d98d098f93859866e4de1e229da71fef0c77fe49b249190135")), "shared secret differs from the known answer");
        peer[^1] ^= 1;
        Expect(!(await suite.Backend.P384AgreeAsync(own, peer, ct)).IsOk, "a point off the curve was accepted");
        return "agreement, off-curve point refused";
    }

    private async Task<string> EcdsaAsync(CancellationToken ct)
    {
        // Wycheproof ecdsa_secp384r1_sha384_p1363_test.json tcId 1.
        var publicKey = Hex("042da57dda1089276a543f9ffdac0bff0d976cad71eb7280e7d9bfd9fee4bdb2f20f47ff888274389772d98cc5752138aa4b6d054d69dcf3e25ec49df870715e34883b1836197d76f8ad962e78f6571bbc7407b0d6091f9e4d88f014274406174f");
        var signature = Hex("12b30abef6b5476fe6b612ae557c0425661e26b44b1bfe19daf2ca28e3113083ba8e4ae4cc45a0320abd3394f1c548d71840da9fc1d2f8f8900cf485d5413b8c2574ee3a8d4ca03995ca30240e09513805bf6209b58ac7aa9cff54eecd82b9f1");
        var message = Hex("313233343030");
        Expect(await suite.Backend.P384VerifyAsync(publicKey, message, signature, ct), "known signature does not verify");
        signature[10] ^= 1;
        Expect(!await suite.Backend.P384VerifyAsync(publicKey, message, signature, ct), "a modified signature verified");
        using var pair = await suite.Backend.GenerateP384KeyPairAsync(ct);
        var clock = Stopwatch.StartNew();
        var own = await suite.Backend.P384SignAsync(pair, message, ct);
        var signMs = clock.Elapsed.TotalMilliseconds;
        Expect(await suite.Backend.P384VerifyAsync(pair.Q, message, own, ct), "own signature does not verify");
        Expect(!await suite.Backend.P384VerifyAsync(pair.Q, Hex("313233343031"), own, ct), "signature verified for another message");
        return $"sign {signMs:F1} ms";
    }

    private static string Ed25519KnownAnswer()
    {
        // RFC 8032 §7.1, test 1.
        var secret = Hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        var expected = Hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
        Expect(Crypto.Ed25519.PublicKey(secret).AsSpan().SequenceEqual(Hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")), "public key differs");
        Expect(Crypto.Ed25519.Sign(secret, []).AsSpan().SequenceEqual(expected), "signature differs");
        expected[0] ^= 1;
        Expect(!Crypto.Ed25519.Verify(Crypto.Ed25519.PublicKey(secret), [], expected), "a modified signature verified");
        return "key, signature, modified signature refused";
    }

    private static string MlKemKnownAnswer()
    {
        // Wycheproof mlkem_1024_keygen_seed_test.json tcId 1: SHA-256 of the encapsulation key.
        var key = MlKem1024.FromSeed(Hex("7c9935a0b07694aa0c6d10e4db6b1add2fd81a25ccb148032dcd739936737f2d8626ed79d451140800e03b59b956f8210e556067407d13dc90fa9e8b872bfb8f")).Value;
        Expect(SHA256.HashData(key.GetPublicKeyEncoded()).AsSpan().SequenceEqual(Hex("61b95ec8c32ae85ad7a17ae5b9c2dfb083e05f767da3ba9a0a8092ea6b4cbf7a")), "encapsulation key differs");
        var clock = Stopwatch.StartNew();
        var (ciphertext, secret) = MlKem1024.Encapsulate(MlKem1024.ParsePublicKey(key.GetPublicKeyEncoded()).Value);
        var ms = clock.Elapsed.TotalMilliseconds;
        Expect(MlKem1024.Decapsulate(key, ciphertext).Value.AsSpan().SequenceEqual(secret), "decapsulation differs");
        return $"encapsulate {ms:F1} ms";
    }

    private static string MlDsaKnownAnswer()
    {
        // Wycheproof mldsa_87_sign_seed_test.json tcId 1: deterministic signature of "Hello world".
        var key = MlDsa87.FromSeed(Hex("2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a")).Value;
        Expect(SHA256.HashData(key.GetPublicKeyEncoded()).AsSpan().SequenceEqual(Hex("d43128fa8a8c785c1d44c9e7db538dbf9dd88fe6c8ad911a344bcec1017c6d54")), "public key differs");
        var message = "Hello world"u8.ToArray();
        var clock = Stopwatch.StartNew();
        var signature = MlDsa87.Sign(key, message, [], deterministic: true);
        var ms = clock.Elapsed.TotalMilliseconds;
        Expect(SHA256.HashData(signature).AsSpan().SequenceEqual(Hex("1ad45bd0419e694375bd38ec11d8e0c228ab9ffac2fce4adbe6218d9c949e293")), "signature differs");
        var publicKey = MlDsa87.ParsePublicKey(key.GetPublicKeyEncoded()).Value;
        Expect(MlDsa87.Verify(publicKey, message, signature, []), "signature does not verify");
        Expect(!MlDsa87.Verify(publicKey, message, signature, "other"u8), "signature verified under another context");
        return $"sign {ms:F1} ms";
    }

    private async Task<string> HybridKemAsync(CancellationToken ct)
    {
        using var recipient = await suite.Kem.GenerateAsync(ct);
        using var stranger = await suite.Kem.GenerateAsync(ct);
        var clock = Stopwatch.StartNew();
        var (encapsulation, secret) = await suite.Kem.EncapsulateAsync(recipient.PublicKey, ct);
        var encapsulateMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        using var recovered = (await suite.Kem.DecapsulateAsync(recipient, encapsulation, ct)).Value;
        var decapsulateMs = clock.Elapsed.TotalMilliseconds;
        using (secret)
        {
            Expect(recovered.ContentEquals(secret), "decapsulated secret differs");
            using var wrong = (await suite.Kem.DecapsulateAsync(stranger, encapsulation, ct)).Value;
            Expect(!wrong.ContentEquals(secret), "another key recovered the secret");
            encapsulation[5] ^= 1;
            using var tampered = (await suite.Kem.DecapsulateAsync(recipient, encapsulation, ct)).Value;
            Expect(!tampered.ContentEquals(secret), "a modified encapsulation gave the same secret");
        }
        var exported = recipient.Export();
        using var reimported = HybridKemPrivateKey.Import(exported).Value;
        CryptographicOperations.ZeroMemory(exported);
        Expect(reimported.PublicKey.Encode().AsSpan().SequenceEqual(recipient.PublicKey.Encode()), "export and import changed the key");
        return $"encapsulate {encapsulateMs:F1} ms, decapsulate {decapsulateMs:F1} ms";
    }

    private async Task<string> CompositeSignatureAsync(CancellationToken ct)
    {
        using var key = await suite.Signatures.GenerateAsync(ct);
        var message = "agreed text, article 4"u8.ToArray();
        var clock = Stopwatch.StartNew();
        var signature = await suite.Signatures.SignAsync(key, message, "selftest", ct);
        var signMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        Expect(await suite.Signatures.VerifyAsync(key.PublicKey, message, signature, "selftest", ct), "signature does not verify");
        var verifyMs = clock.Elapsed.TotalMilliseconds;
        Expect(!await suite.Signatures.VerifyAsync(key.PublicKey, "agreed text, article 5"u8.ToArray(), signature, "selftest", ct), "verified for another message");
        Expect(!await suite.Signatures.VerifyAsync(key.PublicKey, message, signature, "other-use", ct), "verified for another context");
        var other = await suite.Signatures.SignAsync(key, "another message"u8.ToArray(), "selftest", ct);
        var swapped = (byte[])signature.Clone();
        Array.Copy(other, 0, swapped, 0, MlDsa87.SignatureSize);
        Expect(!await suite.Signatures.VerifyAsync(key.PublicKey, message, swapped, "selftest", ct), "verified with the ML-DSA half of another signature");
        var broken = (byte[])signature.Clone();
        broken[^1] ^= 1;
        Expect(!await suite.Signatures.VerifyAsync(key.PublicKey, message, broken, "selftest", ct), "verified with a broken ECDSA half");
        return $"sign {signMs:F1} ms, verify {verifyMs:F1} ms";
    }

    private async Task<string> SealedBoxAsync(CancellationToken ct)
    {
        using var key = SecretKey.Generate(32);
        using var payload = SecretKey.Generate(32);
        var box = await suite.Boxes.SealAsync(key, "key package"u8.ToArray(), "room 1"u8.ToArray(), ct);
        var opened = await suite.Boxes.OpenAsync(key, box, "room 1"u8.ToArray(), ct);
        Expect(opened.IsOk && opened.Value.AsSpan().SequenceEqual("key package"u8), "sealed box does not open");
        Expect(!(await suite.Boxes.OpenAsync(key, box, "room 2"u8.ToArray(), ct)).IsOk, "opened under another context");
        var wrapped = await suite.Boxes.WrapKeyAsync(key, payload, "document 7"u8.ToArray(), ct);
        using var unwrapped = (await suite.Boxes.UnwrapKeyAsync(key, wrapped, "document 7"u8.ToArray(), ct)).Value;
        Expect(unwrapped.ContentEquals(payload), "unwrapped key differs");
        wrapped[20] ^= 1;
        Expect(!(await suite.Boxes.UnwrapKeyAsync(key, wrapped, "document 7"u8.ToArray(), ct)).IsOk, "a modified wrapped key was accepted");
        return "seal, open, wrap, unwrap, wrong context and tampering refused";
    }

    private async Task<string> ChunkedKnownAnswerAsync(CancellationToken ct)
    {
        // Wycheproof c2sp_chunked_encryption_aes_256_gcm_test.json tcId 2 (decompressed).
        var key = Hex("59454c4c4f57205355424d4152494e452059454c4c4f57205355424d4152494e");
        var ciphertext = Hex("a1a1b56f6db58cd1ede0c5c9db62aef20d3f96a6c594bb9252bb38122de91236502b42a1d7fcab820ffa292940d2f86add212cfa42c38df19d3cc9139ee61a5990d3db57433514229beea49a8a72bd");
        var plaintext = await DecryptAllAsync(key, [], ciphertext, ct);
        Expect(plaintext.IsOk && SHA512.HashData(plaintext.Value).AsSpan().SequenceEqual(Hex("e85f32a85f1d4f7c9b2d36d20eca8435d81253e7075e9dea069eb1b6da48daf92ef1797367b520d8a46c4f72cecb85b1daff8887fcb41721d39943d1952fc180")), "plaintext differs from the known answer");
        Expect(!(await DecryptAllAsync(key, "x"u8.ToArray(), ciphertext, ct)).IsOk, "decrypted under another context");
        return "decrypt, wrong context refused";
    }

    private async Task<string> ChunkedRoundTripAsync(int size, CancellationToken ct)
    {
        using var key = SecretKey.Generate(Cobblestone256.KeySize);
        var context = new DocumentStreamContext(Guid.NewGuid(), 1, "SECRET//REL TO ATL, BOR").Encode();
        var plaintext = new byte[size];
        RandomNumberGenerator.Fill(plaintext);
        using var ciphertext = new MemoryStream(capacity: (int)Cobblestone256.CiphertextLength(size));
        // The data is in memory, so the streams are driven directly: the plaintext is written as it
        // lies (whole batches are sealed in place) and the decrypting stream is read straight into
        // the output. Going through Stream-to-Stream copies (ChunkedEncryption) would add a copy of
        // every byte each way, which is the caller's choice of source and sink, not the cipher's.
        var clock = Stopwatch.StartNew();
        var writer = await ChunkedEncryptingStream.CreateAsync(suite.Backend, key, context, ciphertext, leaveOpen: true, cancellationToken: ct);
        await using (writer)
        {
            await writer.WriteAsync(plaintext, ct);
            await writer.FinishAsync(ct);
        }
        var encryptSeconds = clock.Elapsed.TotalSeconds;
        Expect(ciphertext.Length == Cobblestone256.CiphertextLength(size), "ciphertext length is wrong");
        ciphertext.Position = 0;
        var decrypted = new byte[size];
        clock.Restart();
        var filled = await ReadAllAsync(key, context, ciphertext, decrypted, ct);
        var decryptSeconds = clock.Elapsed.TotalSeconds;
        Expect(filled == size && decrypted.AsSpan().SequenceEqual(plaintext), "round trip changed the data");

        // Random access: read 100 bytes from the middle.
        ciphertext.Position = 0;
        await using (var reader = (await ChunkedDecryptingStream.OpenAsync(suite.Backend, key, context, ciphertext, leaveOpen: true, cancellationToken: ct)).Value)
        {
            var middle = size / 2;
            reader.Seek(middle, SeekOrigin.Begin);
            var slice = new byte[Math.Min(100, size - middle)];
            await reader.ReadExactlyAsync(slice, ct);
            Expect(slice.AsSpan().SequenceEqual(plaintext.AsSpan(middle, slice.Length)), "random access read the wrong bytes");
        }

        // All but the last byte, read in place and sequentially (a seekable input would be refused at
        // open); nothing is kept of the output, so the check needs no more memory than the data.
        var truncated = new NonSeekableStream(ciphertext.GetBuffer(), (int)ciphertext.Length - 1);
        Expect(!(await suite.Streams.DecryptAsync(key, context, truncated, Stream.Null, cancellationToken: ct)).IsOk, "a truncated ciphertext was accepted");
        var megabytes = size / 1e6;
        return $"encrypt {megabytes / encryptSeconds:F0} MB/s, decrypt {megabytes / decryptSeconds:F0} MB/s";
    }

    // Reads the whole plaintext into output; -1 when the ciphertext does not open or authenticate.
    private async Task<int> ReadAllAsync(SecretKey key, byte[] context, Stream ciphertext, byte[] output, CancellationToken ct)
    {
        var opened = await ChunkedDecryptingStream.OpenAsync(suite.Backend, key, context, ciphertext, leaveOpen: true, cancellationToken: ct);
        if (!opened.TryGetValue(out var reader, out _)) return -1;
        await using (reader)
        {
            var filled = 0;
            try
            {
                int read;
                while (filled < output.Length && (read = await reader.ReadAsync(output.AsMemory(filled), ct)) > 0)
                    filled += read;
                // The stream must end exactly where the plaintext does.
                return await reader.ReadAsync(new byte[1], ct) == 0 ? filled : -1;
            }
            catch (ProtocolException)
            {
                return -1;
            }
        }
    }

    private async Task<Result<byte[]>> DecryptAllAsync(byte[] key, byte[] context, byte[] ciphertext, CancellationToken ct)
    {
        using var secret = SecretKey.Import(key);
        using var output = new MemoryStream();
        var result = await suite.Streams.DecryptAsync(secret, context, new NonSeekableStream(ciphertext, ciphertext.Length), output, cancellationToken: ct);
        return result.IsOk ? output.ToArray() : result.Error;
    }

    private static void Expect(bool condition, string failure)
    {
        if (!condition) throw new CheckFailed(failure);
    }

    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    private sealed class NonSeekableStream(byte[] data, int length) : MemoryStream(data, 0, length, writable: false)
    {
        public override bool CanSeek => false;
    }
}
