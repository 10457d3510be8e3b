using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Parley.Protocol.Identity;
using Parley.Server.Identity.Sessions;

namespace Parley.Server.Identity.Authorization;

/// <summary>
/// Named authorization requirements, by their effect. Endpoints declare them with
/// <c>RequireAuthorization(IdentityPolicies.X)</c>; the checks live here and nowhere else.
/// </summary>
public static class IdentityPolicies
{
    /// <summary>Any signed-in account.</summary>
    public const string Authenticated = nameof(Authenticated);
    /// <summary>The venue's host administrator: delegations and their first officers, nothing that touches content.</summary>
    public const string HostAdministrator = nameof(HostAdministrator);
    /// <summary>Anyone who belongs to a delegation (not the host administrator): directory and devices.</summary>
    public const string DelegationMember = nameof(DelegationMember);
    /// <summary>A security officer of the delegation named by the route's <c>{code}</c>. Others get 404.</summary>
    public const string SecurityOfficerOfDelegation = nameof(SecurityOfficerOfDelegation);
    /// <summary>Who may create and withdraw enrollment links of the route's delegation: its security
    /// officers, or the host administrator (for its officers). Others get 404.</summary>
    public const string EnrollerOfDelegation = nameof(EnrollerOfDelegation);
    /// <summary>A session whose last second-factor check (sign-in or step-up) is recent.</summary>
    public const string RecentlyAuthenticated = nameof(RecentlyAuthenticated);

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(Authenticated, p => p.RequireAuthenticatedUser());
        options.AddPolicy(HostAdministrator, p => p.RequireAuthenticatedUser().AddRequirements(new HasRoleRequirement(Roles.HostAdministrator)));
        options.AddPolicy(DelegationMember, p => p.RequireAuthenticatedUser().AddRequirements(new BelongsToADelegationRequirement()));
        options.AddPolicy(SecurityOfficerOfDelegation, p => p.RequireAuthenticatedUser().AddRequirements(new SecurityOfficerOfRouteDelegationRequirement(AllowHostAdministrator: false)));
        options.AddPolicy(EnrollerOfDelegation, p => p.RequireAuthenticatedUser().AddRequirements(new SecurityOfficerOfRouteDelegationRequirement(AllowHostAdministrator: true)));
        options.AddPolicy(RecentlyAuthenticated, p => p.RequireAuthenticatedUser().AddRequirements(new RecentAuthenticationRequirement(AssuranceLimits.RecentAuthentication)));
    }

    internal static Roles RolesOf(ClaimsPrincipal user) =>
        RoleNames.Parse(user.FindAll(ClaimTypes.Role).Select(c => c.Value)).TryGetValue(out var roles, out _) ? roles : Roles.None;

    internal static string? DelegationOf(ClaimsPrincipal user) => user.FindFirst(IdentityClaims.Delegation)?.Value;
}

/// <summary>A requirement whose failure must not reveal that the resource exists: the caller gets 404.</summary>
public interface IHiddenResourceRequirement : IAuthorizationRequirement;

/// <summary>The caller holds <paramref name="Role"/>.</summary>
public sealed record HasRoleRequirement(Roles Role) : IAuthorizationRequirement;

/// <summary>The caller belongs to a delegation.</summary>
public sealed record BelongsToADelegationRequirement : IAuthorizationRequirement;

/// <summary>The caller is a security officer of the route's delegation (or, when allowed, the host administrator).</summary>
public sealed record SecurityOfficerOfRouteDelegationRequirement(bool AllowHostAdministrator) : IHiddenResourceRequirement;

/// <summary>A device's owner and delegation: the resource of <see cref="ManageDeviceRequirement"/>.</summary>
public sealed record DeviceOwnership(Guid OwnerId, string? Delegation);

/// <summary>The caller owns the device or is a security officer of its owner's delegation. Others get 404.</summary>
public sealed record ManageDeviceRequirement : IHiddenResourceRequirement
{
    public static readonly ManageDeviceRequirement Instance = new();
}

/// <summary>The roles an enrollment link would grant: the resource of <see cref="GrantRolesRequirement"/>.</summary>
public sealed record RolesToGrant(Roles Roles);

/// <summary>A security officer may enroll any role but host administrator; the host administrator
/// enrolls security officers only (their members are the officer's to enroll).</summary>
public sealed record GrantRolesRequirement : IAuthorizationRequirement
{
    public static readonly GrantRolesRequirement Instance = new();
}

/// <summary>The caller proved a second factor within <paramref name="Within"/>.</summary>
public sealed record RecentAuthenticationRequirement(TimeSpan Within) : IAuthorizationRequirement;

/// <summary>Decides the identity requirements from the session's claims and the route.</summary>
public sealed class IdentityRequirementsHandler(TimeProvider time) : IAuthorizationHandler
{
    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true) return Task.CompletedTask;
        var roles = IdentityPolicies.RolesOf(user);
        var delegation = IdentityPolicies.DelegationOf(user);
        foreach (var requirement in context.PendingRequirements.ToList())
        {
            var met = requirement switch
            {
                HasRoleRequirement r => roles.HasFlag(r.Role),
                BelongsToADelegationRequirement => delegation is not null,
                SecurityOfficerOfRouteDelegationRequirement r => OfficerOfRoute(context.Resource, roles, delegation, r.AllowHostAdministrator),
                RecentAuthenticationRequirement r => Recent(user, r.Within),
                GrantRolesRequirement => context.Resource is RolesToGrant grant && !grant.Roles.HasFlag(Roles.HostAdministrator)
                    && (roles.HasFlag(Roles.HostAdministrator) ? grant.Roles.HasFlag(Roles.SecurityOfficer) : roles.HasFlag(Roles.SecurityOfficer)),
                ManageDeviceRequirement => context.Resource is DeviceOwnership device
                    && (user.FindFirst(IdentityClaims.UserId)?.Value == device.OwnerId.ToString()
                        || (roles.HasFlag(Roles.SecurityOfficer) && delegation is not null && delegation == device.Delegation)),
                _ => (bool?)null,
            };
            if (met == true) context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }

    private static bool OfficerOfRoute(object? resource, Roles roles, string? delegation, bool allowHostAdministrator)
    {
        var code = resource is HttpContext http ? http.GetRouteValue("code") as string : null;
        if (code is null) return false;
        if (allowHostAdministrator && roles.HasFlag(Roles.HostAdministrator)) return true;
        return roles.HasFlag(Roles.SecurityOfficer) && delegation == code;
    }

    private bool Recent(ClaimsPrincipal user, TimeSpan within)
    {
        var at = user.FindFirst(IdentityClaims.AuthenticatedAt)?.Value;
        return at is not null && long.TryParse(at, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            && time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds) <= within;
    }
}
