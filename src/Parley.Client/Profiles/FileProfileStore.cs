using System.Runtime.Versioning;
using System.Text.Json;

namespace Parley.Client.Profiles;

/// <summary>
/// A profile in a folder (the CLI's <c>--profile DIR</c>, default <c>~/.parley</c>): the folder is
/// 0700 and <c>profile.json</c> 0600, both created with those modes so there is no moment when
/// others could read them. A save writes a new file beside the old one, flushes it to disk and
/// renames it over, so a crash leaves either profile whole.
/// </summary>
[UnsupportedOSPlatform("browser")]
public sealed class FileProfileStore : IProfileStore
{
    /// <summary>The file name inside the folder.</summary>
    public const string FileName = "profile.json";

    private const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OthersAccess = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>A store in <paramref name="directory"/>, created on first save.</summary>
    public FileProfileStore(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
    }

    /// <summary>The default folder, <c>~/.parley</c>.</summary>
    public static string DefaultDirectory => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".parley");

    /// <summary>The profile folder.</summary>
    public string Directory { get; }

    /// <summary>The profile file.</summary>
    public string FilePath => Path.Combine(Directory, FileName);

    /// <inheritdoc />
    public async ValueTask<LocalProfile?> LoadAsync(CancellationToken cancellationToken = default)
    {
        if (!File.Exists(FilePath)) return null;
        CheckPrivate();
        await using var stream = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
        try
        {
            return await JsonSerializer.DeserializeAsync(stream, ClientJson.Default.LocalProfile, cancellationToken).ConfigureAwait(false)
                ?? throw new ProfileException($"The profile {FilePath} is empty.");
        }
        catch (JsonException e)
        {
            throw new ProfileException($"The profile {FilePath} is damaged ({e.Message}); move it away and sign in again.");
        }
    }

    /// <inheritdoc />
    public async ValueTask SaveAsync(LocalProfile profile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(profile);
        EnsureFolder();
        var temporary = Path.Combine(Directory, $".{FileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Options = FileOptions.Asynchronous,
            };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = PrivateFile;
            await using (var stream = new FileStream(temporary, options))
            {
                await JsonSerializer.SerializeAsync(stream, profile, ClientJson.Default.LocalProfile, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, FilePath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    private void EnsureFolder()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            CheckPrivate();
            return;
        }
        if (OperatingSystem.IsWindows()) System.IO.Directory.CreateDirectory(Directory);
        else System.IO.Directory.CreateDirectory(Directory, PrivateFolder);
    }

    // Like ssh with ~/.ssh: keys that others can read, or a folder others can write to, are refused
    // rather than silently used.
    private void CheckPrivate()
    {
        if (OperatingSystem.IsWindows()) return;
        var folder = File.GetUnixFileMode(Directory);
        if ((folder & OthersAccess) != 0)
            throw new ProfileException($"The profile folder {Directory} is open to other users (mode {Octal(folder)}); run 'chmod 700 {Directory}'.");
        if (File.Exists(FilePath) && (File.GetUnixFileMode(FilePath) & OthersAccess) is var file && file != 0)
            throw new ProfileException($"The profile {FilePath} is open to other users; run 'chmod 600 {FilePath}'.");
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}

/// <summary>A local profile that cannot be used as it is.</summary>
public sealed class ProfileException(string message) : Exception(message);
