using System.Globalization;
using Parley.Protocol.Api;
using Parley.Protocol.Classification;
using Parley.Protocol.Identity;

namespace Parley.Server.Policy.Engine;

/// <summary>
/// The rules of Parley's access policy (docs/SECURITY.md, "Access policy"). Permits say who may do
/// what; forbids say what stops them. Label conditions (clearance, compartments, releasability,
/// need-to-know, training, assurance, device) apply to content actions; role rules keep the host
/// administrator and auditors away from content and officers within their delegation.
/// </summary>
public static class AccessRules
{
    private const string MemberRoles = "member or head-of-delegation";

    public static IReadOnlyList<PolicyRule> Create(PolicySettings settings) =>
    [
        // ---- Permits ----
        new("permit.own-session", RuleEffect.Permit, RuleCategory.Access,
            "Session actions on the caller's own account.", "It is your own session.",
            r => r.Action.Kind != ActionKind.Session ? RuleCheck.NoMatch("Not a session action.")
                : IsSelf(r) ? RuleCheck.Match("It is your own session.") : RuleCheck.NoMatch("Not your own session.")),
        new("permit.own-account", RuleEffect.Permit, RuleCategory.Access,
            "Account actions on the caller's own account.", "It is your own account.",
            r => r.Action.Kind != ActionKind.Account ? RuleCheck.NoMatch("Not an account action.")
                : IsSelf(r) ? RuleCheck.Match("It is your own account.") : RuleCheck.NoMatch("Not your own account.")),
        new("permit.reference-data", RuleEffect.Permit, RuleCategory.Access,
            "Reading delegations, the marking scheme and the rules, by anyone signed in.", "Everyone signed in reads reference data.",
            r => r.Action.Kind == ActionKind.Reference ? RuleCheck.Match("Everyone signed in reads delegations, the marking scheme and the rules.") : RuleCheck.NoMatch("Not reference data.")),
        new("permit.directory", RuleEffect.Permit, RuleCategory.Access,
            "Reading the public key directory, by anyone who belongs to a delegation.", "Members of delegations read the directory.",
            r => r.Action.Kind != ActionKind.Directory ? RuleCheck.NoMatch("Not a directory action.")
                : r.Principal.Delegation is { } code ? RuleCheck.Match($"You belong to delegation {code}.") : RuleCheck.NoMatch("The directory is for members of delegations; you belong to none.")),
        new("permit.own-devices", RuleEffect.Permit, RuleCategory.Access,
            "Registering and listing one's own devices, by anyone who belongs to a delegation.", "They are your own devices.",
            r => r.Action != Actions.RegisterDevice && r.Action != Actions.ListDevices ? RuleCheck.NoMatch("Not registering or listing devices.")
                : !IsSelf(r) ? RuleCheck.NoMatch("Not your own devices.")
                : r.Principal.Delegation is null ? RuleCheck.NoMatch("Devices hold content keys; accounts outside any delegation have none.")
                : RuleCheck.Match("They are your own devices.")),
        new("permit.device-owner", RuleEffect.Permit, RuleCategory.Access,
            "Revoking a device, by its owner.", "It is your own device.",
            r => r.Action != Actions.RevokeDevice ? RuleCheck.NoMatch("Not revoking a device.")
                : r.Resource.Owner == r.Principal.UserId ? RuleCheck.Match("It is your own device.") : RuleCheck.NoMatch("Not your device.")),
        new("permit.host-administrator", RuleEffect.Permit, RuleCategory.Access,
            "Creating delegations, and enrollment links for their security officers, by the host administrator.", "The host administrator runs the venue.",
            r => r.Action != Actions.CreateDelegation && r.Action != Actions.ManageEnrollments ? RuleCheck.NoMatch("Not a host administrator's act.")
                : r.Principal.Holds(Roles.HostAdministrator) ? RuleCheck.Match("You are the host administrator.") : RuleCheck.NoMatch("You are not the host administrator.")),
        new("permit.officer-own-delegation", RuleEffect.Permit, RuleCategory.Access,
            "An officer's acts and inspection on their own delegation (enrollments, clearances, training, grants, suspension, devices, members, sign-ins, ledger), by its security officers.",
            "Security officers act on their own delegation.",
            r => !IsOfficerAct(r.Action) ? RuleCheck.NoMatch("Not an officer's act.")
                : !r.Principal.Holds(Roles.SecurityOfficer) ? RuleCheck.NoMatch("You are not a security officer.")
                : r.Resource.Delegation is null || r.Resource.Delegation != r.Principal.Delegation ? RuleCheck.NoMatch($"{r.Resource.Display} is not of your delegation.")
                : RuleCheck.Match($"You are a security officer of {r.Principal.Delegation}.")),
        new("permit.auditor-inspection", RuleEffect.Permit, RuleCategory.Access,
            "Reading a delegation's records and ledger (metadata, never content), by its auditors.", "Auditors read their delegation's records.",
            r => r.Action.Kind != ActionKind.Inspection || r.Action == Actions.Explain ? RuleCheck.NoMatch("Not inspection.")
                : !r.Principal.Holds(Roles.Auditor) ? RuleCheck.NoMatch("You are not an auditor.")
                : r.Resource.Delegation is null || r.Resource.Delegation != r.Principal.Delegation ? RuleCheck.NoMatch($"{r.Resource.Display} is not of your delegation.")
                : RuleCheck.Match($"You are an auditor of {r.Principal.Delegation}.")),
        new("permit.explain-own-delegation", RuleEffect.Permit, RuleCategory.Access,
            "Explaining a decision about a member of one's own delegation on a resource one may know of, by its security officers and auditors.",
            "Officers and auditors explain decisions about their delegation's members.",
            r => r.Action != Actions.Explain ? RuleCheck.NoMatch("Not an explanation.")
                : !r.Principal.Holds(Roles.SecurityOfficer | Roles.Auditor) ? RuleCheck.NoMatch("You are neither a security officer nor an auditor.")
                : r.Context.ExplainedUser is not { } user || user.Delegation is null || user.Delegation != r.Principal.Delegation ? RuleCheck.NoMatch("The person is not of your delegation.")
                : r.Resource.Parties.Count > 0 && !r.Resource.Parties.Contains(r.Principal.Delegation!) ? RuleCheck.NoMatch($"Your delegation is not a party to {r.Resource.Display}.")
                : RuleCheck.Match($"{user.Email} belongs to your delegation {r.Principal.Delegation}.")),
        new("permit.member-content", RuleEffect.Permit, RuleCategory.Access,
            $"Reading, writing and printing content, by a {MemberRoles} (the forbids below still apply).", "Members work with content.",
            r => r.Action.Kind != ActionKind.Content || r.Action == Actions.Downgrade ? RuleCheck.NoMatch("Not reading, writing or printing.")
                : r.Principal.Holds(Roles.Member | Roles.HeadOfDelegation) ? RuleCheck.Match($"You are a {RoleOf(r.Principal)}.") : RuleCheck.NoMatch($"Content is for a {MemberRoles}.")),
        new("permit.officer-downgrade", RuleEffect.Permit, RuleCategory.Access,
            "Authorising a downgrade of a resource of (or open to) the officer's delegation, by a security officer (the forbids below still apply).",
            "Security officers authorise downgrades.",
            r => r.Action != Actions.Downgrade ? RuleCheck.NoMatch("Not a downgrade.")
                : !r.Principal.Holds(Roles.SecurityOfficer) || r.Principal.Delegation is null ? RuleCheck.NoMatch("Only a security officer authorises a downgrade.")
                : r.Resource.Parties.Count > 0 && !r.Resource.Parties.Contains(r.Principal.Delegation) ? RuleCheck.NoMatch($"Your delegation is not a party to {r.Resource.Display}.")
                : RuleCheck.Match($"You are a security officer of {r.Principal.Delegation}.")),

        // ---- Forbids: the account and the role ----
        new("forbid.account-suspended", RuleEffect.Forbid, RuleCategory.Account,
            "The account is suspended (everything but seeing and ending one's own session).", "The account is suspended.",
            r => !r.Principal.Suspended ? RuleCheck.NoMatch("The account is active.")
                : r.Action == Actions.ReadSession || r.Action == Actions.EndSession ? RuleCheck.NoMatch("The account is suspended, but one may still see and end one's session.")
                : RuleCheck.Match($"The account of {r.Principal.Email} is suspended; ask a security officer{(r.Principal.Delegation is { } d ? $" of {d}" : "")}.")),
        new("forbid.host-administrator-content", RuleEffect.Forbid, RuleCategory.Role,
            "A content action by the host administrator.", "The host administrator never reaches content.",
            r => r.Action.Kind == ActionKind.Content && r.Principal.Holds(Roles.HostAdministrator)
                ? RuleCheck.Match("The host administrator never reaches content.") : RuleCheck.NoMatch("Not content by the host administrator.")),
        new("forbid.auditor-content", RuleEffect.Forbid, RuleCategory.Role,
            $"A content action by an auditor who is not also a {MemberRoles} or security officer.", "Auditors see metadata, never content.",
            r => r.Action.Kind == ActionKind.Content && r.Principal.Holds(Roles.Auditor) && !r.Principal.Holds(Roles.Member | Roles.HeadOfDelegation | Roles.SecurityOfficer)
                ? RuleCheck.Match("Auditors see metadata, never content.") : RuleCheck.NoMatch("Not content by an auditor.")),
        new("forbid.enrollment-host-administrator-role", RuleEffect.Forbid, RuleCategory.Role,
            "An enrollment link that would make a host administrator.", "No link makes a host administrator.",
            r => r.Action == Actions.ManageEnrollments && r.Context.RolesToGrant is { } roles && roles.HasFlag(Roles.HostAdministrator)
                ? RuleCheck.Match("No enrollment link makes a host administrator: members of a delegation cannot be host administrators.") : RuleCheck.NoMatch("Not enrolling a host administrator.")),
        new("forbid.host-administrator-enrolls-officers-only", RuleEffect.Forbid, RuleCategory.Role,
            "An enrollment link by the host administrator that does not make a security officer.", "The host administrator enrolls security officers only.",
            r => r.Action == Actions.ManageEnrollments && r.Context.RolesToGrant is { } roles && r.Principal.Holds(Roles.HostAdministrator) && !roles.HasFlag(Roles.SecurityOfficer)
                ? RuleCheck.Match("The host administrator enrolls security officers only; members are enrolled by their security officer.")
                : RuleCheck.NoMatch("Not a host administrator enrolling someone other than an officer.")),

        // ---- Forbids: clearance and need-to-know ----
        new("forbid.no-clearance", RuleEffect.Forbid, RuleCategory.Clearance,
            "A content action on a labelled resource without a current clearance certificate.", "No current clearance.",
            r => !IsLabelledContent(r) ? RuleCheck.NoMatch("Not labelled content.")
                : r.Principal.Clearance is { } c ? RuleCheck.NoMatch($"Cleared to {c}.")
                : RuleCheck.Match(r.Principal.ClearanceProblem ?? "You hold no current clearance certificate.")),
        LabelRule("forbid.level-too-low", "The clearance's level is below the label's.", "Cleared below the label.", ClearanceFailureKind.LevelTooLow),
        LabelRule("forbid.missing-compartment", "The label has a compartment the clearance does not hold.", "Not read into a compartment.", ClearanceFailureKind.MissingCompartments),
        new("forbid.not-releasable", RuleEffect.Forbid, RuleCategory.Clearance,
            "The label's releasability excludes the principal's delegation.", "Not releasable to the delegation.",
            r => !IsLabelledContent(r) ? RuleCheck.NoMatch("Not labelled content.")
                : r.Principal.Delegation is { } code && r.Resource.Label!.Releasability.IsReleasableTo(code)
                    ? RuleCheck.NoMatch($"{r.Resource.Label} is releasable to {code}.")
                    : RuleCheck.Match(r.Principal.Delegation is { } d ? $"Not releasable to {d}: the label is {r.Resource.Label!.Releasability.ToMarking()}." : "You belong to no delegation, so nothing labelled is releasable to you.")),
        new("forbid.no-need-to-know", RuleEffect.Forbid, RuleCategory.NeedToKnow,
            "A content action on a resource that needs need-to-know, by someone who is neither a member nor holds a current grant (answers 404).", "No need-to-know.",
            NeedToKnowCheck, hidesResource: true),

        // ---- Forbids: training, device, assurance ----
        new("forbid.training-expired", RuleEffect.Forbid, RuleCategory.Training,
            "A content action while the confidentiality training is not current (the newest record decides).", "Confidentiality training expired.",
            r => r.Action.Kind != ActionKind.Content ? RuleCheck.NoMatch("Not content.")
                : r.Principal.Training.ValidUntil is not { } until ? RuleCheck.Match("No confidentiality training is on record for you; ask your security officer to record your course.")
                : until < r.Now ? RuleCheck.Match($"Your confidentiality training expired on {Day(until)}{Course(r.Principal.Training)}; ask your security officer to record a current course.")
                : RuleCheck.NoMatch($"Confidentiality training current until {Day(until)}{Course(r.Principal.Training)}.")),
        new("forbid.device-not-bound", RuleEffect.Forbid, RuleCategory.Device,
            "A content action from a session not bound to a certified device (the host administrator's, or one signed in before binding).", "The session has no bound device.",
            r => r.Action.Kind != ActionKind.Content ? RuleCheck.NoMatch("Not content.")
                : r.Principal.Session is null ? RuleCheck.Match($"{r.Principal.Email} has no live session.")
                : r.Principal.Session.Device is { } device ? RuleCheck.NoMatch($"The session is bound to device {device.Name}.")
                : RuleCheck.Match("This session is not bound to a certified device; sign in from a registered device (the client binds it).")),
        new("forbid.device-revoked", RuleEffect.Forbid, RuleCategory.Device,
            "A content action from a session whose device has been revoked.", "The session's device is revoked.",
            r => r.Action.Kind != ActionKind.Content || r.Principal.Session?.Device is not { } device ? RuleCheck.NoMatch("No bound device to check.")
                : device.RevokedAt is { } at ? RuleCheck.Match($"This session's device {device.Name} was revoked on {Instant(at)}; sign in from another device.")
                : RuleCheck.NoMatch($"Device {device.Name} is not revoked.")),
        new("forbid.assurance-too-low", RuleEffect.Forbid, RuleCategory.Authentication,
            $"A content action on a label whose assurance requirement the session does not meet ({string.Join("; ", settings.Assurance.Select(PolicySettings.Describe))}).",
            "Step up your sign-in.",
            r => AssuranceCheck(settings, r)),
        new("forbid.stale-authentication", RuleEffect.Forbid, RuleCategory.Authentication,
            $"Changing how one signs in without a second factor proved within {settings.RecentAuthentication.TotalMinutes.ToString(CultureInfo.InvariantCulture)} minutes.",
            "Confirm it is you first.",
            r => r.Action != Actions.ChangeAuthenticators ? RuleCheck.NoMatch("Not changing how one signs in.")
                : r.Principal.Session is { } s && r.Now - s.AuthenticatedAt <= settings.RecentAuthentication ? RuleCheck.NoMatch("A second factor was proved recently.")
                : RuleCheck.Match($"Confirm it is you with a second factor (POST /api/auth/step-up), then try again: changing how you sign in needs one within the last {settings.RecentAuthentication.TotalMinutes.ToString(CultureInfo.InvariantCulture)} minutes.", "second-factor")),

        // ---- Forbids: what is written ----
        new("forbid.unlabelled-write", RuleEffect.Forbid, RuleCategory.Labelling,
            "Writing into a labelled resource without saying the label of what is written.", "The written content has no label.",
            r => r.Action != Actions.Write || r.Resource.Label is null ? RuleCheck.NoMatch("Not writing into a labelled resource.")
                : r.Context.WrittenLabel is null ? RuleCheck.Match($"Say which label the content carries; in {r.Resource.Display} it is {r.Resource.Label}.")
                : RuleCheck.NoMatch($"The content is labelled {r.Context.WrittenLabel}.")),
        new("forbid.write-down", RuleEffect.Forbid, RuleCategory.Labelling,
            "Writing content labelled below the container's label, unless a security officer authorised that downgrade.", "No write-down without a downgrade.",
            WriteDownCheck),
        new("forbid.write-above-clearance", RuleEffect.Forbid, RuleCategory.Labelling,
            "Writing content labelled above what the writer is cleared for.", "Written above the writer's clearance.",
            r => r.Action != Actions.Write || r.Context.WrittenLabel is not { } written || r.Principal.Clearance is not { } clearance ? RuleCheck.NoMatch("No written label and clearance to compare.")
                : clearance.Check(written) is { IsSatisfied: false } check ? RuleCheck.Match($"You cannot write {written}: {check}")
                : RuleCheck.NoMatch($"Cleared for {written}.")),
        new("forbid.write-above-container", RuleEffect.Forbid, RuleCategory.Labelling,
            "Writing content labelled above (or beside) the container's label.", "Written above the container.",
            r => r.Action != Actions.Write || r.Context.WrittenLabel is not { } written || r.Resource.Label is not { } container ? RuleCheck.NoMatch("No written label and container label to compare.")
                : container.Dominates(written) ? RuleCheck.NoMatch($"{container} covers {written}.")
                : RuleCheck.Match($"{written} is not covered by the label of {r.Resource.Display} ({container}); content cannot exceed its container.")),

        .. RoomRules.Create(),
        .. DocumentRules.Create(),
    ];

