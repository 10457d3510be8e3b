using System.Security.Cryptography;
using OtpNet;
using Parley.Client.Api;
using Parley.Client.Flows;
using Parley.Client.Keys;
using Parley.Client.Profiles;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;

namespace Parley.Cli.Demo;

/// <summary>
/// Seeds the demo through the same flows a person would use, against the running server: the
/// bootstrap token makes the host administrator, who creates ATL and BOR and their first officers'
/// links; each officer enrolls (founding the delegation's root), enrolls a head of delegation and
/// two members, and certifies all four. The seeder plays every person's authenticator app.
/// </summary>
internal sealed class DemoSeeder(Uri server, HttpClient http, string dataDirectory)
{
    public const string BootstrapTokenFile = "bootstrap-token";

    private static readonly CryptoSuite Suite = CryptoSuite.Default;
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);

    private sealed record Member(string Name, Roles Roles, string Role, string Level, string[] Compartments);

    private static readonly (string Code, string Name, string Nationality)[] Delegations =
    [
        ("ATL", "Atlantis", "Atlantean"),
        ("BOR", "Borduria", "Bordurian"),
    ];

    private static readonly Member[] People =
    [
        new("so", Roles.SecurityOfficer | Roles.Member, "security-officer", "SECRET", []),
        new("head", Roles.HeadOfDelegation | Roles.Member, "head-of-delegation", "SECRET", []),
        new("analyst", Roles.Member, "member", "SECRET", ["ALPHA"]),
        new("interpreter", Roles.Member, "member", "CONFIDENTIAL", []),
    ];

    public async Task<DemoManifest> SeedAsync(IProgress<string> progress, CancellationToken cancellationToken)
    {
        var tokenPath = Path.Combine(dataDirectory, BootstrapTokenFile);
        if (!File.Exists(tokenPath))
            throw new InvalidOperationException($"{dataDirectory} has been set up before but holds no {DemoManifest.FileName}, so the demo cannot seed it; start the demo on a new folder.");
        var token = (await File.ReadAllTextAsync(tokenPath, cancellationToken).ConfigureAwait(false)).Trim();

        var profiles = Path.Combine(dataDirectory, "profiles");
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(profiles);
        else Directory.CreateDirectory(profiles, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var users = new List<DemoUser>();
        using var admin = await EnrollAsync(EnrollmentLink.Bootstrap(server, token), "admin@host.example", "Host administrator", "admin", users, null, "host-administrator", cancellationToken).ConfigureAwait(false);
        progress.Report("host administrator admin@host.example");
        foreach (var (code, name, nationality) in Delegations)
        {
            await admin.Client.CreateDelegationAsync(new CreateDelegationRequest(code, name, nationality), cancellationToken).ConfigureAwait(false);
            var domain = $"{code.ToLowerInvariant()}.example";
            var officerPerson = People[0];
            var officerLink = await new SecurityOfficer(admin.Client, Suite)
                .CreateEnrollmentAsync($"{officerPerson.Name}@{domain}", officerPerson.Roles, code, cancellationToken: cancellationToken).ConfigureAwait(false);
            using var officer = await EnrollAsync(Parse(officerLink.Link), $"{officerPerson.Name}@{domain}", $"{name} security officer", $"{officerPerson.Name}-{code.ToLowerInvariant()}", users, code, officerPerson.Role, cancellationToken).ConfigureAwait(false);
            var console = new SecurityOfficer(officer.Client, Suite);
            foreach (var person in People.Skip(1))
            {
                var email = $"{person.Name}@{domain}";
                var link = await console.CreateEnrollmentAsync(email, person.Roles, code, cancellationToken: cancellationToken).ConfigureAwait(false);
                using var enrolled = await EnrollAsync(Parse(link.Link), email, $"{name} {person.Name}", $"{person.Name}-{code.ToLowerInvariant()}", users, code, person.Role, cancellationToken).ConfigureAwait(false);
            }
            foreach (var person in People)
            {
                var email = $"{person.Name}@{domain}";
                await console.CertifyAsync(officer.Identity, code, new ClearanceRequest(email, person.Level, person.Compartments, person.Roles, TimeSpan.FromDays(365), DateTimeOffset.UtcNow.AddDays(180)), cancellationToken).ConfigureAwait(false);
                var index = users.FindIndex(u => u.Email == email);
                users[index] = users[index] with { Clearance = person.Compartments.Length == 0 ? person.Level : $"{person.Level}//{string.Join('/', person.Compartments)}" };
            }
            progress.Report($"{code} ({name}): officer, head of delegation and two members, enrolled with TOTP and certified");
        }
        return new DemoManifest(DateTimeOffset.UtcNow, users);
    }

    private async Task<Enrolled> EnrollAsync(EnrollmentLink link, string email, string displayName, string profileName, List<DemoUser> users, string? delegation, string role, CancellationToken cancellationToken)
    {
        var profileDirectory = Path.Combine(dataDirectory, "profiles", profileName);
        var store = new FileProfileStore(profileDirectory);
        var client = new ParleyClient(http);
        var enrollment = new Enrollment(client, store, Suite, ClientKind.Cli);
        // Every seeded person enrolls from this one address, which the server limits like any other.
        var pending = await RateLimits.RetryAsync(() => enrollment.BeginAsync(link, delegation is null ? email : null, cancellationToken), MaxWait, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!string.Equals(pending.Details.Email, email, StringComparison.OrdinalIgnoreCase) && delegation is not null)
            throw new InvalidOperationException($"The enrollment was for {pending.Details.Email}, not {email}.");
        var password = NewPassword();
        var enrolled = await RateLimits.RetryAsync(async () =>
        {
            var code = await PreviousStepCodeAsync(pending.Details.Totp.Secret, cancellationToken).ConfigureAwait(false);
            return await enrollment.CompleteAsync(pending, password, displayName, code, $"demo seeding ({profileName})", cancellationToken).ConfigureAwait(false);
        }, MaxWait, cancellationToken: cancellationToken).ConfigureAwait(false);
        users.Add(new DemoUser(pending.Details.Email, password, pending.Details.Totp.Secret, delegation, role, null, profileDirectory));
        return new Enrolled(client, enrolled);
    }

    private sealed class Enrolled(ParleyClient client, EnrolledAccount account) : IDisposable
    {
        public ParleyClient Client { get; } = client;

        public UnlockedIdentity Identity => account.Account.Identity;

        public void Dispose() => account.Dispose();
    }

    private static EnrollmentLink Parse(string link) =>
        EnrollmentLink.Parse(link).TryGetValue(out var parsed, out var error) ? parsed : throw new InvalidOperationException($"The server made an unusable link: {error.Message}");

    // The code of the previous 30 s step (accepted: one step of skew), so that whoever signs in as
    // this user right after seeding has a fresh step and is not refused as a replay.
    private static async Task<string> PreviousStepCodeAsync(string secret, CancellationToken cancellationToken)
    {
        var totp = new Totp(Base32Encoding.ToBytes(secret));
        // Too close to the end of a step, the previous step may be two old when the server checks.
        if (totp.RemainingSeconds() < 5) await Task.Delay(TimeSpan.FromSeconds(totp.RemainingSeconds() + 1), cancellationToken).ConfigureAwait(false);
        return totp.ComputeTotp(DateTime.UtcNow.AddSeconds(-30));
    }

    // 20 characters from a 32-letter alphabet without look-alikes: 100 bits, easy to type.
    private static string NewPassword()
    {
        var chars = RandomNumberGenerator.GetString("abcdefghijkmnpqrstuvwxyz23456789", 20);
        return string.Join('-', chars.Chunk(5).Select(c => new string(c)));
    }
}
