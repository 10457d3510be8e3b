using Parley.Client.Api;
using Parley.Protocol.Api;
using Parley.Protocol.Classification;
using Parley.Protocol.Rooms;

namespace Parley.Client.Rooms;

/// <summary>Creating a room needs no private key: only a label that parses and parties it is releasable to.</summary>
public static class RoomCreation
{
    /// <summary>Longest retention a room may have, in days.</summary>
    public const int MaxRetentionDays = 3650;

    /// <summary>
    /// Creates a room labelled <paramref name="label"/> (banner or portion mark, read under
    /// <paramref name="scheme"/>) for <paramref name="parties"/>, keeping messages
    /// <paramref name="retentionDays"/> days (the server's default when null). Refuses, before asking the
    /// server, a label that does not parse and a party the label is not releasable to
    /// (<see cref="ArgumentException"/>); the server then applies the policy.
    /// </summary>
    public static Task<RoomView> CreateAsync(ParleyClient client, MarkingScheme scheme, string name, string label, IEnumerable<string> parties, int? retentionDays, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(parties);
        var parsed = ParseLabel(scheme, label);
        var partyList = parties.Select(p => p.Trim().ToUpperInvariant()).Distinct(StringComparer.Ordinal).ToList();
        var definition = RoomDefinition.Create(Guid.NewGuid(), parsed, partyList);
        if (!definition.IsOk) throw new ArgumentException(definition.Error.Message, nameof(parties));
        if (retentionDays is <= 0 or > MaxRetentionDays) throw new ArgumentOutOfRangeException(nameof(retentionDays), $"A retention is 1 to {MaxRetentionDays} days.");
        return client.CreateRoomAsync(new CreateRoomRequest(name.Trim(), parsed.ToBanner(), partyList, retentionDays), cancellationToken);
    }

    /// <summary>A label typed by a person: a banner (<c>SECRET//REL TO ATL, BOR</c>) or a portion mark (<c>(S//REL TO ATL, BOR)</c>).</summary>
    public static Label ParseLabel(MarkingScheme scheme, string text)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var trimmed = text.Trim();
        var parsed = trimmed.StartsWith('(') ? scheme.ParsePortionMark(trimmed) : scheme.ParseBanner(trimmed);
        if (!parsed.TryGetValue(out var label, out var error)) throw new ArgumentException($"'{text}' is not a label: {error.Message}", nameof(text));
        return label;
    }
}
