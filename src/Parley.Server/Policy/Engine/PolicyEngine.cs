using Parley.Protocol.Api;
using Parley.Protocol.Identity;

namespace Parley.Server.Policy.Engine;

/// <summary>Why a request was denied, for clients to decide what to offer (a step-up prompt, a call to the officer).</summary>
public enum DecisionKind
{
    Permit,
    NotPermitted,
    NotCleared,
    TrainingExpired,
    Device,
    StepUp,
    Suspended,
    WriteRefused,
}

/// <summary>A rule and what it found.</summary>
public sealed record RuleOutcome(PolicyRule Rule, RuleCheck Check);

/// <summary>
/// A decision: permit or deny, the rules that decided it, every rule evaluated, and a reason a
/// person understands. <see cref="Hidden"/>: deny as 404, the caller may not learn the resource exists.
/// </summary>
public sealed record PolicyDecision(PolicyRequest Request, bool Permitted, DecisionKind Kind, IReadOnlyList<string> DecidingRules, IReadOnlyList<RuleOutcome> Rules,
    string Reason, bool Hidden, bool StepUp, string? StepUpWith)
{
    /// <summary>The pseudo-rule that decides when no permit matched.</summary>
    public const string DefaultDeny = "default.no-permit";

    public string Outcome => Permitted ? "permit" : "deny";

    public static string KindName(DecisionKind kind) => kind switch
    {
        DecisionKind.Permit => "permit",
        DecisionKind.NotPermitted => "not-permitted",
        DecisionKind.NotCleared => "not-cleared",
        DecisionKind.TrainingExpired => "training-expired",
        DecisionKind.Device => "device",
        DecisionKind.StepUp => "step-up",
        DecisionKind.Suspended => "suspended",
        _ => "write-refused",
    };

    /// <summary>The decision as the API shows it.</summary>
    public PolicyDecisionView ToView() => new(
        Outcome, KindName(Kind), DecidingRules,
        Rules.Select(o => new PolicyRuleOutcome(o.Rule.Id, o.Rule.EffectName, o.Check.Matched, o.Check.Reason)).ToList(),
        Reason, StepUp, StepUpWith, Request.Principal.Email, Request.Action.Name, Request.Resource.Reference);
}

/// <summary>
/// Evaluates the rules with Cedar's semantics: default deny; any matched forbid denies; a permit
/// needs at least one matched permit and no matched forbid. Every rule is evaluated, so a decision
/// can say everything that stood in the way, not just the first thing.
/// </summary>
public sealed class PolicyEngine(PolicySettings settings)
{
    // When several forbids decide, the kind follows the first category in this order: the thing a
    // person must sort out first (a step-up is offered only when nothing else is in the way).
    private static readonly (RuleCategory Category, DecisionKind Kind)[] KindPriority =
    [
        (RuleCategory.Account, DecisionKind.Suspended),
        (RuleCategory.Role, DecisionKind.NotPermitted),
        (RuleCategory.NeedToKnow, DecisionKind.NotPermitted),
        (RuleCategory.Clearance, DecisionKind.NotCleared),
        (RuleCategory.Labelling, DecisionKind.WriteRefused),
        (RuleCategory.Training, DecisionKind.TrainingExpired),
        (RuleCategory.Device, DecisionKind.Device),
        (RuleCategory.Authentication, DecisionKind.StepUp),
    ];

    public PolicySettings Settings { get; } = settings;

    public IReadOnlyList<PolicyRule> Rules { get; } = AccessRules.Create(settings);

    public PolicyDecision Decide(PolicyRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var outcomes = Rules.Select(rule => new RuleOutcome(rule, rule.Evaluate(request))).ToList();
        var permits = outcomes.Where(o => o.Rule.Effect == RuleEffect.Permit && o.Check.Matched).ToList();
        var forbids = outcomes.Where(o => o.Rule.Effect == RuleEffect.Forbid && o.Check.Matched).ToList();

        if (permits.Count > 0 && forbids.Count == 0)
            return new PolicyDecision(request, true, DecisionKind.Permit, permits.Select(p => p.Rule.Id).ToList(), outcomes,
                Join(permits.Select(p => p.Check.Reason)), Hidden: false, StepUp: false, StepUpWith: null);

        if (forbids.Count == 0)
        {
            var roles = RoleNames.ToNames(request.Principal.Roles);
            var reason = $"Your role ({(roles.Count == 0 ? "none" : string.Join(", ", roles))}) does not allow this: {request.Action.Description.TrimEnd('.')} ({request.Action.Name}) on {request.Resource.Display}.";
            return new PolicyDecision(request, false, DecisionKind.NotPermitted, [PolicyDecision.DefaultDeny], outcomes, reason,
                Hidden: request.Action.HiddenWhenNotPermitted, StepUp: false, StepUpWith: null);
        }

        var kind = KindPriority.First(p => forbids.Any(f => f.Rule.Category == p.Category)).Kind;
        // A step-up helps only when something permits and every forbid in the way is about authentication.
        var stepUp = permits.Count > 0 && forbids.All(f => f.Rule.Category == RuleCategory.Authentication);
        var stepUpWith = stepUp
            ? forbids.Any(f => f.Check.StepUpWith == "security-key") ? "security-key" : "second-factor"
            : null;
        var hidden = forbids.Any(f => f.Rule.HidesResource) || (permits.Count == 0 && request.Action.HiddenWhenNotPermitted);
        return new PolicyDecision(request, false, kind, forbids.Select(f => f.Rule.Id).ToList(), outcomes,
            Join(forbids.Select(f => f.Check.Reason)), hidden, stepUp, stepUpWith);
    }

    private static string Join(IEnumerable<string> reasons) => string.Join(" ", reasons.Distinct());
}
