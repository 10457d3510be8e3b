using System.Formats.Cbor;
using Parley.Protocol.Crypto;
using Parley.Protocol.Formats;

namespace Parley.Protocol.Identity;

/// <summary>
/// The root of trust of a delegation: its first security officer's composite public key,
/// self-signed. Clients pin it (from the enrollment link, or on first use for other delegations)
/// and refuse a different root later.
/// <c>["parley/delegation-root", 1, code, name, officer user id, officer public key, created at]</c>.
/// </summary>
public sealed record DelegationRoot(string Code, string Name, Guid OfficerUserId, byte[] OfficerPublicKey, long CreatedAt) : ISignedBody<DelegationRoot>
{
    /// <inheritdoc />
    public static string TypeName => "parley/delegation-root";

    /// <summary>The officer's key, parsed.</summary>
    public Result<CompositePublicKey> OfficerKey() => CompositePublicKey.Decode(OfficerPublicKey);

    /// <inheritdoc />
    public void WriteTo(CborWriter writer)
    {
        Canonical.WriteHeader(writer, TypeName, 1, 5);
        writer.WriteTextString(Code);
        writer.WriteTextString(Name);
        Cbor.WriteGuid(writer, OfficerUserId);
        writer.WriteByteString(OfficerPublicKey);
        writer.WriteInt64(CreatedAt);
        writer.WriteEndArray();
    }

    /// <inheritdoc />
    public static DelegationRoot ReadFrom(CborReader reader)
    {
        Canonical.ReadHeader(reader, TypeName, 5);
        var code = DelegationCode.Read(reader);
        var name = Canonical.ReadText(reader, 200, "name");
        var officer = Cbor.ReadGuid(reader, "officer user id");
        var key = Canonical.ReadBytes(reader, CompositePublicKey.Size, "officer public key");
        var created = reader.ReadInt64();
        reader.ReadEndArray();
        return new DelegationRoot(code, name, officer, key, created);
    }
}

/// <summary>
/// A device's keys, certified by its user's composite identity key:
/// <c>["parley/device-certificate", 1, user id, device id, device name, hybrid KEM public key, ECDSA P-384 public key, issued at, identity key fingerprint]</c>.
/// </summary>
public sealed record DeviceCertificate(Guid UserId, Guid DeviceId, string DeviceName, byte[] KemPublicKey, byte[] SigningPublicKey, long IssuedAt, byte[] IdentityFingerprint) : ISignedBody<DeviceCertificate>
{
    /// <inheritdoc />
    public static string TypeName => "parley/device-certificate";

    /// <inheritdoc />
    public void WriteTo(CborWriter writer)
    {
        Canonical.WriteHeader(writer, TypeName, 1, 7);
        Cbor.WriteGuid(writer, UserId);
        Cbor.WriteGuid(writer, DeviceId);
        writer.WriteTextString(DeviceName);
        writer.WriteByteString(KemPublicKey);
        writer.WriteByteString(SigningPublicKey);
        writer.WriteInt64(IssuedAt);
        writer.WriteByteString(IdentityFingerprint);
        writer.WriteEndArray();
    }

    /// <inheritdoc />
    public static DeviceCertificate ReadFrom(CborReader reader)
    {
        Canonical.ReadHeader(reader, TypeName, 7);
        var user = Cbor.ReadGuid(reader, "user id");
        var device = Cbor.ReadGuid(reader, "device id");
        var name = Canonical.ReadText(reader, 100, "device name");
        var kem = Canonical.ReadBytes(reader, HybridKemPublicKey.Size, "KEM public key");
        var signing = Canonical.ReadBytes(reader, P384KeyPair.PublicKeySize, "signing public key");
        var issued = reader.ReadInt64();
        var identity = Canonical.ReadBytes(reader, 32, "identity fingerprint");
        reader.ReadEndArray();
        return new DeviceCertificate(user, device, name, kem, signing, issued, identity);
    }
}

