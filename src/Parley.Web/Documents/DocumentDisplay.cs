using System.Globalization;
using Parley.Client.Documents;
using Parley.Protocol.Classification;
using Parley.Protocol.Documents;
using Parley.Web.Classification;

namespace Parley.Web.Documents;

/// <summary>How the documents pages write sizes, labels and file names, and raise the banner.</summary>
public static class DocumentDisplay
{
    /// <summary>The largest file the upload form opens (the SDK streams it in parts of 8 MiB).</summary>
    public const long MaxUploadBytes = 4L * 1024 * 1024 * 1024;

    /// <summary>A size for people: bytes, KiB, MiB or GiB.</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KiB",
        < 1024L * 1024 * 1024 => (bytes / 1024.0 / 1024).ToString("0.#", CultureInfo.InvariantCulture) + " MiB",
        _ => (bytes / 1024.0 / 1024 / 1024).ToString("0.##", CultureInfo.InvariantCulture) + " GiB",
    };

    /// <summary>The portion mark of a banner, e.g. "(C//REL TO ATL, BOR)", or the banner itself when it does not parse.</summary>
    public static string PortionMark(MarkingScheme scheme, string banner) =>
        scheme.ParseBanner(banner).TryGetValue(out var label, out _) ? label.ToPortionMark() : banner;

    /// <summary>Raises the screen's banner to <paramref name="banner"/> (a level the banner does not know is printed on the page anyway).</summary>
    public static void Raise(ClassificationContext classification, string banner)
    {
        var parts = banner.Split("//");
        try
        {
            classification.Raise(parts[0], parts.Skip(1).ToArray());
        }
        catch (ArgumentException)
        {
            // A level of a deployment's own scheme that the banner does not know: the label is shown beside the content.
        }
    }

    /// <summary>A file name for a downloaded version: the title, without characters file systems refuse, with an extension for its media type.</summary>
    public static string FileName(string title, string mediaType)
    {
        var invalid = new HashSet<char>(Path.GetInvalidFileNameChars().Concat(['/', '\\', ':', '*', '?', '"', '<', '>', '|']));
        var name = new string(title.Trim().Select(c => invalid.Contains(c) || char.IsControl(c) ? '_' : c).ToArray());
        if (name.Length == 0) name = "document";
        if (Path.HasExtension(name)) return name;
        var extension = mediaType.StartsWith("text/markdown", StringComparison.OrdinalIgnoreCase) ? ".md"
            : mediaType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase) ? ".txt"
            : mediaType.StartsWith("application/pdf", StringComparison.OrdinalIgnoreCase) ? ".pdf"
            : ".bin";
        return name + extension;
    }

    /// <summary>The media type of an uploaded file: Markdown and plain text by their extension (they are portion-marked texts), else what the browser says.</summary>
    public static string MediaType(string fileName, string? browserType)
    {
        var known = DocumentsClient.MediaTypeOf(fileName);
        if (known != "application/octet-stream") return known;
        // A type the browser guessed for an unknown extension must not turn a file into a text that needs portion marks.
        return string.IsNullOrWhiteSpace(browserType) || DocumentsClient.IsText(browserType) ? known : browserType;
    }

    /// <summary>People named in a free-text list: addresses separated by commas, semicolons, spaces or lines.</summary>
    public static IReadOnlyList<string> People(string? text) =>
        (text ?? "").Split([',', ';', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>An endorsement kind as a verb.</summary>
    public static string Kind(EndorsementKind kind) => kind == EndorsementKind.Sign ? "signed" : "initialled ad referendum";

    /// <summary>A Unix time in UTC.</summary>
    public static string Unix(long seconds) =>
        DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
