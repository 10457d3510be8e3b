using Parley.Protocol.Classification;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;
using Parley.Protocol.Rooms;
using Parley.Protocol.Tests.Identity;

namespace Parley.Protocol.Tests.Rooms;

/// <summary>Delegations, members and devices with real keys, verified and admitted through the real
/// <see cref="TrustVerifier"/> and <see cref="RoomAdmission"/>.</summary>
internal sealed class RoomWorld
{
    public static readonly DateTimeOffset Now = IdentityWorld.Now;

    private readonly IdentityWorld _identity = new();
    private readonly Dictionary<string, Officer> _delegations = [];
    private readonly Dictionary<string, List<Signed<Revocation>>> _revocations = [];

    public RoomWorld()
    {
        Admission = new RoomAdmission(Suite);
        Schedule = new SenderChainSchedule(Suite);
    }

    public CryptoSuite Suite => _identity.Suite;

    public RoomAdmission Admission { get; }

    public IGroupKeySchedule Schedule { get; }

    public static MarkingScheme Scheme => MarkingScheme.Generic;

    public static Label Label(string banner) => Scheme.ParseBanner(banner).Value;

    public static RoomDefinition Room(string banner, params string[] parties) => Room(Guid.NewGuid(), banner, parties);

    public static RoomDefinition Room(Guid id, string banner, params string[] parties) => RoomDefinition.Create(id, Label(banner), parties).Value;

    public async Task<Officer> DelegationAsync(string code)
    {
        if (!_delegations.TryGetValue(code, out var officer))
        {
            officer = await _identity.CreateDelegationAsync(code);
            _delegations[code] = officer;
            _revocations[code] = [];
        }
        return officer;
    }

    public DelegationTrust Trust(string code) => IdentityWorld.Trust(_delegations[code], revocations: _revocations[code]);

    /// <summary>A person of <paramref name="code"/> cleared as given, with one device.</summary>
    public async Task<Member> MemberAsync(string code, string level = "SECRET", string[]? compartments = null)
    {
        var officer = await DelegationAsync(code);
        var person = await _identity.CreatePersonAsync();
        var clearance = await Signed<ClearanceCertificate>.SignAsync(Suite, officer.Key, new ClearanceCertificate(
            Guid.NewGuid(), code, person.UserId, person.Key.PublicKey.Fingerprint(), RoleNames.ToNames(Roles.Member), level, compartments ?? ["ALPHA"],
            Now.AddDays(-1).ToUnixTimeSeconds(), Now.AddDays(365).ToUnixTimeSeconds(), Now.AddDays(90).ToUnixTimeSeconds(), Now.ToUnixTimeSeconds()));
        var member = new Member(code, person, clearance);
        await member.AddDeviceAsync(Suite);
        return member;
    }

    public Task RevokeDeviceAsync(Member member, Device device) => RevokeAsync(member, RevocationKind.Device, device.Certificate.Body.DeviceId);

    public Task RevokeClearanceAsync(Member member) => RevokeAsync(member, RevocationKind.Clearance, member.Clearance.Body.Serial);

    private async Task RevokeAsync(Member member, RevocationKind kind, Guid subject)
    {
        var officer = _delegations[member.Delegation];
        _revocations[member.Delegation].Add(await _identity.RevokeAsync(officer.Key, kind, subject, member.Delegation));
    }

    public ValueTask<RoomResult<RoomDevice>> AdmitAsync(RoomDefinition room, Member member, Device? device = null) =>
        Admission.AdmitAsync(room, Trust(member.Delegation), member.Person.UserId, member.Person.Key.PublicKey, member.Clearance, (device ?? member.Device).Certificate, Now);

    public async Task<RoomDevice> AdmittedAsync(RoomDefinition room, Member member, Device? device = null)
    {
        var admitted = await AdmitAsync(room, member, device);
        Assert.True(admitted.IsOk, admitted.Error?.ToString());
        return admitted.Value;
    }

