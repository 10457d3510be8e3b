using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Identity;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Model;
using Parley.Server.Policy.Resolution;
using Parley.Server.Storage;

namespace Parley.Server.Policy.Enforcement;

/// <summary>
/// A fact of the request the rules need beyond principal and resource: the label of what is
/// written, the roles a link would grant, the person explained. Read by the enforcement point
/// before the handler runs; a fact that cannot be read answers 400 with <see cref="ContextReading.Problem"/>.
/// </summary>
public interface IPolicyContextSource
{
    /// <summary>Adds the fact to <paramref name="context"/>, or says why the request is malformed.</summary>
    ValueTask<ContextReading> ReadAsync(HttpContext http, PolicyContext context);
}

/// <summary>The context with the fact added, or the problem with the request.</summary>
public readonly record struct ContextReading(PolicyContext Context, string? Problem)
{
    public static ContextReading Ok(PolicyContext context) => new(context, null);

    public static ContextReading Bad(PolicyContext context, string problem) => new(context, problem);
}

/// <summary>The context sources endpoints declare.</summary>
public static class PolicyContextSources
{
    /// <summary>The roles an enrollment link would grant, from the JSON body (unknown names are left to the handler's 400).</summary>
    public static IPolicyContextSource RolesFromBody<TBody>(Func<TBody, IEnumerable<string>?> roles) => new FromBody<TBody>((body, context, http) =>
    {
        var names = roles(body);
        return ValueTask.FromResult(names is not null && RoleNames.Parse(names).TryGetValue(out var parsed, out _)
            ? ContextReading.Ok(context with { RolesToGrant = parsed })
            : ContextReading.Ok(context));
    });

    /// <summary>The label of the content written, from the JSON body (banner form).</summary>
    public static IPolicyContextSource WrittenLabelFromBody<TBody>(Func<TBody, string?> label) => new FromBody<TBody>((body, context, http) =>
        ValueTask.FromResult(WithLabel(http, context, label(body))));

    /// <summary>The label of the content written, from the query (banner form); absent means none was given.</summary>
    public static IPolicyContextSource WrittenLabelFromQuery(string parameter) => new Delegated((http, context) =>
        ValueTask.FromResult(WithLabel(http, context, http.Request.Query[parameter].FirstOrDefault())));

    /// <summary>The hex SHA-256 of the item written, from the query.</summary>
    public static IPolicyContextSource ItemHashFromQuery(string parameter) => new Delegated((http, context) =>
    {
        var value = http.Request.Query[parameter].FirstOrDefault();
        if (string.IsNullOrEmpty(value)) return ValueTask.FromResult(ContextReading.Ok(context));
        return ValueTask.FromResult(IsSha256Hex(value)
            ? ContextReading.Ok(context with { ItemHash = value.ToLowerInvariant() })
            : ContextReading.Bad(context, $"'{parameter}' must be 64 hex digits (SHA-256)."));
    });

    /// <summary>The downgrade a writer invokes, by its id in the query.</summary>
    public static IPolicyContextSource DowngradeFromQuery(string parameter) => new Delegated(async (http, context) =>
    {
        var value = http.Request.Query[parameter].FirstOrDefault();
        if (string.IsNullOrEmpty(value)) return ContextReading.Ok(context);
        if (!Guid.TryParse(value, out var id)) return ContextReading.Bad(context, $"'{parameter}' must be a downgrade id.");
        var db = http.RequestServices.GetRequiredService<ParleyDbContext>();
        var record = await db.Set<DowngradeRecord>().AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, http.RequestAborted);
        if (record is null) return ContextReading.Bad(context, $"There is no downgrade {id}.");
        var scheme = http.RequestServices.GetRequiredService<PolicyEngine>().Settings.Scheme;
        var to = scheme.ParseBanner(record.ToLabel).Value;
        return ContextReading.Ok(context with { Downgrade = new DowngradeFacts(record.Id, record.Resource, to, record.ItemHash, record.ExpiresAt) });
    });

    /// <summary>The person whose decision is explained, by email or id in the query (unknown: no one, which no rule permits).</summary>
    public static IPolicyContextSource ExplainedUserFromQuery(string parameter) => new Delegated(async (http, context) =>
    {
        var value = http.Request.Query[parameter].FirstOrDefault();
        if (string.IsNullOrWhiteSpace(value)) return ContextReading.Bad(context, $"Name the person with '{parameter}=EMAIL'.");
        var db = http.RequestServices.GetRequiredService<ParleyDbContext>();
        var user = await UserResolver.FindAsync(db, value.Trim(), http.RequestAborted);
        return ContextReading.Ok(user is null ? context : context with { ExplainedUser = new ExplainedUser(user.Id, user.Email, user.DelegationCode) });
    });

    internal static bool IsSha256Hex(string value) => value.Length == 64 && value.All(Uri.IsHexDigit);

    private static ContextReading WithLabel(HttpContext http, PolicyContext context, string? marking)
    {
        if (string.IsNullOrEmpty(marking)) return ContextReading.Ok(context);
        var scheme = http.RequestServices.GetRequiredService<PolicyEngine>().Settings.Scheme;
        var parsed = scheme.ParseBanner(marking);
        return parsed.TryGetValue(out var label, out var error)
            ? ContextReading.Ok(context with { WrittenLabel = label })
            : ContextReading.Bad(context, $"The label of the content is not valid: {error.Message}");
    }

    /// <summary>A source that reads the request's JSON body (of the API contract) once, buffered so the handler's binding reads it again.</summary>
    public static IPolicyContextSource FromJsonBody<TBody>(Func<TBody, PolicyContext, HttpContext, ContextReading> read) =>
        new FromBody<TBody>((body, context, http) => ValueTask.FromResult(read(body, context, http)));

    private sealed class Delegated(Func<HttpContext, PolicyContext, ValueTask<ContextReading>> read) : IPolicyContextSource
    {
        public ValueTask<ContextReading> ReadAsync(HttpContext http, PolicyContext context) => read(http, context);
    }

    // The body is read once, before the handler's own binding reads it again: buffered and rewound.
    private sealed class FromBody<TBody>(Func<TBody, PolicyContext, HttpContext, ValueTask<ContextReading>> read) : IPolicyContextSource
    {
        public async ValueTask<ContextReading> ReadAsync(HttpContext http, PolicyContext context)
        {
            var key = typeof(FromBody<TBody>);
            if (http.Items[key] is not TBody body)
            {
                var typeInfo = (JsonTypeInfo<TBody>?)ApiJson.Default.GetTypeInfo(typeof(TBody))
                    ?? throw new InvalidOperationException($"{typeof(TBody).Name} is not in the API's JSON contract.");
                http.Request.EnableBuffering();
                try
                {
                    var read = await JsonSerializer.DeserializeAsync(http.Request.Body, typeInfo, http.RequestAborted);
                    if (read is null) return ContextReading.Bad(context, "The request needs a JSON body.");
                    body = read;
                }
                catch (JsonException e)
                {
                    return ContextReading.Bad(context, $"The request body is not valid JSON for this endpoint: {e.Message}");
                }
                finally
                {
                    http.Request.Body.Position = 0;
                }
                http.Items[key] = body;
            }
            return await read(body, context, http);
        }
    }
}
