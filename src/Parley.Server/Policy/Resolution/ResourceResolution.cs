using Parley.Server.Policy.Engine;

namespace Parley.Server.Policy.Resolution;

/// <summary>
/// Finds the resources of one kind by key, for the enforcement point and for explain. A feature
/// that owns resources (rooms, documents) implements one and registers it with
/// <see cref="ResourceKinds.Add{TResolver}"/>; it is created per request, so it may use the
/// request's database context.
/// </summary>
public interface IResourceResolver
{
    /// <summary>The resource with this key (an id, a code, a name where the kind allows), or null when there is none.</summary>
    Task<PolicyResource?> ResolveAsync(string key, CancellationToken cancellationToken);
}

/// <summary>The resource kinds the server knows, each with its resolver type.</summary>
public sealed class ResourceKinds
{
    private readonly Dictionary<string, Type> _resolvers = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Registers <typeparamref name="TResolver"/> for <paramref name="kind"/> (lower-case letters and hyphens).</summary>
    public ResourceKinds Add<TResolver>(string kind) where TResolver : IResourceResolver
    {
        if (kind.Length is 0 or > 32 || !kind.All(c => c is (>= 'a' and <= 'z') or '-'))
            throw new ArgumentException($"'{kind}' is not a resource kind (lower-case letters and hyphens).", nameof(kind));
        lock (_lock)
        {
            if (!_resolvers.TryAdd(kind, typeof(TResolver))) throw new InvalidOperationException($"Resource kind '{kind}' is registered already.");
        }
        return this;
    }

    public IReadOnlyCollection<string> Names
    {
        get
        {
            lock (_lock) return _resolvers.Keys.Order(StringComparer.Ordinal).ToList();
        }
    }

    public bool Knows(string kind)
    {
        lock (_lock) return _resolvers.ContainsKey(kind);
    }

    /// <summary>The resolver for <paramref name="kind"/>, made with the request's services; null for an unknown kind.</summary>
    public IResourceResolver? ResolverFor(string kind, IServiceProvider services)
    {
        Type? type;
        lock (_lock) _resolvers.TryGetValue(kind, out type);
        return type is null ? null : (IResourceResolver)ActivatorUtilities.CreateInstance(services, type);
    }

    /// <summary>Resolves a reference <c>kind:key</c>; null when the kind is unknown or there is no such resource.</summary>
    public async Task<PolicyResource?> ResolveAsync(string? reference, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (!TryParseReference(reference, out var kind, out var key)) return null;
        var resolver = ResolverFor(kind, services);
        return resolver is null ? null : await resolver.ResolveAsync(key, cancellationToken);
    }

    /// <summary>Splits <c>kind:key</c> at the first colon.</summary>
    public static bool TryParseReference(string? reference, out string kind, out string key)
    {
        kind = key = "";
        if (string.IsNullOrWhiteSpace(reference) || reference.Length > 2048) return false;
        var colon = reference.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == reference.Length - 1) return false;
        kind = reference[..colon].Trim();
        key = reference[(colon + 1)..].Trim();
        return kind.Length > 0 && key.Length > 0;
    }
}
