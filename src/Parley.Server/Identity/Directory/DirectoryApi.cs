using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Api;
using Parley.Protocol.Identity;
using Parley.Server.Identity.Model;
using Parley.Server.Storage;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Policy.Engine;

namespace Parley.Server.Identity.Directory;

/// <summary>
/// The public key directory, for members of any delegation: identity keys, signed device and
/// clearance certificates, signed revocations, and each delegation's chain of trust. Clients verify
/// all of it against pinned roots; the server only serves it. The host administrator is not listed.
/// </summary>
public static class DirectoryApi
{
    public static IEndpointRouteBuilder MapDirectoryApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/directory").WithTags("Directory").RequiresPolicy(Actions.ReadDirectory, Resources.System);
        group.MapGet("/delegations/{code}", TrustAsync).WithSummary("A delegation's chain of trust: root, officers' certificates and keys, revocations.");
        group.MapGet("/delegations/{code}/users", UsersAsync).WithSummary("The people of a delegation with their identity keys.");
        group.MapGet("/users", AllUsersAsync).WithSummary("Everyone who belongs to a delegation, with their identity keys.");
        group.MapGet("/users/{user}", EntryAsync).WithSummary("One person (by id or email): identity key, device and clearance certificates, revocations.");
        return app;
    }

    private static async Task<Results<Ok<DelegationTrustView>, ProblemHttpResult>> TrustAsync(string code, ParleyDbContext db, CancellationToken cancellationToken)
    {
        var delegation = await db.Set<DelegationRecord>().SingleOrDefaultAsync(d => d.Code == code, cancellationToken);
        var trust = delegation is null ? null : await TrustQuery.LoadAsync(db, delegation, cancellationToken);
        return trust is null ? Problems.NotFound($"Delegation {code} does not exist or has no root of trust yet.") : TypedResults.Ok(trust);
    }

    private static async Task<Results<Ok<IReadOnlyList<DirectoryUser>>, ProblemHttpResult>> UsersAsync(string code, ParleyDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Set<DelegationRecord>().AnyAsync(d => d.Code == code, cancellationToken)) return Problems.NotFound($"There is no delegation {code}.");
        var users = await db.Set<UserAccount>().Where(u => u.DelegationCode == code).ToListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<DirectoryUser>>(users.OrderBy(u => u.DisplayName, StringComparer.Ordinal).Select(Views.DirectoryUser).ToList());
    }

    private static async Task<Ok<IReadOnlyList<DirectoryUser>>> AllUsersAsync(ParleyDbContext db, CancellationToken cancellationToken)
    {
        var users = await db.Set<UserAccount>().Where(u => u.DelegationCode != null).ToListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<DirectoryUser>>(users.OrderBy(u => u.DelegationCode, StringComparer.Ordinal).ThenBy(u => u.DisplayName, StringComparer.Ordinal).Select(Views.DirectoryUser).ToList());
    }

    private static async Task<Results<Ok<DirectoryEntry>, ProblemHttpResult>> EntryAsync(string user, ParleyDbContext db, CancellationToken cancellationToken)
    {
        UserAccount? account;
        if (Guid.TryParse(user, out var id)) account = await db.Set<UserAccount>().SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        else
        {
            var normalized = Emails.Normalize(user);
            account = await db.Set<UserAccount>().SingleOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        }
        if (account?.DelegationCode is null) return Problems.NotFound("There is no such person in the directory.");
        var devices = await db.Set<DeviceRecord>().Where(d => d.UserId == account.Id).ToListAsync(cancellationToken);
        var clearances = await db.Set<ClearanceRecord>().Where(c => c.SubjectUserId == account.Id).ToListAsync(cancellationToken);
        var revocations = devices.Where(d => d.Revocation is not null).Select(d => d.Revocation!)
            .Concat(clearances.Where(c => c.Revocation is not null).Select(c => c.Revocation!)).ToList();
        return TypedResults.Ok(new DirectoryEntry(Views.DirectoryUser(account),
            devices.OrderBy(d => d.RegisteredAt).Select(d => d.Certificate).ToList(),
            clearances.OrderBy(c => c.IssuedAt).Select(c => c.Certificate).ToList(),
            revocations));
    }
}
