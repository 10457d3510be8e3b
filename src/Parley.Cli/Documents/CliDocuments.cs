using System.Globalization;
using Parley.Cli.Identity;
using Parley.Client.Documents;
using Parley.Client.Api;
using Parley.Client.Keys;
using Parley.Client.Profiles;
using Parley.Client.Rooms;

namespace Parley.Cli.Documents;

/// <summary>
/// The SDK's documents for one CLI command. Unlike <see cref="Rooms.CliRooms.OpenAsync"/>, the unlocked
/// identity stays open for the whole command, because authors sign manifests, heads sign endorsements
/// and officers sign destruction certificates with it; both are disposed together at the end.
/// </summary>
internal sealed class CliDocuments : IAsyncDisposable
{
    private readonly UnlockedIdentity _identity;

    private CliDocuments(RoomsClient rooms, UnlockedIdentity identity)
    {
        Rooms = rooms;
        _identity = identity;
        Documents = DocumentsClient.Open(rooms, identity);
    }

    public RoomsClient Rooms { get; }

    public DocumentsClient Documents { get; }

    /// <summary>Asks for the password (like <c>parley send</c>), opens the device keys and the rooms.</summary>
    public static async Task<CliDocuments> OpenAsync(CliSession session, bool passwordFromStdin, CancellationToken cancellationToken)
    {
        var identity = await session.UnlockAsync(passwordFromStdin, cancellationToken).ConfigureAwait(false);
        return await OpenAsync(session.Client, session.Store, identity, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens the rooms of <paramref name="store"/>'s profile with <paramref name="identity"/>, which this object then owns (disposed with it, or now on failure).</summary>
    public static async Task<CliDocuments> OpenAsync(ParleyClient client, IProfileStore store, UnlockedIdentity identity, CancellationToken cancellationToken)
    {
        try
        {
            var rooms = await RoomsClient.OpenAsync(client, store, CliSession.Suite, identity, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new CliDocuments(rooms, identity);
        }
        catch
        {
            identity.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Rooms.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _identity.Dispose();
        }
    }

    /// <summary>A document id as typed; a usage error otherwise.</summary>
    public static Guid ParseId(string text) =>
        Guid.TryParse(text.Trim(), out var id) ? id : throw new UsageException($"'{text}' is not a document id; 'parley doc list ROOM' shows them.");

    /// <summary>A date option's value: <c>yyyy-MM-dd</c>.</summary>
    public static DateOnly? ParseDate(string? text, string option)
    {
        if (text is null) return null;
        return DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new UsageException($"{option} takes a date as yyyy-MM-dd, not '{text}'.");
    }
}