/// <summary>
/// A security officer's statement of what a member of their delegation is cleared for:
/// <c>["parley/clearance-certificate", 1, serial, delegation, subject user id, subject identity fingerprint,
/// roles, level, compartments, valid from, valid until, training valid until, issued at]</c>.
/// Times are Unix seconds. Compartments are sorted and unique so that the encoding is canonical.
/// </summary>
public sealed record ClearanceCertificate(
    Guid Serial,
    string Delegation,
    Guid SubjectUserId,
    byte[] SubjectFingerprint,
    IReadOnlyList<string> Roles,
    string Level,
    IReadOnlyList<string> Compartments,
    long ValidFrom,
    long ValidUntil,
    long TrainingValidUntil,
    long IssuedAt) : ISignedBody<ClearanceCertificate>
{
    /// <inheritdoc />
    public static string TypeName => "parley/clearance-certificate";

    /// <summary>The roles, parsed.</summary>
    public Identity.Roles RoleSet => RoleNames.Parse(Roles).Value;

    /// <inheritdoc />
    public void WriteTo(CborWriter writer)
    {
        if (ValidUntil <= ValidFrom) throw new InvalidOperationException("A clearance must end after it starts.");
        Canonical.WriteHeader(writer, TypeName, 1, 11);
        Cbor.WriteGuid(writer, Serial);
        writer.WriteTextString(Delegation);
        Cbor.WriteGuid(writer, SubjectUserId);
        writer.WriteByteString(SubjectFingerprint);
        Cbor.WriteTexts(writer, Roles);
        writer.WriteTextString(Level);
        Cbor.WriteTexts(writer, Compartments.Order(StringComparer.Ordinal).Distinct().ToList());
        writer.WriteInt64(ValidFrom);
        writer.WriteInt64(ValidUntil);
        writer.WriteInt64(TrainingValidUntil);
        writer.WriteInt64(IssuedAt);
        writer.WriteEndArray();
    }

    /// <inheritdoc />
    public static ClearanceCertificate ReadFrom(CborReader reader)
    {
        Canonical.ReadHeader(reader, TypeName, 11);
        var serial = Cbor.ReadGuid(reader, "serial");
        var delegation = DelegationCode.Read(reader);
        var subject = Cbor.ReadGuid(reader, "subject user id");
        var fingerprint = Canonical.ReadBytes(reader, 32, "subject fingerprint");
        var roles = Cbor.ReadTexts(reader, 5, 40, "roles");
        if (!RoleNames.Parse(roles).IsOk) throw new CanonicalFormatException("The certificate names an unknown role.");
        var level = Canonical.ReadText(reader, 64, "level");
        var compartments = Cbor.ReadTexts(reader, 64, 64, "compartments");
        if (!compartments.SequenceEqual(compartments.Order(StringComparer.Ordinal).Distinct()))
            throw new CanonicalFormatException("Compartments must be sorted and unique.");
        var from = reader.ReadInt64();
        var until = reader.ReadInt64();
        if (until <= from) throw new CanonicalFormatException("A clearance must end after it starts.");
        var training = reader.ReadInt64();
        var issued = reader.ReadInt64();
        reader.ReadEndArray();
        return new ClearanceCertificate(serial, delegation, subject, fingerprint, roles, level, compartments, from, until, training, issued);
    }
}

/// <summary>What a revocation revokes.</summary>
public enum RevocationKind
{
    /// <summary>A clearance certificate, by serial.</summary>
    Clearance = 1,
    /// <summary>A device, by device id.</summary>
    Device = 2,
}

/// <summary>
/// A signed revocation, by a security officer of the delegation (or, for a device, by its user):
/// <c>["parley/revocation", 1, kind, subject id, delegation, revoked at, reason]</c>.
/// </summary>
public sealed record Revocation(RevocationKind Kind, Guid SubjectId, string Delegation, long RevokedAt, string Reason) : ISignedBody<Revocation>
{
    /// <inheritdoc />
    public static string TypeName => "parley/revocation";

    /// <inheritdoc />
    public void WriteTo(CborWriter writer)
    {
        Canonical.WriteHeader(writer, TypeName, 1, 5);
        writer.WriteInt32((int)Kind);
        Cbor.WriteGuid(writer, SubjectId);
        writer.WriteTextString(Delegation);
        writer.WriteInt64(RevokedAt);
        writer.WriteTextString(Reason);
        writer.WriteEndArray();
    }

    /// <inheritdoc />
    public static Revocation ReadFrom(CborReader reader)
    {
        Canonical.ReadHeader(reader, TypeName, 5);
        var kind = reader.ReadInt32();
        if (kind is not ((int)RevocationKind.Clearance or (int)RevocationKind.Device)) throw new CanonicalFormatException($"Unknown revocation kind {kind}.");
        var subject = Cbor.ReadGuid(reader, "subject id");
        var delegation = DelegationCode.Read(reader);
        var at = reader.ReadInt64();
        var reason = Canonical.ReadText(reader, 500, "reason");
        reader.ReadEndArray();
        return new Revocation((RevocationKind)kind, subject, delegation, at, reason);
    }
}

/// <summary>Delegation codes: 2 to 8 upper-case ASCII letters, e.g. GBR, ATL.</summary>
public static class DelegationCode
{
    /// <summary>True for a well-formed code.</summary>
    public static bool IsValid(string? code) =>
        code is { Length: >= 2 and <= 8 } && code.All(c => c is >= 'A' and <= 'Z');

    internal static string Read(CborReader reader)
    {
        var code = reader.ReadTextString();
        if (!IsValid(code)) throw new CanonicalFormatException($"'{code}' is not a delegation code.");
        return code;
    }
}

/// <summary>Small CBOR helpers shared by the identity structures.</summary>
internal static class Cbor
{
    public static void WriteGuid(CborWriter writer, Guid value) => writer.WriteByteString(value.ToByteArray(bigEndian: true));

    public static Guid ReadGuid(CborReader reader, string field) => new(Canonical.ReadBytes(reader, 16, field), bigEndian: true);

    public static void WriteTexts(CborWriter writer, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(values.Count);
        foreach (var value in values) writer.WriteTextString(value);
        writer.WriteEndArray();
    }

    public static IReadOnlyList<string> ReadTexts(CborReader reader, int maxCount, int maxLength, string field)
    {
        var count = reader.ReadStartArray() ?? throw new CanonicalFormatException($"{field} must have a definite length.");
        if (count > maxCount) throw new CanonicalFormatException($"{field} has more than {maxCount} entries.");
        var values = new List<string>(count);
        for (var i = 0; i < count; i++) values.Add(Canonical.ReadText(reader, maxLength, field));
        reader.ReadEndArray();
        return values;
    }
}
