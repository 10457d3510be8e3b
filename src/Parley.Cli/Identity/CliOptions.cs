using System.CommandLine;
using Parley.Client.Profiles;
using Parley.Protocol.Identity;

namespace Parley.Cli.Identity;

/// <summary>Options shared by the commands that act as a user.</summary>
internal static class CliOptions
{
    /// <summary>The environment variable a password is read from.</summary>
    public const string PasswordVariable = "PARLEY_PASSWORD";

    public static Option<string> Profile() => new("--profile")
    {
        Description = "The local profile folder (session, pinned roots, sealed device keys); 0700, files 0600.",
        HelpName = "DIR",
        DefaultValueFactory = _ => FileProfileStore.DefaultDirectory,
    };

    public static Option<bool> PasswordStdin() => new("--password-stdin")
    {
        Description = $"Read the password from the first line of standard input instead of ${PasswordVariable}.",
    };

    public static Option<bool> Json() => new("--json") { Description = "Print the result as JSON." };

    public static Option<Uri> Server() => new("--server")
    {
        Description = "The server's address, e.g. http://127.0.0.1:5080.",
        HelpName = "URL",
        Required = true,
        CustomParser = result =>
        {
            var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (Uri.TryCreate(token, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
                return new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
            result.AddError($"--server takes an http(s) address, not '{token}'.");
            return null;
        },
    };

    public static Option<string> DeviceName() => new("--device-name")
    {
        Description = "The name of this profile's device if it registers one (default: the machine's name).",
        HelpName = "NAME",
        DefaultValueFactory = _ => $"parley CLI on {Environment.MachineName}",
    };

    public static Option<string?> Otp() => new("--otp")
    {
        Description = "The current 6-digit code of your authenticator app (asked for if missing).",
        HelpName = "CODE",
    };

    /// <summary>Role names, validated at parse time.</summary>
    public static Option<string[]> Roles(string name, string description, bool required) => new(name)
    {
        Description = $"{description} One of {string.Join(", ", RoleNames.ToNames((Protocol.Identity.Roles)31))}; repeat for several.",
        HelpName = "ROLE",
        Required = required,
        AllowMultipleArgumentsPerToken = false,
        Validators =
        {
            result =>
            {
                var parsed = RoleNames.Parse(result.Tokens.Select(t => t.Value));
                if (!parsed.IsOk) result.AddError(parsed.Error.Message);
            },
        },
    };
}
