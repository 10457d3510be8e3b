using System.CommandLine;
using System.Globalization;
using Parley.Cli.Identity;
using Parley.Client.Flows;
using Parley.Protocol.Identity;
using Spectre.Console;

namespace Parley.Cli.Commands;

/// <summary><c>parley so ...</c>: a security officer's console for their delegation.</summary>
internal static class SoCommand
{
    public static Command Create() => new("so", "Security officer: enroll members, issue and revoke clearance certificates, revoke devices, review members and sign-ins, record training, grant need-to-know, suspend accounts.")
    {
        Enroll(), Certify(), Revoke(), Members(), SignIns(),
        SoPolicyCommands.Training(), SoPolicyCommands.Grant(), SoPolicyCommands.Suspend(), SoPolicyCommands.Reinstate(),
    };

    private static Command Enroll()
    {
        var email = new Argument<string>("EMAIL") { Description = "The new member's email address." };
        var roles = CliOptions.Roles("--role", "A role to grant.", required: true);
        var delegation = new Option<string?>("--delegation") { Description = "The delegation (default: your own; the host administrator names the delegation of its first officer).", HelpName = "CODE" };
        var hours = new Option<int?>("--expires-hours") { Description = "Hours until the link expires (default: the server's, 72).", HelpName = "N" };
        var profile = CliOptions.Profile();
        var json = CliOptions.Json();
        var command = new Command("enroll", "Create a one-time enrollment link for a new member and print it; hand it over in person or through a trusted channel.")
        {
            email, roles, delegation, hours, profile, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var roleSet = RoleNames.Parse(parsed.GetRequiredValue(roles)).Value;
            var created = await new SecurityOfficer(session.Client, CliSession.Suite)
                .CreateEnrollmentAsync(parsed.GetRequiredValue(email), roleSet, parsed.GetValue(delegation) ?? session.Delegation, parsed.GetValue(hours), cancellationToken).ConfigureAwait(false);
            var e = created.Enrollment;
            var output = new EnrollmentOutput(e.Id, e.Email, e.Roles, e.Delegation, e.ExpiresAt, created.Link);
            if (parsed.GetValue(json))
            {
                await Output.JsonAsync(output, CliJson.Default.EnrollmentOutput, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            AnsiConsole.WriteLine($"Enrollment for {e.Email} ({string.Join(", ", e.Roles)}{(e.Delegation is null ? "" : $", {e.Delegation}")}), valid until {Output.Time(e.ExpiresAt)}, usable once:");
            AnsiConsole.WriteLine(created.Link);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Certify()
    {
        var email = new Argument<string>("EMAIL") { Description = "The member to certify." };
        var level = new Option<string>("--level") { Description = "Clearance level: UNCLASSIFIED, RESTRICTED, CONFIDENTIAL, SECRET or TOP SECRET.", HelpName = "L", Required = true };
        var compartments = new Option<string[]>("--compartment") { Description = "A compartment, e.g. ALPHA; repeat for several.", HelpName = "C" };
        var roles = CliOptions.Roles("--role", "A role the certificate states (default: the member's roles).", required: false);
        var days = new Option<int>("--valid-days")
        {
            Description = "Days the clearance is valid (1 to 3650).",
            HelpName = "N",
            DefaultValueFactory = _ => 365,
            Validators = { r => { if (r.GetValueOrDefault<int>() is < 1 or > 3650) r.AddError("--valid-days takes 1 to 3650."); } },
        };
        var training = new Option<DateOnly?>("--training-until")
        {
            Description = "Date (YYYY-MM-DD) until which the member's confidentiality training is valid (default: as long as the clearance).",
            HelpName = "DATE",
            CustomParser = r =>
            {
                var token = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
                if (DateOnly.TryParseExact(token, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
                r.AddError($"--training-until takes a date as YYYY-MM-DD, not '{token}'.");
                return null;
            },
        };
        var profile = CliOptions.Profile();
        var stdin = CliOptions.PasswordStdin();
        var json = CliOptions.Json();
        var command = new Command("certify", $"Issue a clearance certificate for a member of your delegation, signed with your identity key (needs your password: ${CliOptions.PasswordVariable} or --password-stdin).")
        {
            email, level, compartments, roles, days, training, profile, stdin, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var validFor = TimeSpan.FromDays(parsed.GetValue(days));
            var trainingUntil = parsed.GetValue(training) is { } date
                ? new DateTimeOffset(date.ToDateTime(new TimeOnly(23, 59, 59)), TimeSpan.Zero)
                : DateTimeOffset.UtcNow.Add(validFor);
            var request = new ClearanceRequest(parsed.GetRequiredValue(email), parsed.GetRequiredValue(level).Trim().ToUpperInvariant(),
                parsed.GetValue(compartments) ?? [], RoleNames.Parse(parsed.GetValue(roles) ?? []).Value, validFor, trainingUntil);
            using var officer = await session.UnlockAsync(parsed.GetValue(stdin), cancellationToken).ConfigureAwait(false);
            var (_, view) = await new SecurityOfficer(session.Client, CliSession.Suite).CertifyAsync(officer, session.Delegation, request, cancellationToken).ConfigureAwait(false);
            if (parsed.GetValue(json))
            {
                await Output.JsonAsync(ClearanceOutput.From(view), CliJson.Default.ClearanceOutput, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            var label = view.Compartments.Count == 0 ? view.Level : $"{view.Level}//{string.Join('/', view.Compartments)}";
            AnsiConsole.WriteLine($"Certified {view.SubjectEmail}: {label}, valid until {Output.Time(view.ValidUntil)}, training until {Output.Time(view.TrainingValidUntil)}; serial {view.Serial}.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Revoke()
    {
        var revoke = new Command("revoke", "Revoke a clearance certificate or a device of your delegation with a revocation signed by your identity key.");
        foreach (var kind in new[] { "clearance", "device" })
        {
            var subject = new Argument<Guid>(kind == "clearance" ? "SERIAL" : "ID") { Description = kind == "clearance" ? "The clearance's serial (see 'parley so members')." : "The device's id." };
            var reason = new Option<string>("--reason") { Description = "Why; recorded in the signed revocation (at most 500 characters).", HelpName = "TEXT", Required = true };
            var profile = CliOptions.Profile();
            var stdin = CliOptions.PasswordStdin();
            var command = new Command(kind, $"Revoke a {kind} (needs your password: ${CliOptions.PasswordVariable} or --password-stdin).") { subject, reason, profile, stdin };
            command.SetAction(async (parsed, cancellationToken) =>
            {
                using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
                using var officer = await session.UnlockAsync(parsed.GetValue(stdin), cancellationToken).ConfigureAwait(false);
                var so = new SecurityOfficer(session.Client, CliSession.Suite);
                var id = parsed.GetValue(subject);
                var text = parsed.GetRequiredValue(reason);
                string done;
                if (kind == "clearance")
                {
                    var view = await so.RevokeClearanceAsync(officer, session.Delegation, id, text, cancellationToken).ConfigureAwait(false);
                    done = $"Revoked clearance {view.Serial} of {view.SubjectEmail}.";
                }
                else
                {
                    var view = await so.RevokeDeviceAsync(officer, session.Delegation, id, text, cancellationToken).ConfigureAwait(false);
                    done = $"Revoked device {view.Id} ({view.Name}).";
                }
                await Console.Out.WriteLineAsync(done.AsMemory(), cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            });
            revoke.Subcommands.Add(command);
        }
        return revoke;
    }

    private static Command Members()
    {
        var profile = CliOptions.Profile();
        var json = CliOptions.Json();
        var command = new Command("members", "List your delegation's members with their clearance, devices and lock state.") { profile, json };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var members = (await new SecurityOfficer(session.Client, CliSession.Suite).MembersAsync(session.Delegation, cancellationToken).ConfigureAwait(false))
                .Select(MemberOutput.From).ToList();
            if (parsed.GetValue(json))
            {
                await Output.JsonAsync<IReadOnlyList<MemberOutput>>(members, CliJson.Default.IReadOnlyListMemberOutput, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            var table = new Table().AddColumns("Email", "Roles", "Clearance", "Valid until", "Serial", "Devices", "Last sign-in", "State");
            foreach (var m in members)
            {
                var clearance = m.Level is null ? "-" : (m.Compartments.Count == 0 ? m.Level : $"{m.Level}//{string.Join('/', m.Compartments)}") + (m.ClearanceRevoked ? " (revoked)" : "");
                table.AddRow(m.Email, string.Join(", ", m.Roles), clearance, Output.Time(m.ClearanceValidUntil), m.ClearanceSerial?.ToString() ?? "-",
                    m.ActiveDevices.ToString(CultureInfo.InvariantCulture), Output.Time(m.LastSignInAt), m.Locked ? "locked" : m.Status);
            }
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command SignIns()
    {
        var profile = CliOptions.Profile();
        var json = CliOptions.Json();
        var command = new Command("sign-ins", "List recent sign-in attempts of your delegation's accounts: successes, failures with their reason, lockouts and rate limits.") { profile, json };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var attempts = (await new SecurityOfficer(session.Client, CliSession.Suite).SignInsAsync(session.Delegation, cancellationToken).ConfigureAwait(false))
                .Select(SignInOutput.From).ToList();
            if (parsed.GetValue(json))
            {
                await Output.JsonAsync<IReadOnlyList<SignInOutput>>(attempts, CliJson.Default.IReadOnlyListSignInOutput, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            var table = new Table().AddColumns("At", "Email", "Address", "Outcome", "Method");
            foreach (var a in attempts) table.AddRow(Output.Time(a.At), a.Email, a.Address, a.Outcome, a.Method ?? "-");
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }
}
