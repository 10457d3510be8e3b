using System.CommandLine;
using Parley.Server.Hosting;

namespace Parley.Cli.Serving;

/// <summary>Options shared by the commands that start a server.</summary>
internal static class ServerCommandOptions
{
    public static Option<string> Data() => new("--data")
    {
        Description = "The data folder (parley.db, blobs/); created private to this user if missing.",
        HelpName = "DIR",
        Required = true,
    };

    public static Option<string> Urls() => new("--urls")
    {
        Description = "Addresses to listen on, separated by ';'. Plain http only on loopback; port 0 picks a free port.",
        HelpName = "URL",
        DefaultValueFactory = _ => ServerOptions.DefaultUrls,
    };
}
