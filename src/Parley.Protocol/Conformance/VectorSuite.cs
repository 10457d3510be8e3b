using System.Text.Json;

namespace Parley.Protocol.Conformance;

/// <summary>One test group of a vector file.</summary>
internal sealed class VectorGroup(JsonElement json, int index)
{
    public VectorObject Fields { get; } = new(json, $"test group #{index}");

    public int Index { get; } = index;

    public IReadOnlyList<JsonElement> Tests { get; } = new VectorObject(json, $"test group #{index}").Array("tests").ToArray();
}

/// <summary>The runner of one vector schema: knows the file's algorithm and group type, and checks
/// each case against Parley's API.</summary>
internal abstract class VectorSuite
{
    /// <summary>The file's "algorithm" field.</summary>
    public abstract string Algorithm { get; }

    /// <summary>The "type" of every test group.</summary>
    public abstract string GroupType { get; }

    /// <summary>The name of what runs the cases, for the report.</summary>
    public abstract string Runner { get; }

    /// <summary>Checks the group's parameters and runs each of its cases through
    /// <see cref="CaseLog.RunAsync"/>. May throw <see cref="MalformedVectorException"/> before running
    /// any case, when the group itself is unreadable.</summary>
    public abstract ValueTask RunGroupAsync(VectorGroup group, CaseLog log, CancellationToken cancellationToken);

    /// <summary>Runs every case of <paramref name="group"/> with the same check.</summary>
    protected static async ValueTask RunEachAsync(VectorGroup group, CaseLog log, Func<VectorCase, ValueTask<Verdict>> check, CancellationToken cancellationToken)
    {
        for (var i = 0; i < group.Tests.Count; i++)
            await log.RunAsync(group.Tests[i], i, check, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Throws when a group parameter is not the one this suite is for.</summary>
    protected static void Require(VectorObject fields, string name, string expected)
    {
        var actual = fields.String(name);
        if (actual != expected) throw new MalformedVectorException($"{name} is \"{actual}\"; this file is for {expected}.");
    }
}

/// <summary>Suites of the algorithms BouncyCastle alone implements in Parley, whatever the backend.</summary>
internal abstract class BouncyCastleOnlySuite : VectorSuite
{
    /// <inheritdoc />
    public override string Runner => $"bouncycastle (the only {DisplayName} implementation)";

    /// <summary>The algorithm's usual name, where the file's "algorithm" field differs.</summary>
    protected virtual string DisplayName => Algorithm;
}
