using System.Diagnostics.CodeAnalysis;

namespace Parley.Protocol;

/// <summary>What went wrong when Parley.Protocol rejected its input.</summary>
public enum ProtocolErrorCode
{
    /// <summary>The bytes do not follow the format.</summary>
    Malformed = 1,
    /// <summary>A field or the whole input has the wrong length.</summary>
    InvalidLength,
    /// <summary>The format version or algorithm identifier is not one this build knows.</summary>
    Unsupported,
    /// <summary>A key is malformed or not a valid point or encoding for its algorithm.</summary>
    InvalidKey,
    /// <summary>Authenticated decryption failed: wrong key, wrong context or tampered data.</summary>
    AuthenticationFailed,
    /// <summary>A signature did not verify.</summary>
    BadSignature,
    /// <summary>The ciphertext ends early.</summary>
    Truncated,
    /// <summary>The ciphertext has data after its end.</summary>
    TrailingData,
    /// <summary>A size or count exceeds what the format allows.</summary>
    LimitExceeded,
    /// <summary>A certificate is past its validity.</summary>
    Expired,
    /// <summary>A certificate is not valid yet.</summary>
    NotYetValid,
    /// <summary>A certificate or device has been revoked.</summary>
    Revoked,
    /// <summary>A signer has no authority for what it signed: unknown root, not an officer, or another delegation's officer.</summary>
    Untrusted,
    /// <summary>A Merkle inclusion or consistency proof does not verify.</summary>
    InvalidProof,
    /// <summary>Two views of a log cannot both be true: a fork (same size, other root, or no consistency proof).</summary>
    Inconsistent,
    /// <summary>A log presented an older state than one already verified.</summary>
    Rollback,
}

/// <summary>A typed, human-readable reason for rejecting input. Never carries secret material.</summary>
public sealed record ProtocolError(ProtocolErrorCode Code, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>Raised only by <see cref="Result{T}.Value"/> on a failed result and by stream adapters,
/// whose API has no other way to report an error.</summary>
public sealed class ProtocolException(ProtocolError error) : Exception(error.Message)
{
    /// <summary>The typed error.</summary>
    public ProtocolError Error { get; } = error;
}

/// <summary>Either a value or a <see cref="ProtocolError"/>. Parsers of untrusted bytes return this
/// instead of throwing.</summary>
public readonly struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, ProtocolError? error)
    {
        _value = value;
        Error = error;
    }

    /// <summary>The error, or null on success.</summary>
    public ProtocolError? Error { get; }

    /// <summary>True when the result holds a value.</summary>
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsOk => Error is null;

    /// <summary>The value; throws <see cref="ProtocolException"/> if the result is an error.</summary>
    public T Value => Error is null ? _value! : throw new ProtocolException(Error);

    /// <summary>Gets the value if there is one.</summary>
    public bool TryGetValue([MaybeNullWhen(false)] out T value, [NotNullWhen(false)] out ProtocolError? error)
    {
        value = _value;
        error = Error;
        return Error is null;
    }

    /// <summary>A successful result.</summary>
    public static Result<T> Ok(T value) => new(value, null);

    /// <summary>A failed result.</summary>
    public static Result<T> Fail(ProtocolError error) => new(default, error ?? throw new ArgumentNullException(nameof(error)));

    /// <summary>A failed result.</summary>
    public static Result<T> Fail(ProtocolErrorCode code, string message) => new(default, new ProtocolError(code, message));

    /// <summary>Implicit success.</summary>
    public static implicit operator Result<T>(T value) => Ok(value);

    /// <summary>Implicit failure.</summary>
    public static implicit operator Result<T>(ProtocolError error) => Fail(error);

    /// <inheritdoc />
    public override string ToString() => IsOk ? $"Ok({typeof(T).Name})" : $"Fail({Error})";
}
