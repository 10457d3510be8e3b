using Parley.Protocol.Classification;
using Parley.Protocol.Identity;

namespace Parley.Server.Policy.Engine;

/// <summary>
/// A resource as the policy sees it. Features resolve their resources into this shape
/// (<see cref="Resolution.IResourceResolver"/>); the rules never read storage.
/// </summary>
public sealed record PolicyResource
{
    /// <summary>The kind, e.g. <c>delegation</c>, <c>room</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The canonical key within the kind (an id or a code).</summary>
    public required string Id { get; init; }

    /// <summary>How people call it, for reasons (a room's name, a person's email).</summary>
    public string? Name { get; init; }

    /// <summary>The delegation the resource belongs to, if any: a delegation itself, a user's or a device owner's delegation.</summary>
    public string? Delegation { get; init; }

    /// <summary>Delegations with a stake in the resource (a room's parties); empty when the resource is not party-bound.</summary>
    public IReadOnlySet<string> Parties { get; init; } = new HashSet<string>();

    /// <summary>The user the resource belongs to (a device's owner, a user themself).</summary>
    public Guid? Owner { get; init; }

    /// <summary>The label of a labelled resource; null for resources that hold no content.</summary>
    public Label? Label { get; init; }

    /// <summary>How need-to-know is established, for resources that require it; null when the label alone decides.</summary>
    public NeedToKnow? NeedToKnow { get; init; }

    /// <summary><c>kind:id</c>, as in ledger entries and grants.</summary>
    public string Reference => $"{Kind}:{Id}";

    /// <summary>For reasons: the name when there is one.</summary>
    public string Display => Name is null ? Reference : $"{Kind} {Name}";

    /// <inheritdoc />
    public override string ToString() => Reference;
}

/// <summary>Need-to-know by membership (a room's roster), or else by a current grant on the resource.</summary>
/// <param name="Members">Users who are members.</param>
/// <param name="Membership">What membership is called, e.g. "a member of room Treaty".</param>
public sealed record NeedToKnow(IReadOnlySet<Guid> Members, string Membership);

/// <summary>What the policy knows about the person acting: account, clearance, training and session.</summary>
public sealed record PolicyPrincipal
{
    public required Guid UserId { get; init; }
    public required string Email { get; init; }
    public string? Delegation { get; init; }
    public required Roles Roles { get; init; }
    public bool Suspended { get; init; }

    /// <summary>The current clearance (newest issued, not revoked, within its validity), or null.</summary>
    public Clearance? Clearance { get; init; }

    /// <summary>Why there is no usable clearance, when <see cref="Clearance"/> is null.</summary>
    public string? ClearanceProblem { get; init; }

    public required TrainingFacts Training { get; init; }

    /// <summary>The session acting (or, for explain, the person's latest live session); null when none.</summary>
    public SessionFacts? Session { get; init; }

    public bool Holds(Roles role) => (Roles & role) != 0;
}

/// <summary>Current confidentiality training: until when it counts, from which source, by which course.</summary>
/// <param name="ValidUntil">Null when nothing is on record.</param>
/// <param name="Source"><c>record</c>, <c>clearance</c> or <c>none</c>.</param>
/// <param name="Course">The course of the deciding record.</param>
public sealed record TrainingFacts(DateTimeOffset? ValidUntil, string Source, string? Course)
{
    public static TrainingFacts None { get; } = new(null, "none", null);
}

/// <summary>The facts of a session the policy reads.</summary>
public sealed record SessionFacts(Guid Id, string Aal, DateTimeOffset AuthenticatedAt, DateTimeOffset? StrongAuthenticatedAt, BoundDevice? Device);

/// <summary>The device a session is bound to.</summary>
public sealed record BoundDevice(Guid Id, string Name, DateTimeOffset? RevokedAt);

/// <summary>A need-to-know grant of the principal on the resource (any state: the rule reads the times).</summary>
public sealed record GrantFacts(Guid Id, DateTimeOffset StartsAt, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt);

/// <summary>An officer's authorisation to write a resource's content at a lower label.</summary>
public sealed record DowngradeFacts(Guid Id, string Resource, Label To, string? ItemHash, DateTimeOffset ExpiresAt);

/// <summary>The person an explanation is about, as seen by the explainer's rules.</summary>
public sealed record ExplainedUser(Guid Id, string Email, string? Delegation);

/// <summary>Facts of the request beyond principal and resource: what is being written, granted or explained.</summary>
public sealed record PolicyContext
{
    public static PolicyContext Empty { get; } = new();

    /// <summary>The label of the content being written (write, upload), when the request says.</summary>
    public Label? WrittenLabel { get; init; }

    /// <summary>Hex SHA-256 of the item written, when the request says (matched against a downgrade's item).</summary>
    public string? ItemHash { get; init; }

    /// <summary>The downgrade the writer invokes, if any.</summary>
    public DowngradeFacts? Downgrade { get; init; }

    /// <summary>The roles an enrollment link would grant.</summary>
    public Roles? RolesToGrant { get; init; }

    /// <summary>The person whose decision is explained.</summary>
    public ExplainedUser? ExplainedUser { get; init; }

    /// <summary>The person an act on a room's membership is about (added or removed).</summary>
    public AffectedUser? AffectedUser { get; init; }

    /// <summary>The principal's grants on the resource.</summary>
    public IReadOnlyList<GrantFacts> Grants { get; init; } = [];
}

/// <summary>One question to the policy: may <see cref="Principal"/> do <see cref="Action"/> on <see cref="Resource"/>, now?</summary>
public sealed record PolicyRequest(PolicyPrincipal Principal, PolicyAction Action, PolicyResource Resource, PolicyContext Context, DateTimeOffset Now);
