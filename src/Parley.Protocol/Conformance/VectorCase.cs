using System.Text.Json;

namespace Parley.Protocol.Conformance;

/// <summary>A vector file or case that does not follow its schema. The runner reports it as a failure:
/// a vector it cannot read is a vector that did not pass.</summary>
internal sealed class MalformedVectorException(string message) : Exception(message);

/// <summary>What a vector says about its case.</summary>
internal enum ExpectedResult
{
    Valid,
    Invalid,
    Acceptable,
}

/// <summary>The outcome of one case.</summary>
internal readonly record struct Verdict(VerdictKind Kind, string Expected, string Actual)
{
    public static Verdict Pass { get; } = new(VerdictKind.Passed, "", "");

    public static Verdict Fail(string expected, string actual) => new(VerdictKind.Failed, expected, actual);

    public static Verdict NotApplicable(string reason) => new(VerdictKind.NotApplicable, "", reason);
}

internal enum VerdictKind
{
    Passed,
    Failed,
    NotApplicable,
}

/// <summary>Typed, checked access to the fields of one JSON object of a vector file.</summary>
internal readonly struct VectorObject(JsonElement json, string where)
{
    public JsonElement Json { get; } = json.ValueKind == JsonValueKind.Object ? json : throw new MalformedVectorException($"{where} is not a JSON object.");

    public bool Has(string name) => Json.TryGetProperty(name, out _);

    public JsonElement Property(string name) =>
        Json.TryGetProperty(name, out var value) ? value : throw new MalformedVectorException($"{where} has no \"{name}\".");

    public VectorObject Object(string name) => new(Property(name), $"{where}.{name}");

    public string String(string name)
    {
        var value = Property(name);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new MalformedVectorException($"{where}.{name} is not a string.");
    }

    public string? OptionalString(string name) => Has(name) ? String(name) : null;

    public int Int(string name)
    {
        var value = Property(name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw new MalformedVectorException($"{where}.{name} is not a 32-bit integer.");
    }

    public long Long(string name)
    {
        var value = Property(name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            // Some schemas write big numbers as strings.
            : value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number)
                ? number
                : throw new MalformedVectorException($"{where}.{name} is not an integer.");
    }

    public byte[] Hex(string name)
    {
        var text = String(name);
        if (text.Length % 2 != 0) throw new MalformedVectorException($"{where}.{name} is not hex (odd length).");
        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            throw new MalformedVectorException($"{where}.{name} is not hex.");
        }
    }

    /// <summary>The bytes of an optional hex field; null when it is absent or JSON null.</summary>
    public byte[]? OptionalHex(string name) =>
        Json.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? Hex(name) : null;

    public JsonElement.ArrayEnumerator Array(string name)
    {
        var value = Property(name);
        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : throw new MalformedVectorException($"{where}.{name} is not an array.");
    }
}

/// <summary>One test case: its id, what it expects, and its fields.</summary>
internal sealed class VectorCase
{
    private readonly string[] _flags;

    public VectorCase(JsonElement json, int index)
    {
        Fields = new VectorObject(json, $"test case #{index}");
        var id = Fields.Property("tcId");
        Id = id.ValueKind switch
        {
            JsonValueKind.Number or JsonValueKind.String => id.ToString(),
            _ => throw new MalformedVectorException($"test case #{index} has a tcId that is neither a number nor a string."),
        };
        Comment = Fields.OptionalString("comment") ?? "";
        Result = Fields.String("result") switch
        {
            "valid" => ExpectedResult.Valid,
            "invalid" => ExpectedResult.Invalid,
            "acceptable" => ExpectedResult.Acceptable,
            var other => throw new MalformedVectorException($"test case {Id} has result \"{other}\"."),
        };
        _flags = Fields.Has("flags")
            ? Fields.Array("flags").Select(f => f.ValueKind == JsonValueKind.String ? f.GetString()! : throw new MalformedVectorException($"test case {Id} has a flag that is not a string.")).ToArray()
            : [];
    }

