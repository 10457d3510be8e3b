using Parley.Client.Api;
using Parley.Client.Profiles;
using Parley.Client.Trust;
using Parley.Client.Verification;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Rooms;

namespace Parley.Client.Rooms;

/// <summary>
/// A room's members as this client judges them, without any private key: each member's devices
/// admitted or refused (with the reason) from the directory and the pinned roots, and whether the
/// person at this profile verified their identity key (safety numbers).
/// </summary>
public sealed class RoomMembers(ParleyClient client, IProfileStore store, CryptoSuite suite, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The members of <paramref name="roomId"/> with their verification state and devices.</summary>
    public async Task<IReadOnlyList<MemberStatus>> GetAsync(Guid roomId, CancellationToken cancellationToken = default)
    {
        var profile = await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (profile?.UserId is not { } self) throw new ProfileException("This profile is not signed in to an account; run 'parley login' first.");
        var scheme = await SchemePin.ResolveAsync(client, store, cancellationToken).ConfigureAwait(false);
        var room = await client.GetRoomAsync(roomId, cancellationToken).ConfigureAwait(false);
        var label = scheme.ParseBanner(room.Label);
        if (!label.TryGetValue(out var parsed, out var error))
            throw new RoomOperationException(new RoomError(RoomErrorCode.Malformed, $"The room's label '{room.Label}' does not parse: {error.Message}"));
        var definition = RoomDefinition.Create(room.Id, parsed, room.Parties);
        if (!definition.TryGetValue(out var value, out error))
            throw new RoomOperationException(new RoomError(RoomErrorCode.RosterMismatch, $"The server describes room {room.Name} in a way no room can be: {error.Message}"));
        var admissions = new DeviceAdmissions(client, new DirectoryVerifier(client, new TrustStore(store, suite), suite, _time), suite, _time);
        return await StatusAsync(client, admissions, new ContactVerification(client, store, suite, _time), room, value, self, cancellationToken).ConfigureAwait(false);
    }

    internal static async Task<IReadOnlyList<MemberStatus>> StatusAsync(ParleyClient client, DeviceAdmissions admissions, ContactVerification contacts, RoomView room,
        RoomDefinition definition, Guid self, CancellationToken cancellationToken)
    {
        await admissions.SeedAsync(await client.GetRoomDevicesAsync(room.Id, cancellationToken).ConfigureAwait(false), true, cancellationToken).ConfigureAwait(false);
        var result = new List<MemberStatus>();
        foreach (var member in room.Members)
        {
            var user = await admissions.UserAsync(member.UserId, false, cancellationToken).ConfigureAwait(false);
            var status = user is null ? null : await contacts.ObserveAsync(user, cancellationToken).ConfigureAwait(false);
            var devices = new List<MemberDevice>();
            foreach (var (deviceId, admission) in await admissions.AdmitAllAsync(definition, member.UserId, false, cancellationToken).ConfigureAwait(false))
            {
                var name = admission.Result.TryGetValue(out var admitted, out var refused) ? admitted.Verified.Device.DeviceName : null;
                devices.Add(new MemberDevice(deviceId, name, admission.Result.IsOk, refused?.Code, refused?.Message));
            }
            var state = member.UserId == self ? VerificationState.Self : status?.State ?? VerificationState.Unverified;
            result.Add(new MemberStatus(member, state, status?.Warning, devices));
        }
        return result;
    }
}
