using System.Text.Json.Serialization;
using Parley.Cli.Commands;
using Parley.Cli.Demo;
using Parley.Cli.Documents;
using Parley.Cli.Identity;
using Parley.Cli.Rooms;

namespace Parley.Cli;

/// <summary>Source-generated JSON for every <c>--json</c> output, so the shapes are fixed at compile time.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(SelfTestOutput))]
[JsonSerializable(typeof(VersionOutput))]
[JsonSerializable(typeof(LedgerVerifyOutput))]
[JsonSerializable(typeof(LedgerMineOutput))]
[JsonSerializable(typeof(WhoamiOutput))]
[JsonSerializable(typeof(IReadOnlyList<DeviceOutput>))]
[JsonSerializable(typeof(DeviceOutput))]
[JsonSerializable(typeof(EnrollmentOutput))]
[JsonSerializable(typeof(IReadOnlyList<MemberOutput>))]
[JsonSerializable(typeof(IReadOnlyList<SignInOutput>))]
[JsonSerializable(typeof(ClearanceOutput))]
[JsonSerializable(typeof(DelegationOutput))]
[JsonSerializable(typeof(IReadOnlyList<DelegationOutput>))]
[JsonSerializable(typeof(VerificationOutput))]
[JsonSerializable(typeof(DemoManifest))]
[JsonSerializable(typeof(Parley.Protocol.Api.PolicyDecisionView))]
[JsonSerializable(typeof(Parley.Protocol.Api.TrainingRecordView))]
[JsonSerializable(typeof(IReadOnlyList<Parley.Protocol.Api.TrainingStatusView>))]
[JsonSerializable(typeof(Parley.Protocol.Api.GrantView))]
[JsonSerializable(typeof(IReadOnlyList<Parley.Protocol.Api.GrantView>))]
[JsonSerializable(typeof(RoomOutput))]
[JsonSerializable(typeof(IReadOnlyList<RoomOutput>))]
[JsonSerializable(typeof(IReadOnlyList<RoomMemberOutput>))]
[JsonSerializable(typeof(ReadOutput))]
[JsonSerializable(typeof(FollowLine))]
[JsonSerializable(typeof(SendOutput))]
[JsonSerializable(typeof(ContactOutput))]
[JsonSerializable(typeof(DocumentOutput))]
[JsonSerializable(typeof(IReadOnlyList<DocumentListOutput>))]
[JsonSerializable(typeof(DownloadOutput))]
[JsonSerializable(typeof(DocumentStatusOutput))]
[JsonSerializable(typeof(EndorseOutput))]
[JsonSerializable(typeof(PrintOutput))]
[JsonSerializable(typeof(TraceOutput))]
[JsonSerializable(typeof(DestroyOutput))]
[JsonSerializable(typeof(IReadOnlyList<RegisterEntryOutput>))]
[JsonSerializable(typeof(RetentionOutput))]
[JsonSerializable(typeof(IReadOnlyList<ReviewOutput>))]
internal sealed partial class CliJson : JsonSerializerContext
{
    /// <summary>One object per line (for <c>read --json --follow</c>).</summary>
    public static CliJson Compact { get; } = new(new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase, WriteIndented = false });
}
