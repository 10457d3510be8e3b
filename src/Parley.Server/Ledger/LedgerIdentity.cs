using System.Security.Cryptography;
using System.Text;
using Parley.Protocol.Crypto;
using Parley.Protocol.Ledger;
using Parley.Server.Storage;

namespace Parley.Server.Ledger;

/// <summary>
/// The log's identity: its origin line and its two signing keys, Ed25519 (note type 0x01, what
/// witnesses and standard tools verify) and ML-DSA-87 (Parley's type, for the post-quantum future).
/// The keys are 32-byte seeds generated at first start in the data folder, readable by the owner only.
/// The origin is fixed by the first checkpoint and never changes.
/// </summary>
public sealed class LedgerIdentity : IDisposable
{
    /// <summary>File of the Ed25519 seed.</summary>
    public const string Ed25519KeyFile = "ledger-ed25519.key";

    /// <summary>File of the ML-DSA-87 seed.</summary>
    public const string MlDsa87KeyFile = "ledger-mldsa87.key";

    private readonly SecretKey _ed25519Seed;
    private readonly SecretKey _mlDsa87Seed;
    private Signers? _signers;

    private LedgerIdentity(SecretKey ed25519Seed, SecretKey mlDsa87Seed)
    {
        _ed25519Seed = ed25519Seed;
        _mlDsa87Seed = mlDsa87Seed;
    }

    /// <summary>Loads the keys from the data folder, creating them at first start.</summary>
    public static LedgerIdentity LoadOrCreate(DataDirectory data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new LedgerIdentity(LoadSeed(data, Ed25519KeyFile), LoadSeed(data, MlDsa87KeyFile));
    }

    /// <summary>The default origin of an installation: <c>parley.&lt;instance id&gt;/ledger</c>.</summary>
    public static string DefaultOrigin(Guid instanceId) => $"parley.{instanceId:N}/ledger";

    /// <summary>Fixes the origin (once, at start-up, from the first checkpoint or the installation).</summary>
    public void Initialize(string origin)
    {
        if (!SignedNote.IsValidKeyName(origin)) throw new InvalidOperationException($"'{origin}' cannot be a log origin and key name.");
        if (_signers is { } existing)
        {
            if (existing.Origin != origin) throw new InvalidOperationException("The ledger's origin is already set.");
            return;
        }
        _signers = new Signers(origin, new Ed25519NoteSigner(origin, _ed25519Seed), new MlDsa87NoteSigner(origin, _mlDsa87Seed));
    }

    /// <summary>The checkpoints' origin line, also the name of the log's keys.</summary>
    public string Origin => Ready.Origin;

    /// <summary>The log's verifier keys: Ed25519 first, then ML-DSA-87.</summary>
    public IReadOnlyList<INoteVerifier> Verifiers => [Ready.Ed25519.Verifier, Ready.MlDsa87.Verifier];

    /// <summary>The verifier key strings, one per line (what <c>GET /ledger/verifier-key</c> serves).</summary>
    public string VerifierKeyText => string.Concat(Verifiers.Select(v => v.VerifierKey + "\n"));

    /// <summary>Signs <paramref name="checkpoint"/> with both keys.</summary>
    public SignedNote Sign(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (checkpoint.Origin != Ready.Origin) throw new ArgumentException("The checkpoint is for another log.", nameof(checkpoint));
        var text = checkpoint.Text;
        return SignedNote.Create(text, [Ready.Ed25519.Sign(text), Ready.MlDsa87.Sign(text)]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _signers?.Ed25519.Dispose();
        _ed25519Seed.Dispose();
        _mlDsa87Seed.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => _signers is { } s ? $"LedgerIdentity({s.Origin})" : "LedgerIdentity(not initialised)";

    private Signers Ready => _signers ?? throw new InvalidOperationException("The ledger identity is not initialised yet.");

    private static SecretKey LoadSeed(DataDirectory data, string name)
    {
        var path = Path.Combine(data.Root, name);
        if (!File.Exists(path))
        {
            var fresh = RandomNumberGenerator.GetBytes(32);
            try
            {
                data.WritePrivateFile(name, fresh);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(fresh);
            }
        }
        var seed = File.ReadAllBytes(path);
        try
        {
            if (seed.Length != 32) throw new InvalidDataException($"{path} must hold a 32-byte seed.");
            return SecretKey.Import(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    private sealed record Signers(string Origin, Ed25519NoteSigner Ed25519, MlDsa87NoteSigner MlDsa87);
}

/// <summary>Text content types of the ledger endpoints.</summary>
internal static class LedgerText
{
    public const string ContentType = "text/plain; charset=utf-8";

    public static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
}
