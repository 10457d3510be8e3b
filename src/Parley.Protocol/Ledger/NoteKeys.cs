using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Parley.Protocol.Crypto;

namespace Parley.Protocol.Ledger;

/// <summary>Signature types of signed-note keys that Parley uses.</summary>
public enum NoteKeyType
{
    /// <summary><c>0x01</c>: Ed25519 over the note text (C2SP signed-note). The log's interoperable signature.</summary>
    Ed25519,
    /// <summary><c>0x04</c>: timestamped Ed25519 witness cosignature, <c>cosignature/v1</c> (C2SP tlog-cosignature).</summary>
    CosignatureV1,
    /// <summary>
    /// <c>0xff</c> followed by the 16 ASCII bytes <c>PARLEY-ML-DSA-87</c>: ML-DSA-87 (FIPS 204, empty context,
    /// pure mode) over the note text. Parley's own type: signed-note assigns no byte to ML-DSA-87 and
    /// reserves 0xff, followed by a longer identifier, for such types. Verifiers that do not know it
    /// ignore the line as a signature by an unknown key.
    /// </summary>
    ParleyMlDsa87,
}

/// <summary>Checks one key's signatures on notes.</summary>
public interface INoteVerifier
{
    /// <summary>The key name in signature lines.</summary>
    string Name { get; }

    /// <summary>The key ID in signature lines.</summary>
    uint KeyId { get; }

    /// <summary>The signature type.</summary>
    NoteKeyType Type { get; }

    /// <summary>The verifier key string <c>&lt;name&gt;+&lt;hex key ID&gt;+&lt;base64(type || public key)&gt;</c>.</summary>
    string VerifierKey { get; }

    /// <summary>True when <paramref name="signature"/> (the bytes after the key ID) is this key's signature of <paramref name="text"/>.</summary>
    bool Verify(string text, ReadOnlySpan<byte> signature);
}

/// <summary>Signs notes with one key.</summary>
public interface INoteSigner
{
    /// <summary>The key name in signature lines.</summary>
    string Name { get; }

    /// <summary>The key ID in signature lines.</summary>
    uint KeyId { get; }

    /// <summary>The matching verifier.</summary>
    INoteVerifier Verifier { get; }

    /// <summary>Signs <paramref name="text"/> (a note text ending in a newline).</summary>
    NoteSignature Sign(string text);
}

/// <summary>Key IDs and verifier key strings (signed-note §Signatures).</summary>
public static class NoteKeys
{
    private static readonly byte[] MlDsa87Identifier = [0xff, .. "PARLEY-ML-DSA-87"u8];

