namespace Parley.Web.Tests;

/// <summary>
/// The shared Wycheproof vectors, found beside the repository: walk up from the test binaries to the
/// folder holding Parley.slnx, then ../shared/vectors/wycheproof. Missing vectors fail the test; they
/// are never skipped.
/// </summary>
public static class VectorFiles
{
    private static readonly Lazy<string> Root = new(Locate);

    /// <summary>Full path of a Wycheproof file, which must exist.</summary>
    public static string Wycheproof(string fileName)
    {
        var path = Path.Combine(Root.Value, fileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"Wycheproof vector file {path} is missing; shared/vectors must sit beside the repository.", path);
        return path;
    }

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Parley.slnx"))) continue;
            var vectors = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "vectors", "wycheproof"));
            if (!Directory.Exists(vectors))
                throw new DirectoryNotFoundException($"Test vectors not found at {vectors} (expected ../shared/vectors/wycheproof beside the repository root {dir.FullName}).");
            return vectors;
        }
        throw new DirectoryNotFoundException($"No Parley.slnx above {AppContext.BaseDirectory}: cannot locate the repository root and its ../shared/vectors.");
    }
}