    private static PolicyRule LabelRule(string id, string condition, string reason, ClearanceFailureKind kind) =>
        new(id, RuleEffect.Forbid, RuleCategory.Clearance, condition, reason, r =>
        {
            if (!IsLabelledContent(r)) return RuleCheck.NoMatch("Not labelled content.");
            if (r.Principal.Clearance is not { } clearance) return RuleCheck.NoMatch("No clearance to compare (see forbid.no-clearance).");
            var failure = clearance.Check(r.Resource.Label!)[kind];
            return failure is null ? RuleCheck.NoMatch($"{clearance} meets the label's {Condition(kind)}.") : RuleCheck.Match(failure.Reason);
        });

    private static string Condition(ClearanceFailureKind kind) => kind switch
    {
        ClearanceFailureKind.LevelTooLow => "level",
        ClearanceFailureKind.MissingCompartments => "compartments",
        _ => "releasability",
    };

    private static RuleCheck NeedToKnowCheck(PolicyRequest r)
    {
        if (r.Action.Kind != ActionKind.Content || r.Resource.NeedToKnow is not { } needToKnow) return RuleCheck.NoMatch("The resource needs no need-to-know beyond its label.");
        if (needToKnow.Members.Contains(r.Principal.UserId)) return RuleCheck.NoMatch($"You are {needToKnow.Membership}.");
        var grants = r.Context.Grants;
        if (grants.FirstOrDefault(g => g.RevokedAt is null && g.StartsAt <= r.Now && r.Now < g.ExpiresAt) is { } active)
            return RuleCheck.NoMatch($"Your grant on {r.Resource.Display} is current until {Instant(active.ExpiresAt)}.");
        var why = grants.Where(g => g.RevokedAt is null).OrderByDescending(g => g.ExpiresAt).FirstOrDefault() switch
        {
            { } g when g.StartsAt > r.Now => $" Your grant starts on {Instant(g.StartsAt)}.",
            { } g => $" Your grant expired on {Instant(g.ExpiresAt)}.",
            null when grants.Count > 0 => " Your grant was revoked.",
            null => "",
        };
        return RuleCheck.Match($"You are not {needToKnow.Membership} and hold no current grant for it.{why}");
    }

