using Parley.Protocol.Ledger;
using Parley.Server.Ledger;
using Parley.Server.Policy.Engine;

namespace Parley.Server.Policy.Enforcement;

/// <summary>
/// Writes every decision to the ledger as an <see cref="LedgerEventType.AccessDecision"/>: who,
/// which action on which resource, permit or deny, the kind and the deciding rule ids, the
/// session and the endpoint. Never content: resources appear by reference, labels as markings.
/// </summary>
public static class DecisionLog
{
    public static void Record(LedgerWriter ledger, PolicyDecision decision, string? via, Guid? explainedBy = null)
    {
        var request = decision.Request;
        var fields = new List<LedgerField>
        {
            new("action", request.Action.Name),
            new("decision", decision.Outcome),
            new("kind", PolicyDecision.KindName(decision.Kind)),
            new("rules", string.Join(",", decision.DecidingRules)),
        };
        if (request.Principal.Session is { } session) fields.Add(new("session", session.Id.ToString()));
        if (via is not null) fields.Add(new("via", via));
        // An explanation is about someone else: the actor is the explainer, the person is named apart.
        if (explainedBy is { } explainer) fields.Add(new("explained-for", request.Principal.UserId.ToString()));
        ledger.Record(LedgerEventType.AccessDecision, explainedBy ?? request.Principal.UserId, request.Principal.Delegation, request.Resource.Reference, fields.ToArray());
    }
}
