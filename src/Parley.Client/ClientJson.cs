using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parley.Client;

/// <summary>Source-generated JSON contracts of the client, so the web client can be trimmed.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ServerHealth))]
public sealed partial class ClientJson : JsonSerializerContext;
