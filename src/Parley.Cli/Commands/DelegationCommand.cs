using System.CommandLine;
using Parley.Cli.Identity;
using Parley.Protocol.Api;
using Parley.Protocol.Identity;
using Spectre.Console;

namespace Parley.Cli.Commands;

/// <summary><c>parley delegation create|list</c>: the host administrator's delegations.</summary>
internal static class DelegationCommand
{
    public static Command Create() => new("delegation", "Delegations sharing this server (the host administrator creates them).")
    {
        CreateDelegation(), List(),
    };

    private static Command CreateDelegation()
    {
        var code = new Argument<string>("CODE")
        {
            Description = "2 to 8 capital letters, e.g. ATL.",
            Validators = { r => { if (!DelegationCode.IsValid(r.GetValueOrDefault<string>())) r.AddError($"'{r.GetValueOrDefault<string>()}' is not a delegation code: 2 to 8 capital letters A-Z."); } },
        };
        var name = new Option<string>("--name") { Description = "The delegation's name, e.g. Atlantis.", HelpName = "N", Required = true };
        var nationality = new Option<string>("--nationality") { Description = "Its nationality, e.g. Atlantean.", HelpName = "X", Required = true };
        var profile = CliOptions.Profile();
        var json = CliOptions.Json();
        var command = new Command("create", "Create a delegation (host administrator); then 'parley so enroll EMAIL --role security-officer --delegation CODE' makes its first officer's link.")
        {
            code, name, nationality, profile, json,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var view = await session.Client.CreateDelegationAsync(new CreateDelegationRequest(parsed.GetRequiredValue(code), parsed.GetRequiredValue(name), parsed.GetRequiredValue(nationality)), cancellationToken).ConfigureAwait(false);
            if (parsed.GetValue(json))
            {
                await Output.JsonAsync(DelegationOutput.From(view), CliJson.Default.DelegationOutput, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            await Console.Out.WriteLineAsync($"Created delegation {view.Code} ({view.Name}, {view.Nationality}).".AsMemory(), cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var profile = CliOptions.Profile();
        var json = CliOptions.Json();
        var command = new Command("list", "List the delegations and their root fingerprints.") { profile, json };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            var delegations = (await session.Client.ListDelegationsAsync(cancellationToken).ConfigureAwait(false)).Select(DelegationOutput.From).ToList();
            if (parsed.GetValue(json))
            {
                await Output.JsonAsync<IReadOnlyList<DelegationOutput>>(delegations, CliJson.Default.IReadOnlyListDelegationOutput, cancellationToken).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            var table = new Table().AddColumns("Code", "Name", "Nationality", "Root fingerprint");
            foreach (var d in delegations) table.AddRow(d.Code, d.Name, d.Nationality, d.RootFingerprint ?? "(no officer yet)");
            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }
}
