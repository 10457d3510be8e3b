using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Classification;
using Parley.Server.Identity;
using Parley.Server.Identity.Model;
using Parley.Server.Policy.Engine;
using Parley.Server.Storage;

namespace Parley.Server.Policy.Resolution;

/// <summary>The names of the resource kinds that identity and the policy define.</summary>
public static class ResourceKindNames
{
    public const string System = "system";
    public const string Delegation = "delegation";
    public const string User = "user";
    public const string Device = "device";
    public const string Ledger = "ledger";
    public const string Label = "label";
}

/// <summary><c>system:parley</c>: the venue as a whole (delegation creation, reference data, the directory).</summary>
public sealed class SystemResolver : IResourceResolver
{
    public const string Key = "parley";

    public Task<PolicyResource?> ResolveAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(key == Key ? new PolicyResource { Kind = ResourceKindNames.System, Id = Key, Name = "Parley" } : null);
}

/// <summary><c>delegation:CODE</c>.</summary>
public sealed class DelegationResolver(ParleyDbContext db) : IResourceResolver
{
    public async Task<PolicyResource?> ResolveAsync(string key, CancellationToken cancellationToken)
    {
        if (!Protocol.Identity.DelegationCode.IsValid(key)) return null;
        var found = await db.Set<DelegationRecord>().AnyAsync(d => d.Code == key, cancellationToken);
        return found ? new PolicyResource { Kind = ResourceKindNames.Delegation, Id = key, Name = key, Delegation = key, Parties = new HashSet<string> { key } } : null;
    }
}

/// <summary><c>ledger:CODE</c>: a delegation's part of the ledger (for its officers and auditors).</summary>
public sealed class LedgerResolver(ParleyDbContext db) : IResourceResolver
{
    public async Task<PolicyResource?> ResolveAsync(string key, CancellationToken cancellationToken)
    {
        if (!Protocol.Identity.DelegationCode.IsValid(key)) return null;
        var found = await db.Set<DelegationRecord>().AnyAsync(d => d.Code == key, cancellationToken);
        return found ? new PolicyResource { Kind = ResourceKindNames.Ledger, Id = key, Name = $"of {key}", Delegation = key, Parties = new HashSet<string> { key } } : null;
    }
}

/// <summary><c>user:ID</c> or <c>user:EMAIL</c> (canonical key: the id).</summary>
public sealed class UserResolver(ParleyDbContext db) : IResourceResolver
{
    public async Task<PolicyResource?> ResolveAsync(string key, CancellationToken cancellationToken)
    {
        var user = await FindAsync(db, key, cancellationToken);
        return user is null ? null : Describe(user);
    }

    public static PolicyResource Describe(UserAccount user) => new()
    {
        Kind = ResourceKindNames.User,
        Id = user.Id.ToString(),
        Name = user.Email,
        Delegation = user.DelegationCode,
        Owner = user.Id,
        Parties = user.DelegationCode is { } code ? new HashSet<string> { code } : new HashSet<string>(),
    };

    /// <summary>A user by id or email.</summary>
    public static async Task<UserAccount?> FindAsync(ParleyDbContext db, string key, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(key, out var id)) return await db.Set<UserAccount>().SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (!Emails.IsPlausible(key)) return null;
        var normalized = Emails.Normalize(key);
        return await db.Set<UserAccount>().SingleOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
    }
}

/// <summary><c>device:ID</c>: a device, owned by its user, of its user's delegation.</summary>
public sealed class DeviceResolver(ParleyDbContext db) : IResourceResolver
{
    public async Task<PolicyResource?> ResolveAsync(string key, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(key, out var id)) return null;
        var device = await db.Set<DeviceRecord>().SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (device is null) return null;
        var owner = await db.Set<UserAccount>().SingleAsync(u => u.Id == device.UserId, cancellationToken);
        return new PolicyResource
        {
            Kind = ResourceKindNames.Device, Id = device.Id.ToString(), Name = device.Name, Owner = owner.Id, Delegation = owner.DelegationCode,
            Parties = owner.DelegationCode is { } code ? new HashSet<string> { code } : new HashSet<string>(),
        };
    }
}

/// <summary>
/// <c>label:MARKING</c>: anything labelled MARKING (banner form, e.g. <c>label:SECRET//ALPHA//REL TO ATL</c>),
/// with no need-to-know beyond the label. Lets explain and the access check answer "may this
/// person read / write at this label?" before any room or document exists.
/// </summary>
public sealed class LabelResolver(PolicyEngine engine) : IResourceResolver
{
    public Task<PolicyResource?> ResolveAsync(string key, CancellationToken cancellationToken)
    {
        var parsed = engine.Settings.Scheme.ParseBanner(key);
        return Task.FromResult(parsed.TryGetValue(out var label, out _)
            ? new PolicyResource { Kind = ResourceKindNames.Label, Id = label.ToBanner(), Name = label.ToBanner(), Label = label }
            : null);
    }

    /// <summary>Why <paramref name="marking"/> is not a label of the scheme, or null when it is one.</summary>
    public static string? Problem(MarkingScheme scheme, string marking) =>
        scheme.ParseBanner(marking).TryGetValue(out _, out var error) ? null : error.Message;
}
