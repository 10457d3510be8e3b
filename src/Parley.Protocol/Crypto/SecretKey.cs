using System.Security.Cryptography;

namespace Parley.Protocol.Crypto;

/// <summary>
/// Secret key material in a handle that zeroes itself on dispose and never shows its bytes in
/// <see cref="ToString"/>. Protocol code reads the bytes internally; callers outside get them only
/// through <see cref="Export"/>, which says at the call site that a copy of a secret leaves the handle.
/// </summary>
public sealed class SecretKey : IDisposable
{
    private readonly byte[] _bytes;
    private bool _disposed;

    private SecretKey(byte[] bytes) => _bytes = bytes;

    /// <summary>Length of the key in bytes.</summary>
    public int Length => _bytes.Length;

    /// <summary>A new uniformly random key of <paramref name="length"/> bytes.</summary>
    public static SecretKey Generate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        return new SecretKey(RandomNumberGenerator.GetBytes(length));
    }

    /// <summary>Copies <paramref name="bytes"/> into a new handle. The caller should zero its copy.</summary>
    public static SecretKey Import(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) throw new ArgumentException("A key cannot be empty.", nameof(bytes));
        return new SecretKey(bytes.ToArray());
    }

    /// <summary>Takes ownership of <paramref name="bytes"/> without copying.</summary>
    internal static SecretKey Adopt(byte[] bytes) => new(bytes);

    internal ReadOnlySpan<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _bytes;
        }
    }

    internal ReadOnlyMemory<byte> Memory
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _bytes;
        }
    }

    /// <summary>Returns a copy of the key bytes. The caller owns the copy and must zero it.</summary>
    public byte[] Export()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return (byte[])_bytes.Clone();
    }

    /// <summary>Constant-time comparison with another key.</summary>
    public bool ContentEquals(SecretKey other) =>
        CryptographicOperations.FixedTimeEquals(Span, other.Span);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        CryptographicOperations.ZeroMemory(_bytes);
        _disposed = true;
    }

    /// <inheritdoc />
    public override string ToString() => $"SecretKey({_bytes.Length} bytes)";
}
