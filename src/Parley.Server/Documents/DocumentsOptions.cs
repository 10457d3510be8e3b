namespace Parley.Server.Documents;

/// <summary>Limits of documents on this server (<see cref="Hosting.ServerOptions.Documents"/>).</summary>
public sealed record DocumentsOptions
{
    /// <summary>The most ciphertext bytes one version may have (64 GiB by default); an upload refuses a part that would pass it.</summary>
    public long MaxVersionBytes { get; init; } = 64L * 1024 * 1024 * 1024;

    /// <summary>Uploads one person may have open at once.</summary>
    public int MaxOpenUploads { get; init; } = 8;

    /// <summary>How long an unused upload is kept (from its creation); the daily job deletes it after that.</summary>
    public TimeSpan UploadLifetime { get; init; } = TimeSpan.FromHours(24);
}
