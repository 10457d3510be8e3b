using System.CommandLine;
using System.Globalization;
using Parley.Cli.Identity;
using Parley.Protocol.Api;
using Spectre.Console;

namespace Parley.Cli.Commands;

/// <summary>The security officer's policy commands: training records, need-to-know grants, suspension.</summary>
internal static class SoPolicyCommands
{
    private static Option<DateOnly?> Date(string name, string description, bool required) => new(name)
    {
        Description = description,
        HelpName = "YYYY-MM-DD",
        Required = required,
        CustomParser = r =>
        {
            var token = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
            if (DateOnly.TryParseExact(token, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
            r.AddError($"{name} takes a date as YYYY-MM-DD, not '{token}'.");
            return null;
        },
    };

    public static Command Training()
    {
        var training = new Command("training", "Confidentiality training: record course completions and see who is current.");

        var email = new Argument<string>("EMAIL") { Description = "The member who completed the course." };
        var course = new Option<string>("--course") { Description = "The course's name.", HelpName = "C", Required = true };
        var validUntil = Date("--valid-until", "The last day the training counts.", required: true);
        var completedOn = Date("--completed-on", "The day the course was completed (default: today).", required: false);
        var profile = CliOptions.Profile();
        var json = CliOptions.Json();
        var record = new Command("record", "Record a course completion for a member of your delegation.") { email, course, validUntil, completedOn, profile, json };
        record.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var request = new RecordTrainingRequest(parsed.GetRequiredValue(email), parsed.GetRequiredValue(course),
                parsed.GetValue(completedOn) ?? DateOnly.FromDateTime(DateTime.UtcNow), parsed.GetValue(validUntil)!.Value);
            var view = await session.Client.RecordTrainingAsync(session.Delegation, request, cancellationToken).ConfigureAwait(false);
            if (parsed.GetValue(json)) await Output.JsonAsync(view, CliJson.Default.TrainingRecordView, cancellationToken).ConfigureAwait(false);
            else AnsiConsole.WriteLine($"Recorded {view.Course} for {view.Email}: completed {view.CompletedOn:yyyy-MM-dd}, valid until {view.ValidUntil.UtcDateTime:yyyy-MM-dd}.");
            return ExitCodes.Success;
        });

        var listProfile = CliOptions.Profile();
        var listJson = CliOptions.Json();
        var list = new Command("list", "Each member's current confidentiality training.") { listProfile, listJson };
        list.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(listProfile), cancellationToken).ConfigureAwait(false);
            var statuses = await session.Client.ListTrainingAsync(session.Delegation, cancellationToken).ConfigureAwait(false);
            if (parsed.GetValue(listJson))
            {
                await Output.JsonAsync(statuses, CliJson.Default.IReadOnlyListTrainingStatusView, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            var table = new Table().AddColumns("Email", "Valid until", "Source", "State", "Latest course");
            foreach (var s in statuses)
                table.AddRow(s.Email, Output.Time(s.ValidUntil), s.Source, s.Current ? "current" : s.ValidUntil is null ? "none" : "expired", s.Records.FirstOrDefault()?.Course ?? "-");
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });

