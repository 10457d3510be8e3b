using System.Formats.Cbor;
using System.Text;
using Parley.Protocol.Crypto;
using Parley.Protocol.Formats;
using Parley.Protocol.Identity;

namespace Parley.Protocol.Rooms;

/// <summary>
/// A room structure signed by a device's certified ECDSA P-384 key:
/// <c>["parley/device-signed", 1, payload, signature]</c>, payload being the canonical encoding of
/// the body and signature the P1363 signature (96 bytes) of
/// <c>Bind("device-signature v1", type name || 0x00 || payload)</c>. The type name in the signed
/// input keeps a signature over one kind of structure from verifying as another.
/// </summary>
/// <typeparam name="T">The signed structure.</typeparam>
public sealed class DeviceSigned<T> : ICanonical<DeviceSigned<T>> where T : ISignedBody<T>
{
    /// <summary>Largest payload accepted: a roster of <see cref="Roster.MaxMembers"/> devices fits with room to spare.</summary>
    public const int MaxPayloadSize = 256 * 1024;

    private const string Type = "parley/device-signed";

    private DeviceSigned(T body, byte[] payload, byte[] signature)
    {
        Body = body;
        Payload = payload;
        Signature = signature;
    }

    /// <summary>The signed structure, parsed but not verified until <see cref="VerifyAsync"/> says so.</summary>
    public T Body { get; }

    /// <summary>The exact bytes that were signed.</summary>
    public byte[] Payload { get; }

    /// <summary>The ECDSA P-384 signature, r || s.</summary>
    public byte[] Signature { get; }

    internal static async ValueTask<DeviceSigned<T>> SignAsync(ICryptoBackend backend, P384KeyPair key, T body, CancellationToken cancellationToken)
    {
        var payload = Canonical.Encode(body);
        var signature = await backend.P384SignAsync(key, DeviceSignature.Input(T.TypeName, payload, []), cancellationToken).ConfigureAwait(false);
        return new DeviceSigned<T>(body, payload, signature);
    }

    /// <summary>True when the signature verifies under <paramref name="signingPublicKey"/> (a device certificate's signing key).</summary>
    public ValueTask<bool> VerifyAsync(ICryptoBackend backend, ReadOnlyMemory<byte> signingPublicKey, CancellationToken cancellationToken = default) =>
        backend.P384VerifyAsync(signingPublicKey, DeviceSignature.Input(T.TypeName, Payload, []), Signature, cancellationToken);

    /// <summary>SHA-256 of the payload: the body's identity, the same whoever signed it and however often.</summary>
    public ValueTask<byte[]> HashAsync(ICryptoBackend backend, CancellationToken cancellationToken = default) =>
        backend.HashAsync(HashName.Sha256, Payload, cancellationToken);

    /// <summary>The canonical encoding of the envelope.</summary>
    public byte[] Encode() => Canonical.Encode(this);

    /// <summary>Parses an envelope and its body; a typed error for anything malformed. Does not verify.</summary>
    public static Result<DeviceSigned<T>> Decode(ReadOnlyMemory<byte> encoded) => Canonical.Decode<DeviceSigned<T>>(encoded);

    /// <inheritdoc />
    public void WriteTo(CborWriter writer)
    {
        Canonical.WriteHeader(writer, Type, 1, 2);
        writer.WriteByteString(Payload);
        writer.WriteByteString(Signature);
        writer.WriteEndArray();
    }

    /// <inheritdoc />
    public static DeviceSigned<T> ReadFrom(CborReader reader)
    {
        Canonical.ReadHeader(reader, Type, 2);
        var payload = Canonical.ReadBytesUpTo(reader, MaxPayloadSize, "payload");
        var signature = Canonical.ReadBytes(reader, DeviceSignature.Size, "signature");
        reader.ReadEndArray();
        var body = Canonical.Decode<T>(payload);
        if (!body.TryGetValue(out var value, out var error)) throw new CanonicalFormatException(error.Message);
        return new DeviceSigned<T>(value, payload, signature);
    }
}

/// <summary>The input of every device signature in rooms.</summary>
internal static class DeviceSignature
{
    /// <summary>Size of an ECDSA P-384 signature in IEEE P1363 form.</summary>
    public const int Size = 96;

    // Bind("device-signature v1", type || 0x00 || first || second). The type is ASCII without zero
    // bytes, so it ends unambiguously; a message signs header || ciphertext, and the header is a
    // definite-length CBOR array, so where it ends is fixed too.
    public static byte[] Input(string type, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var typeLength = Encoding.ASCII.GetByteCount(type);
        var context = new byte[typeLength + 1 + first.Length + second.Length];
        Encoding.ASCII.GetBytes(type, context);
        first.CopyTo(context.AsSpan(typeLength + 1));
        second.CopyTo(context.AsSpan(typeLength + 1 + first.Length));
        return Labels.Bind(Labels.DeviceSignature, context);
    }
}
