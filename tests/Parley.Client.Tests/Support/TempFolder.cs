namespace Parley.Client.Tests.Support;

/// <summary>A private temporary folder (0700), deleted with everything in it on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Path = Directory.CreateTempSubdirectory("parley-client-tests-").FullName;

    public string Path { get; }

    /// <summary>A path inside the folder that does not exist yet.</summary>
    public string Child(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}
