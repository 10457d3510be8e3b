using System.Runtime.Versioning;
using System.Collections.Concurrent;
using System.Net;
using Parley.Protocol;
using Parley.Protocol.Ledger;

namespace Parley.Client.Ledger;

/// <summary>
/// Reads a log's tiles from a server's <c>/ledger/</c> prefix. Full tiles never change, so they are
/// kept once read; partial tiles and bundles are fetched each time.
/// </summary>
public sealed class HttpTileReader(HttpClient http, string prefix = "ledger/") : ITileReader
{
    private const int MaxCachedTiles = 4096;
    private const int MaxTileBytes = 2 * 1024 * 1024;
    private readonly ConcurrentDictionary<TileAddress, byte[]> _full = new();

    /// <inheritdoc />
    public async ValueTask<Result<byte[]>> ReadAsync(TileAddress tile, CancellationToken cancellationToken)
    {
        if (!tile.IsPartial && _full.TryGetValue(tile, out var cached)) return cached;
        using var response = await http.GetAsync(prefix + tile.Path, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return Result<byte[]>.Fail(ProtocolErrorCode.Truncated, $"The server has no {tile.Path}.");
        response.EnsureSuccessStatusCode();
        if (response.Content.Headers.ContentLength > MaxTileBytes)
            return Result<byte[]>.Fail(ProtocolErrorCode.LimitExceeded, $"{tile.Path} is larger than any tile.");
        var data = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (data.Length > MaxTileBytes) return Result<byte[]>.Fail(ProtocolErrorCode.LimitExceeded, $"{tile.Path} is larger than any tile.");
        if (!tile.IsPartial && tile.Kind == TileKind.Hash && _full.Count < MaxCachedTiles) _full.TryAdd(tile, data);
        return data;
    }
}

/// <summary>Reads a log exported by <c>parley ledger export</c>: the same paths as the server's, as files under a folder.</summary>
[UnsupportedOSPlatform("browser")]
public sealed class DirectoryTileReader(string root) : ITileReader
{
    /// <inheritdoc />
    public async ValueTask<Result<byte[]>> ReadAsync(TileAddress tile, CancellationToken cancellationToken)
    {
        var path = Path.Combine(root, tile.Path.Replace('/', Path.DirectorySeparatorChar));
        // A full tile also answers for its partial versions, which may have been pruned from an export.
        foreach (var candidate in tile.IsPartial ? [path, Path.Combine(root, tile.Full.Path.Replace('/', Path.DirectorySeparatorChar))] : new[] { path })
        {
            if (File.Exists(candidate)) return await File.ReadAllBytesAsync(candidate, cancellationToken).ConfigureAwait(false);
        }
        return Result<byte[]>.Fail(ProtocolErrorCode.Truncated, $"The export has no {tile.Path}.");
    }
}