    public string Id { get; }

    public string Comment { get; }

    public ExpectedResult Result { get; }

    public IReadOnlyList<string> Flags => _flags;

    public VectorObject Fields { get; }

    public bool HasFlag(string flag) => System.Array.IndexOf(_flags, flag) >= 0;

    /// <summary>The comment and flags, for failure reports.</summary>
    public string Description => _flags.Length == 0 ? Comment : $"{Comment} [{string.Join(", ", _flags)}]";

    /// <summary>Our API refused the input (typed error, false, or ProtocolException).</summary>
    public Verdict Rejected(string why) => Result switch
    {
        ExpectedResult.Valid => Verdict.Fail("valid: accepted", $"rejected: {why}"),
        _ => Verdict.Pass,
    };

    /// <summary>Our API accepted the input, and produced no output to compare.</summary>
    public Verdict Accepted(string what = "accepted") => Result switch
    {
        ExpectedResult.Invalid => Verdict.Fail("invalid: rejected", what),
        _ => Verdict.Pass,
    };

    /// <summary>Our API accepted the input and produced <paramref name="actual"/>, which must equal
    /// <paramref name="expected"/> whenever accepting is allowed.</summary>
    public Verdict Accepted(ReadOnlySpan<byte> actual, ReadOnlySpan<byte> expected, string what) => Result switch
    {
        ExpectedResult.Invalid => Verdict.Fail("invalid: rejected", $"accepted, {what} {Convert.ToHexStringLower(actual)}"),
        _ when actual.SequenceEqual(expected) => Verdict.Pass,
        _ => Verdict.Fail($"{what} {Convert.ToHexStringLower(expected)}", $"{what} {Convert.ToHexStringLower(actual)}"),
    };
}

/// <summary>Counts cases and collects failures of one file.</summary>
internal sealed class CaseLog
{
    private readonly List<ConformanceFailure> _failures = [];
    private readonly List<ConformanceNotApplicable> _notApplicable = [];

    public int Total { get; private set; }

    public int Passed { get; private set; }

    /// <summary>Cases seen, evaluated or not.</summary>
    public int Seen => Total + _notApplicable.Count;

    public IReadOnlyList<ConformanceFailure> Failures => _failures;

    public IReadOnlyList<ConformanceNotApplicable> NotApplicable => _notApplicable;

    /// <summary>Runs one case. Anything but cancellation that escapes <paramref name="check"/> is the
    /// case's failure: an exception where a typed rejection was due is a defect worth reporting.</summary>
    public async ValueTask RunAsync(JsonElement json, int index, Func<VectorCase, ValueTask<Verdict>> check, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        VectorCase? test = null;
        Verdict verdict;
        try
        {
            test = new VectorCase(json, index);
            verdict = await check(test).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (MalformedVectorException e)
        {
            verdict = Verdict.Fail("a well-formed test case", e.Message);
        }
        catch (Exception e)
        {
            verdict = Verdict.Fail(test is null ? "a test case" : $"{test.Result.ToString().ToLowerInvariant()}, without an exception", $"{e.GetType().Name}: {e.Message}");
        }
        var id = test?.Id ?? $"#{index}";
        switch (verdict.Kind)
        {
            case VerdictKind.NotApplicable:
                _notApplicable.Add(new ConformanceNotApplicable(id, verdict.Actual));
                return;
            case VerdictKind.Passed:
                Total++;
                Passed++;
                return;
            default:
                Total++;
                _failures.Add(new ConformanceFailure(id, test?.Description ?? "", verdict.Expected, verdict.Actual));
                return;
        }
    }

    /// <summary>A problem with the file rather than with one case.</summary>
    public void FileProblem(string expected, string actual) =>
        _failures.Add(new ConformanceFailure("(file)", "", expected, actual));
}
