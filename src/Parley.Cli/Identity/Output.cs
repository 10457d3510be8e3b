using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Parley.Cli.Identity;

/// <summary>Small helpers for what commands print.</summary>
internal static class Output
{
    public static Task JsonAsync<T>(T value, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        Console.Out.WriteLineAsync(JsonSerializer.Serialize(value, type).AsMemory(), cancellationToken);

    public static string Time(DateTimeOffset? at) => at?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "-";
}
