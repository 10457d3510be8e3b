using System.Text.RegularExpressions;
using Parley.Protocol.Api;
using Parley.Protocol.Classification;
using Parley.Protocol.Identity;
using Parley.Server.Policy.Engine;

namespace Parley.Server.Tests.Policy;

/// <summary>
/// The rules and the engine on facts made by hand: every condition of DESIGN §6 denies with its own
/// rule id and reason, step-up is told apart from "not cleared" and "training expired", and the
/// Cedar semantics hold over a grid of every combination.
/// </summary>
public sealed partial class PolicyEngineTests
{
    private static readonly MarkingScheme Scheme = MarkingScheme.Generic;
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);
    private static readonly PolicyEngine Engine = new(PolicySettings.Default);

    private static Label L(string banner) => Scheme.ParseBanner(banner).Value;

    private static PolicyPrincipal Member(string level = "SECRET", string[]? compartments = null, Roles roles = Roles.Member, string delegation = "ATL") => new()
    {
        UserId = Guid.Parse("00000000-0000-0000-0000-000000000001"),
        Email = "ana@atl.example",
        Delegation = delegation,
        Roles = roles,
        Clearance = Clearance.Create(Scheme, level, compartments ?? ["ALPHA"], delegation).Value,
        Training = new TrainingFacts(Now.AddDays(30), "record", "Confidentiality 2026"),
        Session = new SessionFacts(Guid.NewGuid(), AssuranceLevels.Aal3, Now.AddMinutes(-2), Now.AddMinutes(-2), new BoundDevice(Guid.NewGuid(), "laptop", null)),
    };

    private static PolicyResource Labelled(string banner) => new() { Kind = "label", Id = banner, Name = banner, Label = L(banner) };

    private static PolicyDecision Decide(PolicyPrincipal principal, PolicyAction action, PolicyResource resource, PolicyContext? context = null) =>
        Engine.Decide(new PolicyRequest(principal, action, resource, context ?? PolicyContext.Empty, Now));

    [Fact]
    public void A_cleared_member_with_current_training_a_bound_device_and_a_fresh_security_key_reads()
    {
        var decision = Decide(Member(), Actions.Read, Labelled("SECRET//ALPHA"));
        Assert.True(decision.Permitted, decision.Reason);
        Assert.Equal(["permit.member-content"], decision.DecidingRules);
        Assert.Equal(DecisionKind.Permit, decision.Kind);
        Assert.Equal(Engine.Rules.Count, decision.Rules.Count);
    }

    [Theory]
    [InlineData("TOP SECRET//ALPHA", "forbid.level-too-low", "Cleared to SECRET; TOP SECRET is needed.")]
    [InlineData("SECRET//ALPHA/BRAVO", "forbid.missing-compartment", "Not read into compartment BRAVO.")]
    [InlineData("SECRET//ALPHA//REL TO BOR", "forbid.not-releasable", "Not releasable to ATL: the label is REL TO BOR.")]
    public void Each_clearance_condition_denies_with_its_own_rule_and_reason(string banner, string rule, string reason)
    {
        var decision = Decide(Member(), Actions.Read, Labelled(banner));
        Assert.False(decision.Permitted);
        Assert.Equal([rule], decision.DecidingRules);
        Assert.Equal(reason, decision.Reason);
        Assert.Equal(DecisionKind.NotCleared, decision.Kind);
        Assert.False(decision.StepUp);
        Assert.False(decision.Hidden);
    }

    [Fact]
    public void Every_failed_condition_is_reported_not_just_the_first()
    {
        var decision = Decide(Member("CONFIDENTIAL", []), Actions.Read, Labelled("SECRET//ALPHA//REL TO BOR"));
        Assert.Equal(["forbid.level-too-low", "forbid.missing-compartment", "forbid.not-releasable"], decision.DecidingRules);
        Assert.Contains("Cleared to CONFIDENTIAL; SECRET is needed.", decision.Reason);
        Assert.Contains("Not read into compartment ALPHA.", decision.Reason);
    }

    [Fact]
    public void No_current_clearance_denies_with_the_reason_the_facts_give()
    {
        var principal = Member() with { Clearance = null, ClearanceProblem = "Your clearance certificate expired on 2026-01-01 00:00 UTC." };
        var decision = Decide(principal, Actions.Read, Labelled("RESTRICTED"));
        Assert.Equal(["forbid.no-clearance"], decision.DecidingRules);
        Assert.Equal("Your clearance certificate expired on 2026-01-01 00:00 UTC.", decision.Reason);
    }

    [Fact]
    public void Expired_training_is_its_own_kind_with_the_day_it_expired()
    {
        var principal = Member() with { Training = new TrainingFacts(new DateTimeOffset(2026, 3, 1, 23, 59, 59, TimeSpan.Zero), "record", "Confidentiality 2025") };
        var decision = Decide(principal, Actions.Read, Labelled("CONFIDENTIAL"));
        Assert.Equal(["forbid.training-expired"], decision.DecidingRules);
        Assert.Equal(DecisionKind.TrainingExpired, decision.Kind);
        Assert.StartsWith("Your confidentiality training expired on 2026-03-01 (course Confidentiality 2025)", decision.Reason);
        Assert.False(decision.StepUp);

        var none = Decide(Member() with { Training = TrainingFacts.None }, Actions.Read, Labelled("CONFIDENTIAL"));
        Assert.Equal(["forbid.training-expired"], none.DecidingRules);
        Assert.Contains("No confidentiality training is on record", none.Reason);
    }

    [Fact]
    public void A_stale_or_weak_sign_in_asks_for_a_step_up_and_nothing_else()
    {
        var aal2 = Member() with { Session = Member().Session! with { Aal = AssuranceLevels.Aal2, StrongAuthenticatedAt = null } };
        var decision = Decide(aal2, Actions.Read, Labelled("SECRET//ALPHA"));
        Assert.Equal(["forbid.assurance-too-low"], decision.DecidingRules);
        Assert.Equal(DecisionKind.StepUp, decision.Kind);
        Assert.True(decision.StepUp);
        Assert.Equal("security-key", decision.StepUpWith);
        Assert.Contains("SECRET needs a security key (AAL3) used within the last 15 minutes", decision.Reason);

        var stale = Member() with { Session = Member().Session! with { StrongAuthenticatedAt = Now.AddMinutes(-16) } };
        Assert.True(Decide(stale, Actions.Read, Labelled("SECRET//ALPHA")).StepUp);
        // Below SECRET nothing more than the session is needed.
        Assert.True(Decide(aal2, Actions.Read, Labelled("CONFIDENTIAL")).Permitted);
        // Step-up is offered only when it would be enough.
        var alsoUntrained = aal2 with { Training = TrainingFacts.None };
        var both = Decide(alsoUntrained, Actions.Read, Labelled("SECRET//ALPHA"));
        Assert.False(both.StepUp);
        Assert.Equal(DecisionKind.TrainingExpired, both.Kind);
        Assert.Equal(["forbid.training-expired", "forbid.assurance-too-low"], both.DecidingRules);
    }

    [Fact]
    public void Content_needs_a_session_bound_to_a_device_that_is_not_revoked()
    {
        var unbound = Member() with { Session = Member().Session! with { Device = null } };
        var decision = Decide(unbound, Actions.Read, Labelled("CONFIDENTIAL"));
        Assert.Equal(["forbid.device-not-bound"], decision.DecidingRules);
        Assert.Equal(DecisionKind.Device, decision.Kind);

        var revoked = Member() with { Session = Member().Session! with { Device = new BoundDevice(Guid.NewGuid(), "lost phone", Now.AddHours(-1)) } };
        var refused = Decide(revoked, Actions.Read, Labelled("CONFIDENTIAL"));
        Assert.Equal(["forbid.device-revoked"], refused.DecidingRules);
        Assert.Contains("lost phone was revoked on 2026-03-10 11:00 UTC", refused.Reason);
        // Non-content actions do not need the device.
        Assert.True(Decide(unbound, Actions.ReadDirectory, SystemResource).Permitted);
    }

    private static readonly PolicyResource SystemResource = new() { Kind = "system", Id = "parley", Name = "Parley" };

    private static PolicyResource Delegation(string code) => new() { Kind = "delegation", Id = code, Name = code, Delegation = code, Parties = new HashSet<string> { code } };

    [Fact]
    public void The_host_administrator_never_reaches_content_and_auditors_see_metadata_only()
    {
        var admin = Member(roles: Roles.HostAdministrator) with { Delegation = null, Clearance = null, Session = Member().Session! with { Device = null } };
        var decision = Decide(admin, Actions.Read, Labelled("UNCLASSIFIED"));
        Assert.Contains("forbid.host-administrator-content", decision.DecidingRules);
        Assert.False(decision.Permitted);

        var auditor = Member(roles: Roles.Auditor);
        Assert.Equal(["forbid.auditor-content"], Decide(auditor, Actions.Read, Labelled("SECRET//ALPHA")).DecidingRules);
        Assert.True(Decide(auditor, Actions.Inspect, Delegation("ATL")).Permitted);
        Assert.True(Decide(auditor, Actions.ReadLedger, Delegation("ATL")).Permitted);
        var elsewhere = Decide(auditor, Actions.Inspect, Delegation("BOR"));
        Assert.False(elsewhere.Permitted);
        Assert.True(elsewhere.Hidden);
        Assert.Equal([PolicyDecision.DefaultDeny], elsewhere.DecidingRules);
        // Auditors read; they do not administer.
        Assert.True(Decide(auditor, Actions.ManageTraining, Delegation("ATL")).Hidden);
    }

    [Fact]
    public void Officers_act_on_their_own_delegation_only_and_others_get_404()
    {
        var officer = Member(roles: Roles.SecurityOfficer | Roles.Member);
        foreach (var action in new[] { Actions.ManageClearances, Actions.ManageEnrollments, Actions.ManageTraining, Actions.ManageGrants, Actions.SuspendAccount, Actions.Inspect })
        {
            Assert.Equal(["permit.officer-own-delegation"], Decide(officer, action, Delegation("ATL")).DecidingRules);
            var other = Decide(officer, action, Delegation("BOR"));
            Assert.False(other.Permitted);
            Assert.True(other.Hidden);
        }
        var member = Decide(Member(), Actions.ManageClearances, Delegation("ATL"));
        Assert.True(member.Hidden);
    }

    [Fact]
    public void The_host_administrator_enrolls_security_officers_only_and_no_one_enrolls_a_host_administrator()
    {
        var admin = Member(roles: Roles.HostAdministrator) with { Delegation = null };
        Assert.True(Decide(admin, Actions.ManageEnrollments, Delegation("ATL"), new PolicyContext { RolesToGrant = Roles.SecurityOfficer | Roles.Member }).Permitted);
        var members = Decide(admin, Actions.ManageEnrollments, Delegation("ATL"), new PolicyContext { RolesToGrant = Roles.Member });
        Assert.Equal(["forbid.host-administrator-enrolls-officers-only"], members.DecidingRules);
        Assert.False(members.Hidden);
        var officer = Member(roles: Roles.SecurityOfficer | Roles.Member);
        Assert.True(Decide(officer, Actions.ManageEnrollments, Delegation("ATL"), new PolicyContext { RolesToGrant = Roles.Auditor }).Permitted);
        Assert.Equal(["forbid.enrollment-host-administrator-role"],
            Decide(officer, Actions.ManageEnrollments, Delegation("ATL"), new PolicyContext { RolesToGrant = Roles.HostAdministrator }).DecidingRules);
    }

    [Fact]
    public void A_suspended_account_may_only_see_and_end_its_session()
    {
        var suspended = Member() with { Suspended = true };
        var self = new PolicyResource { Kind = "user", Id = suspended.UserId.ToString(), Owner = suspended.UserId, Delegation = "ATL" };
        Assert.True(Decide(suspended, Actions.ReadSession, self).Permitted);
        Assert.True(Decide(suspended, Actions.EndSession, self).Permitted);
        foreach (var (action, resource) in new[] { (Actions.StepUp, self), (Actions.ReadDirectory, SystemResource), (Actions.Read, Labelled("UNCLASSIFIED")) })
        {
            var decision = Decide(suspended, action, resource);
            Assert.Contains("forbid.account-suspended", decision.DecidingRules);
            Assert.Equal(DecisionKind.Suspended, decision.Kind);
        }
    }

    [Fact]
    public void Changing_how_one_signs_in_needs_a_recent_second_factor()
    {
        var principal = Member() with { Session = Member().Session! with { AuthenticatedAt = Now.AddMinutes(-6) } };
        var self = new PolicyResource { Kind = "user", Id = principal.UserId.ToString(), Owner = principal.UserId };
        var decision = Decide(principal, Actions.ChangeAuthenticators, self);
        Assert.Equal(["forbid.stale-authentication"], decision.DecidingRules);
        Assert.True(decision.StepUp);
        Assert.Equal("second-factor", decision.StepUpWith);
        Assert.True(Decide(Member(), Actions.ChangeAuthenticators, self).Permitted);
        // Someone else's account is not one's own.
        Assert.False(Decide(Member(), Actions.ReadAccount, self with { Id = Guid.NewGuid().ToString() }).Permitted);
    }

    private static PolicyResource Vault(params Guid[] members) => new()
    {
        Kind = "vault", Id = "treaty", Name = "treaty", Label = L("SECRET//ALPHA"), Parties = new HashSet<string> { "ATL", "BOR" },
        NeedToKnow = new NeedToKnow(members.ToHashSet(), "a member of vault treaty"),
    };

    [Fact]
    public void Need_to_know_comes_from_membership_or_a_current_grant_and_its_absence_hides_the_resource()
    {
        var member = Member();
        Assert.True(Decide(member, Actions.Read, Vault(member.UserId)).Permitted);
        var outsider = Decide(member, Actions.Read, Vault());
        Assert.Equal(["forbid.no-need-to-know"], outsider.DecidingRules);
        Assert.True(outsider.Hidden);

        GrantFacts Grant(int startsInDays, int endsInDays, bool revoked = false) => new(Guid.NewGuid(), Now.AddDays(startsInDays), Now.AddDays(endsInDays), revoked ? Now.AddHours(-1) : null);
        Assert.True(Decide(member, Actions.Read, Vault(), new PolicyContext { Grants = [Grant(-1, 1)] }).Permitted);
        Assert.Contains("starts on", Decide(member, Actions.Read, Vault(), new PolicyContext { Grants = [Grant(1, 2)] }).Reason);
        Assert.Contains("expired on", Decide(member, Actions.Read, Vault(), new PolicyContext { Grants = [Grant(-3, -1)] }).Reason);
        Assert.Contains("revoked", Decide(member, Actions.Read, Vault(), new PolicyContext { Grants = [Grant(-1, 1, revoked: true)] }).Reason);
        // A grant gives need-to-know only: the label still decides.
        var low = Decide(Member("CONFIDENTIAL"), Actions.Read, Vault(), new PolicyContext { Grants = [Grant(-1, 1)] });
        Assert.Equal(["forbid.level-too-low"], low.DecidingRules);
        Assert.False(low.Hidden);
    }

    [Fact]
    public void No_write_down_no_write_above_the_clearance_or_the_container_and_a_downgrade_lifts_write_down_only()
    {
        var member = Member("TOP SECRET", ["ALPHA"]);
        var room = Labelled("SECRET//ALPHA");
        Assert.Equal(["forbid.unlabelled-write"], Decide(member, Actions.Write, room).DecidingRules);
        Assert.True(Decide(member, Actions.Write, room, new PolicyContext { WrittenLabel = L("SECRET//ALPHA") }).Permitted);

        var down = Decide(member, Actions.Write, room, new PolicyContext { WrittenLabel = L("CONFIDENTIAL") });
        Assert.Equal(["forbid.write-down"], down.DecidingRules);
        Assert.Equal(DecisionKind.WriteRefused, down.Kind);
        Assert.Contains("write-down", down.Reason);

        Assert.Equal(["forbid.write-above-container"], Decide(member, Actions.Write, room, new PolicyContext { WrittenLabel = L("TOP SECRET//ALPHA") }).DecidingRules);
        Assert.Equal(["forbid.write-above-clearance", "forbid.write-above-container"],
            Decide(Member(), Actions.Write, room, new PolicyContext { WrittenLabel = L("TOP SECRET//ALPHA") }).DecidingRules);

        var item = new string('a', 64);
        var downgrade = new DowngradeFacts(Guid.NewGuid(), room.Reference, L("CONFIDENTIAL"), item, Now.AddHours(1));
        Assert.True(Decide(member, Actions.Write, room, new PolicyContext { WrittenLabel = L("CONFIDENTIAL"), Downgrade = downgrade, ItemHash = item }).Permitted);
        Assert.Contains("covers another item", Decide(member, Actions.Write, room, new PolicyContext { WrittenLabel = L("CONFIDENTIAL"), Downgrade = downgrade, ItemHash = new string('b', 64) }).Reason);
        Assert.Contains("is to CONFIDENTIAL, not RESTRICTED", Decide(member, Actions.Write, room, new PolicyContext { WrittenLabel = L("RESTRICTED"), Downgrade = downgrade, ItemHash = item }).Reason);
        Assert.Contains("expired", Decide(member, Actions.Write, room, new PolicyContext { WrittenLabel = L("CONFIDENTIAL"), Downgrade = downgrade with { ExpiresAt = Now }, ItemHash = item }).Reason);
        Assert.Contains("another resource", Decide(member, Actions.Write, room, new PolicyContext { WrittenLabel = L("CONFIDENTIAL"), Downgrade = downgrade with { Resource = "label:SECRET" }, ItemHash = item }).Reason);
    }

    [Fact]
    public void Rule_ids_are_stable_unique_and_say_their_effect()
    {
        var ids = Engine.Rules.Select(r => r.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(Engine.Rules, r =>
        {
            Assert.Matches(RuleId(), r.Id);
            Assert.StartsWith(r.EffectName + ".", r.Id);
            Assert.False(string.IsNullOrWhiteSpace(r.Condition));
        });
    }

    [GeneratedRegex("^(permit|forbid)\\.[a-z]+(-[a-z]+)*$")]
    private static partial Regex RuleId();

    [Fact]
    public void Over_every_combination_of_role_clearance_label_training_session_and_device_the_decision_follows_Cedar()
    {
        var roles = new[] { Roles.Member, Roles.HeadOfDelegation, Roles.SecurityOfficer | Roles.Member, Roles.Auditor, Roles.HostAdministrator, Roles.SecurityOfficer };
        var clearances = new[] { ("SECRET", new[] { "ALPHA" }), ("CONFIDENTIAL", Array.Empty<string>()), ("TOP SECRET", new[] { "ALPHA", "BRAVO" }) };
        var labels = new[] { "UNCLASSIFIED", "CONFIDENTIAL", "SECRET//ALPHA", "SECRET//BRAVO", "TOP SECRET//ALPHA", "SECRET//ALPHA//REL TO BOR", "CONFIDENTIAL//ATL EYES ONLY" };
        var trainings = new[] { new TrainingFacts(Now.AddDays(1), "record", "c"), new TrainingFacts(Now.AddDays(-1), "record", "c"), TrainingFacts.None };
        var sessions = new SessionFacts?[]
        {
            new(Guid.NewGuid(), AssuranceLevels.Aal3, Now, Now, new BoundDevice(Guid.NewGuid(), "d", null)),
            new(Guid.NewGuid(), AssuranceLevels.Aal2, Now, null, new BoundDevice(Guid.NewGuid(), "d", null)),
            new(Guid.NewGuid(), AssuranceLevels.Aal3, Now, Now, null),
            new(Guid.NewGuid(), AssuranceLevels.Aal3, Now, Now, new BoundDevice(Guid.NewGuid(), "d", Now.AddDays(-1))),
            null,
        };
        var actions = new[] { Actions.Read, Actions.Print, Actions.Downgrade, Actions.Inspect, Actions.ReadDirectory };
        var count = 0;
        foreach (var role in roles)
        foreach (var (level, compartments) in clearances)
        foreach (var label in labels)
        foreach (var training in trainings)
        foreach (var session in sessions)
        foreach (var suspended in new[] { false, true })
        foreach (var action in actions)
        {
            var principal = Member(level, compartments, role) with { Training = training, Session = session, Suspended = suspended };
            var resource = action.Kind == ActionKind.Content ? Labelled(label) : action == Actions.Inspect ? Delegation("ATL") : SystemResource;
            var decision = Decide(principal, action, resource);
            var permits = decision.Rules.Where(o => o.Rule.Effect == RuleEffect.Permit && o.Check.Matched).Select(o => o.Rule.Id).ToList();
            var forbids = decision.Rules.Where(o => o.Rule.Effect == RuleEffect.Forbid && o.Check.Matched).Select(o => o.Rule.Id).ToList();
            Assert.Equal(permits.Count > 0 && forbids.Count == 0, decision.Permitted);
            Assert.Equal(decision.Permitted ? permits : forbids.Count > 0 ? forbids : [PolicyDecision.DefaultDeny], decision.DecidingRules);
            Assert.Equal(Engine.Rules.Select(r => r.Id), decision.Rules.Select(o => o.Rule.Id));
            if (decision.StepUp) Assert.All(decision.Rules.Where(o => o.Rule.Effect == RuleEffect.Forbid && o.Check.Matched), o => Assert.Equal(RuleCategory.Authentication, o.Rule.Category));
            if (decision.Permitted && action.Kind == ActionKind.Content)
            {
                // A permitted content action always had: a content role, a clearance dominating the label, current training, a bound unrevoked device, no suspension.
                Assert.True(principal.Holds(Roles.Member | Roles.HeadOfDelegation | Roles.SecurityOfficer));
                Assert.True(principal.Clearance!.Check(resource.Label!).IsSatisfied);
                Assert.True(training.ValidUntil >= Now);
                Assert.True(session?.Device is { RevokedAt: null });
                Assert.False(suspended);
                Assert.False(principal.Holds(Roles.HostAdministrator));
            }
            count++;
        }
        Assert.Equal(6 * 3 * 7 * 3 * 5 * 2 * 5, count);
    }

    [Fact]
    public void Settings_are_read_from_json_and_a_wrong_setting_is_named()
    {
        var (settings, error) = PolicySettings.Parse("""{ "scheme": "nato", "assurance": [ { "atOrAbove": "NATO CONFIDENTIAL", "aal": "AAL2", "withinMinutes": 60 } ], "recentAuthenticationMinutes": 10 }""");
        Assert.Null(error);
        Assert.Equal("nato", settings!.Scheme.Name);
        Assert.Equal("NATO CONFIDENTIAL", Assert.Single(settings.Assurance).AtOrAbove.Name);
        Assert.Equal(TimeSpan.FromMinutes(10), settings.RecentAuthentication);
        var defaults = PolicySettings.Parse("{}").Settings!;
        Assert.Equal("SECRET", Assert.Single(defaults.Assurance).AtOrAbove.Name);
        Assert.Equal(AssuranceLevels.Aal3, defaults.Assurance[0].Aal);

        Assert.Contains("unknown setting 'sheme'", PolicySettings.Parse("""{ "sheme": "nato" }""").Error);
        Assert.Contains("'SECRIT' is not a level of scheme generic", PolicySettings.Parse("""{ "assurance": [ { "atOrAbove": "SECRIT", "aal": "AAL3", "withinMinutes": 15 } ] }""").Error);
        Assert.Contains("aal must be", PolicySettings.Parse("""{ "assurance": [ { "atOrAbove": "SECRET", "aal": "AAL9", "withinMinutes": 15 } ] }""").Error);
        Assert.Contains("'scheme' names 'us'", PolicySettings.Parse("""{ "scheme": "us" }""").Error);
        Assert.Contains("not valid JSON", PolicySettings.Parse("{").Error);
    }
}
