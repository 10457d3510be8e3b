namespace Parley.Protocol.Crypto;

/// <summary>HKDF-SHA-384 with a distinct label per use (DESIGN §4).</summary>
public sealed class KeySchedule(ICryptoBackend backend)
{
    /// <summary>
    /// Derives <paramref name="length"/> bytes: HKDF-SHA-384(salt = <paramref name="salt"/>, IKM = <paramref name="ikm"/>,
    /// info = "PARLEY-PQ1 " || label || 0x00 || context).
    /// </summary>
    public async ValueTask<SecretKey> DeriveAsync(SecretKey ikm, string label, ReadOnlyMemory<byte> context, int length = 32, ReadOnlyMemory<byte> salt = default, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        var result = await backend.HkdfAsync(HashName.Sha384, ikm.Memory, salt, Labels.Bind(label, context.Span), length, cancellationToken).ConfigureAwait(false);
        return SecretKey.Adopt(result.Value);
    }
}
