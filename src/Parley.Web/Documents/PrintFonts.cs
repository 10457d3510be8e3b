using System.Runtime.Versioning;
using Parley.Client.Documents.Printing;

namespace Parley.Web.Documents;

/// <summary>
/// The DejaVu Sans faces for controlled printing in the browser, which has no font folder: the build
/// copies them from the build machine's /usr/share/fonts/truetype/dejavu into the app's
/// <c>fonts/</c> (Parley.Web.csproj), and they are fetched from this origin the first time the person
/// prints, then kept for the life of the page.
/// </summary>
[SupportedOSPlatform("browser")]
public sealed class PrintFonts(HttpClient http)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (byte[] Regular, byte[] Bold)? _faces;

    /// <summary>The regular and bold faces.</summary>
    public async Task<(byte[] Regular, byte[] Bold)> GetAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_faces is { } faces) return faces;
            var regular = await http.GetByteArrayAsync($"fonts/{DejaVuFonts.RegularFile}", cancellationToken);
            var bold = await http.GetByteArrayAsync($"fonts/{DejaVuFonts.BoldFile}", cancellationToken);
            _faces = (regular, bold);
            return _faces.Value;
        }
        finally
        {
            _gate.Release();
        }
    }
}
