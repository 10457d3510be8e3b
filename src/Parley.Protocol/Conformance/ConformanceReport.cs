namespace Parley.Protocol.Conformance;

/// <summary>The outcome of running one Wycheproof vector file.</summary>
/// <param name="File">The vector file name, e.g. <c>aes_gcm_test.json</c>.</param>
/// <param name="Backend">What ran the cases: the backend's name, or BouncyCastle for the algorithms it alone implements.</param>
/// <param name="Total">Cases evaluated.</param>
/// <param name="Passed">Cases that gave their expected result.</param>
/// <param name="Failures">Every case that did not, and any problem with the file itself.</param>
public sealed record ConformanceReport(string File, string Backend, int Total, int Passed, IReadOnlyList<ConformanceFailure> Failures)
{
    /// <summary>True when every evaluated case gave its expected result and the file was well formed.</summary>
    public bool AllPassed => Failures.Count == 0 && Passed == Total;

    /// <summary>Cases of the file that Parley's API cannot express, so they were not evaluated (and are
    /// not in <see cref="Total"/>), each with the reason. Listed so that nothing is silently left out.</summary>
    public IReadOnlyList<ConformanceNotApplicable> NotApplicable { get; init; } = [];

    /// <summary>One line: file, backend, counts.</summary>
    public string Summary =>
        $"{(AllPassed ? "PASS" : "FAIL")} {File} on {Backend}: {Passed}/{Total} passed"
        + (NotApplicable.Count > 0 ? $", {NotApplicable.Count} not applicable" : "");
}

/// <summary>A case that did not give its expected result.</summary>
/// <param name="TestCaseId">The vector's tcId, or <c>(file)</c> for a problem with the whole file.</param>
/// <param name="Comment">The vector's comment and flags.</param>
/// <param name="Expected">What the vector requires.</param>
/// <param name="Actual">What Parley did.</param>
public sealed record ConformanceFailure(string TestCaseId, string Comment, string Expected, string Actual);

/// <summary>A case that was not evaluated because Parley's API has no way to express it.</summary>
/// <param name="TestCaseId">The vector's tcId.</param>
/// <param name="Reason">Why it cannot be run.</param>
public sealed record ConformanceNotApplicable(string TestCaseId, string Reason);
