namespace Parley.Server.Policy.Engine;

/// <summary>What kind of thing an action does; rules select actions by kind or by name.</summary>
public enum ActionKind
{
    /// <summary>The caller's own session: whoami, sign-out, step-up, device binding.</summary>
    Session,
    /// <summary>The caller's own account and second factors.</summary>
    Account,
    /// <summary>Reference data every signed-in person reads: delegations, the marking scheme, the rules.</summary>
    Reference,
    /// <summary>The public key directory.</summary>
    Directory,
    /// <summary>The caller's own devices.</summary>
    Devices,
    /// <summary>A security officer's acts on their delegation.</summary>
    Administration,
    /// <summary>A delegation's records read by its officers and auditors (metadata, never content).</summary>
    Inspection,
    /// <summary>The host administrator's acts on the venue.</summary>
    HostAdministration,
    /// <summary>Reading, writing, printing or downgrading labelled content.</summary>
    Content,
    /// <summary>Who belongs to a room, and its label and retention: its creator and the officers of its parties.</summary>
    Membership,
}

/// <summary>
/// An action a principal takes on a resource. <paramref name="HiddenWhenNotPermitted"/>: when no rule
/// permits it, the resource is one the caller may not know about and the answer is 404 (STYLE 9).
/// </summary>
public sealed record PolicyAction(string Name, ActionKind Kind, bool HiddenWhenNotPermitted, string Description)
{
    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>The actions of Parley. Names are stable: they are in ledger entries and in the CLI.</summary>
public static class Actions
{
    public static readonly PolicyAction ReadSession = new("session.read", ActionKind.Session, false, "See one's own session (whoami).");
    public static readonly PolicyAction EndSession = new("session.end", ActionKind.Session, false, "Sign out.");
    public static readonly PolicyAction StepUp = new("session.step-up", ActionKind.Session, false, "Prove a second factor again.");
    public static readonly PolicyAction BindDevice = new("session.bind-device", ActionKind.Session, false, "Bind the session to a certified device.");

    public static readonly PolicyAction ReadAccount = new("account.read", ActionKind.Account, false, "See one's own second factors.");
    public static readonly PolicyAction ManageAccount = new("account.manage", ActionKind.Account, false, "Add a security key, confirm a new TOTP secret.");
    public static readonly PolicyAction ChangeAuthenticators = new("account.change-authenticators", ActionKind.Account, false,
        "Replace TOTP, renew recovery codes, remove a security key: changes that could hand the account to someone else.");

    public static readonly PolicyAction ReadDelegations = new("delegation.read", ActionKind.Reference, false, "List delegations and their roots of trust.");
    public static readonly PolicyAction ReadPolicy = new("policy.read", ActionKind.Reference, false, "Read the marking scheme and the rules.");

    public static readonly PolicyAction ReadDirectory = new("directory.read", ActionKind.Directory, false, "Read the public key directory.");

    public static readonly PolicyAction RegisterDevice = new("device.register", ActionKind.Devices, false, "Register one's own device certificate.");
    public static readonly PolicyAction ListDevices = new("device.list", ActionKind.Devices, false, "List one's own devices.");
    public static readonly PolicyAction RevokeDevice = new("device.revoke", ActionKind.Devices, true, "Revoke a device (its owner, or an officer of its delegation).");

    public static readonly PolicyAction CreateDelegation = new("delegation.create", ActionKind.HostAdministration, false, "Create a delegation.");
    public static readonly PolicyAction ManageEnrollments = new("enrollment.manage", ActionKind.Administration, true, "Create, list and withdraw enrollment links.");
    public static readonly PolicyAction ManageClearances = new("clearance.manage", ActionKind.Administration, true, "Publish and revoke clearance certificates.");
    public static readonly PolicyAction ManageTraining = new("training.manage", ActionKind.Administration, true, "Record course completions.");
    public static readonly PolicyAction ManageGrants = new("grant.manage", ActionKind.Administration, true, "Create and revoke need-to-know grants.");
    public static readonly PolicyAction SuspendAccount = new("account.suspend", ActionKind.Administration, true, "Suspend and reinstate accounts.");
    public static readonly PolicyAction ManageWitnesses = new("witness.manage", ActionKind.Administration, true, "Register the delegation's ledger witness keys.");

    public static readonly PolicyAction Inspect = new("delegation.inspect", ActionKind.Inspection, true,
        "Read a delegation's members, clearances, devices, sign-ins, training, grants and downgrades.");
    public static readonly PolicyAction ReadLedger = new("ledger.read", ActionKind.Inspection, true, "Read a delegation's ledger.");
    public static readonly PolicyAction Explain = new("policy.explain", ActionKind.Inspection, true, "Explain a decision about a member of one's delegation.");

    public static readonly PolicyAction Read = new("read", ActionKind.Content, false, "Read labelled content.");
    public static readonly PolicyAction Write = new("write", ActionKind.Content, false, "Post or upload labelled content.");
    public static readonly PolicyAction Print = new("print", ActionKind.Content, false, "Print a controlled copy.");
    public static readonly PolicyAction Downgrade = new("downgrade", ActionKind.Content, false, "Authorise writing a resource's content at a lower label.");

    public static readonly PolicyAction ListRooms = new("room.list", ActionKind.Membership, false, "List one's own rooms and receive their deliveries.");
    public static readonly PolicyAction CreateRoom = new("room.create", ActionKind.Content, false, "Create a room at a label, as its first member.");
    public static readonly PolicyAction ManageRoomMembers = new("room.members", ActionKind.Membership, true,
        "Add or remove a member of a room (its creator, the member's security officer, or the member leaving).");
    public static readonly PolicyAction ChangeRoom = new("room.change", ActionKind.Membership, true, "Change a room's label or retention (its creator or an officer of a party).");
    public static readonly PolicyAction WithdrawParty = new("room.withdraw", ActionKind.Membership, true, "Withdraw one's delegation from a room (an officer of that party).");

    public static readonly PolicyAction DocumentRegister = new("document.register", ActionKind.Administration, true,
        "Read a document's print register, record a printed copy's destruction, and trace a leak to its copy (an officer of a party to its room).");
    public static readonly PolicyAction DestroyDocument = new("document.destroy", ActionKind.Administration, true,
        "Destroy a document by cryptographic erase, with a signed certificate (an officer of a party to its room).");
    public static readonly PolicyAction DocumentRetention = new("document.retention", ActionKind.Administration, true,
        "Change a document's declassify-on and destroy-after dates (an officer of a party to its room).");

    /// <summary>Every action.</summary>
    public static IReadOnlyList<PolicyAction> All { get; } =
    [
        ReadSession, EndSession, StepUp, BindDevice, ReadAccount, ManageAccount, ChangeAuthenticators, ReadDelegations, ReadPolicy,
        ReadDirectory, RegisterDevice, ListDevices, RevokeDevice, CreateDelegation, ManageEnrollments, ManageClearances, ManageTraining,
        ManageGrants, SuspendAccount, ManageWitnesses, Inspect, ReadLedger, Explain, Read, Write, Print, Downgrade,
        ListRooms, CreateRoom, ManageRoomMembers, ChangeRoom, WithdrawParty, DocumentRegister, DestroyDocument, DocumentRetention,
    ];

    /// <summary>The action with this name, or null.</summary>
    public static PolicyAction? Find(string? name) => All.FirstOrDefault(a => a.Name == name);
}
