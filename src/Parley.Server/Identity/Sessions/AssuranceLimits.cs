using Parley.Protocol.Api;

namespace Parley.Server.Identity.Sessions;

/// <summary>Session lifetimes of NIST SP 800-63B: AAL2 30 minutes idle, AAL3 15 minutes idle, both 12 hours at most.</summary>
public static class AssuranceLimits
{
    public static readonly TimeSpan Absolute = TimeSpan.FromHours(12);

    public static TimeSpan Idle(string aal) => aal == AssuranceLevels.Aal3 ? TimeSpan.FromMinutes(15) : TimeSpan.FromMinutes(30);

    /// <summary>How recent the last authentication must be for sensitive account changes (new recovery codes, removing a key).</summary>
    public static readonly TimeSpan RecentAuthentication = TimeSpan.FromMinutes(5);
}
