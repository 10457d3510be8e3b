namespace Parley.Server.Storage;

/// <summary>The server's data folder: <c>parley.db</c>, <c>blobs/</c> and key files, private to the server's user.</summary>
public sealed class DataDirectory
{
    private DataDirectory(string root)
    {
        Root = root;
        DatabasePath = Path.Combine(root, "parley.db");
        BlobsPath = Path.Combine(root, "blobs");
    }

    /// <summary>Absolute path of the folder.</summary>
    public string Root { get; }

    /// <summary>The SQLite database.</summary>
    public string DatabasePath { get; }

    /// <summary>Where encrypted blobs are stored.</summary>
    public string BlobsPath { get; }

    /// <summary>Creates the folder and its <c>blobs/</c> if missing, readable by the owner only.</summary>
    public static DataDirectory Open(string path)
    {
        var root = Path.GetFullPath(path);
        var directory = new DataDirectory(root);
        CreatePrivate(root);
        CreatePrivate(directory.BlobsPath);
        // SQLite gives its -wal and -shm files the database file's mode, so creating it 0600 first
        // keeps all three private.
        if (!File.Exists(directory.DatabasePath)) directory.WritePrivateFile("parley.db", []);
        return directory;
    }

    /// <summary>Writes <paramref name="contents"/> to a new file readable by the owner only (0600).</summary>
    public void WritePrivateFile(string name, ReadOnlySpan<byte> contents)
    {
        var path = Path.Combine(Root, name);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, options);
        stream.Write(contents);
        stream.Flush(flushToDisk: true);
    }

    private static void CreatePrivate(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
