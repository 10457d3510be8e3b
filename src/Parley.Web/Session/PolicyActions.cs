namespace Parley.Web.Session;

/// <summary>The access policy's action names the forms offer (the server's policy defines them; docs/SECURITY.md lists all).</summary>
public static class PolicyActions
{
    /// <summary>Content actions first, then the administrative ones an officer asks about most.</summary>
    public static readonly IReadOnlyList<string> Common =
    [
        "read", "write", "print", "downgrade",
        "delegation.inspect", "ledger.read", "directory.read", "device.revoke",
        "enrollment.manage", "clearance.manage", "training.manage", "grant.manage", "account.suspend", "policy.explain",
    ];
}
