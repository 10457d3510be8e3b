using System.Text.Json;
using System.Text.Json.Serialization;
using Parley.Client.Profiles;

namespace Parley.Client;

/// <summary>Source-generated JSON contracts of the client, so the web client can be trimmed.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(ServerHealth))]
[JsonSerializable(typeof(LocalProfile))]
public sealed partial class ClientJson : JsonSerializerContext;