    /// <summary>The type bytes of <paramref name="type"/>.</summary>
    public static byte[] TypeBytes(NoteKeyType type) => type switch
    {
        NoteKeyType.Ed25519 => [0x01],
        NoteKeyType.CosignatureV1 => [0x04],
        NoteKeyType.ParleyMlDsa87 => (byte[])MlDsa87Identifier.Clone(),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary><c>SHA-256(name || 0x0A || type bytes || public key)[:4]</c>, big-endian.</summary>
    public static uint KeyId(string name, NoteKeyType type, ReadOnlySpan<byte> publicKey)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var type_ = TypeBytes(type);
        var input = new byte[nameBytes.Length + 1 + type_.Length + publicKey.Length];
        nameBytes.CopyTo(input, 0);
        input[nameBytes.Length] = 0x0A;
        type_.CopyTo(input, nameBytes.Length + 1);
        publicKey.CopyTo(input.AsSpan(nameBytes.Length + 1 + type_.Length));
        return BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(input));
    }

    /// <summary>Formats a verifier key string.</summary>
    public static string FormatVerifierKey(string name, NoteKeyType type, ReadOnlySpan<byte> publicKey) =>
        $"{name}+{KeyId(name, type, publicKey):x8}+{Convert.ToBase64String([.. TypeBytes(type), .. publicKey])}";

    /// <summary>Parses a verifier key string into a verifier for its type; the key ID must match the name and key.</summary>
    public static Result<INoteVerifier> ParseVerifierKey(string vkey)
    {
        ArgumentNullException.ThrowIfNull(vkey);
        if (vkey.Length > 8192) return Fail(ProtocolErrorCode.LimitExceeded, "The verifier key is too long.");
        var first = vkey.IndexOf('+', StringComparison.Ordinal);
        if (first < 0 || vkey.Length < first + 10 || vkey[first + 9] != '+') return Fail(ProtocolErrorCode.Malformed, "A verifier key is <name>+<8 hex digits>+<base64 key>.");
        var name = vkey[..first];
        var hex = vkey.Substring(first + 1, 8);
        if (!SignedNote.IsValidKeyName(name)) return Fail(ProtocolErrorCode.Malformed, "A key name is non-empty, without spaces or '+'.");
        if (!hex.All(char.IsAsciiHexDigit) || !uint.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var keyId))
            return Fail(ProtocolErrorCode.Malformed, "A key ID is 8 hexadecimal digits.");
        if (!StrictBase64.TryDecode(vkey[(first + 10)..], out var blob) || blob.Length < 2) return Fail(ProtocolErrorCode.Malformed, "A verifier key ends with the canonical base64 of its type and key.");

        Result<INoteVerifier> verifier = blob[0] switch
        {
            0x01 => Ed25519NoteVerifier.Create(name, blob.AsSpan(1)),
            0x04 => CosignatureV1Verifier.Create(name, blob.AsSpan(1)),
            0xff when blob.AsSpan().StartsWith(MlDsa87Identifier) => MlDsa87NoteVerifier.Create(name, blob.AsSpan(MlDsa87Identifier.Length)),
            _ => Fail(ProtocolErrorCode.Unsupported, $"Signature type 0x{blob[0]:x2} is not one Parley verifies."),
        };
        if (!verifier.IsOk) return verifier;
        if (verifier.Value.KeyId != keyId) return Fail(ProtocolErrorCode.InvalidKey, "The key ID does not match the key name and public key.");
        return verifier;
    }

    /// <summary>
    /// Parses a private key string <c>PRIVATE+KEY+&lt;name&gt;+&lt;hex key ID&gt;+&lt;base64(type || 32-byte seed)&gt;</c>
    /// (the form of golang.org/x/mod/sumdb/note) for an Ed25519 (0x01) or cosignature/v1 (0x04) key.
    /// </summary>
    public static Result<INoteSigner> ParseSignerKey(string skey, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(skey);
        const string prefix = "PRIVATE+KEY+";
        if (!skey.StartsWith(prefix, StringComparison.Ordinal)) return Result<INoteSigner>.Fail(ProtocolErrorCode.Malformed, "A private note key starts with PRIVATE+KEY+.");
        var parts = skey[prefix.Length..].Split('+', 3);
        if (parts.Length != 3 || !SignedNote.IsValidKeyName(parts[0]) || parts[1].Length != 8 || !parts[1].All(char.IsAsciiHexDigit)
            || !StrictBase64.TryDecode(parts[2], out var blob) || blob.Length != 1 + Ed25519.PrivateKeySize)
            return Result<INoteSigner>.Fail(ProtocolErrorCode.Malformed, "A private note key is PRIVATE+KEY+<name>+<8 hex digits>+<base64(type || 32-byte seed)>.");
        var keyId = uint.Parse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        using var seed = SecretKey.Import(blob.AsSpan(1));
        CryptographicOperations.ZeroMemory(blob.AsSpan(1));
        INoteSigner signer;
        if (blob[0] == 0x01) signer = new Ed25519NoteSigner(parts[0], seed);
        else if (blob[0] == 0x04) signer = new CosignatureV1Signer(parts[0], seed, clock ?? TimeProvider.System);
        else return Result<INoteSigner>.Fail(ProtocolErrorCode.Unsupported, $"Private keys of type 0x{blob[0]:x2} are not supported.");
        if (signer.KeyId != keyId) return Result<INoteSigner>.Fail(ProtocolErrorCode.InvalidKey, "The key ID does not match the key name and key.");
        return Result<INoteSigner>.Ok(signer);
    }

    /// <summary>Formats the private key string of an Ed25519 or cosignature/v1 key (see <see cref="ParseSignerKey"/>).
    /// The result is a secret: write it only to a private file.</summary>
    public static string FormatSignerKey(string name, NoteKeyType type, SecretKey seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        if (type is not (NoteKeyType.Ed25519 or NoteKeyType.CosignatureV1)) throw new ArgumentException("Only Ed25519 and cosignature/v1 keys have this form.", nameof(type));
        var publicKey = Ed25519.PublicKey(seed.Span);
        byte[] blob = [.. TypeBytes(type), .. seed.Span];
        try
        {
            return $"PRIVATE+KEY+{name}+{KeyId(name, type, publicKey):x8}+{Convert.ToBase64String(blob)}";
        }
        finally
        {
            CryptographicOperations.ZeroMemory(blob);
        }
    }

    private static Result<INoteVerifier> Fail(ProtocolErrorCode code, string message) => Result<INoteVerifier>.Fail(code, message);
}

