using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Parley.Protocol.Api;
using Parley.Protocol.Rooms;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Policy.Resolution;
using Parley.Server.Storage;

namespace Parley.Server.Rooms.Access;

/// <summary>
/// The facts of room requests the rules need: the label a message carries (read from its signed
/// header, the label its encryption binds, not from a field beside it), the label a roster carries,
/// and the person a membership change is about.
/// </summary>
public static class RoomContextSources
{
    /// <summary>The message's portion label as written, and the hex SHA-256 of the message bytes (the item a downgrade may name).</summary>
    public static IPolicyContextSource MessageLabel { get; } = PolicyContextSources.FromJsonBody<PostMessageRequest>((request, context, http) =>
    {
        if (request.Message is null) return ContextReading.Bad(context, "Give the message bytes.");
        if (!RoomMessage.Decode(request.Message).TryGetValue(out var message, out var error))
            return ContextReading.Bad(context, $"The message is malformed: {error.Message}");
        return WithLabel(http, context with { ItemHash = Convert.ToHexStringLower(SHA256.HashData(request.Message)) }, message.Header.Label, "message");
    });

    /// <summary>The label a new epoch's roster carries.</summary>
    public static IPolicyContextSource RosterLabel { get; } = PolicyContextSources.FromJsonBody<PublishEpochRequest>((request, context, http) =>
    {
        if (request.Roster is null) return ContextReading.Bad(context, "Give the signed roster.");
        if (!DeviceSigned<Roster>.Decode(request.Roster).TryGetValue(out var roster, out var error))
            return ContextReading.Bad(context, $"The roster is malformed: {error.Message}");
        return WithLabel(http, context, roster.Body.Label, "roster");
    });

    /// <summary>The person named by the route parameter (id or email); unknown people are left out, which no officer rule permits.</summary>
    public static IPolicyContextSource AffectedUserFromRoute(string parameter) => new Delegated(async (http, context) =>
    {
        var key = http.GetRouteValue(parameter)?.ToString();
        if (string.IsNullOrWhiteSpace(key)) return ContextReading.Bad(context, $"Name the person in the path ({parameter}).");
        var db = http.RequestServices.GetRequiredService<ParleyDbContext>();
        var user = await UserResolver.FindAsync(db, key.Trim(), http.RequestAborted);
        return ContextReading.Ok(user is null ? context : context with { AffectedUser = new AffectedUser(user.Id, user.Email, user.DelegationCode) });
    });

    private static ContextReading WithLabel(HttpContext http, PolicyContext context, string marking, string what)
    {
        var scheme = http.RequestServices.GetRequiredService<PolicyEngine>().Settings.Scheme;
        return scheme.ParseBanner(marking).TryGetValue(out var label, out var error)
            ? ContextReading.Ok(context with { WrittenLabel = label })
            : ContextReading.Bad(context, $"The {what}'s label is not valid: {error.Message}");
    }

    private sealed class Delegated(Func<HttpContext, PolicyContext, ValueTask<ContextReading>> read) : IPolicyContextSource
    {
        public ValueTask<ContextReading> ReadAsync(HttpContext http, PolicyContext context) => read(http, context);
    }
}
