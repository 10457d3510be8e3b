using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Math;

namespace Parley.Protocol.Crypto;

/// <summary>P-384 point encoding helpers.</summary>
public static class P384
{
    private static readonly X9ECParameters Curve = ECNamedCurveTable.GetByName("P-384");

    /// <summary>SEC 1 uncompressed encoding 0x04 || X || Y of 48-byte coordinates.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        var q = new byte[P384KeyPair.PublicKeySize];
        q[0] = 0x04;
        x.CopyTo(q.AsSpan(1 + 48 - x.Length));
        y.CopyTo(q.AsSpan(49 + 48 - y.Length));
        return q;
    }

    /// <summary>Splits an uncompressed point into coordinates; false if the shape is wrong (the curve
    /// equation is checked by whoever uses the point).</summary>
    public static bool TrySplit(ReadOnlySpan<byte> q, out byte[] x, out byte[] y)
    {
        if (q.Length != P384KeyPair.PublicKeySize || q[0] != 0x04)
        {
            x = y = [];
            return false;
        }
        x = q.Slice(1, 48).ToArray();
        y = q.Slice(49, 48).ToArray();
        return true;
    }

    /// <summary>The public point d·G for a private scalar, for importing keys that arrive without it.
    /// Fails for a scalar outside 1..n−1.</summary>
    public static Result<byte[]> PublicFromPrivate(ReadOnlySpan<byte> d)
    {
        if (d.Length != P384KeyPair.PrivateKeySize)
            return Result<byte[]>.Fail(ProtocolErrorCode.InvalidKey, "A P-384 private scalar is 48 bytes.");
        var k = new BigInteger(1, d);
        if (k.SignValue <= 0 || k.CompareTo(Curve.N) >= 0)
            return Result<byte[]>.Fail(ProtocolErrorCode.InvalidKey, "The P-384 private scalar is out of range.");
        return Curve.G.Multiply(k).Normalize().GetEncoded(compressed: false);
    }

    /// <summary>True when <paramref name="q"/> is an uncompressed point on P-384 other than infinity.</summary>
    public static bool IsValidPublicKey(ReadOnlySpan<byte> q)
    {
        if (q.Length != P384KeyPair.PublicKeySize || q[0] != 0x04) return false;
        try
        {
            var point = Curve.Curve.DecodePoint(q.ToArray());
            return !point.IsInfinity && point.IsValid();
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Rebuilds a key pair from a private scalar alone.</summary>
    public static Result<P384KeyPair> KeyPairFromPrivate(ReadOnlySpan<byte> d)
    {
        var q = PublicFromPrivate(d);
        if (!q.TryGetValue(out var publicKey, out var error)) return error;
        return new P384KeyPair(d, publicKey);
    }
}
