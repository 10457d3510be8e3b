using Parley.Protocol.Identity;

namespace Parley.Server.Policy.Engine;

/// <summary>The person an act on a room's membership is about.</summary>
public sealed record AffectedUser(Guid Id, string Email, string? Delegation);

/// <summary>
/// The rules of rooms (docs/SECURITY.md, "Rooms"). Reading and writing a room are content actions
/// under the general rules (the room's label, need-to-know by membership, no write-down); these
/// say who creates rooms and who changes who is in them: the creator while a member, the members'
/// own security officers, a member leaving, and a party's officers for the party as a whole.
/// </summary>
public static class RoomRules
{
    public static IReadOnlyList<PolicyRule> Create() =>
    [
        new("permit.room-list", RuleEffect.Permit, RuleCategory.Access,
            "Listing one's own rooms (and connecting for their deliveries), by anyone who belongs to a delegation.", "They are your own rooms.",
            r => r.Action != Actions.ListRooms ? RuleCheck.NoMatch("Not listing rooms.")
                : !IsSelf(r) ? RuleCheck.NoMatch("Not your own rooms.")
                : r.Principal.Delegation is null ? RuleCheck.NoMatch("Rooms are for members of delegations; you belong to none.")
                : RuleCheck.Match("They are your own rooms.")),
        new("permit.room-creator", RuleEffect.Permit, RuleCategory.Access,
            "Adding and removing members, and changing the label or retention, by the room's creator while a member.", "You created the room.",
            r => r.Action != Actions.ManageRoomMembers && r.Action != Actions.ChangeRoom ? RuleCheck.NoMatch("Not managing a room.")
                : r.Resource.Owner != r.Principal.UserId ? RuleCheck.NoMatch($"You did not create {r.Resource.Display}.")
                : !IsMember(r) ? RuleCheck.NoMatch($"You created {r.Resource.Display} but are no longer a member.")
                : RuleCheck.Match($"You created {r.Resource.Display} and are a member.")),
        new("permit.room-member-officer", RuleEffect.Permit, RuleCategory.Access,
            "Adding and removing a member of a room, by a security officer of that member's delegation when it is a party.", "You are the member's security officer.",
            r => r.Action != Actions.ManageRoomMembers ? RuleCheck.NoMatch("Not adding or removing a member.")
                : !r.Principal.Holds(Roles.SecurityOfficer) || r.Principal.Delegation is not { } own ? RuleCheck.NoMatch("You are not a security officer.")
                : !r.Resource.Parties.Contains(own) ? RuleCheck.NoMatch($"Your delegation {own} is not a party to {r.Resource.Display}.")
                : r.Context.AffectedUser is not { } user || user.Delegation != own ? RuleCheck.NoMatch($"The person is not of your delegation {own}.")
                : RuleCheck.Match($"You are a security officer of {own}, the delegation of {user.Email}.")),
        new("permit.room-member-leaves", RuleEffect.Permit, RuleCategory.Access,
            "Removing oneself from a room, by a member.", "You may leave a room.",
            r => r.Action != Actions.ManageRoomMembers ? RuleCheck.NoMatch("Not adding or removing a member.")
                : r.Context.AffectedUser?.Id != r.Principal.UserId ? RuleCheck.NoMatch("Not about yourself.")
                : !IsMember(r) ? RuleCheck.NoMatch($"You are not a member of {r.Resource.Display}.")
                : RuleCheck.Match($"You are a member of {r.Resource.Display} and may leave it.")),
        new("permit.room-party-officer", RuleEffect.Permit, RuleCategory.Access,
            "Changing a room's label or retention, or withdrawing the party, by a security officer of a party.", "You are an officer of a party.",
            r => r.Action != Actions.ChangeRoom && r.Action != Actions.WithdrawParty ? RuleCheck.NoMatch("Not changing a room or withdrawing from it.")
                : !r.Principal.Holds(Roles.SecurityOfficer) || r.Principal.Delegation is not { } own ? RuleCheck.NoMatch("You are not a security officer.")
                : !r.Resource.Parties.Contains(own) ? RuleCheck.NoMatch($"Your delegation {own} is not a party to {r.Resource.Display}.")
                : RuleCheck.Match($"You are a security officer of {own}, a party to {r.Resource.Display}.")),

        new("forbid.room-label-above-clearance", RuleEffect.Forbid, RuleCategory.Clearance,
            "Creating a room, or giving one a label, that the principal's clearance does not satisfy.", "Not cleared for the room's label.",
            r => r.Action != Actions.CreateRoom && r.Action != Actions.ChangeRoom || r.Context.WrittenLabel is not { } label ? RuleCheck.NoMatch("No room label to check.")
                : r.Principal.Clearance is not { } clearance ? RuleCheck.Match(r.Principal.ClearanceProblem ?? "You hold no current clearance certificate.")
                : clearance.Check(label) is { IsSatisfied: false } check ? RuleCheck.Match($"You cannot label a room {label}: {check}")
                : RuleCheck.NoMatch($"Cleared for {label}.")),
        new("forbid.room-label-lowered", RuleEffect.Forbid, RuleCategory.Labelling,
            "Lowering a room's label (the new label does not dominate the old), by anyone but a security officer of a party.", "Lowering a room's label is a downgrade.",
            r => r.Action != Actions.ChangeRoom || r.Context.WrittenLabel is not { } label || r.Resource.Label is not { } current ? RuleCheck.NoMatch("No room label change to check.")
                : label.Dominates(current) ? RuleCheck.NoMatch($"{label} does not lower {current}.")
                : r.Principal.Holds(Roles.SecurityOfficer) && r.Principal.Delegation is { } own && r.Resource.Parties.Contains(own) ? RuleCheck.NoMatch($"A security officer of {own} may lower the label.")
                : RuleCheck.Match($"{label} is not at or above {current}: lowering a room's label is a downgrade, which a security officer of a party decides.")),
    ];

    private static bool IsSelf(PolicyRequest r) => r.Resource.Kind == "user" && r.Resource.Id == r.Principal.UserId.ToString();

    private static bool IsMember(PolicyRequest r) => r.Resource.NeedToKnow?.Members.Contains(r.Principal.UserId) == true;
}
