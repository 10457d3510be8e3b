using System.Buffers.Binary;
using System.Text;

namespace Parley.Protocol.Ledger;

/// <summary>One signature line of a note: <c>— &lt;name&gt; base64(key ID || signature)</c>.</summary>
/// <param name="Name">The key name.</param>
/// <param name="KeyId">The 32-bit key ID (big-endian on the wire).</param>
/// <param name="Signature">The signature bytes after the key ID.</param>
public sealed record NoteSignature(string Name, uint KeyId, byte[] Signature)
{
    /// <summary>The line, with its final newline.</summary>
    public string Line
    {
        get
        {
            var blob = new byte[4 + Signature.Length];
            BinaryPrimitives.WriteUInt32BigEndian(blob, KeyId);
            Signature.CopyTo(blob, 4);
            return $"{SignedNote.Dash} {Name} {Convert.ToBase64String(blob)}\n";
        }
    }

    /// <summary>Parses one line (without its newline).</summary>
    public static Result<NoteSignature> ParseLine(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (!line.StartsWith(SignedNote.Dash + " ", StringComparison.Ordinal))
            return Malformed("A signature line starts with an em dash and a space.");
        var rest = line[2..];
        var space = rest.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0) return Malformed("A signature line is '— <name> <base64 signature>'.");
        var name = rest[..space];
        if (!SignedNote.IsValidKeyName(name)) return Malformed("A key name is non-empty, without spaces or '+'.");
        if (!StrictBase64.TryDecode(rest[(space + 1)..], out var blob)) return Malformed("A signature is canonical standard base64.");
        if (blob.Length < 5) return Malformed("A signature is a 4-byte key ID and at least one byte.");
        return new NoteSignature(name, BinaryPrimitives.ReadUInt32BigEndian(blob), blob[4..]);
    }

    private static Result<NoteSignature> Malformed(string message) => Result<NoteSignature>.Fail(ProtocolErrorCode.Malformed, message);
}

/// <summary>
/// A C2SP signed note: UTF-8 text ending in a newline, a blank line, then one or more signature lines.
/// Parsing checks the form only; <see cref="NoteVerification.Open"/> checks signatures.
/// </summary>
public sealed class SignedNote
{
    /// <summary>The em dash (U+2014) that starts a signature line.</summary>
    public const string Dash = "\u2014";

    /// <summary>Largest note accepted, in bytes: room for many post-quantum signatures.</summary>
    public const int MaxSize = 1024 * 1024;

    /// <summary>Most signature lines accepted (the format asks for at least 16).</summary>
    public const int MaxSignatures = 100;

    private readonly NoteSignature[] _signatures;

    private SignedNote(string text, NoteSignature[] signatures)
    {
        Text = text;
        _signatures = signatures;
    }

    /// <summary>The signed text, with its final newline.</summary>
    public string Text { get; }

    /// <summary>The signature lines, in order.</summary>
    public IReadOnlyList<NoteSignature> Signatures => _signatures;

    /// <summary>A note of <paramref name="text"/> and <paramref name="signatures"/> (at least one).</summary>
    public static SignedNote Create(string text, IEnumerable<NoteSignature> signatures)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(signatures);
        if (CheckText(text) is { } error) throw new ArgumentException(error.Message, nameof(text));
        var list = signatures.ToArray();
        if (list.Length == 0) throw new ArgumentException("A signed note has at least one signature.", nameof(signatures));
        if (list.Any(s => !IsValidKeyName(s.Name) || s.Signature.Length == 0)) throw new ArgumentException("A signature has a valid key name and bytes.", nameof(signatures));
        return new SignedNote(text, list);
    }

    /// <summary>The same note with more signature lines after its own.</summary>
    public SignedNote WithSignatures(IEnumerable<NoteSignature> more) => Create(Text, [.. _signatures, .. more]);

    /// <summary>The note as it is served: text, blank line, signature lines.</summary>
    public string Format()
    {
        var output = new StringBuilder(Text).Append('\n');
        foreach (var signature in _signatures) output.Append(signature.Line);
        return output.ToString();
    }

    /// <summary>Parses UTF-8 bytes of a signed note.</summary>
    public static Result<SignedNote> Parse(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxSize) return Fail(ProtocolErrorCode.LimitExceeded, $"A note is at most {MaxSize} bytes.");
        string note;
        try
        {
            note = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            return Fail(ProtocolErrorCode.Malformed, "A note is valid UTF-8.");
        }
        return Parse(note);
    }

    /// <summary>Parses a signed note.</summary>
    public static Result<SignedNote> Parse(string note)
    {
        ArgumentNullException.ThrowIfNull(note);
        if (note.Length > MaxSize) return Fail(ProtocolErrorCode.LimitExceeded, $"A note is at most {MaxSize} bytes.");
        if (HasForbiddenCharacter(note)) return Fail(ProtocolErrorCode.Malformed, "A note contains no control characters other than newline, and no unpaired surrogates.");
        var split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0) return Fail(ProtocolErrorCode.Malformed, "A note's text is separated from its signatures by a blank line.");
        var text = note[..(split + 1)];
        var block = note[(split + 2)..];
        if (block.Length == 0 || block[^1] != '\n') return Fail(ProtocolErrorCode.Malformed, "A note ends with signature lines, each ending in a newline.");
        var lines = block[..^1].Split('\n');
        if (lines.Length > MaxSignatures) return Fail(ProtocolErrorCode.LimitExceeded, $"A note carries at most {MaxSignatures} signatures.");
        var signatures = new NoteSignature[lines.Length];
        for (var i = 0; i < lines.Length; i++)
        {
            var signature = NoteSignature.ParseLine(lines[i]);
            if (!signature.IsOk) return Result<SignedNote>.Fail(signature.Error with { Message = $"Signature line {i + 1}: {signature.Error.Message}" });
            signatures[i] = signature.Value;
        }
        return new SignedNote(text, signatures);
    }

    /// <summary>True for a valid key name: non-empty, no Unicode space, no '+', no control character.</summary>
    public static bool IsValidKeyName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 256 && !name.Any(c => char.IsWhiteSpace(c) || c == '+' || char.IsControl(c) || char.IsSurrogate(c));

    internal static ProtocolError? CheckText(string text)
    {
        if (text.Length == 0 || text[^1] != '\n') return new ProtocolError(ProtocolErrorCode.Malformed, "A note's text ends with a newline.");
        if (HasForbiddenCharacter(text)) return new ProtocolError(ProtocolErrorCode.Malformed, "A note's text contains no control characters other than newline.");
        return null;
    }

    private static bool HasForbiddenCharacter(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < 0x20 && c != '\n') return true;
            if (char.IsHighSurrogate(c) && (i + 1 == text.Length || !char.IsLowSurrogate(text[i + 1]))) return true;
            if (char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(text[i - 1]))) return true;
        }
        return false;
    }

    private static Result<SignedNote> Fail(ProtocolErrorCode code, string message) => Result<SignedNote>.Fail(code, message);
}

/// <summary>Standard base64 (RFC 4648 §4) accepted only in its one canonical spelling: no whitespace, exact padding, zero pad bits.</summary>
internal static class StrictBase64
{
    public static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || text.Length % 4 != 0) return false;
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=')) return false;
        }
        try
        {
            bytes = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return false;
        }
        // Re-encoding refuses '=' in the middle and non-zero bits in the last character.
        return Convert.ToBase64String(bytes) == text;
    }
}
