using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Resolution;

namespace Parley.Server.Policy.Enforcement;

/// <summary>How an endpoint names its action: fixed, or from a query parameter (the access check).</summary>
public abstract record ActionLocator
{
    private ActionLocator() { }

    public sealed record Fixed(PolicyAction Action) : ActionLocator
    {
        public override string ToString() => Action.Name;
    }

    public sealed record FromQuery(string Parameter) : ActionLocator
    {
        public override string ToString() => $"action from ?{Parameter}=";
    }
}

/// <summary>How an endpoint finds its resource. Made with <see cref="Resources"/>.</summary>
public abstract record ResourceLocator
{
    private protected ResourceLocator() { }

    /// <summary>The kind of resource, or null when the request names it (<c>?resource=kind:key</c>).</summary>
    public abstract string? Kind { get; }

    internal sealed record Fixed(string FixedKind, string Key) : ResourceLocator
    {
        public override string? Kind => FixedKind;
        public override string ToString() => $"{FixedKind}:{Key}";
    }

    internal sealed record Self : ResourceLocator
    {
        public override string? Kind => ResourceKindNames.User;
        public override string ToString() => "user:(caller)";
    }

    internal sealed record FromRoute(string RouteKind, string Parameter) : ResourceLocator
    {
        public override string? Kind => RouteKind;
        public override string ToString() => $"{RouteKind}:{{{Parameter}}}";
    }

    internal sealed record FromQuery(string QueryKind, string Parameter) : ResourceLocator
    {
        public override string? Kind => QueryKind;
        public override string ToString() => $"{QueryKind}:?{Parameter}=";
    }

    internal sealed record ReferenceFromQuery(string Parameter) : ResourceLocator
    {
        public override string? Kind => null;
        public override string ToString() => $"?{Parameter}=kind:key";
    }
}

/// <summary>Resource locators for <see cref="PolicyEndpoints.RequiresPolicy{TBuilder}(TBuilder, PolicyAction, ResourceLocator, IPolicyContextSource[])"/>.</summary>
public static class Resources
{
    /// <summary>The venue as a whole.</summary>
    public static ResourceLocator System { get; } = new ResourceLocator.Fixed(ResourceKindNames.System, SystemResolver.Key);

    /// <summary>The caller's own account.</summary>
    public static ResourceLocator Self { get; } = new ResourceLocator.Self();

    /// <summary>The delegation whose code is in the route.</summary>
    public static ResourceLocator Delegation(string fromRoute) => new ResourceLocator.FromRoute(ResourceKindNames.Delegation, fromRoute);

    /// <summary>The device whose id is in the route.</summary>
    public static ResourceLocator Device(string fromRoute) => new ResourceLocator.FromRoute(ResourceKindNames.Device, fromRoute);

    /// <summary>The user whose id or email is in the query.</summary>
    public static ResourceLocator User(string fromQuery) => new ResourceLocator.FromQuery(ResourceKindNames.User, fromQuery);

    /// <summary>A resource of <paramref name="kind"/> whose key is in the route, e.g. <c>Resources.Of("room", fromRoute: "id")</c>.</summary>
    public static ResourceLocator Of(string kind, string fromRoute) => new ResourceLocator.FromRoute(kind, fromRoute);

    /// <summary>Any resource, named in the query as <c>kind:key</c>.</summary>
    public static ResourceLocator Referenced(string fromQuery) => new ResourceLocator.ReferenceFromQuery(fromQuery);
}

/// <summary>
/// The access policy an endpoint declares (endpoint metadata): the action, how to find the
/// resource, and the request facts the rules need; or that it is a public entry point (sign-in,
/// enrollment by token, health, the web client's files), which has no principal to decide about.
/// </summary>
public sealed class EndpointPolicy
{
    private EndpointPolicy(string? publicBecause, ActionLocator? action, ResourceLocator? resource, IReadOnlyList<IPolicyContextSource> context)
    {
        PublicBecause = publicBecause;
        Action = action;
        Resource = resource;
        Context = context;
    }

    /// <summary>Why the endpoint needs no session, for public entry points.</summary>
    public string? PublicBecause { get; }

    public bool IsPublic => PublicBecause is not null;

    public ActionLocator? Action { get; }

    public ResourceLocator? Resource { get; }

    public IReadOnlyList<IPolicyContextSource> Context { get; }

    public static EndpointPolicy Public(string because) => new(because, null, null, []);

    public static EndpointPolicy Requires(ActionLocator action, ResourceLocator resource, IReadOnlyList<IPolicyContextSource> context) => new(null, action, resource, context);

    /// <inheritdoc />
    public override string ToString() => IsPublic ? $"public ({PublicBecause})" : $"{Action} on {Resource}";
}

/// <summary>Declaring endpoints' access policy.</summary>
public static class PolicyEndpoints
{
    /// <summary>
    /// The endpoint does <paramref name="action"/> on the resource <paramref name="resource"/> finds;
    /// the enforcement point decides before the handler runs. An endpoint's declaration overrides its group's.
    /// </summary>
    public static TBuilder RequiresPolicy<TBuilder>(this TBuilder builder, PolicyAction action, ResourceLocator resource, params IPolicyContextSource[] context)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequiresPolicy(new ActionLocator.Fixed(action), resource, context);

    /// <summary>As above, with the action found by <paramref name="action"/>.</summary>
    public static TBuilder RequiresPolicy<TBuilder>(this TBuilder builder, ActionLocator action, ResourceLocator resource, params IPolicyContextSource[] context)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(resource);
        var policy = EndpointPolicy.Requires(action, resource, context);
        builder.Add(endpoint => endpoint.Metadata.Add(policy));
        return builder;
    }

    /// <summary>A public entry point: no session, no decision (say why, for the authorization matrix and the docs).</summary>
    public static TBuilder Public<TBuilder>(this TBuilder builder, string because) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(because);
        var policy = EndpointPolicy.Public(because);
        builder.Add(endpoint => endpoint.Metadata.Add(policy));
        return builder;
    }
}
