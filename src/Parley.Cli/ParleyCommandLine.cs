using System.CommandLine;
using System.CommandLine.Invocation;
using Parley.Cli.Commands;
using Parley.Cli.Documents;
using Parley.Cli.Identity;
using Parley.Client.Api;
using Parley.Client.Documents;
using Parley.Client.Flows;
using Parley.Client.Ledger;
using Parley.Client.Profiles;
using Parley.Client.Rooms;
using Parley.Protocol.Rooms;
using Parley.Server.Hosting;
using Spectre.Console;

namespace Parley.Cli;

/// <summary>
/// The <c>parley</c> command tree and the one place that turns outcomes into exit codes: parse
/// errors and refused configurations exit 2, other failures 1, and no stack trace reaches the
/// user unless <c>--verbose</c> asks for it.
/// </summary>
public static class ParleyCommandLine
{
    // Long enough for Kestrel to finish in-flight requests and SQLite to checkpoint on SIGTERM;
    // System.CommandLine forces the exit after this.
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(15);

    /// <summary>Shows the details of errors; accepted by every command.</summary>
    public static Option<bool> Verbose { get; } = new("--verbose")
    {
        Description = "Show the details of an error (type and stack trace).",
        Recursive = true,
    };

    /// <summary>The root command with every noun.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("Parley: confidential negotiation rooms for delegations; clients encrypt, the server never reads content.")
        {
            ServeCommand.Create(),
            DemoCommand.Create(),
            AdminCommand.Create(),
            DelegationCommand.Create(),
            EnrollCommand.Create(),
            LoginCommand.Create(),
            LogoutCommand.Create(),
            WhoamiCommand.Create(),
            DeviceCommand.Create(),
            DirectoryCommand.Create(),
            SoCommand.Create(),
            PolicyCommand.Create(),
            RoomCommand.Create(),
            SendCommand.Create(),
            ReadCommand.Create(),
            DocCommand.Create(),
            ContactCommand.Create(),
            SelfTestCommand.Create(),
            LedgerCommand.Create(),
            WitnessCommand.Create(),
            VersionCommand.Create(),
        };
        root.Options.Add(Verbose);
        return root;
    }

    /// <summary>Parses <paramref name="args"/>, runs the command and returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        ParseResult? parsed = null;
        // Piped into a file or a script, tables must not wrap ids and secrets over several lines.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 200);
        try
        {
            parsed = Build().Parse(args);
            if (parsed.Action is ParseErrorAction parseError)
            {
                // The full help only helps when no command was named at all; otherwise the error and a pointer are clearer.
                var commandGiven = parsed.CommandResult.Command is not RootCommand;
                parseError.ShowHelp = !commandGiven;
                parseError.Invoke(parsed);
                if (commandGiven) await Console.Error.WriteLineAsync($"Run '{CommandPath(parsed)} --help' for usage.").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = ShutdownGrace };
            return await parsed.InvokeAsync(invocation).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var verbose = parsed is null ? args.Contains(Verbose.Name) : parsed.GetValue(Verbose);
            return await ReportAsync(e, verbose).ConfigureAwait(false);
        }
    }

    private static async Task<int> ReportAsync(Exception e, bool verbose)
    {
        var (code, message) = e switch
        {
            ServerConfigurationException => (ExitCodes.Usage, e.Message),
            UsageException => (ExitCodes.Usage, e.Message),
            ParleyApiException { Kind: ApiProblemKind.Denied or ApiProblemKind.StepUpRequired } api => (ExitCodes.Denied, Denial(api)),
            ParleyApiException api => (ExitCodes.Failure, $"the server refused ({(int)api.Problem.Status}): {api.Problem.Message}"),
            TrustException => (ExitCodes.Failure, $"not trusted: {e.Message}"),
            LedgerVerificationException => (ExitCodes.Failure, $"the server's ledger is refused: {e.Message}"),
            RoomOperationException room when IsDenial(room.Error.Code) => (ExitCodes.Denied, $"denied: {room.Error.Summary}: {room.Error.Message}"),
            RoomOperationException room => (ExitCodes.Failure, $"{room.Error.Summary}: {room.Error.Message}"),
            DocumentException document => DocumentPrinter.Describe(document),
            ProfileException => (ExitCodes.Failure, e.Message),
            HttpRequestException http => (ExitCodes.Failure, $"cannot reach the server: {http.Message}"),
            TaskCanceledException when e.InnerException is TimeoutException => (ExitCodes.Failure, "the server did not answer in time."),
            OperationCanceledException => (ExitCodes.Failure, "Cancelled."),
            _ => (ExitCodes.Failure, e.Message),
        };
        await Console.Error.WriteLineAsync($"parley: {message}").ConfigureAwait(false);
        if (verbose) await Console.Error.WriteLineAsync(e.ToString()).ConfigureAwait(false);
        else if (code == ExitCodes.Failure && e is not (ParleyApiException or TrustException or ProfileException or LedgerVerificationException or RoomOperationException or DocumentException)) await Console.Error.WriteLineAsync("Run again with --verbose for details.").ConfigureAwait(false);
        return code;
    }

    // Refusals of this client that mean "not allowed" rather than "went wrong".
    private static bool IsDenial(RoomErrorCode code) =>
        code is RoomErrorCode.LabelAboveClearance or RoomErrorCode.NotAParty or RoomErrorCode.DeviceRevoked or RoomErrorCode.LabelAboveRoom or RoomErrorCode.Untrusted;

    // The policy's reason, then the rules that decided and what would help.
    private static string Denial(ParleyApiException api)
    {
        if (api.Problem.Policy is not { } policy) return $"denied: {api.Problem.Message}";
        var stepUp = policy.StepUp ? $" Step up ({policy.StepUpWith}) and try again." : "";
        return $"denied: {policy.Reason}{stepUp} (rules: {string.Join(", ", policy.Rules)})";
    }

    private static string CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (var result = parsed.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
            names.Add(result.Command is RootCommand ? "parley" : result.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }
}
