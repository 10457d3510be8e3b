using System.Collections.Immutable;
using System.Diagnostics;
using System.Security.Cryptography;
using Parley.Bench.Support;
using Parley.Client.Documents;
using Parley.Protocol.Classification;
using Parley.Protocol.Crypto;
using Parley.Protocol.Documents;
using Parley.Protocol.Identity;

namespace Parley.Bench.Quick;

/// <summary>
/// <c>documents</c>: a document version of N GiB (default 2) through the client's DocumentEncryptor, file to
/// file, as <c>parley doc put</c> and <c>get</c> will run it: encrypt (hashing the ciphertext, MACing the
/// plaintext, signing the manifest, wrapping the key for a device and a room epoch), then open (verifying
/// signature, key, every chunk, hash and MAC). Reports MB/s each way against <c>openssl speed</c>'s
/// AES-256-GCM and the process's peak working set, which must stay flat (issue 7: under 200 MB).
/// </summary>
public static class DocumentRoundTrip
{
    private const int FileBufferSize = 1 << 20;

    public static async Task<int> RunAsync(Options options)
    {
        var suite = new CryptoSuite(options.CreateBackend());
        var bytes = (long)options.Gib << 30;
        var root = options.Directory ?? Path.GetTempPath();
        var folder = Path.Combine(root, "parley-bench-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        Directory.CreateDirectory(folder);
        Console.WriteLine($"documents: {options.Gib} GiB, backend {suite.Backend.Name}, files in {folder}; {Measure.Load()}, {Environment.ProcessorCount} cores");
        try
        {
            var plainPath = Path.Combine(folder, "plain.bin");
            var cipherPath = Path.Combine(folder, "cipher.bin");
            var outputPath = Path.Combine(folder, "output.bin");
            await using (var plain = Create(plainPath))
            {
                var source = new PatternSource(PatternSource.RandomPattern(), bytes);
                var buffer = new byte[FileBufferSize];
                int read;
                while ((read = await source.ReadAsync(buffer)) > 0) await plain.WriteAsync(buffer.AsMemory(0, read));
            }
            Report("after writing the plaintext file");

            var scheme = MarkingScheme.Generic;
            var encryptor = new DocumentEncryptor(suite, scheme);
            using var author = await suite.Signatures.GenerateAsync();
            using var device = await suite.Kem.GenerateAsync();
            var label = scheme.ParseBanner("SECRET//REL TO ATL, BOR").Value;
            using var room = new RoomDocumentKey(Guid.NewGuid(), 1, label, SecretKey.Generate(32));
            var recipient = DocumentRecipient.Admit(await VerifiedDeviceAsync(suite, device), label, scheme).Value;
            var deviceId = recipient.DeviceId;
            var documentId = Guid.NewGuid();
            var spec = new VersionSpec(documentId, 1, [], label, ImmutableArray<string>.Empty, "application/octet-stream");

            var cpu = Measure.UserCpuTime();
            var clock = Stopwatch.StartNew();
            byte[] envelope;
            await using (var plain = Open(plainPath))
            await using (var cipher = Create(cipherPath))
            {
                envelope = (await encryptor.EncryptAsync(plain, cipher, spec, new DocumentAuthor(Guid.NewGuid(), Guid.NewGuid(), author),
                    [recipient], room, DateTimeOffset.UtcNow)).Encode();
            }
            var encrypt = Rate(bytes, clock.Elapsed, Measure.UserCpuTime() - cpu);
            Report($"after encrypting: {encrypt.Wall:F1} MB/s wall, {encrypt.Cpu:F1} MB/s by CPU");

            cpu = Measure.UserCpuTime();
            clock.Restart();
            await using (var cipher = Open(cipherPath))
            await using (var output = Create(outputPath))
            {
                var (opened, error) = await encryptor.DecryptAsync(envelope, cipher, output, documentId, 1, _ => author.PublicKey, new KeyHolder.Device(deviceId, device));
                if (error is not null) throw new InvalidOperationException($"Opening failed: {error}");
                if (opened!.PlaintextLength != bytes) throw new InvalidOperationException($"Opened {opened.PlaintextLength} bytes, expected {bytes}.");
            }
            var decrypt = Rate(bytes, clock.Elapsed, Measure.UserCpuTime() - cpu);
            Report($"after opening: {decrypt.Wall:F1} MB/s wall, {decrypt.Cpu:F1} MB/s by CPU");

            var openssl = await OpensslComparison.OpensslSpeedAsync(options.Seconds);
            using var self = Process.GetCurrentProcess();
            Console.WriteLine();
            Console.WriteLine($"round trip of {options.Gib} GiB verified by the manifest's ciphertext hash and plaintext MAC; envelope {envelope.Length} bytes");
            Console.WriteLine($"{"openssl speed -evp aes-256-gcm -bytes 16384",-44} {openssl,9:F1} MB/s by CPU");
            Console.WriteLine($"{"DocumentEncryptor encrypt, file to file",-44} {encrypt.Cpu,9:F1} MB/s by CPU  {encrypt.Cpu / openssl,6:P1} of openssl  (wall {encrypt.Wall:F1} MB/s)");
            Console.WriteLine($"{"DocumentEncryptor open, file to file",-44} {decrypt.Cpu,9:F1} MB/s by CPU  {decrypt.Cpu / openssl,6:P1} of openssl  (wall {decrypt.Wall:F1} MB/s)");
            Console.WriteLine($"{"peak working set",-44} {self.PeakWorkingSet64 / (1024.0 * 1024.0),9:F1} MiB  ({(self.PeakWorkingSet64 < 200L * 1000 * 1000 ? "under" : "NOT under")} 200 MB)");
            Console.WriteLine(Measure.Load());
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // A delegation, its officer, a SECRET member and the member's device, all signed for real, as the
    // client would have verified them before sharing a document.
    private static async Task<VerifiedDevice> VerifiedDeviceAsync(CryptoSuite suite, HybridKemPrivateKey kem)
    {
        var now = DateTimeOffset.UtcNow;
        using var officer = await suite.Signatures.GenerateAsync();
        using var member = await suite.Signatures.GenerateAsync();
        var officerId = Guid.NewGuid();
        var memberId = Guid.NewGuid();
        var root = await Signed<DelegationRoot>.SignAsync(suite, officer, new DelegationRoot("ATL", "Atlantis", officerId, officer.PublicKey.Encode(), now.AddDays(-1).ToUnixTimeSeconds()));
        var clearance = await Signed<ClearanceCertificate>.SignAsync(suite, officer, new ClearanceCertificate(Guid.NewGuid(), "ATL", memberId,
            member.PublicKey.Fingerprint(), ["member"], "SECRET", [], now.AddDays(-1).ToUnixTimeSeconds(), now.AddDays(30).ToUnixTimeSeconds(),
            now.AddDays(30).ToUnixTimeSeconds(), now.ToUnixTimeSeconds()));
        using var signing = await suite.Backend.GenerateP384KeyPairAsync();
        var certificate = await Signed<DeviceCertificate>.SignAsync(suite, member, new DeviceCertificate(memberId, Guid.NewGuid(), "bench",
            kem.PublicKey.Encode(), signing.Q.ToArray(), now.ToUnixTimeSeconds(), member.PublicKey.Fingerprint()));
        return (await new TrustVerifier(suite).VerifyDeviceAsync(new DelegationTrust(root, [], [], []), memberId, member.PublicKey, clearance, certificate, now)).Value;
    }

    private static Rate Rate(long bytes, TimeSpan wall, TimeSpan cpu) =>
        new(bytes / Measure.Mega / Math.Max(cpu.TotalSeconds, 1e-9), bytes / Measure.Mega / wall.TotalSeconds);

    private static FileStream Create(string path) =>
        new(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous, BufferSize = 0 });

    private static FileStream Open(string path) =>
        new(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Options = FileOptions.Asynchronous | FileOptions.SequentialScan, BufferSize = 0 });

    private static void Report(string moment)
    {
        using var self = Process.GetCurrentProcess();
        Console.WriteLine($"  {moment}: working set {self.WorkingSet64 / (1024.0 * 1024.0):F1} MiB, peak {self.PeakWorkingSet64 / (1024.0 * 1024.0):F1} MiB");
    }
}