/// <summary>An Ed25519 note key (type 0x01).</summary>
public sealed class Ed25519NoteVerifier : INoteVerifier
{
    private readonly byte[] _publicKey;

    private Ed25519NoteVerifier(string name, byte[] publicKey)
    {
        Name = name;
        _publicKey = publicKey;
        KeyId = NoteKeys.KeyId(name, NoteKeyType.Ed25519, publicKey);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public uint KeyId { get; }

    /// <inheritdoc />
    public NoteKeyType Type => NoteKeyType.Ed25519;

    /// <summary>The 32-byte public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <inheritdoc />
    public string VerifierKey => NoteKeys.FormatVerifierKey(Name, Type, _publicKey);

    /// <summary>A verifier for <paramref name="publicKey"/> under <paramref name="name"/>.</summary>
    public static Result<INoteVerifier> Create(string name, ReadOnlySpan<byte> publicKey)
    {
        if (!SignedNote.IsValidKeyName(name)) return Result<INoteVerifier>.Fail(ProtocolErrorCode.Malformed, "A key name is non-empty, without spaces or '+'.");
        if (publicKey.Length != Ed25519.PublicKeySize) return Result<INoteVerifier>.Fail(ProtocolErrorCode.InvalidKey, "An Ed25519 public key is 32 bytes.");
        return new Ed25519NoteVerifier(name, publicKey.ToArray());
    }

    /// <inheritdoc />
    public bool Verify(string text, ReadOnlySpan<byte> signature) => Ed25519.Verify(_publicKey, Encoding.UTF8.GetBytes(text), signature);

    /// <inheritdoc />
    public override string ToString() => VerifierKey;
}

/// <summary>Parley's ML-DSA-87 note key (<see cref="NoteKeyType.ParleyMlDsa87"/>).</summary>
public sealed class MlDsa87NoteVerifier : INoteVerifier
{
    private readonly byte[] _publicKey;
    private readonly MLDsaPublicKeyParameters _key;

    private MlDsa87NoteVerifier(string name, byte[] publicKey, MLDsaPublicKeyParameters key)
    {
        Name = name;
        _publicKey = publicKey;
        _key = key;
        KeyId = NoteKeys.KeyId(name, NoteKeyType.ParleyMlDsa87, publicKey);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public uint KeyId { get; }

    /// <inheritdoc />
    public NoteKeyType Type => NoteKeyType.ParleyMlDsa87;

    /// <inheritdoc />
    public string VerifierKey => NoteKeys.FormatVerifierKey(Name, Type, _publicKey);

    /// <summary>A verifier for an encoded ML-DSA-87 public key under <paramref name="name"/>.</summary>
    public static Result<INoteVerifier> Create(string name, ReadOnlySpan<byte> publicKey)
    {
        if (!SignedNote.IsValidKeyName(name)) return Result<INoteVerifier>.Fail(ProtocolErrorCode.Malformed, "A key name is non-empty, without spaces or '+'.");
        var key = MlDsa87.ParsePublicKey(publicKey);
        if (!key.IsOk) return Result<INoteVerifier>.Fail(key.Error);
        return new MlDsa87NoteVerifier(name, publicKey.ToArray(), key.Value);
    }

    /// <inheritdoc />
    public bool Verify(string text, ReadOnlySpan<byte> signature) => MlDsa87.Verify(_key, Encoding.UTF8.GetBytes(text), signature, ReadOnlySpan<byte>.Empty);

    /// <inheritdoc />
    public override string ToString() => VerifierKey;
}

/// <summary>
/// A witness's cosignature/v1 key (type 0x04). The signature is an 8-byte big-endian POSIX timestamp
/// followed by an Ed25519 signature of <c>"cosignature/v1\ntime &lt;timestamp&gt;\n" || note text</c>.
/// </summary>
public sealed class CosignatureV1Verifier : INoteVerifier
{
    /// <summary>Size of a cosignature after the key ID: timestamp and Ed25519 signature.</summary>
    public const int SignatureSize = 8 + Ed25519.SignatureSize;

