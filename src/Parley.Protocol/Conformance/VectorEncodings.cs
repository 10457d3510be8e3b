using System.Buffers.Text;
using System.Formats.Asn1;
using Parley.Protocol.Crypto;

namespace Parley.Protocol.Conformance;

/// <summary>
/// The key and signature encodings the classical vectors use and Parley's API does not: X.509
/// SubjectPublicKeyInfo, DER ECDSA signatures, and JSON Web Keys. Each is parsed strictly into the
/// raw forms Parley takes (uncompressed point, r || s, scalar), with a typed error for anything else.
/// </summary>
internal static class VectorEncodings
{
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string P384Oid = "1.3.132.0.34";
    private const int CoordinateSize = 48;

    /// <summary>
    /// The uncompressed point of a DER SubjectPublicKeyInfo for P-384:
    /// SEQUENCE { SEQUENCE { id-ecPublicKey, secp384r1 }, BIT STRING (04 || X || Y) }.
    /// Anything else is refused: BER, explicit curve parameters, other curves, compressed points,
    /// trailing data. Whether the point is on the curve is left to the backend under test.
    /// </summary>
    public static Result<byte[]> P384PointFromSpki(ReadOnlyMemory<byte> der)
    {
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.DER);
            var spki = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            var algorithm = spki.ReadSequence();
            if (algorithm.ReadObjectIdentifier() != EcPublicKeyOid)
                return Result<byte[]>.Fail(ProtocolErrorCode.Unsupported, "The key is not an elliptic-curve public key.");
            if (!algorithm.HasData || algorithm.PeekTag() != Asn1Tag.ObjectIdentifier)
                return Result<byte[]>.Fail(ProtocolErrorCode.Unsupported, "The key does not name its curve; only the named curve P-384 is accepted.");
            var curve = algorithm.ReadObjectIdentifier();
            if (curve != P384Oid)
                return Result<byte[]>.Fail(ProtocolErrorCode.Unsupported, $"The key is on curve {curve}, not P-384.");
            algorithm.ThrowIfNotEmpty();
            var point = spki.ReadBitString(out var unusedBits);
            spki.ThrowIfNotEmpty();
            if (unusedBits != 0)
                return Result<byte[]>.Fail(ProtocolErrorCode.Malformed, "The public key bit string has unused bits.");
            if (point.Length != P384KeyPair.PublicKeySize || point[0] != 0x04)
                return Result<byte[]>.Fail(ProtocolErrorCode.Unsupported, "The public key is not an uncompressed P-384 point.");
            return point;
        }
        catch (AsnContentException e)
        {
            return Result<byte[]>.Fail(ProtocolErrorCode.Malformed, $"The public key is not DER: {e.Message}");
        }
    }

    /// <summary>
    /// r || s (48 bytes each) from a DER ECDSA-Sig-Value SEQUENCE { INTEGER r, INTEGER s }. BER forms,
    /// negative or oversized integers, other types and trailing data are refused; range checks
    /// (0 &lt; r, s &lt; n) are left to the backend under test.
    /// </summary>
    public static Result<byte[]> P1363FromDerSignature(ReadOnlyMemory<byte> der)
    {
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            var r = sequence.ReadIntegerBytes();
            var s = sequence.ReadIntegerBytes();
            sequence.ThrowIfNotEmpty();
            var signature = new byte[2 * CoordinateSize];
            if (!TryPlaceInteger(r.Span, signed: true, signature.AsSpan(0, CoordinateSize)) || !TryPlaceInteger(s.Span, signed: true, signature.AsSpan(CoordinateSize)))
                return Result<byte[]>.Fail(ProtocolErrorCode.Malformed, "The signature's r or s is negative or longer than 48 bytes.");
            return signature;
        }
        catch (AsnContentException e)
        {
            return Result<byte[]>.Fail(ProtocolErrorCode.Malformed, $"The signature is not DER: {e.Message}");
        }
    }

    /// <summary>The uncompressed point of a public JWK {"kty":"EC","crv":"P-384","x","y"}.</summary>
    public static Result<byte[]> P384PointFromJwk(VectorObject jwk)
    {
        if (jwk.OptionalString("kty") != "EC") return Result<byte[]>.Fail(ProtocolErrorCode.Unsupported, "The JWK is not an EC key.");
        var curve = jwk.OptionalString("crv");
        if (curve != "P-384") return Result<byte[]>.Fail(ProtocolErrorCode.Unsupported, $"The JWK is on curve {curve}, not P-384.");
        var x = Coordinate(jwk, "x");
        var y = Coordinate(jwk, "y");
        if (!x.TryGetValue(out var xBytes, out var error) || !y.TryGetValue(out var yBytes, out error)) return error;
        return P384.Encode(xBytes, yBytes);
    }

    /// <summary>The private scalar of a private JWK, checked against its x and y when present.</summary>
    public static Result<P384KeyPair> P384KeyPairFromJwk(VectorObject jwk)
    {
        if (jwk.OptionalString("kty") != "EC" || jwk.OptionalString("crv") != "P-384")
            return Result<P384KeyPair>.Fail(ProtocolErrorCode.Unsupported, "The private JWK is not a P-384 key.");
        var d = Coordinate(jwk, "d");
        if (!d.TryGetValue(out var scalar, out var error)) return error;
        var pair = P384.KeyPairFromPrivate(scalar);
        if (!pair.TryGetValue(out var keyPair, out error)) return error;
        if (jwk.Has("x") || jwk.Has("y"))
        {
            var point = P384PointFromJwk(jwk);
            if (!point.TryGetValue(out var q, out error) || !q.AsSpan().SequenceEqual(keyPair.Q.Span))
            {
                keyPair.Dispose();
                return Result<P384KeyPair>.Fail(ProtocolErrorCode.InvalidKey, "The private JWK's public point does not match its scalar.");
            }
        }
        return keyPair;
    }

    /// <summary>A P-384 key pair from a big-endian private scalar of any length (vectors may pad or trim it).</summary>
    public static Result<P384KeyPair> P384KeyPairFromScalar(ReadOnlySpan<byte> scalar)
    {
        var padded = new byte[CoordinateSize];
        if (!TryPlaceInteger(scalar, signed: false, padded))
            return Result<P384KeyPair>.Fail(ProtocolErrorCode.InvalidKey, "The P-384 private scalar is longer than 48 bytes.");
        return P384.KeyPairFromPrivate(padded);
    }

    // JWK coordinates are unpadded base64url of exactly the field size (RFC 7518 §6.2.1.2).
    private static Result<byte[]> Coordinate(VectorObject jwk, string name)
    {
        var text = jwk.OptionalString(name);
        if (text is null) return Result<byte[]>.Fail(ProtocolErrorCode.Malformed, $"The JWK has no \"{name}\".");
        if (text.Length != Base64Url.GetEncodedLength(CoordinateSize) || !Base64Url.IsValid(text))
            return Result<byte[]>.Fail(ProtocolErrorCode.Malformed, $"The JWK's \"{name}\" is not 48 bytes of unpadded base64url.");
        var bytes = Base64Url.DecodeFromChars(text);
        // Reject non-canonical encodings (stray bits in the last character).
        if (bytes.Length != CoordinateSize || Base64Url.EncodeToString(bytes) != text)
            return Result<byte[]>.Fail(ProtocolErrorCode.Malformed, $"The JWK's \"{name}\" is not canonical base64url.");
        return bytes;
    }

    // Copies a big-endian integer, possibly with leading zero bytes, right-aligned into destination;
    // false if it is too long, or negative when it is a two's-complement (DER) integer.
    private static bool TryPlaceInteger(ReadOnlySpan<byte> integer, bool signed, Span<byte> destination)
    {
        if (signed && !integer.IsEmpty && (integer[0] & 0x80) != 0) return false;
        var start = 0;
        while (start < integer.Length && integer[start] == 0) start++;
        var digits = integer[start..];
        if (digits.Length > destination.Length) return false;
        destination.Clear();
        digits.CopyTo(destination[(destination.Length - digits.Length)..]);
        return true;
    }
}