    private static RuleCheck AssuranceCheck(PolicySettings settings, PolicyRequest r)
    {
        if (!IsLabelledContent(r)) return RuleCheck.NoMatch("Not labelled content.");
        var label = r.Resource.Label!;
        var requirements = settings.RequirementsFor(label).ToList();
        if (requirements.Count == 0) return RuleCheck.NoMatch($"{label.Level.Name} needs no more than a signed-in session.");
        var session = r.Principal.Session;
        foreach (var requirement in requirements)
        {
            var strong = requirement.Aal == AssuranceLevels.Aal3;
            var proved = strong ? session?.StrongAuthenticatedAt : session?.AuthenticatedAt;
            if (proved is { } at && r.Now - at <= requirement.Within) continue;
            var minutes = requirement.Within.TotalMinutes.ToString(CultureInfo.InvariantCulture);
            var need = strong ? $"a security key (AAL3) used within the last {minutes} minutes" : $"a second factor proved within the last {minutes} minutes";
            var now = session is null ? "there is no live session"
                : proved is { } last ? $"the last was at {Instant(last)}"
                : "this session has used none";
            var how = strong ? "step up with your security key" : "step up with a second factor";
            return RuleCheck.Match($"{label.Level.Name} needs {need}; {now}. Step up your sign-in ({how}), then try again.", strong ? "security-key" : "second-factor");
        }
        return RuleCheck.NoMatch($"The session meets what {label.Level.Name} needs.");
    }

