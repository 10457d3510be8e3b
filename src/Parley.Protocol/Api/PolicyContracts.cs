using Parley.Protocol.Classification;

namespace Parley.Protocol.Api;

// The HTTP contract of the access policy: decisions and their explanation, device binding,
// training records, need-to-know grants, suspension and downgrades.

/// <summary>A one-time challenge that binds the current session to a device once the device signs it
/// (<see cref="Identity.DeviceBinding.Message"/>).</summary>
/// <param name="Challenge">32 random bytes.</param>
/// <param name="ExpiresAt">After this the challenge is refused; ask for a new one.</param>
public sealed record DeviceBindingChallenge(byte[] Challenge, DateTimeOffset ExpiresAt);

/// <summary>Binds the session to <paramref name="DeviceId"/> with the device's P-384 signature (IEEE P1363, 96 bytes) of the challenge.</summary>
public sealed record BindDeviceRequest(Guid DeviceId, byte[] Signature);

/// <summary>One rule as the policy evaluated it.</summary>
/// <param name="Id">Stable id, e.g. <c>forbid.level-too-low</c>.</param>
/// <param name="Effect"><c>permit</c> or <c>forbid</c>.</param>
/// <param name="Matched">True when the rule's condition held (a matched forbid denies; a matched permit permits unless a forbid matched).</param>
/// <param name="Reason">What the rule found, in words.</param>
public sealed record PolicyRuleOutcome(string Id, string Effect, bool Matched, string Reason);

/// <summary>A decision and every rule behind it: what <c>GET /api/policy/explain</c> and <c>GET /api/policy/access</c> answer.</summary>
/// <param name="Decision"><c>permit</c> or <c>deny</c>.</param>
/// <param name="Kind">Why, for clients to decide what to offer: <c>permit</c>, <c>not-permitted</c>, <c>not-cleared</c>,
/// <c>training-expired</c>, <c>device</c>, <c>step-up</c>, <c>suspended</c>, <c>write-refused</c>.</param>
/// <param name="DecidingRules">The ids of the rules that decided: matched permits, or matched forbids (<c>default.no-permit</c> when nothing permitted).</param>
/// <param name="Rules">Every rule evaluated, in order.</param>
/// <param name="Reason">One paragraph a person understands.</param>
/// <param name="StepUp">True when signing in again more strongly (a step-up) is all that is missing.</param>
/// <param name="StepUpWith"><c>security-key</c> or <c>second-factor</c> when <paramref name="StepUp"/>.</param>
/// <param name="User">The user the decision is about.</param>
/// <param name="Action">The action, e.g. <c>read</c>.</param>
/// <param name="Resource">The resource, e.g. <c>delegation:ATL</c> or <c>label:SECRET//ALPHA</c>.</param>
public sealed record PolicyDecisionView(
    string Decision, string Kind, IReadOnlyList<string> DecidingRules, IReadOnlyList<PolicyRuleOutcome> Rules, string Reason,
    bool StepUp, string? StepUpWith, string User, string Action, string Resource);

/// <summary>One rule of the policy as documented: what it checks and what it says when it decides.</summary>
public sealed record PolicyRuleView(string Id, string Effect, string Condition, string Reason);

/// <summary>A deployment's assurance requirement: labels at or above <paramref name="AtOrAbove"/> need
/// <paramref name="Aal"/> proved within <paramref name="WithinMinutes"/> (AAL3: a security key; AAL2: any second factor).</summary>
public sealed record AssuranceRequirementView(string AtOrAbove, string Aal, int WithinMinutes);

/// <summary>The marking scheme labels use on this server and what each label needs of a session.</summary>
public sealed record PolicySchemeView(MarkingSchemeDefinition Scheme, IReadOnlyList<AssuranceRequirementView> Assurance);

/// <summary>Records a course completion for a member of the officer's delegation.</summary>
/// <param name="User">Email or user id.</param>
/// <param name="Course">The course's name, e.g. "Confidentiality 2026".</param>
/// <param name="CompletedOn">The day it was completed (not in the future).</param>
/// <param name="ValidUntil">The last day the training counts (not before <paramref name="CompletedOn"/>); it ends at 23:59:59 UTC that day.</param>
public sealed record RecordTrainingRequest(string User, string Course, DateOnly CompletedOn, DateOnly ValidUntil);

/// <summary>One recorded course completion.</summary>
public sealed record TrainingRecordView(Guid Id, Guid UserId, string Email, string Course, DateOnly CompletedOn, DateTimeOffset ValidUntil, string RecordedBy, DateTimeOffset RecordedAt);

/// <summary>A member's current confidentiality training.</summary>
/// <param name="UserId">Who.</param>
/// <param name="Email">Their address.</param>
/// <param name="ValidUntil">Until when the training counts; null when nothing is on record.</param>
/// <param name="Source"><c>record</c> (a course completion), <c>clearance</c> (the clearance certificate's training date) or <c>none</c>.</param>
/// <param name="Current">True while <paramref name="ValidUntil"/> has not passed.</param>
/// <param name="Records">The member's recorded completions, newest first.</param>
public sealed record TrainingStatusView(Guid UserId, string Email, DateTimeOffset? ValidUntil, string Source, bool Current, IReadOnlyList<TrainingRecordView> Records);

/// <summary>Grants a member need-to-know for one resource, between two instants.</summary>
/// <param name="User">Email or user id of a member of the officer's delegation.</param>
/// <param name="Resource">A resource reference, e.g. <c>room:NAME</c> or <c>doc:ID</c>.</param>
/// <param name="StartsAt">When the grant starts (default: now).</param>
/// <param name="ExpiresAt">When it ends; after <paramref name="StartsAt"/>.</param>
/// <param name="Reason">Why, for the record (at most 500 characters).</param>
public sealed record CreateGrantRequest(string User, string Resource, DateTimeOffset? StartsAt, DateTimeOffset ExpiresAt, string? Reason);

/// <summary>A need-to-know grant; <c>Status</c> is <c>pending</c>, <c>active</c>, <c>expired</c> or <c>revoked</c>.</summary>
public sealed record GrantView(Guid Id, Guid UserId, string Email, string Resource, DateTimeOffset StartsAt, DateTimeOffset ExpiresAt, string? Reason,
    string GrantedBy, DateTimeOffset GrantedAt, DateTimeOffset? RevokedAt, string Status);

/// <summary>Suspends an account; the reason is recorded (its hash in the ledger).</summary>
public sealed record SuspendRequest(string Reason);

/// <summary>Authorises a downgrade: content of a labelled resource may be written at the lower label
/// <paramref name="Label"/> until the authorisation expires.</summary>
/// <param name="Label">The label the content will carry (banner form), lower than the resource's.</param>
/// <param name="ItemHash">Optional hex SHA-256 of the one item (message, document version) the downgrade covers.</param>
/// <param name="Justification">Why, for the record (its hash in the ledger; at most 1000 characters).</param>
/// <param name="ExpiresInHours">How long the authorisation lasts (1 to 168, default 24).</param>
public sealed record CreateDowngradeRequest(string Label, string? ItemHash, string Justification, int? ExpiresInHours);

/// <summary>An authorised downgrade.</summary>
public sealed record DowngradeView(Guid Id, string Resource, string FromLabel, string ToLabel, string? ItemHash, string AuthorizedBy, DateTimeOffset AuthorizedAt, DateTimeOffset ExpiresAt);
