namespace Parley.Cli.Identity;

/// <summary>The command cannot run as given (a missing password, a bad value found after parsing): exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
