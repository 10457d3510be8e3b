using System.CommandLine;
using Parley.Cli.Identity;
using Parley.Client.Api;

namespace Parley.Cli.Commands;

/// <summary><c>parley logout</c>: ends the session on the server and forgets its token; device keys stay sealed in the profile.</summary>
internal static class LogoutCommand
{
    public static Command Create()
    {
        var profile = CliOptions.Profile();
        var command = new Command("logout", "Sign out: end the session on the server and remove its token from the profile.") { profile };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var session = await CliSession.SignedInAsync(parsed.GetRequiredValue(profile), cancellationToken).ConfigureAwait(false);
            try
            {
                await session.Client.LogoutAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ParleyApiException e) when (e.Kind is ApiProblemKind.Unauthenticated)
            {
                // Already ended on the server (expired or revoked): forgetting the token is all that is left.
            }
            await session.Store.SaveAsync(session.Profile! with { SessionToken = null }, cancellationToken).ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"Signed out {session.Profile!.Email}.".AsMemory(), cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