        training.Subcommands.Add(record);
        training.Subcommands.Add(list);
        return training;
    }

    public static Command Grant()
    {
        var grant = new Command("grant", "Need-to-know grants on rooms and documents for members of your delegation.");

        var email = new Argument<string>("EMAIL") { Description = "The member." };
        var resource = new Option<string>("--resource") { Description = "The resource: room:NAME or doc:ID.", HelpName = "KIND:KEY", Required = true };
        var from = Date("--from", "The first day of the grant (default: now).", required: false);
        var until = Date("--until", "The last day of the grant.", required: true);
        var reason = new Option<string?>("--reason") { Description = "Why (recorded with the grant).", HelpName = "TEXT" };
        var profile = CliOptions.Profile();
        var json = CliOptions.Json();
        var create = new Command("create", "Grant a member need-to-know on a resource.") { email, resource, from, until, reason, profile, json };
        create.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            DateTimeOffset? starts = parsed.GetValue(from) is { } day ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null;
            var ends = new DateTimeOffset(parsed.GetValue(until)!.Value.ToDateTime(new TimeOnly(23, 59, 59)), TimeSpan.Zero);
            var view = await session.Client.CreateGrantAsync(session.Delegation,
                new CreateGrantRequest(parsed.GetRequiredValue(email), parsed.GetRequiredValue(resource), starts, ends, parsed.GetValue(reason)), cancellationToken).ConfigureAwait(false);
            if (parsed.GetValue(json)) await Output.JsonAsync(view, CliJson.Default.GrantView, cancellationToken).ConfigureAwait(false);
            else AnsiConsole.WriteLine($"Granted {view.Email} need-to-know on {view.Resource} from {Output.Time(view.StartsAt)} until {Output.Time(view.ExpiresAt)}; grant {view.Id}.");
            return ExitCodes.Success;
        });

        var listProfile = CliOptions.Profile();
        var listJson = CliOptions.Json();
        var list = new Command("list", "Your delegation's grants and their state.") { listProfile, listJson };
        list.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(listProfile), cancellationToken).ConfigureAwait(false);
            var grants = await session.Client.ListGrantsAsync(session.Delegation, cancellationToken).ConfigureAwait(false);
            if (parsed.GetValue(listJson))
            {
                await Output.JsonAsync(grants, CliJson.Default.IReadOnlyListGrantView, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            var table = new Table().AddColumns("Id", "Email", "Resource", "From", "Until", "State");
            foreach (var g in grants) table.AddRow(g.Id.ToString(), g.Email, Markup.Escape(g.Resource), Output.Time(g.StartsAt), Output.Time(g.ExpiresAt), g.Status);
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });

        var id = new Argument<Guid>("ID") { Description = "The grant's id (see 'parley so grant list')." };
        var revokeProfile = CliOptions.Profile();
        var revoke = new Command("revoke", "Revoke a grant.") { id, revokeProfile };
        revoke.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(revokeProfile), cancellationToken).ConfigureAwait(false);
            var view = await session.Client.RevokeGrantAsync(session.Delegation, parsed.GetValue(id), cancellationToken).ConfigureAwait(false);
            AnsiConsole.WriteLine($"Revoked grant {view.Id} of {view.Email} on {view.Resource}.");
            return ExitCodes.Success;
        });

        grant.Subcommands.Add(create);
        grant.Subcommands.Add(list);
        grant.Subcommands.Add(revoke);
        return grant;
    }

    public static Command Suspend()
    {
        var email = new Argument<string>("EMAIL") { Description = "The member to suspend." };
        var reason = new Option<string>("--reason") { Description = "Why (its keyed hash goes to the ledger).", HelpName = "TEXT", Required = true };
        var profile = CliOptions.Profile();
        var command = new Command("suspend", "Suspend a member's account: from the next request on they can do nothing but sign out.") { email, reason, profile };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var user = await session.Client.SuspendAsync(session.Delegation, parsed.GetRequiredValue(email), parsed.GetRequiredValue(reason), cancellationToken).ConfigureAwait(false);
            AnsiConsole.WriteLine($"Suspended {user.Email}.");
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Reinstate()
    {
        var email = new Argument<string>("EMAIL") { Description = "The member to reinstate." };
        var profile = CliOptions.Profile();
        var command = new Command("reinstate", "Reinstate a suspended account.") { email, profile };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var user = await session.Client.ReinstateAsync(session.Delegation, parsed.GetRequiredValue(email), cancellationToken).ConfigureAwait(false);
            AnsiConsole.WriteLine($"Reinstated {user.Email}.");
            return ExitCodes.Success;
        });
        return command;
    }
}
