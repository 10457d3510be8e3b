using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;

namespace Parley.Client.Ledger;

/// <summary>What a client remembers of a log between runs.</summary>
/// <param name="CheckpointNote">The last checkpoint it verified and accepted, as a signed note.</param>
/// <param name="ForkEvidence">If it saw the log fork: what it saw. A client never goes on with that log.</param>
public sealed record StoredLogState(string? CheckpointNote, string? ForkEvidence);

/// <summary>Where a client keeps its view of each log it follows, by origin.</summary>
public interface ICheckpointStore
{
    /// <summary>The state kept for <paramref name="origin"/>.</summary>
    Task<StoredLogState> LoadAsync(string origin, CancellationToken cancellationToken);

    /// <summary>Keeps <paramref name="note"/> as the last accepted checkpoint of <paramref name="origin"/>.</summary>
    Task SaveCheckpointAsync(string origin, string note, CancellationToken cancellationToken);

    /// <summary>Records that <paramref name="origin"/> forked, with the evidence.</summary>
    Task SaveForkAsync(string origin, string evidence, CancellationToken cancellationToken);
}

/// <summary>A store in memory, for clients that do not persist (tests, short-lived tools).</summary>
public sealed class MemoryCheckpointStore : ICheckpointStore
{
    private readonly Dictionary<string, StoredLogState> _states = [];
    private readonly Lock _lock = new();

    /// <inheritdoc />
    public Task<StoredLogState> LoadAsync(string origin, CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult(_states.GetValueOrDefault(origin) ?? new StoredLogState(null, null));
    }

    /// <inheritdoc />
    public Task SaveCheckpointAsync(string origin, string note, CancellationToken cancellationToken)
    {
        lock (_lock) _states[origin] = (_states.GetValueOrDefault(origin) ?? new StoredLogState(null, null)) with { CheckpointNote = note };
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task SaveForkAsync(string origin, string evidence, CancellationToken cancellationToken)
    {
        lock (_lock) _states[origin] = (_states.GetValueOrDefault(origin) ?? new StoredLogState(null, null)) with { ForkEvidence = evidence };
        return Task.CompletedTask;
    }
}

/// <summary>
/// A store in a folder (the CLI's): per log, <c>&lt;name&gt;.checkpoint</c> and, after a fork,
/// <c>&lt;name&gt;.FORK</c>, where the name is the SHA-256 of the origin. Files are written whole
/// (temporary file, flush, rename) and private to the user.
/// </summary>
[UnsupportedOSPlatform("browser")]
public sealed class FileCheckpointStore : ICheckpointStore
{
    private readonly string _folder;

    /// <summary>A store in <paramref name="folder"/>, created private to the user if missing.</summary>
    public FileCheckpointStore(string folder)
    {
        _folder = Path.GetFullPath(folder);
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(_folder);
        else Directory.CreateDirectory(_folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <inheritdoc />
    public async Task<StoredLogState> LoadAsync(string origin, CancellationToken cancellationToken)
    {
        var checkpoint = Path.Combine(_folder, FileName(origin) + ".checkpoint");
        var fork = Path.Combine(_folder, FileName(origin) + ".FORK");
        return new StoredLogState(
            File.Exists(checkpoint) ? await File.ReadAllTextAsync(checkpoint, cancellationToken).ConfigureAwait(false) : null,
            File.Exists(fork) ? await File.ReadAllTextAsync(fork, cancellationToken).ConfigureAwait(false) : null);
    }

    /// <inheritdoc />
    public Task SaveCheckpointAsync(string origin, string note, CancellationToken cancellationToken) =>
        PrivateFile.WriteAtomicallyAsync(Path.Combine(_folder, FileName(origin) + ".checkpoint"), Encoding.UTF8.GetBytes(note), cancellationToken);

    /// <inheritdoc />
    public Task SaveForkAsync(string origin, string evidence, CancellationToken cancellationToken) =>
        PrivateFile.WriteAtomicallyAsync(Path.Combine(_folder, FileName(origin) + ".FORK"), Encoding.UTF8.GetBytes(evidence), cancellationToken);

    private static string FileName(string origin) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(origin)))[..32];
}

/// <summary>Whole-file writes private to the user.</summary>
[UnsupportedOSPlatform("browser")]
public static class PrivateFile
{
    /// <summary>Writes <paramref name="contents"/> to a temporary file (0600), flushes it to disk and renames it over <paramref name="path"/>.</summary>
    public static async Task WriteAtomicallyAsync(string path, byte[] contents, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            await using (var stream = new FileStream(temporary, options))
            {
                await stream.WriteAsync(contents, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
