using Microsoft.EntityFrameworkCore;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Security;
using Parley.Server.Ledger;
using Parley.Server.Storage;

namespace Parley.Server.Identity.Enrollment;

/// <summary>
/// The one-time token that creates the host administrator. At start, while no host administrator
/// exists, the server keeps a pending host-administrator enrollment and its token in
/// <c>DATA/bootstrap-token</c> (0600), logging the file's path and never the token. Using it deletes
/// the file; a host administrator existing means no new token is ever made.
/// </summary>
public sealed class BootstrapToken(DataDirectory data, ILogger<BootstrapToken> logger)
{
    public const string FileName = "bootstrap-token";
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public string Path { get; } = System.IO.Path.Combine(data.Root, FileName);

    /// <summary>Makes sure a usable token exists while there is no host administrator; removes the file once there is one.</summary>
    public async Task EnsureAsync(ParleyDbContext db, LedgerWriter ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        var hasAdministrator = await db.Set<UserAccount>().AnyAsync(u => ((int)u.Roles & (int)Roles.HostAdministrator) != 0, cancellationToken);
        if (hasAdministrator)
        {
            Consumed();
            return;
        }
        var now = time.GetUtcNow();
        if (File.Exists(Path))
        {
            var hash = Tokens.Hash((await File.ReadAllTextAsync(Path, cancellationToken)).Trim());
            if (await db.Set<EnrollmentRecord>().AnyAsync(e => e.TokenHash == hash && e.CreatedBy == null && e.UsedAt == null && e.WithdrawnAt == null && e.ExpiresAt > now, cancellationToken))
            {
                logger.LogWarning("No host administrator yet. The one-time bootstrap token is in {Path}: run `parley admin init --server URL --token $(cat {Path}) --email EMAIL`.", Path, Path);
                return;
            }
            File.Delete(Path);
        }
        foreach (var stale in await db.Set<EnrollmentRecord>().Where(e => e.CreatedBy == null && e.UsedAt == null && e.WithdrawnAt == null).ToListAsync(cancellationToken))
            stale.WithdrawnAt = now;

        var token = Tokens.New();
        var enrollment = new EnrollmentRecord
        {
            Id = Guid.NewGuid(),
            TokenHash = Tokens.Hash(token),
            UserId = Guid.NewGuid(),
            Email = "host-administrator",
            Roles = Roles.HostAdministrator,
            CreatedAt = now,
            ExpiresAt = now + Lifetime,
        };
        db.Add(enrollment);
        ledger.Record(LedgerEventType.EnrollmentCreated, null, null, $"enrollment:{enrollment.Id}", new LedgerField("roles", RoleNames.Name(Roles.HostAdministrator)), new LedgerField("bootstrap", "true"));
        await db.SaveChangesAsync(cancellationToken);
        data.WritePrivateFile(FileName, System.Text.Encoding.ASCII.GetBytes(token + "\n"));
        logger.LogWarning("No host administrator yet. A one-time bootstrap token was written to {Path} (readable by this user only): run `parley admin init --server URL --token $(cat {Path}) --email EMAIL`.", Path, Path);
    }

    /// <summary>Deletes the token file once the host administrator exists.</summary>
    public void Consumed()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException e)
        {
            logger.LogError("Could not delete the used bootstrap token {Path}: {Error}", Path, e.Message);
        }
    }
}