    private readonly byte[] _publicKey;

    private CosignatureV1Verifier(string name, byte[] publicKey)
    {
        Name = name;
        _publicKey = publicKey;
        KeyId = NoteKeys.KeyId(name, NoteKeyType.CosignatureV1, publicKey);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public uint KeyId { get; }

    /// <inheritdoc />
    public NoteKeyType Type => NoteKeyType.CosignatureV1;

    /// <inheritdoc />
    public string VerifierKey => NoteKeys.FormatVerifierKey(Name, Type, _publicKey);

    /// <summary>A verifier for a witness's 32-byte Ed25519 public key under <paramref name="name"/>.</summary>
    public static Result<INoteVerifier> Create(string name, ReadOnlySpan<byte> publicKey)
    {
        if (!SignedNote.IsValidKeyName(name)) return Result<INoteVerifier>.Fail(ProtocolErrorCode.Malformed, "A key name is non-empty, without spaces or '+'.");
        if (publicKey.Length != Ed25519.PublicKeySize) return Result<INoteVerifier>.Fail(ProtocolErrorCode.InvalidKey, "An Ed25519 public key is 32 bytes.");
        return new CosignatureV1Verifier(name, publicKey.ToArray());
    }

    /// <summary>The message a cosignature of <paramref name="text"/> made at <paramref name="timestamp"/> signs.</summary>
    public static byte[] Message(string text, long timestamp) =>
        Encoding.UTF8.GetBytes($"cosignature/v1\ntime {timestamp.ToString(CultureInfo.InvariantCulture)}\n{text}");

    /// <summary>The timestamp of a cosignature, or null if the signature is malformed.</summary>
    public static long? Timestamp(ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureSize) return null;
        var timestamp = BinaryPrimitives.ReadUInt64BigEndian(signature);
        return timestamp > long.MaxValue ? null : (long)timestamp;
    }

    /// <inheritdoc />
    public bool Verify(string text, ReadOnlySpan<byte> signature)
    {
        if (Timestamp(signature) is not { } timestamp) return false;
        return Ed25519.Verify(_publicKey, Message(text, timestamp), signature[8..]);
    }

    /// <inheritdoc />
    public override string ToString() => VerifierKey;
}

/// <summary>Signs notes with an Ed25519 key (type 0x01).</summary>
public sealed class Ed25519NoteSigner : INoteSigner, IDisposable
{
    private readonly SecretKey _seed;

    /// <summary>A signer for <paramref name="seed"/> (32 bytes; copied) under <paramref name="name"/>.</summary>
    public Ed25519NoteSigner(string name, SecretKey seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        if (!SignedNote.IsValidKeyName(name)) throw new ArgumentException("A key name is non-empty, without spaces or '+'.", nameof(name));
        if (seed.Length != Ed25519.PrivateKeySize) throw new ArgumentException("An Ed25519 seed is 32 bytes.", nameof(seed));
        _seed = SecretKey.Import(seed.Span);
        Verifier = Ed25519NoteVerifier.Create(name, Ed25519.PublicKey(_seed.Span)).Value;
    }

    /// <inheritdoc />
    public string Name => Verifier.Name;

    /// <inheritdoc />
    public uint KeyId => Verifier.KeyId;

    /// <inheritdoc />
    public INoteVerifier Verifier { get; }

    /// <inheritdoc />
    public NoteSignature Sign(string text)
    {
        if (SignedNote.CheckText(text) is { } error) throw new ArgumentException(error.Message, nameof(text));
        return new NoteSignature(Name, KeyId, Ed25519.Sign(_seed.Span, Encoding.UTF8.GetBytes(text)));
    }

