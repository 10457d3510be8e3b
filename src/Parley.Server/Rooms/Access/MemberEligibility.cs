using Parley.Protocol.Classification;
using Parley.Protocol.Identity;
using Parley.Server.Identity.Model;
using Parley.Server.Policy.Facts;

namespace Parley.Server.Rooms.Access;

/// <summary>
/// Who may be in a room: a member or head of delegation of a party, whose account is active and whose
/// current clearance (as its officer issued it, not revoked, within its validity) satisfies the room's
/// label. Checked when someone is added, when the label changes, and for every user of a new roster.
/// </summary>
public sealed class MemberEligibility(PrincipalFacts facts)
{
    /// <summary>Why <paramref name="user"/> may not be in a room of <paramref name="parties"/> labelled <paramref name="label"/>, or null.</summary>
    public async Task<string?> ProblemAsync(UserAccount user, IReadOnlyCollection<string> parties, Label label, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (user.DelegationCode is not { } delegation || !parties.Contains(delegation))
            return $"{user.Email} is not of a party to the room ({string.Join(", ", parties)}).";
        if ((user.Roles & (Roles.Member | Roles.HeadOfDelegation)) == 0)
            return $"{user.Email} is not a member or head of delegation; rooms are for the people who negotiate.";
        if (user.Status == AccountStatus.Suspended) return $"The account of {user.Email} is suspended.";
        var principal = await facts.LoadAsync(user, null, now, cancellationToken);
        if (principal.Clearance is not { } clearance) return $"{user.Email} holds no current clearance certificate.";
        var check = clearance.Check(label);
        return check.IsSatisfied ? null : $"{user.Email} is not cleared for {label}: {check}";
    }
}
