using System.Text.Json.Serialization;
using Parley.Cli.Commands;

namespace Parley.Cli;

/// <summary>Source-generated JSON for every <c>--json</c> output, so the shapes are fixed at compile time.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(SelfTestOutput))]
[JsonSerializable(typeof(VersionOutput))]
[JsonSerializable(typeof(LedgerVerifyOutput))]
internal sealed partial class CliJson : JsonSerializerContext;
