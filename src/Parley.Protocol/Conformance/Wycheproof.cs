using System.Text.Json;
using Parley.Protocol.Crypto;

namespace Parley.Protocol.Conformance;

/// <summary>
/// Runs Wycheproof test vectors (C2SP/wycheproof, testvectors_v1) against Parley's cryptography,
/// natively (<c>parley selftest --vectors DIR</c>) and in the browser (<c>/selftest</c>). It reads no
/// files: the caller hands over each file's content. Every case must give its expected result:
/// <c>valid</c> cases must be accepted with the expected output, <c>invalid</c> ones rejected with a typed
/// error (a failed <see cref="Result{T}"/>, <c>false</c>, or a <see cref="ProtocolException"/> from a stream),
/// and <c>acceptable</c> ones may go either way but must not throw, and if accepted must give the expected output.
/// </summary>
public static class Wycheproof
{
    private static readonly Dictionary<string, Func<ICryptoBackend, VectorSuite>> Suites = new(StringComparer.Ordinal)
    {
        ["aes_gcm_test.json"] = backend => new AesGcmVectors(backend),
        ["hkdf_sha256_test.json"] = backend => new HkdfVectors(backend, HashName.Sha256),
        ["hkdf_sha384_test.json"] = backend => new HkdfVectors(backend, HashName.Sha384),
        ["hkdf_sha512_test.json"] = backend => new HkdfVectors(backend, HashName.Sha512),
        ["ecdh_secp384r1_test.json"] = backend => new EcdhVectors(backend, EcdhVectors.Encoding.SubjectPublicKeyInfo),
        ["ecdh_secp384r1_webcrypto_test.json"] = backend => new EcdhVectors(backend, EcdhVectors.Encoding.JsonWebKey),
        ["ecdsa_secp384r1_sha384_test.json"] = backend => new EcdsaVectors(backend, EcdsaVectors.Encoding.Der),
        ["ecdsa_secp384r1_sha384_p1363_test.json"] = backend => new EcdsaVectors(backend, EcdsaVectors.Encoding.P1363),
        ["c2sp_chunked_encryption_aes_256_gcm_test.json"] = backend => new ChunkedEncryptionVectors(backend),
        ["ed25519_test.json"] = _ => new Ed25519Vectors(),
        ["mlkem_1024_keygen_seed_test.json"] = _ => new MlKemKeyGenVectors(),
        ["mlkem_1024_encaps_test.json"] = _ => new MlKemEncapsulationVectors(),
        ["mlkem_1024_test.json"] = _ => new MlKemDecapsulationVectors(),
        ["mlkem_1024_semi_expanded_decaps_test.json"] = _ => new MlKemExpandedKeyVectors(),
        ["mldsa_87_sign_seed_test.json"] = _ => new MlDsaSignVectors(),
        ["mldsa_87_verify_test.json"] = _ => new MlDsaVerifyVectors(),
    };

    /// <summary>File names this runner understands (e.g. "aes_gcm_test.json").</summary>
    public static IReadOnlyList<string> SupportedFiles { get; } = Suites.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Runs every case of one vector file. Never throws for a failing or malformed case: it is reported,
    /// and so is a file that is not JSON, not of the expected algorithm, or has no cases. Classical files
    /// (AES-GCM, HKDF, P-384 ECDH and ECDSA, chunked encryption) run on <paramref name="backend"/>; ML-KEM,
    /// ML-DSA and Ed25519 files run on BouncyCastle, the only implementation, and the report says so.
    /// </summary>
    /// <param name="backend">The backend under test.</param>
    /// <param name="fileName">One of <see cref="SupportedFiles"/>.</param>
    /// <param name="json">The file's content.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <exception cref="ArgumentException"><paramref name="fileName"/> is not a supported file.</exception>
    public static async Task<ConformanceReport> RunAsync(ICryptoBackend backend, string fileName, Stream json, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(json);
        if (fileName is null || !Suites.TryGetValue(fileName, out var create))
            throw new ArgumentException($"\"{fileName}\" is not a vector file this runner understands; see {nameof(SupportedFiles)}.", nameof(fileName));
        var suite = create(backend);
        var log = new CaseLog();
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(json, default, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            log.FileProblem("a JSON document", $"not JSON: {e.Message}");
            return Report(fileName, suite, log);
        }
        using (document)
        {
            try
            {
                await RunFileAsync(suite, new VectorObject(document.RootElement, fileName), log, cancellationToken).ConfigureAwait(false);
            }
            catch (MalformedVectorException e)
            {
                log.FileProblem($"a {suite.Algorithm} vector file", e.Message);
            }
        }
        return Report(fileName, suite, log);
    }

    private static async ValueTask RunFileAsync(VectorSuite suite, VectorObject file, CaseLog log, CancellationToken cancellationToken)
    {
        var algorithm = file.String("algorithm");
        if (algorithm != suite.Algorithm)
            throw new MalformedVectorException($"the file's algorithm is \"{algorithm}\", not \"{suite.Algorithm}\".");
        var groups = file.Array("testGroups").ToArray();
        var cases = 0;
        for (var i = 0; i < groups.Length; i++)
        {
            VectorGroup group;
            try
            {
                group = new VectorGroup(groups[i], i);
            }
            catch (MalformedVectorException e)
            {
                log.FileProblem("a well-formed test group", e.Message);
                continue;
            }
            cases += group.Tests.Count;
            var seenBefore = log.Seen;
            try
            {
                var type = group.Fields.String("type");
                if (type != suite.GroupType)
                    throw new MalformedVectorException($"its type is \"{type}\", not \"{suite.GroupType}\".");
                await suite.RunGroupAsync(group, log, cancellationToken).ConfigureAwait(false);
            }
            catch (MalformedVectorException e)
            {
                log.FileProblem("a well-formed test group", $"test group #{i}: {e.Message}");
                continue;
            }
            // A suite that skipped cases silently would overstate what was checked.
            if (log.Seen - seenBefore != group.Tests.Count)
                log.FileProblem($"{group.Tests.Count} cases run in test group #{i}", $"{log.Seen - seenBefore} run");
        }
        if (cases == 0) log.FileProblem("at least one test case", "none");
        if (file.Has("numberOfTests") && file.Int("numberOfTests") != cases)
            log.FileProblem($"numberOfTests = {file.Int("numberOfTests")} cases", $"{cases} cases in the file (truncated or edited?)");
    }

    private static ConformanceReport Report(string fileName, VectorSuite suite, CaseLog log) =>
        new(fileName, suite.Runner, log.Total, log.Passed, log.Failures.ToArray()) { NotApplicable = log.NotApplicable.ToArray() };
}
