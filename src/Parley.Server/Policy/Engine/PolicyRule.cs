namespace Parley.Server.Policy.Engine;

/// <summary>Whether a matched rule permits or forbids.</summary>
public enum RuleEffect
{
    Permit,
    Forbid,
}

/// <summary>What a forbid is about; a denial's kind comes from the categories of the rules that decided it.</summary>
public enum RuleCategory
{
    /// <summary>Permits.</summary>
    Access,
    /// <summary>The account is suspended.</summary>
    Account,
    /// <summary>The role does not allow it (host administrator, auditor, enrollment limits).</summary>
    Role,
    /// <summary>Clearance: none, level, compartments, releasability.</summary>
    Clearance,
    /// <summary>Neither a member nor a current grant.</summary>
    NeedToKnow,
    /// <summary>Confidentiality training not current.</summary>
    Training,
    /// <summary>The session's device: not bound, revoked.</summary>
    Device,
    /// <summary>The session's authentication is too weak or too old: a step-up would help.</summary>
    Authentication,
    /// <summary>The label of what is written: write-down, above clearance, above the container, missing.</summary>
    Labelling,
}

/// <summary>What one rule found: whether its condition held, and in words.</summary>
/// <param name="Matched">True when the condition held.</param>
/// <param name="Reason">What was found.</param>
/// <param name="StepUpWith">For authentication rules: what kind of step-up would satisfy it.</param>
public readonly record struct RuleCheck(bool Matched, string Reason, string? StepUpWith = null)
{
    public static RuleCheck Match(string reason, string? stepUpWith = null) => new(true, reason, stepUpWith);

    public static RuleCheck NoMatch(string reason) => new(false, reason);
}

/// <summary>
/// One rule: a stable id, an effect, and a condition over principal, action, resource and context.
/// Rules read only the facts in the request (never storage), so a decision can be explained and
/// replayed. A matched forbid with <see cref="HidesResource"/> turns a denial into 404.
/// </summary>
public sealed class PolicyRule(string id, RuleEffect effect, RuleCategory category, string condition, string reason, Func<PolicyRequest, RuleCheck> evaluate, bool hidesResource = false)
{
    public string Id { get; } = id;

    public RuleEffect Effect { get; } = effect;

    public RuleCategory Category { get; } = category;

    /// <summary>The condition in words, for the documentation and the rule list.</summary>
    public string Condition { get; } = condition;

    /// <summary>The reason it gives when it decides, in general terms (each evaluation says it precisely).</summary>
    public string Reason { get; } = reason;

    /// <summary>When this forbid decides, the caller may not learn that the resource exists.</summary>
    public bool HidesResource { get; } = hidesResource;

    public RuleCheck Evaluate(PolicyRequest request) => evaluate(request);

    public string EffectName => Effect == RuleEffect.Permit ? "permit" : "forbid";

    /// <inheritdoc />
    public override string ToString() => Id;
}
