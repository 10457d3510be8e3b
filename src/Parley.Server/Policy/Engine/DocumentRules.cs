using Parley.Protocol.Identity;

namespace Parley.Server.Policy.Engine;

/// <summary>
/// The rules of documents (docs/SECURITY.md, "Documents"). Reading, writing and printing a document are
/// content actions under the general rules (its label, need-to-know by room membership, or by holding a
/// key of it when it is restricted); these say who keeps its records: the print register, destruction
/// and retention are for the security officers of the parties to its room.
/// </summary>
public static class DocumentRules
{
    public static IReadOnlyList<PolicyRule> Create() =>
    [
        new("permit.document-party-officer", RuleEffect.Permit, RuleCategory.Access,
            "Reading a document's print register, recording a printed copy's destruction, tracing a leak, destroying the document and changing its retention, by a security officer of a party to its room.",
            "You are an officer of a party.",
            r => r.Action != Actions.DocumentRegister && r.Action != Actions.DestroyDocument && r.Action != Actions.DocumentRetention
                    ? RuleCheck.NoMatch("Not keeping a document's records.")
                : !r.Principal.Holds(Roles.SecurityOfficer) || r.Principal.Delegation is not { } own ? RuleCheck.NoMatch("You are not a security officer.")
                : !r.Resource.Parties.Contains(own) ? RuleCheck.NoMatch($"Your delegation {own} is not a party to {r.Resource.Display}.")
                : RuleCheck.Match($"You are a security officer of {own}, a party to {r.Resource.Display}.")),
    ];
}
