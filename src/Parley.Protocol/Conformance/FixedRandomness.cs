using Org.BouncyCastle.Crypto.Prng;
using Org.BouncyCastle.Security;

namespace Parley.Protocol.Conformance;

/// <summary>
/// A "random" source that hands out exactly the bytes a vector prescribes (ML-KEM's m, ML-DSA's rnd),
/// so randomized operations reproduce known answers. Asking for more than it holds is an error, and
/// <see cref="Exhausted"/> tells whether the operation used all of it: both catch an implementation
/// that draws its randomness differently from the standard.
/// </summary>
internal sealed class FixedRandomness : IRandomGenerator
{
    private readonly byte[] _bytes;
    private int _used;

    private FixedRandomness(byte[] bytes) => _bytes = bytes;

    public bool Exhausted => _used == _bytes.Length;

    public static (SecureRandom Random, FixedRandomness Source) Of(byte[] bytes)
    {
        var source = new FixedRandomness(bytes);
        return (new SecureRandom(source), source);
    }

    public void NextBytes(Span<byte> bytes)
    {
        if (bytes.Length > _bytes.Length - _used)
            throw new InvalidOperationException($"The operation drew more than the {_bytes.Length} random bytes the vector provides.");
        _bytes.AsSpan(_used, bytes.Length).CopyTo(bytes);
        _used += bytes.Length;
    }

    public void NextBytes(byte[] bytes) => NextBytes(bytes.AsSpan());

    public void NextBytes(byte[] bytes, int start, int len) => NextBytes(bytes.AsSpan(start, len));

    // Seeding cannot change prescribed output.
    public void AddSeedMaterial(byte[] seed)
    {
    }

    public void AddSeedMaterial(ReadOnlySpan<byte> seed)
    {
    }

    public void AddSeedMaterial(long seed)
    {
    }
}
