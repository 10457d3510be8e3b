using System.Runtime.Versioning;
using PdfSharp.Fonts;

namespace Parley.Client.Documents.Printing;

/// <summary>
/// Gives PDFsharp the DejaVu Sans faces (regular and bold). PDFsharp's core build has no font discovery
/// of its own on Linux or in the browser, and a controlled print must not fall back to a face that lacks
/// the characters of the text. The CLI reads the faces from the system's font folder; the web client,
/// which has no file system, fetches them from its server and hands over the bytes. The resolver is
/// process-wide in PDFsharp, so it is installed once; installing the same faces again is a no-op.
/// </summary>
public sealed class DejaVuFonts : IFontResolver
{
    /// <summary>The family name to ask PDFsharp for.</summary>
    public const string Family = "DejaVu Sans";

    /// <summary>Where Debian and most Linux distributions install DejaVu.</summary>
    public const string DefaultDirectory = "/usr/share/fonts/truetype/dejavu";

    /// <summary>The file name of the regular face.</summary>
    public const string RegularFile = "DejaVuSans.ttf";

    /// <summary>The file name of the bold face.</summary>
    public const string BoldFile = "DejaVuSans-Bold.ttf";

    private const string RegularFace = "DejaVuSans";
    private const string BoldFace = "DejaVuSans-Bold";

    private static readonly Lock Gate = new();
    private static DejaVuFonts? _installed;
    private readonly string _source;
    private readonly byte[] _regular;
    private readonly byte[] _bold;

    private DejaVuFonts(string source, byte[] regular, byte[] bold)
    {
        _source = source;
        _regular = regular;
        _bold = bold;
    }

    /// <summary>True once a resolver is installed in this process.</summary>
    public static bool IsInstalled
    {
        get
        {
            lock (Gate) return _installed is not null;
        }
    }

    /// <summary>
    /// Installs the resolver with the faces given as bytes (the contents of <see cref="RegularFile"/> and
    /// <see cref="BoldFile"/>), as the browser does, unless the same faces are installed. Refuses bytes that
    /// are not TrueType fonts, and faces other than those already installed in this process.
    /// </summary>
    public static void Install(byte[] regular, byte[] bold, string source = "supplied bytes")
    {
        ArgumentNullException.ThrowIfNull(regular);
        ArgumentNullException.ThrowIfNull(bold);
        ArgumentNullException.ThrowIfNull(source);
        if (!IsTrueType(regular)) throw new ArgumentException($"The regular face ({RegularFile}) is not a TrueType font.", nameof(regular));
        if (!IsTrueType(bold)) throw new ArgumentException($"The bold face ({BoldFile}) is not a TrueType font.", nameof(bold));
        lock (Gate)
        {
            if (_installed is not null)
            {
                if (!_installed._regular.AsSpan().SequenceEqual(regular) || !_installed._bold.AsSpan().SequenceEqual(bold))
                    throw new InvalidOperationException($"PDF fonts are already taken from {_installed._source}, and those of {source} differ.");
                return;
            }
            _installed = new DejaVuFonts(source, regular, bold);
            GlobalFontSettings.FontResolver = _installed;
        }
    }

    // A TrueType (0x00010000 or 'true') or OpenType-with-TrueType-outlines file starts with one of these tags.
    private static bool IsTrueType(byte[] font) =>
        font.Length > 12 && (font.AsSpan(0, 4).SequenceEqual(new byte[] { 0, 1, 0, 0 }) || font.AsSpan(0, 4).SequenceEqual("true"u8));

    /// <inheritdoc />
    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        string.Equals(familyName, Family, StringComparison.OrdinalIgnoreCase)
            ? new FontResolverInfo(bold ? BoldFace : RegularFace, false, italic)
            : null;

    /// <inheritdoc />
    public byte[]? GetFont(string faceName) => faceName switch
    {
        RegularFace => _regular,
        BoldFace => _bold,
        _ => null,
    };
}

/// <summary>The DejaVu faces read from a font folder, as the CLI does (the browser has none: it passes bytes to <see cref="DejaVuFonts.Install(byte[], byte[], string)"/>).</summary>
[UnsupportedOSPlatform("browser")]
public static class DejaVuFontFolder
{
    /// <summary>Installs the resolver with the faces of <paramref name="directory"/> unless the same faces are installed.
    /// Fails with <see cref="FileNotFoundException"/> when the faces are missing, before anything is rendered.</summary>
    public static void Install(string directory = DejaVuFonts.DefaultDirectory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var faces = new byte[2][];
        var names = new[] { DejaVuFonts.RegularFile, DejaVuFonts.BoldFile };
        for (var i = 0; i < names.Length; i++)
        {
            var path = Path.Combine(directory, names[i]);
            if (!File.Exists(path)) throw new FileNotFoundException($"The font {names[i]} is missing from {directory}; install fonts-dejavu-core.", path);
            faces[i] = File.ReadAllBytes(path);
        }
        DejaVuFonts.Install(faces[0], faces[1], directory);
    }
}