    private static RuleCheck WriteDownCheck(PolicyRequest r)
    {
        if (r.Action != Actions.Write || r.Context.WrittenLabel is not { } written || r.Resource.Label is not { } container)
            return RuleCheck.NoMatch("No written label and container label to compare.");
        if (written.Dominates(container)) return RuleCheck.NoMatch($"{written} is not below {container}.");
        var downgrade = r.Context.Downgrade;
        string refusal;
        if (downgrade is null) refusal = "";
        else if (downgrade.Resource != r.Resource.Reference) refusal = $" Downgrade {downgrade.Id} is for another resource.";
        else if (downgrade.To != written) refusal = $" Downgrade {downgrade.Id} is to {downgrade.To}, not {written}.";
        else if (downgrade.ExpiresAt <= r.Now) refusal = $" Downgrade {downgrade.Id} expired on {Instant(downgrade.ExpiresAt)}.";
        else if (downgrade.ItemHash is not null && !string.Equals(downgrade.ItemHash, r.Context.ItemHash, StringComparison.OrdinalIgnoreCase)) refusal = $" Downgrade {downgrade.Id} covers another item.";
        else return RuleCheck.NoMatch($"Downgrade {downgrade.Id} authorises writing {written} into {r.Resource.Display}.");
        return RuleCheck.Match($"Writing {written} into {r.Resource.Display} ({container}) would be a write-down; a security officer must authorise the downgrade first.{refusal}");
    }

    private static bool IsSelf(PolicyRequest r) => r.Resource.Kind == "user" && r.Resource.Id == r.Principal.UserId.ToString();

    private static bool IsLabelledContent(PolicyRequest r) => r.Action.Kind == ActionKind.Content && r.Resource.Label is not null;

    private static bool IsOfficerAct(PolicyAction action) =>
        (action.Kind is ActionKind.Administration or ActionKind.Inspection || action == Actions.RevokeDevice) && action != Actions.Explain;

    private static string RoleOf(PolicyPrincipal principal) => principal.Holds(Roles.HeadOfDelegation) ? "head of delegation" : "member";

    private static string Course(TrainingFacts training) =>
        training.Source == "clearance" ? " (as stated in your clearance certificate)" : training.Course is { } course ? $" (course {course})" : "";

    internal static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    internal static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
}
