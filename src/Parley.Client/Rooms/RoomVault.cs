using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Parley.Protocol;
using Parley.Protocol.Crypto;
using Parley.Protocol.Rooms;

namespace Parley.Client.Rooms;

/// <summary>
/// What this device keeps of one room between sessions, sealed in the profile under the master key:
/// the position in the room's log, the state of each epoch (chain keys: secret), the messages it
/// read (plaintext: secret) and the plaintext of what it sent (a sender cannot decrypt its own
/// messages later: their keys are deleted when they are sent). Sealed as
/// <c>SealedBox(master key, JSON, Bind("room-local-state v1", user id || device id || room id))</c>,
/// so a state moved to another room, device or account does not open.
/// </summary>
internal sealed record RoomVaultData
{
    /// <summary>The last log sequence number processed.</summary>
    public long LastSequence { get; init; }

    /// <summary>The room's retention when last seen (messages older than this are dropped).</summary>
    public int? RetentionDays { get; init; }

    /// <summary>Epochs seen, in order.</summary>
    public List<VaultEpoch> Epochs { get; init; } = [];

    /// <summary>The exported state of an epoch this device made and the server accepted, until the log reaches its roster.</summary>
    public byte[]? PendingEpoch { get; init; }

    /// <summary>Messages read (or not), in log order.</summary>
    public List<VaultMessage> Messages { get; init; } = [];

    /// <summary>Own messages encrypted and posted (or being posted) that the log has not shown back yet.</summary>
    public List<VaultSent> Sent { get; init; } = [];
}

/// <summary>One epoch: its signed roster and this device's state, or why it has none.</summary>
internal sealed record VaultEpoch(long Epoch, byte[] RosterHash, byte[]? Roster, byte[]? State, RoomErrorCode? Problem, string? ProblemMessage, long Sequence);

/// <summary>One message as it was read.</summary>
internal sealed record VaultMessage(long Sequence, long Epoch, long Counter, Guid SenderDeviceId, Guid? SenderUserId, string? SenderEmail, string? SenderDelegation,
    string Label, DateTimeOffset SentAt, DateTimeOffset StoredAt, string? Text, RoomErrorCode? Error, string? ErrorMessage, bool FromThisDevice);

/// <summary>The plaintext of an own message, kept until the log shows it back.</summary>
internal sealed record VaultSent(long Epoch, long Counter, string Label, string Text, DateTimeOffset SentAt);

// Absent rather than null: the source-generated writer puts a null byte[] down as "" (an empty array when
// read back), which would turn "no saved state" into "a damaged saved state" after a restart.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RoomVaultData))]
internal sealed partial class RoomVaultJson : JsonSerializerContext;

/// <summary>Seals and opens <see cref="RoomVaultData"/>.</summary>
internal static class RoomVault
{
    private const string Label = "room-local-state v1";

    public static async Task<byte[]> SealAsync(CryptoSuite suite, SecretKey masterKey, Guid userId, Guid deviceId, Guid roomId, RoomVaultData data, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(data, RoomVaultJson.Default.RoomVaultData);
        try
        {
            return await suite.Boxes.SealAsync(masterKey, json, Context(userId, deviceId, roomId), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(json);
        }
    }

    public static async Task<Result<RoomVaultData>> OpenAsync(CryptoSuite suite, SecretKey masterKey, Guid userId, Guid deviceId, Guid roomId, byte[] sealedData, CancellationToken cancellationToken)
    {
        var opened = await suite.Boxes.OpenAsync(masterKey, sealedData, Context(userId, deviceId, roomId), cancellationToken).ConfigureAwait(false);
        if (!opened.TryGetValue(out var json, out _))
            return Result<RoomVaultData>.Fail(ProtocolErrorCode.AuthenticationFailed, $"The saved state of room {roomId} does not open with this account's key on this device.");
        try
        {
            return JsonSerializer.Deserialize(json, RoomVaultJson.Default.RoomVaultData)
                ?? Result<RoomVaultData>.Fail(ProtocolErrorCode.Malformed, $"The saved state of room {roomId} is empty.");
        }
        catch (JsonException e)
        {
            return Result<RoomVaultData>.Fail(ProtocolErrorCode.Malformed, $"The saved state of room {roomId} is damaged: {e.Message}");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(json);
        }
    }

    private static byte[] Context(Guid userId, Guid deviceId, Guid roomId)
    {
        var context = new byte[48];
        userId.TryWriteBytes(context.AsSpan(0, 16), bigEndian: true, out _);
        deviceId.TryWriteBytes(context.AsSpan(16, 16), bigEndian: true, out _);
        roomId.TryWriteBytes(context.AsSpan(32, 16), bigEndian: true, out _);
        return Labels.Bind(Label, context);
    }
}
