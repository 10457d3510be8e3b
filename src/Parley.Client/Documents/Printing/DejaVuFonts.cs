using System.Runtime.Versioning;
using PdfSharp.Fonts;

namespace Parley.Client.Documents.Printing;

/// <summary>
/// Gives PDFsharp the DejaVu Sans faces from the system's font folder. PDFsharp's core build has no
/// font discovery of its own on Linux, and a controlled print must not fall back to a face that lacks
/// the characters of the text. The resolver is process-wide in PDFsharp, so it is installed once.
/// </summary>
[UnsupportedOSPlatform("browser")]
public sealed class DejaVuFonts : IFontResolver
{
    /// <summary>The family name to ask PDFsharp for.</summary>
    public const string Family = "DejaVu Sans";

    /// <summary>Where Debian and most Linux distributions install DejaVu.</summary>
    public const string DefaultDirectory = "/usr/share/fonts/truetype/dejavu";

    private static readonly Lock Gate = new();
    private static DejaVuFonts? _installed;
    private readonly string _directory;

    private DejaVuFonts(string directory) => _directory = directory;

    /// <summary>Installs the resolver for <paramref name="directory"/> unless it is already installed. Fails
    /// with <see cref="FileNotFoundException"/> when the faces are missing, before anything is rendered.</summary>
    public static void Install(string directory = DefaultDirectory)
    {
        lock (Gate)
        {
            if (_installed is not null)
            {
                if (_installed._directory != directory) throw new InvalidOperationException($"PDF fonts are already taken from {_installed._directory}.");
                return;
            }
            foreach (var face in new[] { "DejaVuSans.ttf", "DejaVuSans-Bold.ttf" })
            {
                var path = Path.Combine(directory, face);
                if (!File.Exists(path)) throw new FileNotFoundException($"The font {face} is missing from {directory}; install fonts-dejavu-core.", path);
            }
            _installed = new DejaVuFonts(directory);
            GlobalFontSettings.FontResolver = _installed;
        }
    }

    /// <inheritdoc />
    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        string.Equals(familyName, Family, StringComparison.OrdinalIgnoreCase)
            ? new FontResolverInfo(bold ? "DejaVuSans-Bold" : "DejaVuSans", false, italic)
            : null;

    /// <inheritdoc />
    public byte[]? GetFont(string faceName) => faceName is "DejaVuSans" or "DejaVuSans-Bold"
        ? File.ReadAllBytes(Path.Combine(_directory, faceName + ".ttf"))
        : null;
}