    /// <inheritdoc />
    public void Dispose() => _seed.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"Ed25519NoteSigner({Verifier.VerifierKey})";
}

/// <summary>Signs notes with an ML-DSA-87 key (<see cref="NoteKeyType.ParleyMlDsa87"/>).</summary>
public sealed class MlDsa87NoteSigner : INoteSigner
{
    private readonly MLDsaPrivateKeyParameters _key;

    /// <summary>A signer for the ML-DSA-87 key expanded from <paramref name="seed"/> (32 bytes) under <paramref name="name"/>.</summary>
    public MlDsa87NoteSigner(string name, SecretKey seed)
    {
        ArgumentNullException.ThrowIfNull(seed);
        if (!SignedNote.IsValidKeyName(name)) throw new ArgumentException("A key name is non-empty, without spaces or '+'.", nameof(name));
        _key = MlDsa87.FromSeed(seed.Span).Value;
        Verifier = MlDsa87NoteVerifier.Create(name, _key.GetPublicKey().GetEncoded()).Value;
    }

    /// <inheritdoc />
    public string Name => Verifier.Name;

    /// <inheritdoc />
    public uint KeyId => Verifier.KeyId;

    /// <inheritdoc />
    public INoteVerifier Verifier { get; }

    /// <inheritdoc />
    public NoteSignature Sign(string text)
    {
        if (SignedNote.CheckText(text) is { } error) throw new ArgumentException(error.Message, nameof(text));
        return new NoteSignature(Name, KeyId, MlDsa87.Sign(_key, Encoding.UTF8.GetBytes(text), ReadOnlySpan<byte>.Empty));
    }

    /// <inheritdoc />
    public override string ToString() => $"MlDsa87NoteSigner({Name}+{KeyId:x8})";
}

/// <summary>Cosigns checkpoints as a witness (cosignature/v1, type 0x04).</summary>
public sealed class CosignatureV1Signer : INoteSigner, IDisposable
{
    private readonly SecretKey _seed;
    private readonly TimeProvider _clock;

    /// <summary>A cosigner for <paramref name="seed"/> (32 bytes; copied) under <paramref name="name"/>, stamping times from <paramref name="clock"/>.</summary>
    public CosignatureV1Signer(string name, SecretKey seed, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(seed);
        ArgumentNullException.ThrowIfNull(clock);
        if (!SignedNote.IsValidKeyName(name)) throw new ArgumentException("A key name is non-empty, without spaces or '+'.", nameof(name));
        if (seed.Length != Ed25519.PrivateKeySize) throw new ArgumentException("An Ed25519 seed is 32 bytes.", nameof(seed));
        _seed = SecretKey.Import(seed.Span);
        _clock = clock;
        Verifier = CosignatureV1Verifier.Create(name, Ed25519.PublicKey(_seed.Span)).Value;
    }

    /// <inheritdoc />
    public string Name => Verifier.Name;

    /// <inheritdoc />
    public uint KeyId => Verifier.KeyId;

    /// <inheritdoc />
    public INoteVerifier Verifier { get; }

    /// <inheritdoc />
    public NoteSignature Sign(string text) => Sign(text, _clock.GetUtcNow().ToUnixTimeSeconds());

    /// <summary>Cosigns <paramref name="text"/> with an explicit POSIX <paramref name="timestamp"/>.</summary>
    public NoteSignature Sign(string text, long timestamp)
    {
        if (SignedNote.CheckText(text) is { } error) throw new ArgumentException(error.Message, nameof(text));
        ArgumentOutOfRangeException.ThrowIfNegative(timestamp);
        var signature = new byte[CosignatureV1Verifier.SignatureSize];
        BinaryPrimitives.WriteUInt64BigEndian(signature, (ulong)timestamp);
        Ed25519.Sign(_seed.Span, CosignatureV1Verifier.Message(text, timestamp)).CopyTo(signature, 8);
        return new NoteSignature(Name, KeyId, signature);
    }

    /// <inheritdoc />
    public void Dispose() => _seed.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"CosignatureV1Signer({Verifier.VerifierKey})";
}
