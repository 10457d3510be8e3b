namespace Parley.Protocol.Tests.Robustness;

/// <summary>Seeded hostile inputs derived from a valid encoding: random bytes of the right and of
/// random lengths, truncations, extensions, and a few flipped bits. None equals the valid input
/// (random bytes could, with negligible probability).</summary>
internal static class Mutations
{
    public static IEnumerable<byte[]> Of(byte[] valid, int count, int seed)
    {
        var random = new Random(seed);
        yield return [];
        yield return valid[..^1];
        yield return [.. valid, 0];
        for (var i = 0; i < count; i++)
        {
            yield return (i % 5) switch
            {
                0 => Bytes(random, valid.Length),
                1 => Bytes(random, random.Next(0, 2 * valid.Length + 2)),
                2 => valid[..random.Next(0, valid.Length)],
                3 => [.. valid, .. Bytes(random, random.Next(1, 100))],
                _ => Flipped(random, valid),
            };
        }
    }

    // One to three distinct bits, so the result always differs from the valid input.
    private static byte[] Flipped(Random random, byte[] valid)
    {
        var flipped = (byte[])valid.Clone();
        var bits = new HashSet<long>();
        for (var count = random.Next(1, 4); bits.Count < count;)
            bits.Add(random.NextInt64(8L * valid.Length));
        foreach (var bit in bits)
            flipped[bit / 8] ^= (byte)(1 << (int)(bit % 8));
        return flipped;
    }

    public static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    public static string Show(byte[] input) =>
        $"{input.Length} bytes {Convert.ToHexStringLower(input.AsSpan(0, Math.Min(24, input.Length)))}{(input.Length > 24 ? "..." : "")}";
}
