using System.CommandLine;
using Parley.Cli.Identity;
using Parley.Protocol.Api;
using Spectre.Console;

namespace Parley.Cli.Commands;

/// <summary><c>parley policy ...</c>: explain the access policy's decisions, and check one's own access.</summary>
internal static class PolicyCommand
{
    public static Command Create() => new("policy", "The access policy: why a person may or may not do something, and every rule behind it.")
    {
        Explain(), Check(),
    };

    private static Option<string> Resource() => new("--resource")
    {
        Description = "The resource: room:NAME, doc:ID, delegation:CODE, user:EMAIL, ledger:CODE, or label:MARKING (e.g. label:SECRET//ALPHA).",
        HelpName = "KIND:KEY",
        Required = true,
    };

    private static Option<string> Action() => new("--action")
    {
        Description = "The action: read, write, print, downgrade, or another action of the policy (see docs/SECURITY.md).",
        HelpName = "A",
        Required = true,
    };

    private static Option<string?> Label() => new("--label")
    {
        Description = "For write: the label of the content written (banner form).",
        HelpName = "MARKING",
    };

    private static Command Explain()
    {
        var user = new Option<string>("--user") { Description = "The person (email) the decision is about; a member of your delegation.", HelpName = "EMAIL", Required = true };
        var resource = Resource();
        var action = Action();
        var label = Label();
        var profile = CliOptions.Profile();
        var json = CliOptions.Json();
        var command = new Command("explain", "Explain the decision on a member of your delegation doing ACTION on RESOURCE now, with every rule evaluated (security officers and auditors). Exit 0 either way.")
        {
            user, resource, action, label, profile, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var view = await session.Client.ExplainAsync(parsed.GetRequiredValue(user), parsed.GetRequiredValue(resource), parsed.GetRequiredValue(action), parsed.GetValue(label), cancellationToken).ConfigureAwait(false);
            if (parsed.GetValue(json)) await Output.JsonAsync(view, CliJson.Default.PolicyDecisionView, cancellationToken).ConfigureAwait(false);
            else Print(view);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Check()
    {
        var resource = Resource();
        var action = Action();
        var label = Label();
        var profile = CliOptions.Profile();
        var json = CliOptions.Json();
        var command = new Command("check", "May I do ACTION on RESOURCE now? Exit 0 when permitted; exit 3 with the reason when denied.")
        {
            resource, action, label, profile, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var view = await session.Client.CheckAccessAsync(parsed.GetRequiredValue(resource), parsed.GetRequiredValue(action), parsed.GetValue(label), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (parsed.GetValue(json)) await Output.JsonAsync(view, CliJson.Default.PolicyDecisionView, cancellationToken).ConfigureAwait(false);
            else AnsiConsole.WriteLine($"permit: {view.Reason} (rules: {string.Join(", ", view.DecidingRules)})");
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Print(PolicyDecisionView view)
    {
        var colour = view.Decision == "permit" ? "green" : "red";
        AnsiConsole.MarkupLine($"[{colour}]{Markup.Escape(view.Decision.ToUpperInvariant())}[/] {Markup.Escape(view.User)} {Markup.Escape(view.Action)} {Markup.Escape(view.Resource)} ({Markup.Escape(view.Kind)})");
        AnsiConsole.WriteLine($"Reason: {view.Reason}");
        if (view.StepUp) AnsiConsole.WriteLine($"A step-up would help ({view.StepUpWith}).");
        AnsiConsole.WriteLine($"Deciding rules: {string.Join(", ", view.DecidingRules)}");
        var table = new Table().AddColumns("Rule", "Effect", "Matched", "Reason");
        foreach (var rule in view.Rules)
            table.AddRow(Markup.Escape(rule.Id), rule.Effect, rule.Matched ? "yes" : "no", Markup.Escape(rule.Reason));
        AnsiConsole.Write(table);
    }
}
