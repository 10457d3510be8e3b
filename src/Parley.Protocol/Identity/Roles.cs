namespace Parley.Protocol.Identity;

/// <summary>What a person may do in Parley (DESIGN §1). A person may hold several roles.</summary>
[Flags]
public enum Roles
{
    /// <summary>No role.</summary>
    None = 0,
    /// <summary>Negotiator, analyst, interpreter: reads and writes where cleared.</summary>
    Member = 1,
    /// <summary>A member who may initial and sign agreed text for the delegation.</summary>
    HeadOfDelegation = 2,
    /// <summary>Vouches for members, manages training, devices, grants, alerts, incidents and audits.</summary>
    SecurityOfficer = 4,
    /// <summary>Reads the ledger and audit reports of the delegation: metadata, never content.</summary>
    Auditor = 8,
    /// <summary>Runs the server for the venue; creates delegations; no access to content.</summary>
    HostAdministrator = 16,
}

/// <summary>Names of roles on the wire and in certificates.</summary>
public static class RoleNames
{
    private static readonly (Roles Role, string Name)[] Names =
    [
        (Roles.Member, "member"),
        (Roles.HeadOfDelegation, "head-of-delegation"),
        (Roles.SecurityOfficer, "security-officer"),
        (Roles.Auditor, "auditor"),
        (Roles.HostAdministrator, "host-administrator"),
    ];

    /// <summary>The names of the roles in <paramref name="roles"/>, in a fixed order.</summary>
    public static IReadOnlyList<string> ToNames(Roles roles) =>
        Names.Where(n => roles.HasFlag(n.Role)).Select(n => n.Name).ToList();

    /// <summary>Parses role names; an error naming the first unknown one.</summary>
    public static Result<Roles> Parse(IEnumerable<string> names)
    {
        var roles = Roles.None;
        foreach (var name in names)
        {
            var match = Names.FirstOrDefault(n => n.Name == name);
            if (match.Name is null) return Result<Roles>.Fail(ProtocolErrorCode.Malformed, $"'{name}' is not a role; expected one of {string.Join(", ", Names.Select(n => n.Name))}.");
            roles |= match.Role;
        }
        return roles;
    }

    /// <summary>One role's name.</summary>
    public static string Name(Roles role) => Names.Single(n => n.Role == role).Name;
}
