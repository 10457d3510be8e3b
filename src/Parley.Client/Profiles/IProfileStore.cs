namespace Parley.Client.Profiles;

/// <summary>
/// Where a client keeps its <see cref="LocalProfile"/>: a folder for the CLI
/// (<see cref="FileProfileStore"/>), browser storage for the web client. Implementations persist
/// the whole profile at once, so a crash leaves either the old or the new one.
/// </summary>
public interface IProfileStore
{
    /// <summary>The saved profile, or null when there is none yet.</summary>
    ValueTask<LocalProfile?> LoadAsync(CancellationToken cancellationToken = default);

    /// <summary>Replaces the saved profile.</summary>
    ValueTask SaveAsync(LocalProfile profile, CancellationToken cancellationToken = default);
}

/// <summary>A profile that lives as long as the process: for seeding and for sessions that keep nothing.</summary>
public sealed class MemoryProfileStore : IProfileStore
{
    private LocalProfile? _profile;

    /// <inheritdoc />
    public ValueTask<LocalProfile?> LoadAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(_profile);

    /// <inheritdoc />
    public ValueTask SaveAsync(LocalProfile profile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(profile);
        _profile = profile;
        return ValueTask.CompletedTask;
    }
}