    /// <summary>Admits every member's first device and starts an epoch made by <paramref name="creator"/>;
    /// every other member opens its package.</summary>
    public async Task<Epoch> StartAsync(RoomDefinition room, Member creator, IReadOnlyList<Member> members, Epoch? previous = null)
    {
        var admitted = new Dictionary<Member, RoomDevice>();
        foreach (var member in members) admitted[member] = await AdmittedAsync(room, member);
        var created = await Schedule.CreateEpochAsync(room, creator.Device.Local, admitted.Values.ToList(), previous?.Roster, Now);
        Assert.True(created.IsOk, created.Error?.ToString());
        var states = new Dictionary<Member, EpochState> { [creator] = created.Value.State };
        foreach (var member in members.Where(m => m != creator))
        {
            var package = created.Value.Packages.Single(p => p.Body.RecipientDeviceId == member.Device.Id);
            var opened = await Schedule.OpenKeyPackageAsync(room, member.Device.Local, created.Value.Roster, package, admitted[creator], previous?.Roster);
            Assert.True(opened.IsOk, opened.Error?.ToString());
            states[member] = opened.Value;
        }
        return new Epoch(room, created.Value, admitted, states);
    }
}

internal sealed class Member(string delegation, Person person, Signed<ClearanceCertificate> clearance)
{
    public string Delegation { get; } = delegation;

    public Person Person { get; } = person;

    public Signed<ClearanceCertificate> Clearance { get; } = clearance;

    public List<Device> Devices { get; } = [];

    public Device Device => Devices[0];

    public async Task<Device> AddDeviceAsync(CryptoSuite suite, CompositePrivateKey? signer = null)
    {
        var kem = await suite.Kem.GenerateAsync();
        var signing = await suite.Backend.GenerateP384KeyPairAsync();
        var body = new DeviceCertificate(Person.UserId, Guid.NewGuid(), $"device {Devices.Count + 1}", kem.PublicKey.Encode(), signing.Q.ToArray(),
            RoomWorld.Now.ToUnixTimeSeconds(), Person.Key.PublicKey.Fingerprint());
        var certificate = await Signed<DeviceCertificate>.SignAsync(suite, signer ?? Person.Key, body);
        var device = new Device(certificate, kem, signing, await LocalDevice.CreateAsync(suite.Backend, body, kem, signing));
        Devices.Add(device);
        return device;
    }

    public override string ToString() => $"{Delegation} member {Person.UserId}";
}

internal sealed record Device(Signed<DeviceCertificate> Certificate, HybridKemPrivateKey Kem, P384KeyPair Signing, LocalDevice Local)
{
    public Guid Id => Certificate.Body.DeviceId;
}

/// <summary>One epoch as every member holds it.</summary>
internal sealed record Epoch(RoomDefinition Room, NewEpoch Created, IReadOnlyDictionary<Member, RoomDevice> Admitted, IReadOnlyDictionary<Member, EpochState> States)
{
    public DeviceSigned<Roster> Roster => Created.Roster;

    public EpochState this[Member member] => States[member];

    public RoomDevice Device(Member member) => Admitted[member];
}

internal static class RoomWorldMessages
{
    public static async Task<RoomMessage> SendAsync(this RoomWorld world, Epoch epoch, Member from, string text, string? label = null)
    {
        var sent = await world.Schedule.EncryptAsync(epoch[from], from.Device.Local, RoomWorld.Label(label ?? epoch.Room.Label.ToBanner()), System.Text.Encoding.UTF8.GetBytes(text), RoomWorld.Now);
        Assert.True(sent.IsOk, sent.Error?.ToString());
        // Through the wire, as the server relays it.
        return RoomMessage.Decode(sent.Value.Encode()).Value;
    }

    public static ValueTask<RoomResult<DecryptedMessage>> ReceiveAsync(this RoomWorld world, Epoch epoch, Member to, RoomMessage message, Member from) =>
        world.Schedule.DecryptAsync(epoch[to], message, epoch.Device(from));

    public static async Task<string> ReadAsync(this RoomWorld world, Epoch epoch, Member to, RoomMessage message, Member from)
    {
        var received = await world.ReceiveAsync(epoch, to, message, from);
        Assert.True(received.IsOk, received.Error?.ToString());
        return System.Text.Encoding.UTF8.GetString(received.Value.Plaintext);
    }

    public static void AssertRefused<T>(RoomResult<T> result, RoomErrorCode code)
    {
        Assert.False(result.IsOk, $"expected {code}, but the operation succeeded");
        Assert.True(result.Error.Code == code, $"expected {code}, got {result.Error}");
        Assert.False(string.IsNullOrWhiteSpace(result.Error.Message));
    }
}
